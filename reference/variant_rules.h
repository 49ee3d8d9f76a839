// SPDX-License-Identifier: GPL-2.0-only
// The reference's own statement of what each variant does differently: one
// row of named rules per variant, written out as literals. The model
// (layout.cc, model.cc, pages_model.cc) tests these rules, never a variant
// by name and never the engine's has_series(); test/reference_facts_test.cc
// checks that every variant has a row and that the rows agree with the
// engine's own variant decisions.
#pragma once

#include <span>

#include "common/variant.h"

namespace vmapfuzz::reference {

struct VariantRules {
  common::Variant variant;

  // --- phys-range mappings (vmap_range_noflush: ioremap, vmap_page_range)
  // The arch maps CONT-PTE groups (arm64's CONT-PTE vmap helpers); without
  // them every PTE-level write is a single page.
  bool cont_pte_mappings;
  // One CONT batch may hold several groups: the largest power of two of
  // whole groups that fits the PTE table, 2^max_page_shift and PMD_SIZE/2
  // (the series). Otherwise a batch is exactly one group.
  bool multi_group_cont_batches;
  // vmap_pte_range refuses a range whose size is not page aligned
  // (WARN_ON_ONCE, -EINVAL) before writing. Otherwise it writes the page
  // holding the partial end too and its loop steps over the end (BUG
  // walk_ran_past_end).
  bool unaligned_size_warn;
  // ioremap_page_range() maps only the whole usable range of a VM_IOREMAP
  // area (WARN_ONCE and -EINVAL / -ERANGE otherwise). Without the check it
  // maps any range, as vmap_page_range() does.
  bool ioremap_area_check;

  // --- unmapping
  // vunmap_pud_range/vunmap_pmd_range WARN when they clear a block the
  // range covers only part of (the block goes whole either way).
  bool partial_block_warn;

  // --- vmalloc
  // vm_shift() may pick CONT_PTE_SHIFT for a size below PMD_SIZE.
  bool vmalloc_cont_shift;
  // vm_area_alloc_pages takes opportunistic larger orders first, each
  // failure lowering the cap for good.
  bool opportunistic_orders;
  // A huge page array (shift above PAGE_SHIFT) is mapped by one pages walk
  // (the series); otherwise by one phys-range walk per 2^shift chunk.
  bool huge_pages_one_walk;
  // __vmalloc_area_node() warns (warn_alloc) when its page allocation at
  // order 0 or its mapping fails. Without it nothing warns there (the mask
  // it warns with carries __GFP_NOWARN).
  bool vmalloc_warn_alloc;

  // --- pages walks (vmalloc, vmap)
  // The pages walk writes a PMD block in a whole, aligned PMD slot when
  // the shift allows, after WARN checks of the slot's first page.
  bool pages_walk_pmd_blocks;
  // The pages walk's PTE level writes CONT batches (up to 2^shift bytes,
  // the table end, PMD_SIZE/2 and the end of the chunk of pages).
  bool pages_walk_cont_batches;
  // A pages walk's error comes back unchanged; otherwise every error of
  // the walk comes back as -ENOMEM.
  bool pages_errors_propagate;

  // --- freeing a PMD table to write a PUD block
  // The PUD entry is cleared and its TLB entry flushed before the PTE
  // tables under it are freed (2026 trees: ptdump must not walk a freed
  // table); otherwise the PTE tables are freed first.
  bool pud_cleared_before_pte_tables;
  // --- freeing a PTE table to write a PMD block (x86-64)
  // pmd_free_pte_page() clears the PMD entry and flushes before it frees
  // the page the entry named (2026 trees: page_ptdesc(pmd_page())); 6.12
  // and 6.1 find the table first (pmd_page_vaddr()). At a PMD leaf the
  // model stops (the kernel would free the data page): after the clear and
  // the flush, or before any change.
  bool x86_pmd_cleared_before_table_freed;

  // --- vmap()
  // vmap() cuts the page array into runs of contiguous pages by order and
  // maps consecutive runs of one order in one walk; otherwise it maps
  // single pages in one walk.
  bool vmap_batching;
  // vmap() asks the area allocator for the largest alignment a block of
  // its size could use: a PMD block's, else a CONT-PTE group's, else a
  // page (docs/placement.md); otherwise for a page.
  bool vmap_aligned_area;

  // --- arm64 set_memory_* (docs/pageattr.md)
  // The permission change walks the existing tables with handlers that
  // rewrite a block wholly in range and refuse (WARN, -EINVAL) one partly
  // in range, after splitting leaves at the ends when the CPUs have
  // BBML2_NOABORT (2026 trees); otherwise it is apply_to_page_range(),
  // which creates missing tables and refuses (WARN, -EINVAL) any block.
  bool setmem_pagewalk;
  // change_memory_common() refuses areas with VM_ALLOW_HUGE_VMAP too.
  bool setmem_refuses_huge_area;
  // A change that only sets the valid bit is not followed by a TLB flush.
  bool setmem_valid_needs_no_flush;
  // set_memory_valid(0) also sets PTE_PRESENT_INVALID (nG) and (1) clears
  // it: an entry made invalid stays present (pte_present(), pXd_leaf()),
  // so later walks rewrite, clear and split it as the mapping it was.
  bool setmem_present_invalid;

  // --- x86-64 set_memory_* (docs/pageattr.md, "x86-64")
  // set_memory_ro() clears _PAGE_DIRTY too (6.2 on).
  bool cpa_ro_clears_dirty;
  // A change of _PAGE_NX alone is primary: it checks the direct-map alias
  // and WARNs at a hole (6.1 passes over holes and checks no alias).
  bool cpa_nx_change_is_primary;
  // x86 has its own set_memory_rox() (6.2 on). Without it, the rox mode is
  // the generic one of <linux/set_memory.h>, ro and then x, as on arm64 (a
  // kernel tree of the era runs it so: kernel/shim/kentry.c).
  bool cpa_has_rox;
  // set_memory_rox() collapses uniform tables into large pages afterwards
  // (CPA_COLLAPSE).
  bool cpa_rox_collapses;
  // verify_rwx() never WARNs: lookup_address_in_pgd_attr() folds the
  // tables' R/W bits into a bool with `*rw &= flags & _PAGE_RW`, which is 0
  // whatever the flags (a finding of the real trees, docs/pageattr.md).
  bool cpa_wx_check_dead;
};

std::span<const VariantRules> all_variant_rules();
// The row of `v`, or nullptr if the table lacks it.
const VariantRules* find_variant_rules(common::Variant v);
// The row of `v`; aborts if the table lacks it.
const VariantRules& variant_rules(common::Variant v);

}  // namespace vmapfuzz::reference
