// SPDX-License-Identifier: GPL-2.0-only
#include "engine/vmap_range.h"

#include "engine/arch.h"
#include "engine/pgalloc.h"

namespace vmapfuzz::engine {
namespace {

// v6.12's (and 6.1's) vmap_{pmd,pud,p4d}_range turn any error from below into -ENOMEM
// (only -ENOMEM can come up there anyway). A modelled BUG stays a BUG.
int enomem_6_12(int err) { return err == 0 || err == -kBUGGED ? err : -kENOMEM; }

// mm/vmalloc.c: vmap_pte_range (mainline, v4 and v6.12)
int vmap_pte_range(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot,
                   unsigned max_page_shift, u32* mask) {
  const Geometry& g = k.geo();
  // v6.12's (and 6.1's) vmap_pte_range has no WARN_ON_ONCE(!PAGE_ALIGNED(end - addr)):
  // an unaligned size walks on and its loop steps over `end` (modelled
  // below as BUG walk_ran_past_end, after the PTE of the partial page).
  if (!before_cont_vmap(k.variant()) && !is_aligned(end - addr, g.page_size())) {
    k.warn_once(WarnId::vmap_pte_range_size_unaligned, addr);  // WARN_ON_ONCE
    return -kEINVAL;
  }
  u64 pfn = phys.v >> g.page_shift;
  pte_t* pte = pte_alloc_kernel_track(k, pmd, addr, mask);
  if (!pte) return k.bugged() ? -kBUGGED : -kENOMEM;
  for (;;) {
    // Only the first entry of each step is checked (pre- and post-series).
    if (!pte_none(g, *pte)) return k.bug(BugId::vmap_pte_range_remap, addr);
    const u64 size = vmap_set_ptes(k, pte, addr, end, pfn, prot, max_page_shift);
    if (size == 0) return -kBUGGED;
    pfn += size >> g.page_shift;
    // while (pte += PFN_DOWN(size), addr += size, addr != end)
    pte += size >> g.page_shift;
    addr += size;
    if (addr == end) break;
    // The kernel would go on forever past `end`; the model stops here.
    if (addr > end) return k.bug(BugId::walk_ran_past_end, addr);
  }
  *mask |= PGTBL_PTE_MODIFIED;
  return 0;
}

}  // namespace

// mm/vmalloc.c: vmap_try_huge_pmd (with the 2026 init_mm trylock)
int vmap_try_huge_pmd(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, PhysAddr phys,
                      pgprot_t prot, unsigned max_page_shift) {
  const Geometry& g = k.geo();
  if (max_page_shift < g.pmd_shift()) return 0;
  if (!arch_vmap_pmd_supported(k, prot)) return 0;
  if ((end - addr) != g.pmd_size()) return 0;
  if (!is_aligned(addr, g.pmd_size())) return 0;
  if (!is_aligned(phys, g.pmd_size())) return 0;
  if (!lvl_present(g, PgLevel::pmd, *pmd)) return pmd_set_huge(k, pmd, addr, phys, prot);
  // scoped_guard(mmap_read_trylock, &init_mm): never contended in the model.
  if (!pmd_free_pte_page(k, pmd, addr)) return 0;
  return pmd_set_huge(k, pmd, addr, phys, prot);
}

namespace {

// mm/vmalloc.c: vmap_pmd_range
int vmap_pmd_range(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot,
                   unsigned max_page_shift, u32* mask) {
  int err = 0;
  pmd_t* pmd = pmd_alloc_track(k, pud, addr, mask);
  if (!pmd) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(k.geo(), PgLevel::pmd, addr, end);
    if (vmap_try_huge_pmd(k, pmd, addr, next, phys, prot, max_page_shift)) {
      *mask |= PGTBL_PMD_MODIFIED;
      continue;
    }
    if (k.bugged()) return -kBUGGED;
    err = vmap_pte_range(k, pmd, addr, next, phys, prot, max_page_shift, mask);
    if (err) {
      // v6.12 vmap_pmd_range: if (vmap_pte_range(...)) return -ENOMEM;
      if (before_cont_vmap(k.variant())) err = enomem_6_12(err);
      break;
    }
  } while (++pmd, phys += next - addr, addr = next, addr != end);
  return err;
}

// mm/vmalloc.c: vmap_try_huge_pud (with the 2026 init_mm trylock)
int vmap_try_huge_pud(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr end, PhysAddr phys,
                      pgprot_t prot, unsigned max_page_shift) {
  const Geometry& g = k.geo();
  if (max_page_shift < g.pud_shift()) return 0;
  if (!arch_vmap_pud_supported(k, prot)) return 0;
  if ((end - addr) != g.pud_size()) return 0;
  if (!is_aligned(addr, g.pud_size())) return 0;
  if (!is_aligned(phys, g.pud_size())) return 0;
  if (!lvl_present(g, PgLevel::pud, *pud)) return pud_set_huge(k, pud, addr, phys, prot);
  if (!pud_free_pmd_page(k, pud, addr)) return 0;
  return pud_set_huge(k, pud, addr, phys, prot);
}

// mm/vmalloc.c: vmap_pud_range
int vmap_pud_range(Kernel& k, p4d_t* p4d, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot,
                   unsigned max_page_shift, u32* mask) {
  int err = 0;
  pud_t* pud = pud_alloc_track(k, p4d, addr, mask);
  if (!pud) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(k.geo(), PgLevel::pud, addr, end);
    if (vmap_try_huge_pud(k, pud, addr, next, phys, prot, max_page_shift)) {
      *mask |= PGTBL_PUD_MODIFIED;
      continue;
    }
    if (k.bugged()) return -kBUGGED;
    err = vmap_pmd_range(k, pud, addr, next, phys, prot, max_page_shift, mask);
    if (err) {
      // v6.12 vmap_pud_range: if (vmap_pmd_range(...)) return -ENOMEM;
      if (before_cont_vmap(k.variant())) err = enomem_6_12(err);
      break;
    }
  } while (++pud, phys += next - addr, addr = next, addr != end);
  return err;
}

