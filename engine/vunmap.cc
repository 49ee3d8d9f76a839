// SPDX-License-Identifier: GPL-2.0-only
#include "engine/vunmap.h"

#include "engine/arch.h"
#include "engine/pgalloc.h"

namespace vmapfuzz::engine {
namespace {

// mm/vmalloc.c: vunmap_pte_range (with "Gracefully unmap huge ptes", 2025).
// v6.12 and v6.1 have the plain loop (ptep_get_and_clear + the not-present WARN per
// PAGE_SIZE step): arch_vmap_pte_range_unmap_size() is PAGE_SIZE there, so
// the CONT branch below is never taken.
void vunmap_pte_range(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, u32* mask) {
  const Geometry& g = k.geo();
  pte_t* pte = pte_offset_kernel(k, pmd, addr);
  if (!pte) return;
  for (;;) {
    u64 size = arch_vmap_pte_range_unmap_size(k, addr, pte);
    pte_t ptent;
    if (size != g.page_size()) {
      if (!is_aligned(addr, size)) {
        k.warn(WarnId::vunmap_pte_cont_misaligned, addr);
        const u64 back = (addr.v & (size - 1)) >> g.page_shift;
        addr = VirtAddr{addr.v & ~(size - 1)};
        pte -= back;
      }
      ptent = huge_ptep_get_and_clear(k, addr, pte, size);
      if (k.bugged()) return;
      if (end - addr < size) {
        k.warn(WarnId::vunmap_pte_cont_partial, addr);
        size = end - addr;
      }
    } else {
      ptent = ptep_get_and_clear(k, pte);
    }
    if (!pte_none(g, ptent) && !pte_present(g, ptent)) k.warn(WarnId::vunmap_pte_not_present, addr);
    // while (pte += (size >> PAGE_SHIFT), addr += size, addr != end)
    pte += size >> g.page_shift;
    addr += size;
    if (addr == end) break;
    if (addr > end) {
      k.bug(BugId::walk_ran_past_end, addr);
      return;
    }
  }
  *mask |= PGTBL_PTE_MODIFIED;
}

// mm/vmalloc.c: vunmap_pmd_range
void vunmap_pmd_range(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr end, u32* mask) {
  const Geometry& g = k.geo();
  pmd_t* pmd = pmd_offset(k, pud, addr);
  if (!pmd) return;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pmd, addr, end);
    const int cleared = pmd_clear_huge(k, pmd);
    if (cleared || lvl_bad(g, PgLevel::pmd, *pmd)) *mask |= PGTBL_PMD_MODIFIED;
    if (cleared) {
      // v6.12 vunmap_pmd_range has no WARN_ON(next - addr < PMD_SIZE): a
      // partly covered block is cleared whole, silently.
      if (!before_cont_vmap(k.variant()) && next - addr < g.pmd_size())
        k.warn(WarnId::vunmap_pmd_partial_block, addr);
      continue;
    }
    if (lvl_none(g, PgLevel::pmd, *pmd)) continue;
    if (lvl_bad(g, PgLevel::pmd, *pmd)) {  // pmd_none_or_clear_bad
      k.warn(WarnId::pmd_bad, addr);
      k.pool().store(pmd, 0);
      continue;
    }
    vunmap_pte_range(k, pmd, addr, next, mask);
    if (k.bugged()) return;
  } while (++pmd, addr = next, addr != end);
}

// mm/vmalloc.c: vunmap_pud_range
void vunmap_pud_range(Kernel& k, p4d_t* p4d, VirtAddr addr, VirtAddr end, u32* mask) {
  const Geometry& g = k.geo();
  pud_t* pud = pud_offset(k, p4d, addr);
  if (!pud) return;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pud, addr, end);
    const int cleared = pud_clear_huge(k, pud);
    if (cleared || lvl_bad(g, PgLevel::pud, *pud)) *mask |= PGTBL_PUD_MODIFIED;
    if (cleared) {
      // v6.12 vunmap_pud_range: no WARN_ON(next - addr < PUD_SIZE) either.
      if (!before_cont_vmap(k.variant()) && next - addr < g.pud_size())
        k.warn(WarnId::vunmap_pud_partial_block, addr);
      continue;
    }
    if (lvl_none(g, PgLevel::pud, *pud)) continue;
    if (lvl_bad(g, PgLevel::pud, *pud)) {  // pud_none_or_clear_bad
      k.warn(WarnId::pud_bad, addr);
      k.pool().store(pud, 0);
      continue;
    }
    vunmap_pmd_range(k, pud, addr, next, mask);
    if (k.bugged()) return;
  } while (++pud, addr = next, addr != end);
}

