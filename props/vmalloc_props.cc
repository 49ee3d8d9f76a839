// SPDX-License-Identifier: GPL-2.0-only
// Properties of vmalloc (docs/vmalloc.md): the series changes the number
// of walks, not one descriptor; a huge vmalloc whose pages of the huge
// order cannot be had falls back to small pages and still succeeds.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>

#include "engine/page_alloc.h"
#include "harness/runner.h"
#include "props/checks.h"
#include "props/gen.h"
#include "props/rc_support.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;
using engine::Variant;

u64 round_up(u64 x, u64 a) { return (x + a - 1) / a * a; }

// --- VmallocTablesBitIdenticalAcrossVariants -----------------------------

// vmalloc, vfree and page allocation failures: after every op mainline and
// v4 report the same outcome (but for x86-64's arch_sync_kernel_mappings()
// calls, which follow the walks: series_outcome_difference()) and hold
// bit-identical tables (the series' claim), and the trace passes the Runner
// (reference, both variants).
RC_GTEST_PROP(PropVmalloc, VmallocTablesBitIdenticalAcrossVariants, ()) {
  const harness::Trace t = *gen::trace_of(gen::kVmallocAllocOps, rc::gen::just(Variant::v4));
  engine::Kernel mainline(*t.geo, Variant::mainline, t.config), v4(*t.geo, Variant::v4, t.config);
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const engine::Outcome a = harness::execute(mainline, t.ops[i]);
    const engine::Outcome b = harness::execute(v4, t.ops[i]);
    RC_LOG() << "after op " << i + 1 << ": " << harness::show(t.ops[i]) << "\n";
    if (const auto d = series_outcome_difference(a, b)) RC_FAIL("outcomes differ: " + *d);
    if (const auto diff = tables_difference(mainline, v4)) RC_FAIL("tables differ: " + *diff);
    RC_ASSERT(tlb_issues(mainline) == "");
    RC_ASSERT(tlb_issues(v4) == "");
  }
  static harness::Runner runner;
  const harness::RunResult res = runner.run(t);
  assert_passes(res);
  RC_CLASSIFY(v4.counters().pmd_set_huge > 0, "pmd block");
  RC_CLASSIFY(v4.counters().set_huge_pte_at > 0, "cont");
}

// --- HugeVmallocFallsBackToSmallPages ------------------------------------

// vm_area_alloc_pages(order, nr) when nothing fails (docs/vmalloc.md#vm_area_alloc_pages):
// the opportunistic allocations of larger orders (min(MAX_PAGE_ORDER,
// ilog2(left)) while that is above `order`), then those of `order`.
std::pair<unsigned, u64> allocation_schedule(u64 nr, unsigned order) {
  unsigned larger = 0;
  for (unsigned o; nr != 0 && (o = std::min(engine::PageAllocator::kMaxPageOrder,
                                            unsigned(std::bit_width(nr)) - 1)) > order;
       ++larger)
    nr -= u64{1} << o;
  return {larger, nr >> order};
}

// A huge vmalloc (a CONT group or more; a PMD block or more without CONT)
// after fail_page_alloc(nth, min_order) with 4 <= min_order <= its order
// (and at most 10, the text form's limit), so that every allocation it
// makes counts:
// a failure among the opportunistic larger orders is absorbed (huge
// mapping all the same); one among the allocations of its own order fails
// the huge attempt, and the retry with small pages succeeds with plain
// PTEs only, at the unaligned hint, without a warn_alloc() (only an
// order-0 shortfall warns).
RC_GTEST_PROP(PropVmalloc, HugeVmallocFallsBackToSmallPages, ()) {
  const engine::Geometry& g = **gen::geometry();
  harness::VmallocOp op = *gen::vmalloc({});
  op.huge = true;
  const u64 smallest_huge = g.cont_pte_size() ? g.cont_pte_size() : g.pmd_size();
  op.size = *rc::gen::suchThat(gen::vmalloc_size(), [&](u64 s) { return s >= smallest_huge; });
  const unsigned shift = op.size >= g.pmd_size() ? g.pmd_shift() : g.cont_pte_shift;
  const unsigned order = shift - g.page_shift;
  const auto [larger, own] =
      allocation_schedule(round_up(op.size, u64{1} << shift) >> g.page_shift, order);
  auto any_of = [](unsigned lo, unsigned hi) {  // whatever the size
    return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange(lo, hi));
  };
  const harness::FailPageAllocOp fail{any_of(1, larger + unsigned(own) + 1),
                                      any_of(4, std::min(order, 10u) + 1)};
  const bool falls_back = fail.nth > larger;

  // The CONT_PTE_SHIFT attempt below 2M is the 2026 arm64 rule; v6.12 maps
  // those with PAGE_SHIFT from the start (test/era_6_12_test.cc).
  engine::Kernel k(g, *rc::gen::element(engine::Variant::mainline, engine::Variant::v4,
                                        engine::Variant::v4_fixed));
  reference::RefKernel ref(g, k.variant());
  harness::execute(k, fail);
  harness::predict(ref, fail);
  const engine::Outcome expected = harness::predict(ref, op);
  const engine::Outcome actual = harness::execute(k, op);
  if (const auto m = harness::check_op(ref, expected, k, actual, 0, ~u64{0})) {
    RC_LOG() << m->detail << "\n";
    RC_FAIL(harness::signature(*m, engine::variant_name(k.variant()), op));
  }
  RC_ASSERT(actual.ret == 0);
  const bool warned = std::any_of(
      actual.warns.begin(), actual.warns.end(),
      [](const engine::Warn& w) { return w.id == engine::WarnId::vmalloc_pages_failed; });
  RC_ASSERT(!warned);
  const u64 align = falls_back ? g.page_size() : u64{1} << shift;
  const Range area{round_up(op.va, align), round_up(op.size, align)};
  const engine::VmArea* a = k.find_vm_area({area.va});
  RC_ASSERT(a != nullptr);
  RC_ASSERT(a->addr.v == area.va);
  RC_ASSERT(a->size == area.size + g.page_size());
  const auto runs = runs_in(scan(k).runs, area.va, area.end());
  u64 mapped = 0;
  for (const auto& r : runs) mapped += r.size;
  RC_ASSERT(mapped == area.size);
  RC_ASSERT(huge_bytes(runs, g) == (falls_back ? 0 : area.size));
  RC_CLASSIFY(falls_back, "fell back");
  RC_CLASSIFY(shift == g.pmd_shift(), "pmd shift");
}

}  // namespace
}  // namespace vmapfuzz::props