// mm/vmalloc.c: vmap_try_huge_p4d. No architecture the suite models maps
// P4D leaves, so it never writes one.
int vmap_try_huge_p4d(Kernel& k, p4d_t*, VirtAddr, VirtAddr, PhysAddr, pgprot_t prot,
                      unsigned max_page_shift) {
  if (max_page_shift < k.geo().p4d_shift()) return 0;
  if (!arch_vmap_p4d_supported(k, prot)) return 0;
  return 0;
}

// mm/vmalloc.c: vmap_p4d_range (one iteration where the p4d is folded)
int vmap_p4d_range(Kernel& k, pgd_t* pgd, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot,
                   unsigned max_page_shift, u32* mask) {
  int err = 0;
  p4d_t* p4d = p4d_alloc_track(k, pgd, addr, mask);
  if (!p4d) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(k.geo(), PgLevel::p4d, addr, end);
    if (vmap_try_huge_p4d(k, p4d, addr, next, phys, prot, max_page_shift)) {
      *mask |= PGTBL_P4D_MODIFIED;
      continue;
    }
    err = vmap_pud_range(k, p4d, addr, next, phys, prot, max_page_shift, mask);
    if (err) {
      // v6.12 vmap_p4d_range: if (vmap_pud_range(...)) return -ENOMEM;
      if (before_cont_vmap(k.variant())) err = enomem_6_12(err);
      break;
    }
  } while (++p4d, phys += next - addr, addr = next, addr != end);
  return err;
}

}  // namespace

// mm/vmalloc.c: vmap_range_noflush
int vmap_range_noflush(Kernel& k, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot,
                       unsigned max_page_shift) {
  if (addr >= end) return k.bug(BugId::range_addr_ge_end, addr);  // BUG_ON
  const VirtAddr start = addr;
  u32 mask = 0;
  int err = 0;
  ++k.counters().walks;
  pgd_t* pgd = pgd_offset_k(k, addr);
  VirtAddr next;
  do {
    next = level_addr_end(k.geo(), PgLevel::pgd, addr, end);
    err = vmap_p4d_range(k, pgd, addr, next, phys, prot, max_page_shift, &mask);
    if (err) break;
  } while (++pgd, phys += next - addr, addr = next, addr != end);
  arch_sync_if_needed(k, mask, start, end);
  k.out().mod_mask |= mask;
  return err;
}

// mm/vmalloc.c: vmap_page_range
int vmap_page_range(Kernel& k, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot) {
  const int err =
      vmap_range_noflush(k, addr, end, phys, pgprot_nx(k.geo(), prot), k.ioremap_max_page_shift());
  if (k.bugged()) return err;
  k.flush(FlushKind::cache_vmap, addr, end);
  return err;
}

// mm/vmalloc.c: ioremap_page_range
int ioremap_page_range(Kernel& k, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot) {
  // v6.1's ioremap_page_range checks no vm area: its body is what later
  // releases call vmap_page_range().
  if (k.variant() == Variant::v6_1) return vmap_page_range(k, addr, end, phys, prot);
  const VmArea* area = k.find_vm_area(addr);
  if (!area || !(area->flags & VM_IOREMAP)) {
    k.warn_once(WarnId::ioremap_area_not_ioremap, addr);
    return -kEINVAL;
  }
  const u64 usable = area->size - k.geo().page_size();  // get_vm_area_size()
  if (addr != area->addr || end != area->addr + usable) {
    k.warn_once(WarnId::ioremap_range_mismatch, addr);
    return -kERANGE;
  }
  return vmap_page_range(k, addr, end, phys, prot);
}

}  // namespace vmapfuzz::engine