// mm/vmalloc.c: vunmap_p4d_range. p4d_clear_huge() is a no-op on every
// architecture modelled. On arm64, p4d_bad() is true for a none entry too,
// so an empty slot still sets PGTBL_P4D_MODIFIED.
void vunmap_p4d_range(Kernel& k, pgd_t* pgd, VirtAddr addr, VirtAddr end, u32* mask) {
  const Geometry& g = k.geo();
  p4d_t* p4d = p4d_offset(k, pgd, addr);
  if (!p4d) return;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::p4d, addr, end);
    if (lvl_bad(g, PgLevel::p4d, *p4d)) *mask |= PGTBL_P4D_MODIFIED;
    if (lvl_none(g, PgLevel::p4d, *p4d)) continue;  // p4d_none_or_clear_bad()
    if (lvl_bad(g, PgLevel::p4d, *p4d)) {
      k.warn(WarnId::p4d_bad, addr);
      *p4d = 0;
      continue;
    }
    vunmap_pud_range(k, p4d, addr, next, mask);
    if (k.bugged()) return;
  } while (++p4d, addr = next, addr != end);
}

}  // namespace

// mm/vmalloc.c: __vunmap_range_noflush
void vunmap_range_noflush(Kernel& k, VirtAddr start, VirtAddr end) {
  if (start >= end) {
    k.bug(BugId::range_addr_ge_end, start);  // BUG_ON
    return;
  }
  const Geometry& g = k.geo();
  u32 mask = 0;
  VirtAddr addr = start;
  ++k.counters().walks;
  pgd_t* pgd = pgd_offset_k(k, addr);
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pgd, addr, end);
    if (lvl_bad(g, PgLevel::pgd, *pgd)) mask |= PGTBL_PGD_MODIFIED;
    if (lvl_none(g, PgLevel::pgd, *pgd)) continue;  // pgd_none_or_clear_bad()
    if (lvl_bad(g, PgLevel::pgd, *pgd)) {
      k.warn(WarnId::pgd_bad, addr);
      k.pool().store(pgd, 0);
      continue;
    }
    vunmap_p4d_range(k, pgd, addr, next, &mask);
    if (k.bugged()) return;
  } while (++pgd, addr = next, addr != end);
  arch_sync_if_needed(k, mask, start, end);
  k.out().mod_mask |= mask;
}

// mm/vmalloc.c: vunmap_range
void vunmap_range(Kernel& k, VirtAddr addr, VirtAddr end) {
  k.flush(FlushKind::cache_vunmap, addr, end);
  vunmap_range_noflush(k, addr, end);
  if (k.bugged()) return;
  k.flush(FlushKind::tlb_kernel_range, addr, end);
}

VmArea* get_vm_area_at(Kernel& k, VirtAddr addr, u64 size, unsigned flags) {
  const Geometry& g = k.geo();
  const u64 total = size + g.page_size();  // guard page
  if (size == 0 || addr.v < g.vmalloc_start || total > g.vmalloc_size ||
      addr.v - g.vmalloc_start > g.vmalloc_size - total)
    return nullptr;
  for (const VmArea& a : k.areas())
    if (addr.v < a.addr.v + a.size && a.addr.v < addr.v + total) return nullptr;
  k.areas().push_back({addr, total, flags});
  return &k.areas().back();
}

VmArea* get_vm_area_aligned(Kernel& k, VirtAddr hint, u64 size, u64 align, unsigned flags) {
  const u64 addr = (hint.v + align - 1) & ~(align - 1);
  if (addr < hint.v) return nullptr;  // wrapped
  return get_vm_area_at(k, VirtAddr{addr}, size, flags);
}

VmArea* get_vm_area_placed(Kernel& k, VirtAddr addr, u64 size, u64 align, unsigned flags) {
  // Once unreachable, the fallbacks of the caller stay so: the kernel's
  // first choice already placed the area elsewhere.
  if (k.out().unreachable_align) return nullptr;
  if (!k.config().placement_any && !is_aligned(addr, align)) {
    k.out().unreachable_align = align;
    return nullptr;
  }
  return get_vm_area_at(k, addr, size, flags);
}

void vfree(Kernel& k, VirtAddr addr) {
  VmArea* area = k.find_vm_area(addr);
  if (!area) {
    k.warn(WarnId::vfree_nonexistent_area, addr);
    return;
  }
  free_vm_area(k, area);
}

void free_vm_area(Kernel& k, VmArea* area) {
  // remove_vm_area() -> free_unmap_vmap_area(): the whole vmap_area, guard
  // page included; the TLB flush is deferred to the lazy purge.
  const VirtAddr start = area->addr, end = area->addr + area->size;
  k.areas().erase(k.areas().begin() + (area - k.areas().data()));
  k.flush(FlushKind::cache_vunmap, start, end);
  vunmap_range_noflush(k, start, end);
  if (k.bugged()) return;
  k.flush(FlushKind::tlb_lazy_purge, start, end);
}

void vunmap(Kernel& k, VirtAddr addr) {
  VmArea* area = k.find_vm_area(addr);
  if (!area) {
    k.warn(WarnId::vunmap_nonexistent_area, addr);
    return;
  }
  free_vm_area(k, area);
}

}  // namespace vmapfuzz::engine
