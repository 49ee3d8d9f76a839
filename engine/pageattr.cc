// SPDX-License-Identifier: GPL-2.0-only
#include "engine/pageattr.h"

#include <bit>

#include "engine/arch.h"
#include "engine/pgalloc.h"

namespace vmapfuzz::engine {
namespace {

using arm64::pmd_populate_raw;
using arm64::pud_populate_raw;
using arm64::set_p4d;
using arm64::set_pgd;
using arm64::set_pmd;
using arm64::set_pte_raw;
using arm64::set_pud;

// No BTI is modelled: PTE_MAYBE_GP is 0 (docs/pageattr.md).
constexpr u64 PTE_MAYBE_GP = 0;

// The 2026 tree's pageattr code; v6.12 and v6.1 use apply_to_page_range.
bool pagewalk_era(Variant v) { return !before_cont_vmap(v); }

u64 set_pageattr_masks(u64 val, PageChangeData m) { return (val & ~m.clear_mask) | m.set_mask; }

// arm64's pXd_leaf of kernel level `l` as the generic code sees it:
// constant false where the level below is folded (the real test is made
// there, on the same entry). Present-invalid blocks count (pte_present).
bool lvl_leaf(const Geometry& g, PgLevel l, u64 d) {
  return !g.is_folded(level_below(l)) && pmd_leaf(d);
}

u64 level_size(const Geometry& g, PgLevel l) { return u64{1} << g.level_shift(l); }

// ---------------------------------------------------------------------------
// arch/arm64/mm/mmu.c (2026): the splits of split_kernel_leaf_mapping_locked.

void split_contpte(Kernel& k, pte_t* ptep) {
  const unsigned n = k.geo().cont_ptes();
  const auto off =
      static_cast<unsigned>((reinterpret_cast<std::uintptr_t>(ptep) / sizeof(pte_t)) & (n - 1));
  ptep -= off;
  for (unsigned i = 0; i < n; ++i, ++ptep) set_pte_raw(k, ptep, *ptep & ~PTE_CONT);  // mknoncont
}

void split_contpmd(Kernel& k, pmd_t* pmdp) {
  const unsigned n = k.geo().cont_pmds();
  const auto off =
      static_cast<unsigned>((reinterpret_cast<std::uintptr_t>(pmdp) / sizeof(pmd_t)) & (n - 1));
  pmdp -= off;
  for (unsigned i = 0; i < n; ++i, ++pmdp) set_pmd(k, pmdp, *pmdp & ~PTE_CONT);
}

// pte_mkinvalid(): not valid, but still present (PTE_PRESENT_INVALID).
u64 mkinvalid(u64 prot) { return (prot | PTE_PRESENT_INVALID) & ~PTE_VALID; }

// A PMD block becomes a table of pages (CONT pages with to_cont) with the
// block's attributes. A block set_memory_valid(0) left present-invalid
// gives present-invalid pages.
int split_pmd(Kernel& k, pmd_t* pmdp, pmd_t pmd, bool to_cont) {
  const Geometry& g = k.geo();
  u64 tableprot = PMD_TYPE_TABLE | PMD_TABLE_UXN | PMD_TABLE_AF;
  u64 pfn = (pmd & arm64::addr_mask(g)) >> g.page_shift;
  u64 prot = pmd & ~arm64::addr_mask(g);  // pmd_pgprot
  const PhysAddr pte_phys = pgtable_alloc_kernel(k);
  if (pte_phys.v == 0) return -kENOMEM;
  pte_t* ptep = k.pool().table(pte_phys);
  if (prot & PTE_PXN) tableprot |= PMD_TABLE_PXN;
  prot = (prot & ~PTE_TYPE_MASK) | PTE_TYPE_PAGE;
  if (!pte_valid(pmd)) prot = mkinvalid(prot);  // pte_pgprot(pte_mkinvalid(pfn_pte(0, prot)))
  prot &= ~PTE_CONT;
  if (to_cont) prot |= PTE_CONT;
  for (unsigned i = 0; i < g.ptrs_per_table(); ++i, ++ptep, ++pfn)
    set_pte_raw(k, ptep, pfn_pte(g, pfn, {prot}));
  pmd_populate_raw(k, pmdp, pte_phys, tableprot);
  return 0;
}

// A PUD block becomes a table of PMD blocks (CONT blocks with to_cont),
// present-invalid ones from a present-invalid block.
int split_pud(Kernel& k, pud_t* pudp, pud_t pud, bool to_cont) {
  const Geometry& g = k.geo();
  u64 tableprot = PMD_TYPE_TABLE | PMD_TABLE_UXN | PMD_TABLE_AF;
  const u64 step = g.pmd_size() >> g.page_shift;
  u64 pfn = (pud & arm64::addr_mask(g)) >> g.page_shift;
  u64 prot = pud & ~arm64::addr_mask(g);
  const PhysAddr pmd_phys = pgtable_alloc_kernel(k);
  if (pmd_phys.v == 0) return -kENOMEM;
  pmd_t* pmdp = k.pool().table(pmd_phys);
  if (prot & PTE_PXN) tableprot |= PMD_TABLE_PXN;
  prot = (prot & ~PTE_TYPE_MASK) | PMD_TYPE_SECT;
  if (!pte_valid(pud)) prot = mkinvalid(prot);  // pmd_pgprot(pmd_mkinvalid(pfn_pmd(0, prot)))
  prot &= ~PTE_CONT;
  if (to_cont) prot |= PTE_CONT;
  for (unsigned i = 0; i < g.ptrs_per_table(); ++i, ++pmdp, pfn += step)
    set_pmd(k, pmdp, pfn_pte(g, pfn, {prot}));
  pud_populate_raw(k, pudp, pmd_phys, tableprot);
  return 0;
}

// Splits whatever leaf maps `addr` so that `addr` is a leaf boundary:
// a PUD block to CONT PMD blocks, a CONT PMD group to PMD blocks, a PMD
// block to a table of CONT pages, a CONT group to pages, level by level,
// stopping at the first level `addr` is aligned to or finds nothing.
int split_kernel_leaf_mapping_locked(Kernel& k, VirtAddr addr) {
  const Geometry& g = k.geo();
  if (is_aligned(addr, g.pgdir_size())) return 0;
  pgd_t* pgdp = pgd_offset_k(k, addr);
  if (!lvl_present(g, PgLevel::pgd, *pgdp)) return 0;
  if (is_aligned(addr, level_size(g, PgLevel::p4d))) return 0;
  p4d_t* p4dp = p4d_offset(k, pgdp, addr);
  if (!p4dp) return 0;
  if (!lvl_present(g, PgLevel::p4d, *p4dp)) return 0;
  if (is_aligned(addr, g.pud_size())) return 0;
  pud_t* pudp = pud_offset(k, p4dp, addr);
  if (!pudp) return 0;
  if (!lvl_present(g, PgLevel::pud, *pudp)) return 0;
  if (lvl_leaf(g, PgLevel::pud, *pudp)) {
    if (const int ret = split_pud(k, pudp, *pudp, true)) return ret;
  }
  if (g.cont_pmd_size() && is_aligned(addr, g.cont_pmd_size())) return 0;
  pmd_t* pmdp = pmd_offset(k, pudp, addr);
  if (!pmdp) return 0;
  if (!lvl_present(g, PgLevel::pmd, *pmdp)) return 0;
  if (lvl_leaf(g, PgLevel::pmd, *pmdp)) {
    if (*pmdp & PTE_CONT) split_contpmd(k, pmdp);
    if (is_aligned(addr, g.pmd_size())) return 0;
    if (const int ret = split_pmd(k, pmdp, *pmdp, true)) return ret;
  }
  if (is_aligned(addr, g.cont_pte_size())) return 0;
  pte_t* ptep = pte_offset_kernel(k, pmdp, addr);
  if (!ptep) return 0;
  if (!pte_valid(*ptep)) return 0;
  if (*ptep & PTE_CONT) split_contpte(k, ptep);
  return 0;
}

// ---------------------------------------------------------------------------
// mm/pagewalk.c (2026): walk_kernel_page_table_range_lockless with
// pageattr_ops (pud_entry, pmd_entry, pte_entry; no pte_hole).

enum class Action { subtree, cont };

int pageattr_pud_entry(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr next, PageChangeData m,
                       Action* action) {
  const pud_t val = *pud;
  if (lvl_leaf(k.geo(), PgLevel::pud, val)) {  // pud_leaf: present-invalid blocks too
    if (next - addr != k.geo().pud_size()) {
      k.warn_once(WarnId::pageattr_pud_entry_partial, addr);
      return -kEINVAL;
    }
    set_pud(k, pud, set_pageattr_masks(val, m));
    *action = Action::cont;
  }
  return 0;
}

int pageattr_pmd_entry(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr next, PageChangeData m,
                       Action* action) {
  const pmd_t val = *pmd;
  if (lvl_leaf(k.geo(), PgLevel::pmd, val)) {  // pmd_leaf: present-invalid blocks too
    if (next - addr != k.geo().pmd_size()) {
      k.warn_once(WarnId::pageattr_pmd_entry_partial, addr);
      return -kEINVAL;
    }
    set_pmd(k, pmd, set_pageattr_masks(val, m));
    *action = Action::cont;
  }
  return 0;
}

// walk_pte_range_inner: the handler for every PTE of the range, none ones
// included (there is no pte_hole for PTEs).
int walk_pte_range(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, PageChangeData m) {
  const u64 page = k.geo().page_size();
  pte_t* pte = pte_offset_kernel(k, pmd, addr);
  if (!pte) return -kBUGGED;
  for (;;) {
    set_pte_raw(k, pte, set_pageattr_masks(*pte, m));  // pageattr_pte_entry
    if (addr >= end - page) break;
    addr += page;
    ++pte;
  }
  return 0;
}

int walk_pmd_range(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr end, PageChangeData m) {
  const Geometry& g = k.geo();
  pmd_t* pmd = pmd_offset(k, pud, addr);
  if (!pmd) return -kBUGGED;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pmd, addr, end);
    if (lvl_none(g, PgLevel::pmd, *pmd)) continue;
    Action action = Action::subtree;
    if (const int err = pageattr_pmd_entry(k, pmd, addr, next, m, &action)) return err;
    if (action == Action::cont) continue;
    if (lvl_leaf(g, PgLevel::pmd, *pmd) || !lvl_present(g, PgLevel::pmd, *pmd)) continue;
    if (const int err = walk_pte_range(k, pmd, addr, next, m)) return err;
  } while (++pmd, addr = next, addr != end);
  return 0;
}

