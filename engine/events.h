// SPDX-License-Identifier: GPL-2.0-only
// What a call did besides its return value: the things the kernel would only
// log (WARN, BUG) or do to hardware (cache and TLB maintenance), the page
// tables it allocated and freed, its pgtbl_mod_mask, and cost counters.
// The harness compares all of it with the reference's prediction.
#pragma once

#include <string_view>
#include <vector>

#include "engine/types.h"

namespace vmapfuzz::engine {

// Every WARN/WARN_ON/WARN_ONCE/VM_WARN_ON/pr_warn point the engine models,
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
  kernel_unrecognised,            // a WARN site of a kernel tree the suite has no name for
  count_
};
std::string_view warn_name(WarnId id);

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
  kernel_unrecognised,      // a BUG site of a kernel tree the suite has no name for
  count_
};
std::string_view bug_name(BugId id);

enum class FlushKind : std::uint8_t {
  cache_vmap,        // flush_cache_vmap(start, end)
  cache_vunmap,      // flush_cache_vunmap(start, end)
  tlb_kernel_range,  // flush_tlb_kernel_range(start, end)
  tlb_lazy_purge,    // the deferred flush_tlb_kernel_range of a vm area free
  tlb_pgtable,       // __flush_tlb_kernel_pgtable(addr): walk cache, one VA
  tlb_range,         // flush_tlb_range() inside clear_flush (break-before-make)
  count_
};
std::string_view flush_name(FlushKind k);

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

// pgtbl_mod_mask bits (include/linux/pgtable.h).
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

  void clear() {
    ret = 0;
    mod_mask = tables_allocated = tables_freed = 0;
    flushes.clear();
    warns.clear();
    bug = BugId::none;
    bug_addr = {};
  }
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// Kernel-cost counters, cumulative over the life of a Kernel. These are the
// quantities the series changes (walks and arch calls), used by bench/.
struct Counters {
  u64 walks = 0;  // top-down walks started at pgd_offset_k()
  u64 set_pte_at = 0;
  u64 set_huge_pte_at = 0;
  u64 pmd_set_huge = 0;
  u64 pud_set_huge = 0;
  u64 descriptors_written = 0;
  u64 flushes = 0;
  // What was written and cleared, for semantic coverage reports.
  u64 cont_batches[6] = {};   // set_huge_pte_at of 64K, 128K, ..., 2M of CONT PTEs
  u64 pmd_blocks = 0;         // PMD blocks written
  u64 pud_blocks = 0;         // PUD blocks written
  u64 pte_tables_freed = 0;   // by pmd_free_pte_page (a block replaces a table)
  u64 pmd_tables_freed = 0;   // by pud_free_pmd_page
  u64 unmap_blocks = 0;       // blocks cleared by vunmap
  u64 unmap_cont_groups = 0;  // CONT groups cleared whole by vunmap
  u64 unmap_ptes = 0;         // valid single PTEs cleared by vunmap
};

}  // namespace vmapfuzz::engine
