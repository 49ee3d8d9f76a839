// SPDX-License-Identifier: GPL-2.0-only
// Model-based test (rapidcheck/state.h) over every op kind: vmalloc, vmap,
// ioremap, vunmap/iounmap/vfree of live areas, vunmap_range and injected
// table and page allocation failures. The model is the reference kernel
// plus the live areas (to aim commands at) and the pages mapped so far (to
// keep a run small); the system under test is one engine kernel, mainline
// or v4-fixed. run() makes the Runner's per-op checks against a prediction
// on a copy of the model. A command is any op the reference predicts no
// BUG for (mapping over a raw vmap_page_range mapping included: vmalloc and
// vmap then WARN and fail, they do not BUG). show() prints the op's trace
// line, so a counterexample reads as a trace.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>

#include "harness/runner.h"
#include "props/checks.h"
#include "props/gen.h"
#include "props/rc_support.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;
using harness::OpKind;

struct Model {
  reference::RefKernel ref;
  LiveAreas live;
  u64 pages = 0;  // mapped at the PTE level so far (gen::pte_pages)
};

class OpCmd : public OpCommand<Model> {
 public:
  void checkPreconditions(const Model& s0) const override {
    harness::Trace t;
    t.geo = &geo();
    t.ops = {op_};
    RC_PRE(!harness::validate(t));
    reference::RefKernel ref = s0.ref;
    RC_PRE(harness::predict(ref, op_).bug == engine::BugId::none);
  }

  void apply(Model& s0) const override {
    s0.live.after(s0.ref, op_, harness::predict(s0.ref, op_));
    s0.pages += gen::pte_pages(op_, {});
  }
};

// A command of one op kind, aimed with the model's live areas.
template <OpKind K>
struct KindCmd : OpCmd {
  explicit KindCmd(const Model& s0) {
    gen::OpWeights w{};
    w[static_cast<std::size_t>(K)] = 1;
    const u64 budget = gen::kTracePages - std::min(gen::kTracePages, s0.pages);
    // At most 2048 pages an op, or one PMD block where that is more (16K and
    // 64K pages), so that vmalloc and vmap can make one.
    const u64 per_op = std::max<u64>(2048, u64{1} << gen::pmd_order());
    op_ = *gen::op_of(w, s0.live, std::min<u64>(budget, per_op));
  }
};

// On a geometry of gen::geometry(), picked before the commands.
void check_against_model(engine::Variant v) {
  const engine::Geometry& g = **gen::geometry();
  const Model initial{reference::RefKernel(g, v), {}, 0};
  engine::Kernel k(g, v);
  rc::state::check(
      initial, k,
      rc::state::gen::execOneOfWithArgs<
          KindCmd<OpKind::vmalloc>, KindCmd<OpKind::vmalloc>, KindCmd<OpKind::vmalloc>,
          KindCmd<OpKind::vmap>, KindCmd<OpKind::vmap>, KindCmd<OpKind::vmap>,
          KindCmd<OpKind::ioremap>, KindCmd<OpKind::ioremap>, KindCmd<OpKind::vunmap>,
          KindCmd<OpKind::iounmap>, KindCmd<OpKind::vfree>, KindCmd<OpKind::vunmap_range>,
          KindCmd<OpKind::fail_alloc>, KindCmd<OpKind::fail_page_alloc>>());
}

// --- MainlineMatchesReferenceModel / V4FixedMatchesReferenceModel ---------

RC_GTEST_PROP(PropPagesModel, MainlineMatchesReferenceModel, ()) {
  check_against_model(engine::Variant::mainline);
}

RC_GTEST_PROP(PropPagesModel, V4FixedMatchesReferenceModel, ()) {
  check_against_model(engine::Variant::v4_fixed);
}

}  // namespace
}  // namespace vmapfuzz::props