int walk_pud_range(Kernel& k, p4d_t* p4d, VirtAddr addr, VirtAddr end, PageChangeData m) {
  const Geometry& g = k.geo();
  pud_t* pud = pud_offset(k, p4d, addr);
  if (!pud) return -kBUGGED;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pud, addr, end);
    if (lvl_none(g, PgLevel::pud, *pud)) continue;
    Action action = Action::subtree;
    if (const int err = pageattr_pud_entry(k, pud, addr, next, m, &action)) return err;
    if (action == Action::cont) continue;
    if (lvl_leaf(g, PgLevel::pud, *pud) || !lvl_present(g, PgLevel::pud, *pud)) continue;
    if (const int err = walk_pmd_range(k, pud, addr, next, m)) return err;
  } while (++pud, addr = next, addr != end);
  return 0;
}

int walk_p4d_range(Kernel& k, pgd_t* pgd, VirtAddr addr, VirtAddr end, PageChangeData m) {
  const Geometry& g = k.geo();
  p4d_t* p4d = p4d_offset(k, pgd, addr);
  if (!p4d) return -kBUGGED;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::p4d, addr, end);
    if (lvl_none(g, PgLevel::p4d, *p4d)) continue;  // p4d_none_or_clear_bad
    if (lvl_bad(g, PgLevel::p4d, *p4d)) {
      k.warn(WarnId::p4d_bad, addr);
      set_p4d(k, p4d, 0);
      continue;
    }
    if (const int err = walk_pud_range(k, p4d, addr, next, m)) return err;
  } while (++p4d, addr = next, addr != end);
  return 0;
}

