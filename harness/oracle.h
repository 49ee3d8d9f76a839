// SPDX-License-Identifier: GPL-2.0-only
// The checks behind Runner, usable on their own (tests, reports).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "harness/ops.h"
#include "reference/mmu_walker.h"
#include "reference/model.h"

namespace vmapfuzz::harness {

struct Mismatch {
  std::string check;   // "ret", "bug", "warn", "flush", "tables", "mask", "structure",
                       // "translation", "layout", "variants"
  std::string level;   // "pud", "pmd", "pte", "none" or "-"
  std::string what;    // short, stable: "pa-mismatch", "enomem-vs-ok", ...
  std::string detail;  // for humans
  std::optional<engine::u64> va = std::nullopt;  // the first VA it concerns, if any
};

// Outcome equality, field by field, most telling first.
std::optional<Mismatch> compare_outcomes(const engine::Outcome& expected,
                                         const engine::Outcome& actual);

// Structural issues of a table scan (first one reported).
std::optional<Mismatch> check_structure(const reference::TableScan& scan);

// Expected vs actual leaves: the first VA where they differ, classified as
// a translation difference (PA, attributes, mapped or not) or a layout
// difference (same translation, different level or CONT use).
std::optional<Mismatch> compare_leaves(const std::vector<reference::LeafRun>& expected,
                                       const std::vector<reference::LeafRun>& actual);

// The first VA where the two run lists differ (runs must be coalesced).
std::optional<engine::u64> first_divergence(const std::vector<reference::LeafRun>& a,
                                            const std::vector<reference::LeafRun>& b);

// The run containing va, or nullptr.
const reference::LeafRun* run_at(const std::vector<reference::LeafRun>& runs, engine::u64 va);

const char* level_name(unsigned level);

// Accepted difference between variants, in one place: once an op maps over
// a live mapping (a caller bug: the kernel's contract is a free range), the
// variants may differ, because v4 checks only the first PTE of each batch
// and its batches are larger than mainline's 64 KiB. From that op on the
// variants are compared with the reference only, not with each other.
bool maps_over_live_mapping(const reference::RefKernel& ref, const Op& op);

// How mainline and the variant under test must relate, op by op:
//   identical:   bit-identical tables (ioremap, vmalloc: the series' claim;
//                with v6.12: vmap(), small vmalloc tables, unmaps);
//   translation: the same translation of every page. With the series, it
//                uses at least as much block and CONT mapping (after a
//                vmap(), which only the series maps with blocks). With
//                v6.12, the same leaves at the same levels, CONT bits aside:
//                after an ioremap/vmap_page_range, which mainline maps with
//                64K CONT groups and 6.12 with plain PTEs;
//   mapped:      (v6.12 only) the same VAs mapped, at the same levels (CONT
//                aside) with the same attributes, output addresses free:
//                after a vmalloc(), because 6.12's vm_area_alloc_pages takes
//                no opportunistic larger orders, so the pages (and every
//                later allocation) come from other frames;
//   none:        compared with the reference only — once an injected table
//                allocation failure may hit the two at different points (an
//                op run with fail_alloc armed after they stopped being
//                bit-identical: the series allocates fewer tables for a
//                vmap() and leaves fewer behind), or the return
//                codes differ otherwise, after an op maps over a
//                live mapping (caller bug, see above), or after a partial
//                vunmap_range() once the layouts may differ (it clears whole
//                blocks, WARNing: the v4 reviewers' set_memory_*/unmap
//                concern, not a divergence to report; and mainline clears
//                whole CONT groups where 6.12 has single pages). With v6.12
//                also after a vmalloc() while a page allocation failure is
//                armed (the two allocate different orders, so it hits other
//                allocations), and after a huge vmalloc() that mainline
//                aligns or rounds to 64K (CONT_PTE_SHIFT) but 6.12 to a
//                page: the areas differ. A BUG in either ends the trace.
enum class VariantRelation { identical, translation, mapped, none };
VariantRelation next_relation(VariantRelation r, const reference::RefKernel& ref, const Op& op,
                              engine::Variant variant = engine::Variant::v4);
std::optional<Mismatch> compare_variants(VariantRelation r, const engine::Kernel& base,
                                         const engine::Kernel& series, engine::u64 lo,
                                         engine::u64 hi);

// The VA range an op may change, judged from the reference state before
// the op: its own range (an ioremap's guard page included), widened to the
// whole blocks and CONT groups an unmap clears. The per-op checks look
// there; the whole tree is checked at the end of the trace.
std::pair<engine::u64, engine::u64> touched_range(const reference::RefKernel& ref, const Op& op);

// Bit-identical descriptors (tables included) of two kernels for the VAs
// in [lo, hi); a description of the first difference, or nullopt.
std::optional<std::string> compare_tables(const engine::Kernel& a, const engine::Kernel& b,
                                          engine::u64 lo, engine::u64 hi);

}  // namespace vmapfuzz::harness
