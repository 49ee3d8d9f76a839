// SPDX-License-Identifier: GPL-2.0-only
#include "props/checks.h"

#include <algorithm>
#include <cstdio>
#include <type_traits>

#include "harness/runner.h"
#include "harness/visit.h"

namespace vmapfuzz::props {

reference::TableScan scan(const engine::Kernel& k) {
  return reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v);
}

std::string structure_issues(const reference::TableScan& s, const engine::Geometry& g) {
  const auto m = harness::check_structure(s, harness::leaf_level_of(g));
  return m ? m->detail : std::string();
}

u64 huge_bytes(const std::vector<reference::LeafRun>& runs, const engine::Geometry& g) {
  return harness::huge_bytes(runs, harness::leaf_level_of(g));
}

std::optional<StepFailure> step_and_check(const reference::RefKernel& ref, engine::Kernel& k,
                                          const harness::Op& op) {
  reference::RefKernel model = ref;
  const engine::Outcome expected = harness::predict(model, op);
  const engine::Outcome actual = harness::execute(k, op);
  const auto m = harness::check_op(model, expected, k, actual, 0, ~u64{0});
  if (!m) return std::nullopt;
  return StepFailure{harness::signature(*m, engine::variant_name(k.variant()), op), m->detail};
}

std::string tlb_issues(const engine::Kernel& k) {
  const auto m = harness::check_tlb(k, 0, ~u64{0}, nullptr);
  return m ? m->check + ":" + m->level + ":" + m->what + ": " + m->detail : std::string();
}

std::optional<std::string> series_outcome_difference(const engine::Outcome& mainline,
                                                     const engine::Outcome& series) {
  using engine::FlushKind;
  auto without_sync = [](engine::Outcome o) {
    std::erase_if(o.flushes,
                  [](const engine::Flush& f) { return f.kind == FlushKind::sync_kernel_mappings; });
    return o;
  };
  if (const auto m = harness::compare_outcomes(without_sync(mainline), without_sync(series)))
    return m->detail;
  for (const engine::Flush& f : mainline.flushes) {
    if (f.kind != FlushKind::sync_kernel_mappings) continue;
    const bool covered =
        std::any_of(series.flushes.begin(), series.flushes.end(), [&](const auto& s) {
          return s.kind == FlushKind::sync_kernel_mappings && s.start.v <= f.start.v &&
                 f.end.v <= s.end.v;
        });
    if (!covered) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "the series does not sync [0x%llx, 0x%llx)",
                    static_cast<unsigned long long>(f.start.v),
                    static_cast<unsigned long long>(f.end.v));
      return std::string(buf);
    }
  }
  return std::nullopt;
}

std::optional<std::string> tables_difference(const engine::Kernel& a, const engine::Kernel& b) {
  return harness::compare_tables(a, b, 0, ~u64{0});
}

void LiveAreas::after(const reference::RefKernel& ref, const harness::Op& op,
                      const engine::Outcome& out) {
  const engine::Geometry& g = engine::geometry_of(ref.geo());
  const u64 page = g.page_size();
  auto live = [&](const Range& r) { return ref.area_extent(r.va).first == r.va; };
  for (auto* v : {&ioremap, &vmalloc, &vmap})
    std::erase_if(*v, [&](const Range& r) { return !live(r); });
  auto up = [](u64 x, u64 a) { return (x + a - 1) / a * a; };
  // What the op asked to map, and for an op that makes an area: the list it
  // goes to and where it may start (the hint, or for a huge vmalloc the hint
  // aligned up to the CONT or PMD size).
  struct Effect {
    std::optional<Range> asked;
    std::vector<Range>* list = nullptr;
    std::vector<u64> starts;
  };
  using harness::Overloaded;
  const Effect e = std::visit(
      Overloaded{
          [&](const harness::IoremapOp& o) {
            return Effect{Range{o.va, o.size}, &ioremap, {o.va}};
          },
          [&](const harness::IoremapPageRangeOp& o) {
            return Effect{Range{o.va, o.size}, nullptr, {}};
          },
          [&](const harness::VmapPageRangeOp& o) {
            return Effect{Range{o.va, o.size}, nullptr, {}};
          },
          [&](const harness::VmapOp& o) {
            return Effect{Range{o.va, o.page_count() * page}, &vmap, {o.va}};
          },
          [&](const harness::VmallocOp& o) {
            // (No CONT alignment where the geometry has none.)
            const u64 cont = g.cont_pte_size() ? g.cont_pte_size() : page;
            return Effect{std::nullopt, &vmalloc, {o.va, up(o.va, cont), up(o.va, g.pmd_size())}};
          },
          [](const harness::IounmapOp&) { return Effect{}; },
          [](const harness::VunmapRangeOp&) { return Effect{}; },
          [](const harness::FailAllocOp&) { return Effect{}; },
          [](const harness::VfreeOp&) { return Effect{}; },
          [](const harness::VunmapOp&) { return Effect{}; },
          [](const harness::FailPageAllocOp&) { return Effect{}; },
          [](const harness::SetMemoryOp&) { return Effect{}; },
      },
      op);
  if (e.asked) mapped.push_back(*e.asked);
  if (out.ret != 0 || !e.list) return;
  const std::vector<Range> known = areas();
  for (u64 c : e.starts) {
    const auto extent = ref.area_extent(c);
    const u64 a = extent.first, b = extent.second;
    if (a != c || b == a) continue;
    if (std::find_if(known.begin(), known.end(), [&](const Range& r) { return r.va == a; }) !=
        known.end())
      continue;
    e.list->push_back({a, b - a - page});
    // A vmalloc maps its whole area.
    if (e.list == &vmalloc) mapped.push_back(e.list->back());
    return;
  }
}

std::vector<Range> LiveAreas::areas() const {
  std::vector<Range> r = ioremap;
  r.insert(r.end(), vmalloc.begin(), vmalloc.end());
  r.insert(r.end(), vmap.begin(), vmap.end());
  return r;
}

std::vector<Range> LiveAreas::targets() const {
  std::vector<Range> r = areas();
  r.insert(r.end(), mapped.begin(), mapped.end());
  return r;
}

std::vector<reference::LeafRun> runs_in(const std::vector<reference::LeafRun>& runs, u64 va,
                                        u64 end) {
  std::vector<reference::LeafRun> out;
  for (const auto& r : runs)
    if (r.va < end && va < r.va + r.size) out.push_back(r);
  return out;
}

}  // namespace vmapfuzz::props
