// SPDX-License-Identifier: GPL-2.0-only
// Whole traces of the vmalloc, vmap and mixed op sets through the Runner,
// on mainline and on v4-fixed (v4 has a known vmap finding): every op's
// outcome, the table structure, every page's translation, level and CONT
// use against the reference, and mainline against the series.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "harness/runner.h"
#include "props/checks.h"
#include "props/gen.h"
#include "props/rc_support.h"

namespace vmapfuzz::props {
namespace {

void check_trace(const gen::OpWeights& ops) {
  const harness::Trace t = *gen::trace_of(ops, gen::vmap_variant());
  static harness::Runner runner;
  const harness::RunResult res = runner.run(t);
  assert_passes(res);
  const engine::Counters& c = runner.impls().back().kernel->counters();
  RC_CLASSIFY(c.pmd_set_huge > 0, "pmd block");
  RC_CLASSIFY(c.set_huge_pte_at > 0, "cont");
  RC_CLASSIFY(res.stopped_by_bug, "BUG");
  RC_TAG(std::string(t.geo->name));
}

// --- AnyTraceMatchesReference ----------------------------------------------

RC_GTEST_PROP(PropTraces, AnyVmallocTraceMatchesReference, ()) { check_trace(gen::kVmallocOps); }
RC_GTEST_PROP(PropTraces, AnyVmapTraceMatchesReference, ()) { check_trace(gen::kVmapOps); }
RC_GTEST_PROP(PropTraces, AnyMixedTraceMatchesReference, ()) { check_trace(gen::kMixedOps); }

}  // namespace
}  // namespace vmapfuzz::props
