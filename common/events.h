// SPDX-License-Identifier: GPL-2.0-only
// The records of what a call did besides its return value: the things the
// kernel would only log (WARN, BUG) or do to hardware (cache and TLB
// maintenance), the page tables it allocated and freed and its
// pgtbl_mod_mask. The engine records them, the reference predicts them, the
// harness compares the two; these are their types and names only.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/types.h"

namespace vmapfuzz::common {

// Every WARN/WARN_ON/WARN_ONCE/VM_WARN_ON/pr_warn point the suite models,
// named after the function that raises it.
enum class WarnId : std::uint8_t {
  vmap_pte_range_size_unaligned,  // WARN_ON_ONCE(!PAGE_ALIGNED(end - addr))
  ioremap_area_not_ioremap,       // WARN_ONCE: no VM_IOREMAP area at addr
  ioremap_range_mismatch,         // WARN_ONCE: [addr,end) != the area
  vunmap_pud_partial_block,       // WARN_ON(next - addr < PUD_SIZE)
  vunmap_pmd_partial_block,       // WARN_ON(next - addr < PMD_SIZE)
  vunmap_pte_cont_misaligned,     // WARN_ON(!IS_ALIGNED(addr, size))
  vunmap_pte_cont_partial,        // WARN_ON(end - addr < size)
  vunmap_pte_not_present,         // WARN_ON(!pte_none && !pte_present)
  vunmap_nonexistent_area,        // WARN in vunmap(): no such vm area
  num_contig_ptes_bad_size,       // WARN_ON(!__hugetlb_valid_size(size))
  pmd_free_pte_page_not_table,    // VM_WARN_ON(!pmd_table(pmd))
  pud_free_pmd_page_not_table,    // VM_WARN_ON(!pud_table(pud))
  arch_make_huge_pte_bad_size,    // pr_warn("unrecognized huge page size")
  pmd_bad,                        // pmd_ERROR via pmd_clear_bad
  pud_bad,                        // pud_ERROR via pud_clear_bad
  p4d_bad,                        // p4d_ERROR via p4d_clear_bad
  vmap_pages_pte_busy,            // WARN_ON(!pte_none(*pte)) -> -EBUSY
  vmap_pages_pte_null_page,       // WARN_ON(!page) -> -ENOMEM
  vmap_pages_pte_invalid_pfn,     // WARN_ON(!pfn_valid()) -> -EINVAL
  vmap_pages_pmd_null_page,       // v3: WARN_ON(!page) before the PMD block
  vmap_pages_pmd_invalid_pfn,     // v3: WARN_ON(!pfn_valid()) before the PMD block
  vmalloc_area_failed,            // warn_alloc: vm_struct allocation failed
  vmalloc_pages_failed,           // warn_alloc: failed to allocate pages
  vmalloc_map_failed,             // warn_alloc: failed to map pages
  vfree_nonexistent_area,         // WARN in vfree(): no such vm area
  pgd_bad,                        // pgd_ERROR via pgd_clear_bad (5-level)
  kernel_unrecognised,            // a WARN site of a kernel tree the suite has no name for
  // arch/arm64/mm/pageattr.c and the walks it uses (docs/pageattr.md)
  change_memory_common_unaligned,  // WARN_ON_ONCE: addr not page aligned (aligned down)
  pageattr_pud_entry_partial,      // WARN_ON_ONCE: PUD block only partly in range -> -EINVAL
  pageattr_pmd_entry_partial,      // WARN_ON_ONCE: PMD block only partly in range -> -EINVAL
  update_range_prot_split_failed,  // WARN_ON_ONCE(ret) of split_kernel_leaf_mapping
  apply_to_page_range_empty,       // WARN_ON(addr >= end) -> -EINVAL (6.12, 6.1)
  apply_to_pud_range_leaf,         // WARN_ON_ONCE(pud_leaf) -> -EINVAL (6.12, 6.1)
  apply_to_pmd_range_leaf,         // WARN_ON_ONCE(pmd_leaf) -> -EINVAL (6.12, 6.1)
  apply_to_page_range_bad,         // WARN_ON_ONCE(pXd_bad), then pXd_clear_bad (6.12, 6.1)
  // arch/x86/mm/pat/set_memory.c (docs/pageattr.md, "x86-64")
  cpa_unaligned,                // WARN_ON_ONCE: *addr not page aligned (aligned down)
  cpa_zero_pte,                 // WARN: __cpa_process_fault on a none entry -> -EFAULT
  cpa_wx_violation,             // WARN_ONCE in verify_rwx: the change makes a W+X leaf
  cpa_static_prot_conflict,     // WARN_ON_ONCE: a large page breaks static_protections()
  count_
};

constexpr std::string_view warn_name(WarnId id) {
  switch (id) {
    case WarnId::vmap_pte_range_size_unaligned: return "vmap_pte_range:size-unaligned";
    case WarnId::ioremap_area_not_ioremap: return "ioremap_page_range:not-ioremap-area";
    case WarnId::ioremap_range_mismatch: return "ioremap_page_range:range-mismatch";
    case WarnId::vunmap_pud_partial_block: return "vunmap_pud_range:partial-block";
    case WarnId::vunmap_pmd_partial_block: return "vunmap_pmd_range:partial-block";
    case WarnId::vunmap_pte_cont_misaligned: return "vunmap_pte_range:cont-misaligned";
    case WarnId::vunmap_pte_cont_partial: return "vunmap_pte_range:cont-partial";
    case WarnId::vunmap_pte_not_present: return "vunmap_pte_range:not-present";
    case WarnId::vunmap_nonexistent_area: return "vunmap:nonexistent-area";
    case WarnId::num_contig_ptes_bad_size: return "num_contig_ptes:bad-size";
    case WarnId::pmd_free_pte_page_not_table: return "pmd_free_pte_page:not-table";
    case WarnId::pud_free_pmd_page_not_table: return "pud_free_pmd_page:not-table";
    case WarnId::arch_make_huge_pte_bad_size: return "arch_make_huge_pte:bad-size";
    case WarnId::pmd_bad: return "pmd_clear_bad";
    case WarnId::pud_bad: return "pud_clear_bad";
    case WarnId::p4d_bad: return "p4d_clear_bad";
    case WarnId::vmap_pages_pte_busy: return "vmap_pages_pte_range:busy";
    case WarnId::vmap_pages_pte_null_page: return "vmap_pages_pte_range:null-page";
    case WarnId::vmap_pages_pte_invalid_pfn: return "vmap_pages_pte_range:invalid-pfn";
    case WarnId::vmap_pages_pmd_null_page: return "vmap_pages_pmd_range:null-page";
    case WarnId::vmap_pages_pmd_invalid_pfn: return "vmap_pages_pmd_range:invalid-pfn";
    case WarnId::vmalloc_area_failed: return "vmalloc:area-failed";
    case WarnId::vmalloc_pages_failed: return "vmalloc:pages-failed";
    case WarnId::vmalloc_map_failed: return "vmalloc:map-failed";
    case WarnId::vfree_nonexistent_area: return "vfree:nonexistent-area";
    case WarnId::pgd_bad: return "pgd_clear_bad";
    case WarnId::kernel_unrecognised: return "kernel:unrecognised-warn";
    case WarnId::change_memory_common_unaligned: return "change_memory_common:unaligned";
    case WarnId::pageattr_pud_entry_partial: return "pageattr_pud_entry:partial-block";
    case WarnId::pageattr_pmd_entry_partial: return "pageattr_pmd_entry:partial-block";
    case WarnId::update_range_prot_split_failed: return "update_range_prot:split-failed";
    case WarnId::apply_to_page_range_empty: return "apply_to_page_range:empty";
    case WarnId::apply_to_pud_range_leaf: return "apply_to_pud_range:leaf";
    case WarnId::apply_to_pmd_range_leaf: return "apply_to_pmd_range:leaf";
    case WarnId::apply_to_page_range_bad: return "apply_to_page_range:bad";
    case WarnId::cpa_unaligned: return "change_page_attr_set_clr:unaligned";
    case WarnId::cpa_zero_pte: return "__cpa_process_fault:zero-pte";
    case WarnId::cpa_wx_violation: return "verify_rwx:wx";
    case WarnId::cpa_static_prot_conflict: return "__should_split_large_page:static-prot";
    case WarnId::count_: break;
  }
  return "?";
}

// Modelled BUG()/BUG_ON()/VM_BUG_ON(), and the kernel's undefined behaviour
// that the model turns into a stop instead of corrupting host memory.
enum class BugId : std::uint8_t {
  none,
  vmap_pte_range_remap,     // BUG(): remapping an already mapped PTE
  range_addr_ge_end,        // BUG_ON(addr >= end)
  set_huge_unaligned_phys,  // VM_BUG_ON(phys & ~PXD_MASK)
  leaf_used_as_table,       // a walker dereferenced a block as a table
  pte_table_overrun,        // a PTE write ran past the end of its table
  walk_ran_past_end,        // `addr != end` loop stepped over `end`
  page_array_overrun,       // pages[] read past its last entry
  cpa_numpages,             // BUG_ON(cpa->numpages > rempages || !cpa->numpages) (x86 CPA)
  kernel_unrecognised,      // a BUG site of a kernel tree the suite has no name for
  count_
};

constexpr std::string_view bug_name(BugId id) {
  switch (id) {
    case BugId::none: return "none";
    case BugId::vmap_pte_range_remap: return "vmap_pte_range:remap";
    case BugId::range_addr_ge_end: return "addr-ge-end";
    case BugId::set_huge_unaligned_phys: return "set_huge:unaligned-phys";
    case BugId::leaf_used_as_table: return "leaf-used-as-table";
    case BugId::pte_table_overrun: return "pte-table-overrun";
    case BugId::walk_ran_past_end: return "walk-ran-past-end";
    case BugId::page_array_overrun: return "page-array-overrun";
    case BugId::cpa_numpages: return "cpa:numpages";
    case BugId::kernel_unrecognised: return "kernel-unrecognised-bug";
    case BugId::count_: break;
  }
  return "?";
}

enum class FlushKind : std::uint8_t {
  cache_vmap,            // flush_cache_vmap(start, end)
  cache_vunmap,          // flush_cache_vunmap(start, end)
  tlb_kernel_range,      // flush_tlb_kernel_range(start, end)
  tlb_lazy_purge,        // the deferred flush_tlb_kernel_range of a vm area free
  tlb_pgtable,           // __flush_tlb_kernel_pgtable(addr): walk cache, one VA
  tlb_range,             // flush_tlb_range() inside clear_flush (break-before-make)
  sync_kernel_mappings,  // arch_sync_kernel_mappings(start, end) (x86-64)
  tlb_all,               // flush_tlb_all(), cpa_flush_all() (x86-64 CPA); start == end == 0
  tlb_one_kernel,        // flush_tlb_one_kernel(addr) (x86-64 CPA): INVLPG; end == start
  count_
};

constexpr std::string_view flush_name(FlushKind k) {
  switch (k) {
    case FlushKind::cache_vmap: return "flush_cache_vmap";
    case FlushKind::cache_vunmap: return "flush_cache_vunmap";
    case FlushKind::tlb_kernel_range: return "flush_tlb_kernel_range";
    case FlushKind::tlb_lazy_purge: return "lazy_purge_tlb";
    case FlushKind::tlb_pgtable: return "flush_tlb_kernel_pgtable";
    case FlushKind::tlb_range: return "flush_tlb_range";
    case FlushKind::sync_kernel_mappings: return "arch_sync_kernel_mappings";
    case FlushKind::tlb_all: return "flush_tlb_all";
    case FlushKind::tlb_one_kernel: return "flush_tlb_one_kernel";
    case FlushKind::count_: break;
  }
  return "?";
}

struct Flush {
  FlushKind kind;
  VirtAddr start;
  VirtAddr end;  // == start for tlb_pgtable
  friend bool operator==(const Flush&, const Flush&) = default;
};

struct Warn {
  WarnId id;
  VirtAddr addr;
  friend bool operator==(const Warn&, const Warn&) = default;
};

// pgtbl_mod_mask bits (the kernel's names, one per kernel level).
inline constexpr u32 PGTBL_PTE_MODIFIED = 1u << 0;
inline constexpr u32 PGTBL_PMD_MODIFIED = 1u << 1;
inline constexpr u32 PGTBL_PUD_MODIFIED = 1u << 2;
inline constexpr u32 PGTBL_P4D_MODIFIED = 1u << 3;
inline constexpr u32 PGTBL_PGD_MODIFIED = 1u << 4;

// The observable result of one operation.
struct Outcome {
  int ret = 0;
  u32 mod_mask = 0;
  u32 tables_allocated = 0;
  u32 tables_freed = 0;
  std::vector<Flush> flushes;
  std::vector<Warn> warns;
  BugId bug = BugId::none;
  VirtAddr bug_addr{};
  // Nonzero: the op asked the area allocator for this alignment and the
  // trace's VA lacks it, so the kernel would have placed the area
  // elsewhere; nothing ran (docs/placement.md).
  u64 unreachable_align = 0;

  void clear() {
    ret = 0;
    mod_mask = tables_allocated = tables_freed = 0;
    flushes.clear();
    warns.clear();
    bug = BugId::none;
    bug_addr = {};
    unreachable_align = 0;
  }
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

}  // namespace vmapfuzz::common
