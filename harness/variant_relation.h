// SPDX-License-Identifier: GPL-2.0-only
// Every accepted difference between two implementations, in one place.
//
// The Runner holds each implementation to the reference of its own variant
// (harness/oracle.h), always. On top of that it compares implementations
// with each other: mainline with the variant under test, and a backend (the
// `kernel` implementation) with the engine variant of its era. This file
// says how much of that comparison holds after each op, and why less holds
// in some cases. Each rule has a `_quirk` test in
// test/variant_relation_test.cc that pins it; a new accepted difference
// goes here, with its reason and its test, never as a silent "don't
// compare" elsewhere.
#pragma once

#include <optional>
#include <span>

#include "engine/kernel.h"
#include "harness/ops.h"
#include "harness/oracle.h"
#include "reference/model.h"

namespace vmapfuzz::harness {

// How mainline and the variant under test must relate, op by op. Ordered
// from strongest to weakest (a relation only weakens within a trace):
//   identical:   bit-identical tables (ioremap, vmalloc: the series' claim;
//                with v6.12 and v6.1: vmap(), small vmalloc tables, unmaps);
//   translation: the same translation of every page. With the series it
//                uses at least as much block and CONT mapping (after a
//                vmap(), which only the series maps with blocks). With
//                v6.12 or v6.1, the same leaves at the same levels, CONT
//                bits aside (after an ioremap/vmap_page_range, which
//                mainline maps with 64K CONT groups and 6.12 with plain PTEs);
//   mapped:      (v6.12, v6.1 only) the same VAs mapped, at the same levels
//                (CONT aside) with the same attributes, output addresses free:
//                after a vmalloc(), because 6.12's vm_area_alloc_pages takes
//                no opportunistic larger orders, so the pages (and every
//                later allocation) come from other frames;
//   none:        compared with the reference only. A BUG in either ends the
//                trace. The reasons are listed at next_relation().
enum class VariantRelation { identical, translation, mapped, none };

// The relation after `op`, judged from the reference state before it
// (`ref`: mainline's reference). It drops to `none`:
//   - once an op maps over a live mapping (a caller bug: the kernel's
//     contract is a free range): v4 checks only the first PTE of each batch
//     and its batches are larger than mainline's 64 KiB;
//   - once an injected table allocation failure is armed after the two
//     stopped being bit-identical: the series allocates fewer tables for a
//     vmap() and leaves fewer behind, so the failure hits another point;
//   - after a partial vunmap_range() once the layouts may differ: it clears
//     whole blocks, WARNing (the set_memory_*/unmap concern of the v4
//     reviewers, not a divergence to report); and mainline clears whole
//     CONT groups where 6.12 has single pages;
//   - with v6.12 (and v6.1), after a vmalloc() while a page allocation
//     failure is armed (the two allocate different orders, so it hits other
//     allocations),
//     after a huge vmalloc() that mainline aligns or rounds to 64K
//     (CONT_PTE_SHIFT) but 6.12 to a page (the areas differ), and after
//     freeing an area that covers part of a leaf beyond it (mainline clears
//     the whole CONT group, 6.12 only the area's pages);
//   - with v6.1, after an ioremap_page_range() that mainline refuses (no
//     VM_IOREMAP area, or not the area's whole range): 6.1 checks no area
//     and maps it.
VariantRelation next_relation(VariantRelation r, const reference::RefKernel& ref, const Op& op,
                              engine::Variant variant = engine::Variant::v4);

// The relation once both ran the op and returned `ret_base` and
// `ret_series`: different return codes while not identical mean the two
// met an injected failure at different points (above), so `none`.
VariantRelation relation_after_returns(VariantRelation r, int ret_base, int ret_series);

// The comparison the relation asks for over VAs [lo, hi), or nullopt.
// `base_runs` and `series_runs`, when given, are the leaf runs of the two
// over [lo, hi) as a scan just saw them (check_tables()), which spares
// scanning the tables again.
std::optional<Mismatch> compare_variants(
    VariantRelation r, const engine::Kernel& base, const engine::Kernel& series, engine::u64 lo,
    engine::u64 hi, const std::vector<reference::LeafRun>* base_runs = nullptr,
    const std::vector<reference::LeafRun>* series_runs = nullptr);

// Whether `op` maps over something the reference holds mapped (see the
// first reason at next_relation()).
bool maps_over_live_mapping(const reference::RefKernel& ref, const Op& op);

// A backend's outcome, made comparable with the reference's prediction:
//   - vmap() and vmalloc() return a pointer in the kernel, so NULL stands
//     for every error: the errno the walk saw is not observable;
//   - a BUG unwinds the kernel frames, and with them the walker's local
//     pgtbl_mod_mask: there is no mask to compare.
// Everything else (WARNs, flushes, tables, the BUG itself) is compared.
engine::Outcome backend_comparable(const engine::Outcome& expected, engine::Outcome actual,
                                   bool ret_is_pointer);

}  // namespace vmapfuzz::harness
