// SPDX-License-Identifier: GPL-2.0-only
#include "harness/variant_relation.h"

#include <algorithm>

#include "harness/visit.h"

namespace vmapfuzz::harness {

using engine::u64;
using reference::LeafRun;

namespace {

// The weaker of two relations.
VariantRelation weaker(VariantRelation a, VariantRelation b) { return std::max(a, b); }

// mainline vs v6.12 or v6.1 (the v6.12 and v6.1 reasons at next_relation()).
VariantRelation next_relation_6_12(VariantRelation r, const reference::RefKernel& ref, const Op& op,
                                   engine::Variant variant) {
  const engine::Geometry& g = engine::geometry_of(ref.geo());
  // Freeing an area that covers part of a leaf beyond it (a CONT group that
  // a vmap_page_range over the area's edge wrote in mainline): mainline
  // clears the whole group, 6.12 only the area's single pages.
  auto free_area = [&](u64 va) {
    if (r == VariantRelation::identical) return r;
    const auto [a, b] = ref.area_extent(va);
    if (a != b && ref.leaf_extent(a, b) != std::pair<u64, u64>{a, b}) return VariantRelation::none;
    return r;
  };
  // mainline maps phys ranges with 64K CONT groups, 6.12 with plain PTEs.
  auto phys_range = [&] { return weaker(r, VariantRelation::translation); };
  return std::visit(
      Overloaded{
          [&](const IoremapOp&) { return phys_range(); },
          [&](const IoremapPageRangeOp& o) {
            // 6.1 maps a range mainline's area check refuses.
            if (variant == engine::Variant::v6_1 && !ref.ioremap_range_is_area(o.va, o.size))
              return VariantRelation::none;
            return phys_range();
          },
          [&](const VmapPageRangeOp&) { return phys_range(); },
          [&](const VmallocOp& o) {
            if (ref.page_alloc_failure_armed()) return VariantRelation::none;
            const u64 page = g.page_size();
            const u64 real_size = (o.size + page - 1) / page * page;
            // mainline's shift from the caller's size (not
            // rounded): CONT_PTE_SHIFT below a PMD block's
            // size, and the area then 64K aligned.
            const bool pmd_shift = g.pmd_block && o.size >= g.pmd_size();
            if (o.huge && !ref.config().nohugevmalloc && !pmd_shift && g.cont_pte_shift &&
                o.size >= g.cont_pte_size() &&
                (o.va % g.cont_pte_size() != 0 || real_size % g.cont_pte_size() != 0))
              return VariantRelation::none;
            return weaker(r, VariantRelation::mapped);
          },
          [&](const VunmapRangeOp&) {
            return r != VariantRelation::identical ? VariantRelation::none : r;
          },
          [&](const IounmapOp& o) { return free_area(o.va); },
          [&](const VfreeOp& o) { return free_area(o.va); },
          [&](const VunmapOp& o) { return free_area(o.va); },
          // vmap(): plain PTEs in both.
          [&](const VmapOp&) { return r; },
          [&](const FailAllocOp&) { return r; },
          [&](const FailPageAllocOp&) { return r; },
          // v6.12 and v6.1 change permissions with apply_to_page_range(),
          // mainline with its own walk: other tables, WARNs and flushes.
          [&](const SetMemoryOp&) { return VariantRelation::none; },
      },
      op);
}

}  // namespace

VariantRelation next_relation(VariantRelation r, const reference::RefKernel& ref, const Op& op,
                              engine::Variant variant) {
  if (r == VariantRelation::none || maps_over_live_mapping(ref, op)) return VariantRelation::none;
  if (r != VariantRelation::identical && ref.table_alloc_failure_armed())
    return VariantRelation::none;
  if (engine::before_cont_vmap(variant)) return next_relation_6_12(r, ref, op, variant);
  // The series: a vmap() may use blocks and CONT where mainline has PTEs,
  // and so allocate fewer tables: an armed table-allocation failure then
  // fires at a different op on each side, and nothing after it compares.
  if (op_kind(op) == OpKind::vmap)
    return ref.table_alloc_failure_armed() ? VariantRelation::none : VariantRelation::translation;
  if (r == VariantRelation::translation && op_kind(op) == OpKind::vunmap_range)
    return VariantRelation::none;
  // set_memory_valid() checks no area: on the blocks and CONT groups the
  // series maps a vmap() with, it WARNs on a partly covered block, leaves
  // a partly valid CONT group or a whole block invalid where mainline
  // changes plain pages (docs/pageattr.md). By design of the series.
  if (r == VariantRelation::translation && op_kind(op) == OpKind::set_memory)
    return std::visit(
        [&]<class O>(const O& o) {
          if constexpr (std::is_same_v<O, SetMemoryOp>)
            return common::is_set_memory_valid(o.mode) ? VariantRelation::none : r;
          else return r;
        },
        op);
  return r;
}

VariantRelation relation_after_returns(VariantRelation r, int ret_base, int ret_series) {
  return r != VariantRelation::identical && ret_base != ret_series ? VariantRelation::none : r;
}

namespace {

// Runs with level and CONT use forgotten: the translation alone.
std::vector<LeafRun> translation_only(const std::vector<LeafRun>& runs) {
  std::vector<LeafRun> out;
  for (LeafRun r : runs) {
    r.level = 0;
    r.cont = false;
    reference::append_run(out, r);
  }
  return out;
}

// Runs with CONT use forgotten (levels kept); with `keep_pa` false the
// output address too (every run then maps onto its own VA).
std::vector<LeafRun> without_cont(const std::vector<LeafRun>& runs, bool keep_pa) {
  std::vector<LeafRun> out;
  for (LeafRun r : runs) {
    r.cont = false;
    if (!keep_pa) r.pa = r.va;
    reference::append_run(out, r);
  }
  return out;
}

}  // namespace

std::optional<Mismatch> compare_variants(VariantRelation r, const engine::Kernel& base,
                                         const engine::Kernel& series, u64 lo, u64 hi,
                                         const std::vector<LeafRun>* base_runs,
                                         const std::vector<LeafRun>* series_runs) {
  if (r == VariantRelation::none) return std::nullopt;
  if (r == VariantRelation::identical) {
    if (auto diff = compare_tables(base, series, lo, hi))
      return Mismatch{"variants", "-", "tables-differ",
                      "mainline and " + std::string(engine::variant_name(series.variant())) +
                          " tables are not bit-identical: " + *diff};
    return std::nullopt;
  }
  const auto& g = base.geo();
  const unsigned leaf = leaf_level_of(g);
  std::vector<LeafRun> scanned_a, scanned_b;
  if (!base_runs) scanned_a = reference::scan_range(base.pool(), g, base.pgd_pa().v, lo, hi).runs;
  if (!series_runs)
    scanned_b = reference::scan_range(series.pool(), g, series.pgd_pa().v, lo, hi).runs;
  const std::vector<LeafRun>& a = base_runs ? *base_runs : scanned_a;
  const std::vector<LeafRun>& b = series_runs ? *series_runs : scanned_b;
  if (engine::before_cont_vmap(series.variant())) {
    // The same leaves CONT bits aside (translation), and the output
    // addresses too unless `mapped`.
    const bool keep_pa = r == VariantRelation::translation;
    if (auto m = compare_leaves(without_cont(a, keep_pa), without_cont(b, keep_pa), leaf)) {
      m->what = std::string(keep_pa ? "translation-" : "mapped-") + m->check + "-" + m->what;
      m->check = "variants";
      m->level = "-";
      m->detail = "mainline (expected) vs " + std::string(engine::variant_name(series.variant())) +
                  " (actual), CONT bits aside" +
                  std::string(keep_pa ? "" : " and output addresses") + ": " + m->detail;
      return m;
    }
    return std::nullopt;
  }
  if (auto m = compare_leaves(translation_only(a), translation_only(b), leaf)) {
    m->check = "variants";
    m->level = "-";
    m->what = "translation-" + m->what;
    m->detail = "mainline (expected) vs " + std::string(engine::variant_name(series.variant())) +
                " (actual): " + m->detail;
    return m;
  }
  if (huge_bytes(b, leaf) < huge_bytes(a, leaf))
    return Mismatch{"variants", "-", "fewer-blocks",
                    "the series maps " + std::to_string(huge_bytes(b, leaf)) +
                        " bytes with blocks or CONT, mainline " +
                        std::to_string(huge_bytes(a, leaf))};
  return std::nullopt;
}

bool maps_over_live_mapping(const reference::RefKernel& ref, const Op& op) {
  auto over = [&](u64 va, u64 size) { return ref.overlaps_mapping(va, va + size); };
  return std::visit(Overloaded{
                        [&](const IoremapOp& o) { return over(o.va, o.size); },
                        [&](const IoremapPageRangeOp& o) { return over(o.va, o.size); },
                        [&](const VmapPageRangeOp& o) { return over(o.va, o.size); },
                        // vmalloc/vmap areas avoid live areas, but not raw
                        // vmap_page_range mappings outside any area.
                        [&](const VmallocOp&) {
                          const auto [a, b] = touched_range(ref, op);
                          return over(a, b - a);
                        },
                        [&](const VmapOp& o) {
                          return over(o.va,
                                      o.page_count() * engine::geometry_of(ref.geo()).page_size());
                        },
                        [](const IounmapOp&) { return false; },
                        [](const VunmapRangeOp&) { return false; },
                        [](const FailAllocOp&) { return false; },
                        [](const VfreeOp&) { return false; },
                        [](const VunmapOp&) { return false; },
                        [](const FailPageAllocOp&) { return false; },
                        [](const SetMemoryOp&) { return false; },
                    },
                    op);
}

engine::Outcome backend_comparable(const engine::Outcome& expected, engine::Outcome actual,
                                   bool ret_is_pointer) {
  if (ret_is_pointer && expected.ret < 0 && actual.ret < 0 && actual.bug == engine::BugId::none)
    actual.ret = expected.ret;
  if (actual.bug != engine::BugId::none) actual.mod_mask = expected.mod_mask;
  return actual;
}

}  // namespace vmapfuzz::harness
