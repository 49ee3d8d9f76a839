// SPDX-License-Identifier: GPL-2.0-only
// The block-use rules, stated as plain functions of (geometry, variant,
// range, output address, max page shift) without any page-table walking
// (docs/mapping-rules.md). The numbers come from the reference's own
// geometry table and variant rules (geometry_facts.h, variant_rules.h).
// The reference model applies these steps; the engine reaches the same
// result through the kernel's loops.
#pragma once

#include <vector>

#include "common/geometry_config.h"
#include "common/types.h"
#include "common/variant.h"
#include "reference/geometry_facts.h"

namespace vmapfuzz::reference {

using common::u64;

// `count` equal writes the mapping code makes one after the other (each
// `size` bytes), in the order it makes them. Equal consecutive PTE-level
// writes inside one PTE table are merged into one Step.
struct Step {
  enum Kind : std::uint8_t {
    pud_block,   // one PUD block
    pmd_block,   // one PMD block
    cont_batch,  // `size` bytes of whole CONT groups, one set_huge_pte_at call
    pte,         // one set_pte_at call
    unaligned,   // the PTE range starting here has a size that is not page
                 // aligned: vmap_pte_range refuses it (WARN_ON_ONCE, -EINVAL)
    past_end,    // v6.12 (no such check): the PTEs of every page that starts
                 // below the end were written, the last one covering a
                 // partial page; the walk steps over the end here (BUG
                 // walk_ran_past_end). size 0, always the last step.
  } kind;
  u64 va = 0;
  u64 size = 0;  // bytes per write
  u64 pa = 0;
  u64 count = 1;
  u64 bytes() const { return size * count; }
  friend bool operator==(const Step&, const Step&) = default;
};
const char* step_kind_name(Step::Kind k);

// Hardware level of the leaf a step writes (the page level for batches and
// ptes).
unsigned step_level(const GeometryFacts& f, Step::Kind k);

// The steps that map [va, end) to pa..: for every position, the largest
// leaf whose slot lies wholly inside the range with VA and PA aligned to
// it; at the PTE level a CONT batch when VA and PA are CONT aligned and a
// whole group fits before the end of the PTE table (mainline: exactly one
// group; v4: the largest power of two of groups that fits, capped by
// 2^max_page_shift and PMD_SIZE/2; v6.12: never), else a single page.
// `pud_block` and `pmd_block` are the block sizes the kernel may write
// (0: none); kRowBlocks means the geometry row's.
inline constexpr u64 kRowBlocks = ~u64{0};
std::vector<Step> plan_phys_range(const common::GeometryConfig& g, common::Variant variant, u64 va,
                                  u64 end, u64 pa, unsigned max_page_shift,
                                  u64 pud_block = kRowBlocks, u64 pmd_block = kRowBlocks);

}  // namespace vmapfuzz::reference
