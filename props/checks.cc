// SPDX-License-Identifier: GPL-2.0-only
#include "props/checks.h"

#include <algorithm>
#include <cstdio>
#include <type_traits>

namespace vmapfuzz::props {

reference::TableScan scan(const engine::Kernel& k) {
  return reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v);
}

std::string structure_issues(const reference::TableScan& s) {
  const auto m = harness::check_structure(s);
  return m ? m->detail : std::string();
}

std::optional<harness::Mismatch> check_op(const reference::RefKernel& ref_after,
                                          const engine::Outcome& expected, const engine::Kernel& k,
                                          const engine::Outcome& actual) {
  std::optional<harness::Mismatch> m = harness::compare_outcomes(expected, actual);
  const reference::TableScan s = scan(k);
  if (!m) m = harness::check_structure(s);
  if (!m) m = harness::compare_leaves(ref_after.expected_runs(), s.runs);
  if (!m && k.pool().live_count() != ref_after.table_count())
    m = harness::Mismatch{"tables", "-", "live-count",
                          "expected " + std::to_string(ref_after.table_count()) +
                              " live tables, found " + std::to_string(k.pool().live_count())};
  return m;
}

std::string signature(const harness::Mismatch& m, engine::Variant v, const harness::Op& op) {
  return m.check + ":" + std::string(engine::variant_name(v)) + ":" +
         std::string(harness::op_name(op)) + ":" + m.level + ":" + m.what;
}

std::optional<std::string> tables_difference(const engine::Kernel& a, const engine::Kernel& b) {
  return harness::compare_tables(a, b, 0, ~u64{0});
}

u64 huge_bytes(const std::vector<reference::LeafRun>& runs) {
  u64 n = 0;
  for (const reference::LeafRun& r : runs)
    if (r.level != engine::kPteLevel || r.cont) n += r.size;
  return n;
}

namespace {

// Where a successful op may have put its area: the hint itself, or the
// hint aligned up to the CONT or PMD size (a huge vmalloc).
std::vector<u64> area_candidates(const engine::Geometry& g, const harness::Op& op) {
  auto up = [](u64 x, u64 a) { return (x + a - 1) / a * a; };
  if (auto* o = std::get_if<harness::IoremapOp>(&op)) return {o->va};
  if (auto* o = std::get_if<harness::VmapOp>(&op)) return {o->va};
  if (auto* o = std::get_if<harness::VmallocOp>(&op))
    return {o->va, up(o->va, g.cont_pte_size()), up(o->va, g.pmd_size())};
  return {};
}

}  // namespace

void LiveAreas::after(const reference::RefKernel& ref, const harness::Op& op,
                      const engine::Outcome& out) {
  const u64 page = engine::geometry_of(ref.geo()).page_size();
  auto live = [&](const Range& r) { return ref.area_extent(r.va).first == r.va; };
  for (auto* v : {&ioremap, &vmalloc, &vmap})
    std::erase_if(*v, [&](const Range& r) { return !live(r); });
  std::visit(
      [&](const auto& o) {
        if constexpr (requires { o.pa; }) mapped.push_back({o.va, o.size});
        if constexpr (std::is_same_v<std::decay_t<decltype(o)>, harness::VmapOp>)
          mapped.push_back({o.va, o.page_count() * page});
      },
      op);
  if (out.ret != 0) return;
  std::vector<Range>* kind = std::holds_alternative<harness::IoremapOp>(op)   ? &ioremap
                             : std::holds_alternative<harness::VmallocOp>(op) ? &vmalloc
                             : std::holds_alternative<harness::VmapOp>(op)    ? &vmap
                                                                              : nullptr;
  if (!kind) return;
  const std::vector<Range> known = areas();
  for (u64 c : area_candidates(engine::geometry_of(ref.geo()), op)) {
    const auto extent = ref.area_extent(c);
    const u64 a = extent.first, b = extent.second;
    if (a != c || b == a) continue;
    if (std::find_if(known.begin(), known.end(), [&](const Range& r) { return r.va == a; }) !=
        known.end())
      continue;
    kind->push_back({a, b - a - page});
    if (std::holds_alternative<harness::VmallocOp>(op)) mapped.push_back(kind->back());
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