int walk_kernel_page_table_range_lockless(Kernel& k, VirtAddr start, VirtAddr end,
                                          PageChangeData m) {
  const Geometry& g = k.geo();
  if (start >= end) return -kEINVAL;
  ++k.counters().walks;
  pgd_t* pgd = pgd_offset_k(k, start);
  VirtAddr addr = start, next;
  do {
    next = level_addr_end(g, PgLevel::pgd, addr, end);
    if (lvl_none(g, PgLevel::pgd, *pgd)) continue;  // pgd_none_or_clear_bad
    if (lvl_bad(g, PgLevel::pgd, *pgd)) {
      k.warn(WarnId::pgd_bad, addr);
      set_pgd(k, pgd, 0);
      continue;
    }
    if (const int err = walk_p4d_range(k, pgd, addr, next, m)) return err;
  } while (++pgd, addr = next, addr != end);
  return 0;
}

// ---------------------------------------------------------------------------
// mm/memory.c (6.12, 6.1): __apply_to_page_range with create = true and
// change_page_range as the callback.

// The `!pXd_none && WARN_ON_ONCE(pXd_bad)` then pXd_clear_bad() step:
// unreachable from the states the model's ops make on arm64 in these eras
// (docs/pageattr.md), written out for fidelity.
bool clear_bad(Kernel& k, PgLevel l, u64* entry, VirtAddr addr) {
  const Geometry& g = k.geo();
  if (lvl_none(g, l, *entry) || !lvl_bad(g, l, *entry)) return false;
  k.warn_once(WarnId::apply_to_page_range_bad, addr);
  switch (l) {
    case PgLevel::pgd: k.warn(WarnId::pgd_bad, addr); break;
    case PgLevel::p4d: k.warn(WarnId::p4d_bad, addr); break;
    case PgLevel::pud: k.warn(WarnId::pud_bad, addr); break;
    default: k.warn(WarnId::pmd_bad, addr); break;
  }
  if (l == PgLevel::pmd) set_pmd(k, entry, 0);
  else if (l == PgLevel::pud) set_pud(k, entry, 0);
  else if (l == PgLevel::p4d) set_p4d(k, entry, 0);
  else set_pgd(k, entry, 0);
  return true;
}

