// SPDX-License-Identifier: GPL-2.0-only
// Table-level helpers shared by the mapping and unmapping walkers, for
// every geometry: pXd_offset, pXd_addr_end, the pXd_none/bad/present the
// generic code sees, the *_alloc_track allocators of
// include/linux/pgalloc-track.h and the populate functions.
//
// Folding (pgtable-nop4d.h, -nopud.h, -nopmd.h and the run-time folding of
// x86 and riscv all behave alike): a folded level's pXd_offset returns the
// entry of the level above, its pXd_addr_end returns `end`, and the
// none/bad checks of the level ABOVE a folded one are constant false,
// because the real checks are made one level down on the same entry.
//
// Where the kernel would dereference a descriptor that is not a table (a
// block, or a freed page) the model records BugId::leaf_used_as_table and
// returns nullptr instead of corrupting host memory.
#pragma once

#include "engine/arch.h"
#include "engine/kernel.h"

namespace vmapfuzz::engine {

// pgd_addr_end/p4d_addr_end/pud_addr_end/pmd_addr_end: the end of the
// level-`l` slot holding `addr`, clipped to `end`.
inline VirtAddr level_addr_end(const Geometry& g, PgLevel l, VirtAddr addr, VirtAddr end) {
  if (g.is_folded(l)) return end;
  const u64 size = u64{1} << g.level_shift(l);
  const u64 boundary = (addr.v + size) & ~(size - 1);
  return (boundary - 1 < end.v - 1) ? VirtAddr{boundary} : end;
}

// pXd_none/pXd_bad/pXd_present of level `l` (pgd, p4d, pud or pmd) as the
// generic code sees them.
inline bool lvl_none(const Geometry& g, PgLevel l, u64 d) {
  return !g.is_folded(level_below(l)) && pxd_none(g, l, d);
}
inline bool lvl_bad(const Geometry& g, PgLevel l, u64 d) {
  return !g.is_folded(level_below(l)) && pxd_bad(g, l, d);
}
inline bool lvl_present(const Geometry& g, PgLevel l, u64 d) {
  return g.is_folded(level_below(l)) || pxd_present(g, l, d);
}

// PGTBL_*_MODIFIED of level `l`.
u32 pgtbl_modified(PgLevel l);

inline pgd_t* pgd_offset_k(Kernel& k, VirtAddr addr) {
  return k.pool().table(k.pgd_pa()) + k.geo().index(addr, PgLevel::pgd);
}

// pXd_offset for level `l` below the entry `parent`: the parent itself
// when `l` is folded, else the entry for `addr` in the table it points
// to (nullptr plus a recorded BUG if it points to none).
u64* pxd_offset(Kernel& k, u64* parent, PgLevel l, VirtAddr addr);
inline p4d_t* p4d_offset(Kernel& k, pgd_t* pgd, VirtAddr a) {
  return pxd_offset(k, pgd, PgLevel::p4d, a);
}
inline pud_t* pud_offset(Kernel& k, p4d_t* p4d, VirtAddr a) {
  return pxd_offset(k, p4d, PgLevel::pud, a);
}
inline pmd_t* pmd_offset(Kernel& k, pud_t* pud, VirtAddr a) {
  return pxd_offset(k, pud, PgLevel::pmd, a);
}
inline pte_t* pte_offset_kernel(Kernel& k, pmd_t* pmd, VirtAddr a) {
  return pxd_offset(k, pmd, PgLevel::pte, a);
}

// One zeroed page-table page for init_mm, counted as the op's
// (pte_alloc_one_kernel, __pgd_pgtable_alloc): every table the engine
// allocates comes from here. {0} when the allocation fails.
PhysAddr pgtable_alloc_kernel(Kernel& k);

// Allocate a table for a none entry and link it (pgd_populate,
// p4d_populate, pud_populate, pmd_populate_kernel). Returns 0 or -kENOMEM.
int pXd_alloc_table(Kernel& k, u64* entry);

// The *_alloc_track() helpers: allocate on a none parent entry and record
// the parent's level as modified. nullptr means -ENOMEM, or a BUG if
// k.bugged().
p4d_t* p4d_alloc_track(Kernel& k, pgd_t* pgd, VirtAddr addr, u32* mask);
pud_t* pud_alloc_track(Kernel& k, p4d_t* p4d, VirtAddr addr, u32* mask);
pmd_t* pmd_alloc_track(Kernel& k, pud_t* pud, VirtAddr addr, u32* mask);
pte_t* pte_alloc_kernel_track(Kernel& k, pmd_t* pmd, VirtAddr addr, u32* mask);

}  // namespace vmapfuzz::engine
