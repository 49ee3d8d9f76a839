// SPDX-License-Identifier: GPL-2.0-only
#include "engine/events.h"

namespace vmapfuzz::engine {

std::string_view warn_name(WarnId id) {
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
    case WarnId::kernel_unrecognised: return "kernel:unrecognised-warn";
    case WarnId::count_: break;
  }
  return "?";
}

std::string_view bug_name(BugId id) {
  switch (id) {
    case BugId::none: return "none";
    case BugId::vmap_pte_range_remap: return "vmap_pte_range:remap";
    case BugId::range_addr_ge_end: return "addr-ge-end";
    case BugId::set_huge_unaligned_phys: return "set_huge:unaligned-phys";
    case BugId::leaf_used_as_table: return "leaf-used-as-table";
    case BugId::pte_table_overrun: return "pte-table-overrun";
    case BugId::walk_ran_past_end: return "walk-ran-past-end";
    case BugId::page_array_overrun: return "page-array-overrun";
    case BugId::kernel_unrecognised: return "kernel-unrecognised-bug";
    case BugId::count_: break;
  }
  return "?";
}

std::string_view flush_name(FlushKind k) {
  switch (k) {
    case FlushKind::cache_vmap: return "flush_cache_vmap";
    case FlushKind::cache_vunmap: return "flush_cache_vunmap";
    case FlushKind::tlb_kernel_range: return "flush_tlb_kernel_range";
    case FlushKind::tlb_lazy_purge: return "lazy_purge_tlb";
    case FlushKind::tlb_pgtable: return "flush_tlb_kernel_pgtable";
    case FlushKind::tlb_range: return "flush_tlb_range";
    case FlushKind::count_: break;
  }
  return "?";
}

}  // namespace vmapfuzz::engine