int apply_to_pte_range(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, PageChangeData m,
                       u32* mask) {
  const u64 page = k.geo().page_size();
  pte_t* pte = pte_alloc_kernel_track(k, pmd, addr, mask);
  if (!pte) return k.bugged() ? -kBUGGED : -kENOMEM;
  // do { fn } while (pte++, addr += PAGE_SIZE, addr != end): create is
  // true, so the callback sees none entries too.
  do {
    set_pte_raw(k, pte, set_pageattr_masks(*pte, m));  // change_page_range
  } while (++pte, addr += page, addr != end);
  *mask |= PGTBL_PTE_MODIFIED;
  return 0;
}

int apply_to_pmd_range(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr end, PageChangeData m,
                       u32* mask) {
  const Geometry& g = k.geo();
  pmd_t* pmd = pmd_alloc_track(k, pud, addr, mask);
  if (!pmd) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pmd, addr, end);
    if (lvl_leaf(g, PgLevel::pmd, *pmd)) {
      k.warn_once(WarnId::apply_to_pmd_range_leaf, addr);
      return -kEINVAL;
    }
    clear_bad(k, PgLevel::pmd, pmd, addr);
    if (const int err = apply_to_pte_range(k, pmd, addr, next, m, mask)) return err;
  } while (++pmd, addr = next, addr != end);
  return 0;
}

