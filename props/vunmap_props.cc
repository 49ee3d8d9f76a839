// SPDX-License-Identifier: GPL-2.0-only
// Properties of unmapping (docs/unmap.md): every leaf of the range goes,
// the page tables stay (and are reused), nothing outside the range moves.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/runner.h"
#include "props/checks.h"
#include "props/gen.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;

// --- VmapThenVunmapLeavesNoValidLeaf -------------------------------------

// A mapping right after [va, end), or after one guard page (ioremap areas
// end with one) and maybe one page more.
rc::Gen<harness::VmapPageRangeOp> neighbour_after(u64 end, bool guard) {
  return rc::gen::exec([=] {
    const u64 page = geo().page_size();
    const u64 va = end + (guard ? page : 0) + page * *rc::gen::inRange<u64>(0, 2);
    const u64 size = *gen::size();
    return harness::VmapPageRangeOp{va, size, *gen::pa_for(va, size), *gen::prot()};
  });
}

// Map a range (ioremap, or vmap_page_range), unmap it (iounmap, or
// vunmap_range of the same range): no valid leaf is left in it, no WARN,
// no table is freed or leaked, a neighbouring mapping is untouched, and
// mapping the range again allocates no table.
RC_GTEST_PROP(PropVunmap, VmapThenVunmapLeavesNoValidLeaf, ()) {
  const engine::Geometry& g = **gen::geometry();
  const harness::IoremapOp m = *gen::ioremap();
  const bool via_ioremap = *rc::gen::arbitrary<bool>();
  const harness::Op map = via_ioremap
                              ? harness::Op{m}
                              : harness::Op{harness::VmapPageRangeOp{m.va, m.size, m.pa, m.prot}};
  const harness::Op unmap = via_ioremap ? harness::Op{harness::IounmapOp{m.va}}
                                        : harness::Op{harness::VunmapRangeOp{m.va, m.size}};
  const harness::VmapPageRangeOp neighbour = *neighbour_after(m.va + m.size, via_ioremap);
  const u64 next = neighbour.va, next_end = neighbour.va + neighbour.size;
  engine::Kernel k(g, *gen::variant());

  RC_ASSERT(harness::execute(k, neighbour).ret == 0);
  const auto neighbour_runs = runs_in(scan(k).runs, next, next_end);
  RC_ASSERT(harness::execute(k, map).ret == 0);
  const u64 tables = k.pool().live_count();
  RC_ASSERT(harness::execute(k, unmap).warns.empty());

  const reference::TableScan s = scan(k);
  RC_ASSERT(runs_in(s.runs, m.va, m.va + m.size).empty());
  RC_ASSERT(structure_issues(s, g) == "");
  RC_ASSERT(k.pool().live_count() == tables);
  RC_ASSERT(runs_in(s.runs, next, next_end) == neighbour_runs);
  const engine::Outcome again = harness::execute(k, map);
  RC_ASSERT(again.ret == 0);
  RC_ASSERT(again.tables_allocated == 0u);
  RC_ASSERT(tlb_issues(k) == "");
}

}  // namespace
}  // namespace vmapfuzz::props
