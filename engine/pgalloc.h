// SPDX-License-Identifier: GPL-2.0-only
// Table-level helpers shared by the mapping and unmapping walkers:
// pXd_offset, pXd_addr_end, the *_alloc_track allocators of
// include/linux/pgalloc-track.h and the populate functions. The p4d level
// is folded into the pgd (4-level arm64), as in pgtable-nop4d.h.
//
// Where the kernel would dereference a descriptor that is not a table (a
// block, or a freed page) the model records BugId::leaf_used_as_table and
// returns nullptr instead of corrupting host memory.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine {

// pgd_addr_end/pud_addr_end/pmd_addr_end: the end of the level-`lvl` slot
// holding `addr`, clipped to `end`.
inline VirtAddr level_addr_end(const Geometry& g, unsigned lvl, VirtAddr addr, VirtAddr end) {
  const u64 size = u64{1} << g.level_shift(lvl);
  const u64 boundary = (addr.v + size) & ~(size - 1);
  return (boundary - 1 < end.v - 1) ? VirtAddr{boundary} : end;
}

// Host-memory end of the 4 KiB table that holds `entry`.
inline const u64* table_end_of(const u64* entry) {
  const auto base = reinterpret_cast<std::uintptr_t>(entry) & ~std::uintptr_t{4095};
  return reinterpret_cast<const u64*>(base) + TablePool::kEntries;
}

inline pgd_t* pgd_offset_k(Kernel& k, VirtAddr addr) {
  return k.pool().table(k.pgd_pa()) + k.geo().index(addr, kPgdLevel);
}

// The entry for `addr` in the table that `*parent` (a level `lvl - 1`
// entry) points to; nullptr plus a recorded BUG if it is not a table.
u64* table_entry_offset(Kernel& k, const u64* parent, unsigned lvl, VirtAddr addr);

// p4d folded into the pgd: the p4d "entry" is the pgd entry itself.
inline p4d_t* p4d_offset(pgd_t* pgd, VirtAddr) { return pgd; }
inline pud_t* pud_offset(Kernel& k, p4d_t* p4d, VirtAddr a) {
  return table_entry_offset(k, p4d, kPudLevel, a);
}
inline pmd_t* pmd_offset(Kernel& k, pud_t* pud, VirtAddr a) {
  return table_entry_offset(k, pud, kPmdLevel, a);
}
inline pte_t* pte_offset_kernel(Kernel& k, pmd_t* pmd, VirtAddr a) {
  return table_entry_offset(k, pmd, kPteLevel, a);
}

// Allocate a table for a none entry and link it (p4d_populate,
// pud_populate, pmd_populate_kernel). Returns 0 or -kENOMEM.
int pXd_alloc_table(Kernel& k, u64* entry);

// The *_alloc_track() helpers: allocate on a none entry and record which
// level was modified. nullptr means -ENOMEM, or a BUG if k.bugged().
p4d_t* p4d_alloc_track(Kernel& k, pgd_t* pgd, VirtAddr addr, u32* mask);
pud_t* pud_alloc_track(Kernel& k, p4d_t* p4d, VirtAddr addr, u32* mask);
pmd_t* pmd_alloc_track(Kernel& k, pud_t* pud, VirtAddr addr, u32* mask);
pte_t* pte_alloc_kernel_track(Kernel& k, pmd_t* pmd, VirtAddr addr, u32* mask);

// Table descriptor attributes the kernel uses for init_mm tables.
inline constexpr u64 kKernelTableAttrs = PMD_TYPE_TABLE | PMD_TABLE_UXN;

}  // namespace vmapfuzz::engine