int apply_to_pud_range(Kernel& k, p4d_t* p4d, VirtAddr addr, VirtAddr end, PageChangeData m,
                       u32* mask) {
  const Geometry& g = k.geo();
  pud_t* pud = pud_alloc_track(k, p4d, addr, mask);
  if (!pud) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pud, addr, end);
    if (lvl_leaf(g, PgLevel::pud, *pud)) {
      k.warn_once(WarnId::apply_to_pud_range_leaf, addr);
      return -kEINVAL;
    }
    clear_bad(k, PgLevel::pud, pud, addr);
    if (const int err = apply_to_pmd_range(k, pud, addr, next, m, mask)) return err;
  } while (++pud, addr = next, addr != end);
  return 0;
}

int apply_to_p4d_range(Kernel& k, pgd_t* pgd, VirtAddr addr, VirtAddr end, PageChangeData m,
                       u32* mask) {
  const Geometry& g = k.geo();
  p4d_t* p4d = p4d_alloc_track(k, pgd, addr, mask);
  if (!p4d) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::p4d, addr, end);
    // p4d_leaf() is constant false on arm64.
    clear_bad(k, PgLevel::p4d, p4d, addr);
    if (const int err = apply_to_pud_range(k, p4d, addr, next, m, mask)) return err;
  } while (++p4d, addr = next, addr != end);
  return 0;
}

}  // namespace

int apply_to_page_range(Kernel& k, VirtAddr addr, u64 size, PageChangeData m) {
  const Geometry& g = k.geo();
  const VirtAddr start = addr, end = addr + size;
  u32 mask = 0;
  if (addr >= end) {
    k.warn(WarnId::apply_to_page_range_empty, addr);
    return -kEINVAL;
  }
  ++k.counters().walks;
  pgd_t* pgd = pgd_offset_k(k, addr);
  int err = 0;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pgd, addr, end);
    // pgd_leaf() is constant false on arm64.
    clear_bad(k, PgLevel::pgd, pgd, addr);
    err = apply_to_p4d_range(k, pgd, addr, next, m, &mask);
    if (err) break;
  } while (++pgd, addr = next, addr != end);
  k.out().mod_mask |= mask;
  arch_sync_if_needed(k, mask, start, start + size);
  return err;
}

int split_kernel_leaf_mapping(Kernel& k, VirtAddr start, VirtAddr end) {
  const Geometry& g = k.geo();
  // linear_map_requires_bbml2 holds exactly when the CPUs have
  // BBML2_NOABORT (rodata_full is on, no debug_pagealloc, no KFENCE).
  if (!k.config().bbml2_noabort) return 0;
  if (!is_aligned(start, g.page_size()) || !is_aligned(end, g.page_size())) return -kEINVAL;
  if (end - start == g.page_size()) {
    // The less aligned end: the other then lies in the same CONT group.
    const VirtAddr at = std::countr_zero(start.v) < std::countr_zero(end.v) ? start : end;
    return split_kernel_leaf_mapping_locked(k, at);
  }
  int ret = split_kernel_leaf_mapping_locked(k, start);
  if (!ret) ret = split_kernel_leaf_mapping_locked(k, end);
  return ret;
}

int update_range_prot(Kernel& k, VirtAddr start, u64 size, PageChangeData m) {
  int ret = split_kernel_leaf_mapping(k, start, start + size);
  if (ret) {
    k.warn_once(WarnId::update_range_prot_split_failed, start);
    return ret;
  }
  return walk_kernel_page_table_range_lockless(k, start, start + size, m);
}

int change_memory_common_(Kernel& k, VirtAddr start, u64 size, PageChangeData m) {
  if (!pagewalk_era(k.variant())) {
    // v6.12, v6.1: flushes whatever the walk returned.
    const int ret = apply_to_page_range(k, start, size, m);
    if (!k.bugged()) k.flush(FlushKind::tlb_kernel_range, start, start + size);
    return ret;
  }
  const int ret = update_range_prot(k, start, size, m);
  if (k.bugged()) return ret;
  // Making entries valid and nothing else needs no TLB invalidation.
  if (m.set_mask != PTE_PRESENT_VALID_KERNEL || m.clear_mask != PTE_PRESENT_INVALID)
    k.flush(FlushKind::tlb_kernel_range, start, start + size);
  return ret;
}

