// SPDX-License-Identifier: GPL-2.0-only
// Properties of the series against mainline: v4 batches CONT groups as the
// docs/mapping-rules.md states its rule, and writes the very same descriptors.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <bit>

#include "harness/runner.h"
#include "props/checks.h"
#include "props/gen.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;
using engine::Variant;

// --- ContBatchIsLargestAlignedPowerOfTwo ---------------------------------

// docs/mapping-rules.md, v4 patch 2: with VA and PA CONT aligned, each PTE-level
// step is one set_huge_pte_at of rounddown_pow_of_two(min(bytes left in the
// PTE table, PMD_SIZE / 2)) bytes.
u64 v4_batches(u64 bytes) {
  u64 calls = 0;
  for (; bytes != 0; ++calls) bytes -= std::bit_floor(std::min(bytes, geo().pmd_size() / 2));
  return calls;
}

// An ioremap of whole CONT groups inside one PMD slot, VA and PA CONT
// aligned, not a whole aligned slot (that is a PMD block).
rc::Gen<harness::IoremapOp> cont_aligned_ioremap() {
  return rc::gen::exec([] {
    const engine::Geometry& g = geo();
    const u64 cont = g.cont_pte_size(), pmd = g.pmd_size(), groups = pmd / cont;
    const u64 first = *rc::gen::inRange<u64>(0, groups);
    const u64 count = *rc::gen::inRange<u64>(1, groups - first + 1);
    const u64 slots = std::min<u64>(1024, g.vmalloc_size / pmd - 1);
    const u64 slot = g.vmalloc_start + pmd * *rc::gen::inRange<u64>(0, slots);
    u64 pa = pmd * *rc::gen::inRange<u64>(1, 64) + cont * *rc::gen::inRange<u64>(0, groups);
    if (count == groups && pa % pmd == 0) pa += cont;
    return harness::IoremapOp{slot + first * cont, count * cont, pa, *gen::prot()};
  });
}

// On the geometries with a contiguous hint (arm64).
RC_GTEST_PROP(PropVariants, ContBatchIsLargestAlignedPowerOfTwo, ()) {
  const engine::Geometry& g =
      **gen::geometry_where([](const engine::Geometry& x) { return x.cont_pte_shift != 0; });
  const harness::IoremapOp op = *cont_aligned_ioremap();
  const u64 groups = op.size / g.cont_pte_size();
  engine::Kernel mainline(g, Variant::mainline), v4(g, Variant::v4);
  RC_ASSERT(harness::execute(mainline, op).ret == 0);
  RC_ASSERT(harness::execute(v4, op).ret == 0);
  RC_ASSERT(mainline.counters().set_huge_pte_at == groups);
  RC_ASSERT(v4.counters().set_huge_pte_at == v4_batches(op.size));
  RC_ASSERT(v4.counters().set_pte_at == 0u);
  if (const auto diff = tables_difference(mainline, v4)) RC_FAIL("descriptors differ: " + *diff);
  RC_ASSERT(tlb_issues(mainline) == "");
  RC_ASSERT(tlb_issues(v4) == "");
}

// --- MainlineAndV4TablesBitIdentical -------------------------------------

// Inside the contract (no op maps over a live mapping) the series changes
// only the number of calls: after every op both kernels hold the very same
// tables and report the same outcome.
RC_GTEST_PROP(PropVariants, MainlineAndV4TablesBitIdentical, ()) {
  const harness::Trace t = *gen::contract_trace();
  engine::Kernel mainline(*t.geo, Variant::mainline, t.config), v4(*t.geo, Variant::v4, t.config);
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const engine::Outcome a = harness::execute(mainline, t.ops[i]);
    const engine::Outcome b = harness::execute(v4, t.ops[i]);
    RC_LOG() << "after op " << i + 1 << "\n";
    RC_ASSERT(a.bug == engine::BugId::none);
    if (const auto d = series_outcome_difference(a, b)) RC_FAIL("outcomes differ: " + *d);
    if (const auto diff = tables_difference(mainline, v4)) RC_FAIL("tables differ: " + *diff);
    RC_ASSERT(tlb_issues(mainline) == "");
    RC_ASSERT(tlb_issues(v4) == "");
  }
}

}  // namespace
}  // namespace vmapfuzz::props
