// SPDX-License-Identifier: GPL-2.0-only
#include "engine/pgalloc.h"

namespace vmapfuzz::engine {

u32 pgtbl_modified(PgLevel l) {
  switch (l) {
    case PgLevel::pgd: return PGTBL_PGD_MODIFIED;
    case PgLevel::p4d: return PGTBL_P4D_MODIFIED;
    case PgLevel::pud: return PGTBL_PUD_MODIFIED;
    case PgLevel::pmd: return PGTBL_PMD_MODIFIED;
    case PgLevel::pte: return PGTBL_PTE_MODIFIED;
  }
  return 0;
}

u64* pxd_offset(Kernel& k, u64* parent, PgLevel l, VirtAddr addr) {
  const Geometry& g = k.geo();
  if (g.is_folded(l)) return parent;
  const u64 d = *parent;
  u64* table = pxd_table(g, d) ? k.pool().table(pxd_table_pa(g, d)) : nullptr;
  if (!table) {
    k.bug(BugId::leaf_used_as_table, addr);
    return nullptr;
  }
  return table + g.index(addr, l);
}

PhysAddr pgtable_alloc_kernel(Kernel& k) {
  const PhysAddr pa = k.pool().alloc();
  if (pa.v != 0) ++k.out().tables_allocated;
  return pa;
}

int pXd_alloc_table(Kernel& k, u64* entry) {
  const PhysAddr pa = pgtable_alloc_kernel(k);
  if (pa.v == 0) return -kENOMEM;
  // The kernel re-checks under the lock and frees the new table if it lost
  // a race; the model is single-threaded, so the entry is still none.
  k.pool().store(entry, mk_kernel_table(k.geo(), pa));
  ++k.counters().descriptors_written;
  return 0;
}

namespace {

// The shape every *_alloc_track() shares: `parent` is an entry of level
// `up`; the returned entry is of the level below it.
u64* alloc_track(Kernel& k, u64* parent, PgLevel up, VirtAddr addr, u32* mask) {
  if (lvl_none(k.geo(), up, *parent)) {
    if (pXd_alloc_table(k, parent)) return nullptr;
    *mask |= pgtbl_modified(up);
  }
  return pxd_offset(k, parent, level_below(up), addr);
}

}  // namespace

p4d_t* p4d_alloc_track(Kernel& k, pgd_t* pgd, VirtAddr addr, u32* mask) {
  return alloc_track(k, pgd, PgLevel::pgd, addr, mask);
}
pud_t* pud_alloc_track(Kernel& k, p4d_t* p4d, VirtAddr addr, u32* mask) {
  return alloc_track(k, p4d, PgLevel::p4d, addr, mask);
}
pmd_t* pmd_alloc_track(Kernel& k, pud_t* pud, VirtAddr addr, u32* mask) {
  return alloc_track(k, pud, PgLevel::pud, addr, mask);
}
pte_t* pte_alloc_kernel_track(Kernel& k, pmd_t* pmd, VirtAddr addr, u32* mask) {
  return alloc_track(k, pmd, PgLevel::pmd, addr, mask);
}

}  // namespace vmapfuzz::engine
