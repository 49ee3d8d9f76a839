// SPDX-License-Identifier: GPL-2.0-only
// Properties of vmap() of page arrays (docs/vmap.md): page i maps to
// pages[i], whatever the batching; the series (v4-fixed: v4 has a known
// finding here, corpus/vmap/findings/) maps with at least as many blocks
// and CONT groups as mainline, which uses none, and maps a dma-buf-like
// array in descending orders with blocks up to its first order-0 page.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/runner.h"
#include "harness/variant_relation.h"
#include "props/checks.h"
#include "props/gen.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;
using engine::Variant;

// These are properties of the pages walker and of vmap()'s batching at
// every VA congruence, so the area goes where the generator says, also
// where patch 6's aligned area would not (docs/placement.md).
engine::KernelConfig walker_contract() {
  engine::KernelConfig c;
  c.placement_any = true;
  return c;
}

// --- VmapPageIMapsToPagesI -------------------------------------------------

// On mainline or v4-fixed, sometimes next to a live vmap that shares page
// tables with it: the vmap succeeds exactly when the reference says so,
// and then every page i of the area translates to pages[i].
RC_GTEST_PROP(PropVmap, VmapPageIMapsToPagesI, ()) {
  const engine::Geometry& g = **gen::geometry();
  const u64 max_pages = gen::max_vmap_pages();
  engine::Kernel k(g, *gen::vmap_variant(), walker_contract());
  reference::RefKernel ref(g, k.variant(), walker_contract());
  std::vector<Range> earlier;
  if (*rc::gen::arbitrary<bool>()) {
    const harness::VmapOp before = *gen::vmap({}, 1024);
    RC_ASSERT(harness::execute(k, before).ret == harness::predict(ref, before).ret);
    earlier.push_back({before.va, before.page_count() * g.page_size()});
  }
  const harness::VmapOp op = *gen::vmap(earlier, max_pages);
  const int ret = harness::execute(k, op).ret;
  RC_ASSERT(ret == harness::predict(ref, op).ret);
  RC_CLASSIFY(ret != 0, "vmap failed");
  if (ret != 0) return;
  const std::vector<u64> pages = op.pages();
  for (u64 i = 0; i < pages.size(); ++i) {
    const u64 va = op.va + i * g.page_size();
    const reference::Translation tr = reference::translate(k.pool(), g, k.pgd_pa().v, va);
    if (tr.mapped && tr.pa == pages[i] << g.page_shift) continue;
    RC_LOG() << "page " << i << " at va " << std::hex << va << ": " << (tr.mapped ? "pa " : "")
             << (tr.mapped ? tr.pa : 0) << tr.fault << ", pages[i] = " << pages[i] << std::dec
             << "\n";
    RC_FAIL("page i does not map to pages[i]");
  }
  RC_ASSERT(tlb_issues(k) == "");
}

// --- VmapV4UsesAtLeastAsManyBlocks -----------------------------------------

// The same array on mainline and v4-fixed: both succeed or both fail (the
// errno may differ: mainline turns every walk error into -ENOMEM); on
// success the same translation, mainline without a block or CONT group,
// v4-fixed with at least as many bytes in them.
RC_GTEST_PROP(PropVmap, VmapV4UsesAtLeastAsManyBlocks, ()) {
  const engine::Geometry& g = **gen::geometry();
  const harness::VmapOp op = *gen::vmap({}, gen::max_vmap_pages());
  engine::Kernel mainline(g, Variant::mainline, walker_contract()),
      fixed(g, Variant::v4_fixed, walker_contract());
  const int a = harness::execute(mainline, op).ret, b = harness::execute(fixed, op).ret;
  RC_ASSERT((a == 0) == (b == 0));
  if (a != 0) return;
  const u64 end = op.va + op.page_count() * g.page_size();
  RC_ASSERT(huge_bytes(runs_in(scan(mainline).runs, op.va, end), g) == 0u);
  if (const auto m = harness::compare_variants(harness::VariantRelation::translation, mainline,
                                               fixed, op.va, end)) {
    RC_LOG() << m->detail << "\n";
    RC_FAIL(m->check + ":" + m->what);
  }
  RC_CLASSIFY(huge_bytes(runs_in(scan(fixed).runs, op.va, end), g) > 0,
              "v4-fixed uses blocks/CONT");
  RC_ASSERT(tlb_issues(mainline) == "");
  RC_ASSERT(tlb_issues(fixed) == "");
}

// --- VmapDescendingDmaBufRunsMapHuge ---------------------------------------

// Aligned blocks of orders (PMD order + 1 or PMD order,) 8, 4, 0 in that
// order, never physically adjacent, at a PMD-aligned VA: v4-fixed maps every
// block of a CONT group or more (order 4 or more with 4K pages, 8 or more
// with 16K and 64K; of the PMD order where there is no CONT) with PMD
// blocks or CONT groups; from the first smaller run on (where the batching
// stops) plain PTEs.
RC_GTEST_PROP(PropVmap, VmapDescendingDmaBufRunsMapHuge, ()) {
  const engine::Geometry& g = **gen::geometry();
  const u64 max_pages = gen::max_vmap_pages();
  harness::VmapOp op;
  op.runs = *gen::dmabuf_runs(max_pages);
  op.va = g.vmalloc_start + g.pmd_size() * *rc::gen::inRange<u64>(0, 256);
  RC_PRE(op.page_count() < max_pages);  // not truncated: every run a whole block
  const u64 huge_pages = (g.cont_pte_size() ? g.cont_pte_size() : g.pmd_size()) / g.page_size();
  u64 expected = 0;
  for (const harness::PageRun& r : op.runs) {
    if (r.count < huge_pages) break;
    expected += r.count * g.page_size();
  }
  engine::Kernel k(g, Variant::v4_fixed, walker_contract());
  RC_ASSERT(harness::execute(k, op).ret == 0);
  const auto runs = runs_in(scan(k).runs, op.va, op.va + op.page_count() * g.page_size());
  RC_ASSERT(huge_bytes(runs, g) == expected);
  RC_ASSERT(tlb_issues(k) == "");
  RC_CLASSIFY(k.counters().pmd_set_huge > 0, "pmd block");
}

}  // namespace
}  // namespace vmapfuzz::props