int change_memory_common(Kernel& k, VirtAddr addr, int numpages, PageChangeData m) {
  const Geometry& g = k.geo();
  VirtAddr start = addr;
  const u64 size = g.page_size() * static_cast<u64>(static_cast<long>(numpages));
  VirtAddr end = start + size;
  if (!is_aligned(addr, g.page_size())) {
    start = VirtAddr{addr.v & ~(g.page_size() - 1)};
    end = start + size;
    k.warn_once(WarnId::change_memory_common_unaligned, addr);
  }
  // One VM_ALLOC area must cover the range (its guard page counts). The
  // 2026 tree also refuses vmalloc_huge() areas; 6.12 and 6.1 do not.
  const VmArea* area = k.find_vm_area(addr);
  const unsigned refused_flags =
      pagewalk_era(k.variant()) ? VM_ALLOC | VM_ALLOW_HUGE_VMAP : VM_ALLOC;
  if (!area || end.v > area->addr.v + area->size || (area->flags & refused_flags) != VM_ALLOC)
    return -kEINVAL;
  if (!numpages) return 0;
  // The rodata_full change of the linear-map alias is out of the model (it
  // has no linear map), and vm_unmap_aliases() finds nothing: the model
  // purges a freed area's TLB entries when it frees it.
  return change_memory_common_(k, start, size, m);
}

namespace {
bool on_x86(const Kernel& k) { return k.geo().arch == Arch::x86_64; }
}  // namespace

int set_memory_ro(Kernel& k, VirtAddr addr, int numpages) {
  if (on_x86(k)) return x86::set_memory_ro(k, addr, numpages);
  return change_memory_common(k, addr, numpages, {PTE_RDONLY, PTE_WRITE});
}
int set_memory_rw(Kernel& k, VirtAddr addr, int numpages) {
  if (on_x86(k)) return x86::set_memory_rw(k, addr, numpages);
  return change_memory_common(k, addr, numpages, {PTE_WRITE, PTE_RDONLY});
}
int set_memory_nx(Kernel& k, VirtAddr addr, int numpages) {
  if (on_x86(k)) return x86::set_memory_nx(k, addr, numpages);
  return change_memory_common(k, addr, numpages, {PTE_PXN, PTE_MAYBE_GP});
}
int set_memory_x(Kernel& k, VirtAddr addr, int numpages) {
  if (on_x86(k)) return x86::set_memory_x(k, addr, numpages);
  return change_memory_common(k, addr, numpages, {PTE_MAYBE_GP, PTE_PXN});
}
int set_memory_rox(Kernel& k, VirtAddr addr, int numpages) {
  // x86's own since 6.2; 6.1 has none, and the generic one below is what
  // a 6.1 tree runs here (kernel/shim/kentry.c).
  if (on_x86(k) && k.variant() != Variant::v6_1) return x86::set_memory_rox(k, addr, numpages);
  const int ret = set_memory_ro(k, addr, numpages);
  if (ret) return ret;
  return set_memory_x(k, addr, numpages);
}
int set_memory_valid(Kernel& k, VirtAddr addr, int numpages, int enable) {
  if (on_x86(k))
    return enable ? x86::set_memory_p(k, addr, numpages) : x86::set_memory_np(k, addr, numpages);
  const u64 size = k.geo().page_size() * static_cast<u64>(static_cast<long>(numpages));
  // 6.12 and 6.1 set or clear the valid bit; the 2026 trees also clear or
  // set PTE_PRESENT_INVALID, so an entry made invalid stays present.
  if (!pagewalk_era(k.variant())) {
    if (enable) return change_memory_common_(k, addr, size, {PTE_VALID, 0});
    return change_memory_common_(k, addr, size, {0, PTE_VALID});
  }
  if (enable)
    return change_memory_common_(k, addr, size, {PTE_PRESENT_VALID_KERNEL, PTE_PRESENT_INVALID});
  return change_memory_common_(k, addr, size, {PTE_PRESENT_INVALID, PTE_PRESENT_VALID_KERNEL});
}

}  // namespace vmapfuzz::engine
