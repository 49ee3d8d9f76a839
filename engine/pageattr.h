// SPDX-License-Identifier: GPL-2.0-only
// arch/arm64/mm/pageattr.c: set_memory_ro/rw/x/nx, the generic
// set_memory_rox of include/linux/set_memory.h and set_memory_valid, per
// era. The 2026 tree (mainline, v4, v4-fixed) changes the bits with
// update_range_prot(): split_kernel_leaf_mapping() (arch/arm64/mm/mmu.c,
// only with BBML2_NOABORT) and a kernel page-table walk whose PUD/PMD
// handlers refuse a block only partly in range. v6.12 and v6.1 use
// apply_to_page_range() (mm/memory.c), which allocates missing tables and
// refuses any block. The rules: docs/pageattr.md.
//
// On x86-64 geometries each set_memory_* calls x86's own (below); riscv64
// is refused by the harness (harness/ops.cc:validate). Every descriptor write goes through
// arm64::set_pte_raw/set_pmd/set_pud (engine/arch_arm64.h).
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine {

// The masks a change sets and clears (struct page_change_data).
struct PageChangeData {
  u64 set_mask = 0;
  u64 clear_mask = 0;
};

// include/linux/set_memory.h's set_memory_* return codes: 0 or -errno.
int set_memory_ro(Kernel& k, VirtAddr addr, int numpages);
int set_memory_rw(Kernel& k, VirtAddr addr, int numpages);
int set_memory_x(Kernel& k, VirtAddr addr, int numpages);
int set_memory_nx(Kernel& k, VirtAddr addr, int numpages);
// The generic one: set_memory_ro, then set_memory_x if that succeeded
// (since 6.2; the harness refuses it on v6.1).
int set_memory_rox(Kernel& k, VirtAddr addr, int numpages);
int set_memory_valid(Kernel& k, VirtAddr addr, int numpages, int enable);

// The common paths, exposed for the unit tests.
int change_memory_common(Kernel& k, VirtAddr addr, int numpages, PageChangeData masks);
// The kernel's __change_memory_common.
int change_memory_common_(Kernel& k, VirtAddr start, u64 size, PageChangeData masks);
// 2026: split_kernel_leaf_mapping then the pageattr walk.
int update_range_prot(Kernel& k, VirtAddr start, u64 size, PageChangeData masks);
// arch/arm64/mm/mmu.c (2026): 0 unless the kernel has BBML2_NOABORT.
int split_kernel_leaf_mapping(Kernel& k, VirtAddr start, VirtAddr end);
// mm/memory.c (6.12, 6.1) with change_page_range as the callback.
int apply_to_page_range(Kernel& k, VirtAddr addr, u64 size, PageChangeData masks);

// arch/x86/mm/pat/set_memory.c (engine/pageattr_x86.cc): the set_memory_*
// above call these on x86-64 geometries; set_memory_valid(1)/(0) is
// set_memory_p/np there.
namespace x86 {
int set_memory_ro(Kernel& k, VirtAddr addr, int numpages);
int set_memory_rw(Kernel& k, VirtAddr addr, int numpages);
int set_memory_x(Kernel& k, VirtAddr addr, int numpages);
int set_memory_nx(Kernel& k, VirtAddr addr, int numpages);
// x86's own (since 6.2): one change clearing RW, DIRTY and NX; the 2026
// trees then collapse what it leaves uniform back into large pages.
int set_memory_rox(Kernel& k, VirtAddr addr, int numpages);
int set_memory_p(Kernel& k, VirtAddr addr, int numpages);  // not in 6.1
int set_memory_np(Kernel& k, VirtAddr addr, int numpages);
// The common path (no page arrays: in_flag holds CPA_COLLAPSE at most).
int change_page_attr_set_clr(Kernel& k, VirtAddr addr, int numpages, u64 mask_set, u64 mask_clr,
                             bool force_split, unsigned in_flag);
// pfn_range_is_mapped(pfn, pfn + 1): whether the direct map covers the
// page, which then has an alias CPA must change too (docs/pageattr.md).
bool pfn_range_is_mapped(const Kernel& k, u64 pfn);
}  // namespace x86

}  // namespace vmapfuzz::engine
