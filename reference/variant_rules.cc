// SPDX-License-Identifier: GPL-2.0-only
#include "reference/variant_rules.h"

#include <cstdio>
#include <cstdlib>

namespace vmapfuzz::reference {
namespace {

using common::Variant;

constexpr VariantRules kRows[] = {
    {
        .variant = Variant::mainline,
        .cont_pte_mappings = true,
        .multi_group_cont_batches = false,
        .unaligned_size_warn = true,
        .ioremap_area_check = true,
        .partial_block_warn = true,
        .vmalloc_cont_shift = true,
        .opportunistic_orders = true,
        .huge_pages_one_walk = false,
        .vmalloc_warn_alloc = true,
        .pages_walk_pmd_blocks = false,
        .pages_walk_cont_batches = false,
        .pages_errors_propagate = false,
        .pud_cleared_before_pte_tables = true,
        .x86_pmd_cleared_before_table_freed = true,
        .vmap_batching = false,
        .vmap_aligned_area = false,
        .setmem_pagewalk = true,
        .setmem_refuses_huge_area = true,
        .setmem_valid_needs_no_flush = true,
        .setmem_present_invalid = true,
        .cpa_ro_clears_dirty = true,
        .cpa_nx_change_is_primary = true,
        .cpa_has_rox = true,
        .cpa_rox_collapses = true,
        .cpa_wx_check_dead = true,
    },
    {
        .variant = Variant::v4,
        .cont_pte_mappings = true,
        .multi_group_cont_batches = true,
        .unaligned_size_warn = true,
        .ioremap_area_check = true,
        .partial_block_warn = true,
        .vmalloc_cont_shift = true,
        .opportunistic_orders = true,
        .huge_pages_one_walk = true,
        .vmalloc_warn_alloc = true,
        .pages_walk_pmd_blocks = true,
        .pages_walk_cont_batches = true,
        .pages_errors_propagate = true,
        .pud_cleared_before_pte_tables = true,
        .x86_pmd_cleared_before_table_freed = true,
        .vmap_batching = true,
        .vmap_aligned_area = true,
        .setmem_pagewalk = true,
        .setmem_refuses_huge_area = true,
        .setmem_valid_needs_no_flush = true,
        .setmem_present_invalid = true,
        .cpa_ro_clears_dirty = true,
        .cpa_nx_change_is_primary = true,
        .cpa_has_rox = true,
        .cpa_rox_collapses = true,
        .cpa_wx_check_dead = true,
    },
    {
        // v4 with the findings corrected: the reference states the intended
        // behaviour, which is v4's.
        .variant = Variant::v4_fixed,
        .cont_pte_mappings = true,
        .multi_group_cont_batches = true,
        .unaligned_size_warn = true,
        .ioremap_area_check = true,
        .partial_block_warn = true,
        .vmalloc_cont_shift = true,
        .opportunistic_orders = true,
        .huge_pages_one_walk = true,
        .vmalloc_warn_alloc = true,
        .pages_walk_pmd_blocks = true,
        .pages_walk_cont_batches = true,
        .pages_errors_propagate = true,
        .pud_cleared_before_pte_tables = true,
        .x86_pmd_cleared_before_table_freed = true,
        .vmap_batching = true,
        .vmap_aligned_area = true,
        .setmem_pagewalk = true,
        .setmem_refuses_huge_area = true,
        .setmem_valid_needs_no_flush = true,
        .setmem_present_invalid = true,
        .cpa_ro_clears_dirty = true,
        .cpa_nx_change_is_primary = true,
        .cpa_has_rox = true,
        .cpa_rox_collapses = true,
        .cpa_wx_check_dead = true,
    },
    {
        .variant = Variant::v6_12,
        .cont_pte_mappings = false,
        .multi_group_cont_batches = false,
        .unaligned_size_warn = false,
        .ioremap_area_check = true,
        .partial_block_warn = false,
        .vmalloc_cont_shift = false,
        .opportunistic_orders = false,
        .huge_pages_one_walk = false,
        .vmalloc_warn_alloc = true,
        .pages_walk_pmd_blocks = false,
        .pages_walk_cont_batches = false,
        .pages_errors_propagate = false,
        .pud_cleared_before_pte_tables = false,
        .x86_pmd_cleared_before_table_freed = false,
        .vmap_batching = false,
        .vmap_aligned_area = false,
        .setmem_pagewalk = false,
        .setmem_refuses_huge_area = false,
        .setmem_valid_needs_no_flush = false,
        .setmem_present_invalid = false,
        .cpa_ro_clears_dirty = true,
        .cpa_nx_change_is_primary = true,
        .cpa_has_rox = true,
        .cpa_rox_collapses = false,
        .cpa_wx_check_dead = true,
    },
    {
        // v6.12 with the two differences of 6.1 (common/variant.h).
        .variant = Variant::v6_1,
        .cont_pte_mappings = false,
        .multi_group_cont_batches = false,
        .unaligned_size_warn = false,
        .ioremap_area_check = false,
        .partial_block_warn = false,
        .vmalloc_cont_shift = false,
        .opportunistic_orders = false,
        .huge_pages_one_walk = false,
        .vmalloc_warn_alloc = false,
        .pages_walk_pmd_blocks = false,
        .pages_walk_cont_batches = false,
        .pages_errors_propagate = false,
        .pud_cleared_before_pte_tables = false,
        .x86_pmd_cleared_before_table_freed = false,
        .vmap_batching = false,
        .vmap_aligned_area = false,
        .setmem_pagewalk = false,
        .setmem_refuses_huge_area = false,
        .setmem_valid_needs_no_flush = false,
        .setmem_present_invalid = false,
        .cpa_ro_clears_dirty = false,
        .cpa_nx_change_is_primary = false,
        .cpa_has_rox = false,
        .cpa_rox_collapses = false,
        .cpa_wx_check_dead = true,
    },
};

}  // namespace

std::span<const VariantRules> all_variant_rules() { return kRows; }

const VariantRules* find_variant_rules(common::Variant v) {
  for (const VariantRules& r : kRows)
    if (r.variant == v) return &r;
  return nullptr;
}

const VariantRules& variant_rules(common::Variant v) {
  const VariantRules* r = find_variant_rules(v);
  if (!r) {
    std::fprintf(stderr, "vmapfuzz: the reference has no rules for variant %u\n",
                 static_cast<unsigned>(v));
    std::abort();
  }
  return *r;
}

}  // namespace vmapfuzz::reference
