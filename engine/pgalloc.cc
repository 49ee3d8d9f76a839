// SPDX-License-Identifier: GPL-2.0-only
#include "engine/pgalloc.h"

namespace vmapfuzz::engine {

u64* table_entry_offset(Kernel& k, const u64* parent, unsigned lvl, VirtAddr addr) {
  const u64 d = *parent;
  u64* table = pmd_table(d) ? k.pool().table(desc_table_pa(d)) : nullptr;
  if (!table) {
    k.bug(BugId::leaf_used_as_table, addr);
    return nullptr;
  }
  return table + k.geo().index(addr, lvl);
}

int pXd_alloc_table(Kernel& k, u64* entry) {
  const PhysAddr pa = k.pool().alloc();
  if (pa.v == 0) return -kENOMEM;
  ++k.out().tables_allocated;
  // The kernel re-checks under the lock and frees the new table if it lost
  // a race; the model is single-threaded, so the entry is still none.
  *entry = pa.v | kKernelTableAttrs;
  ++k.counters().descriptors_written;
  return 0;
}

p4d_t* p4d_alloc_track(Kernel&, pgd_t* pgd, VirtAddr addr, u32*) {
  // Folded p4d: pgd_none() is constant false, nothing to allocate.
  return p4d_offset(pgd, addr);
}

pud_t* pud_alloc_track(Kernel& k, p4d_t* p4d, VirtAddr addr, u32* mask) {
  if (pmd_none(*p4d)) {
    if (pXd_alloc_table(k, p4d)) return nullptr;
    *mask |= PGTBL_P4D_MODIFIED;
  }
  return pud_offset(k, p4d, addr);
}

pmd_t* pmd_alloc_track(Kernel& k, pud_t* pud, VirtAddr addr, u32* mask) {
  if (pmd_none(*pud)) {
    if (pXd_alloc_table(k, pud)) return nullptr;
    *mask |= PGTBL_PUD_MODIFIED;
  }
  return pmd_offset(k, pud, addr);
}

pte_t* pte_alloc_kernel_track(Kernel& k, pmd_t* pmd, VirtAddr addr, u32* mask) {
  if (pmd_none(*pmd)) {
    if (pXd_alloc_table(k, pmd)) return nullptr;
    *mask |= PGTBL_PMD_MODIFIED;
  }
  return pte_offset_kernel(k, pmd, addr);
}

}  // namespace vmapfuzz::engine
