// SPDX-License-Identifier: GPL-2.0-only
// Model-based test (rapidcheck/state.h). The Model is the reference kernel
// plus the live ioremap areas (to aim commands at); the system under test
// is one engine kernel. Each command is one op of harness/ops.h inside the
// contract: apply() moves the model with harness::predict(); run() executes
// the op on the engine and makes the Runner's checks against a prediction
// made on a copy of the model. Counterexamples print as op lines of a trace.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <type_traits>

#include "harness/runner.h"
#include "harness/variant_relation.h"
#include "harness/visit.h"
#include "props/checks.h"
#include "props/gen.h"
#include "props/rc_support.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;

// RapidCheck copy-constructs models and never assigns them. RefKernel holds
// a reference to its geometry: copyable, not assignable, which is enough.
static_assert(std::is_copy_constructible_v<reference::RefKernel>);

struct Model {
  reference::RefKernel ref;
  std::vector<Range> areas;  // live ioremap areas, guard page excluded
};

// Valid for the harness, and not mapping over a live mapping (a caller
// bug the kernel BUGs on).
bool in_contract(const Model& s0, const harness::Op& op) {
  harness::Trace t;
  t.geo = &geo();
  t.ops = {op};
  return !harness::validate(t) && !harness::maps_over_live_mapping(s0.ref, op);
}

// Where commands aim: the live areas and the mapped runs.
std::vector<Range> targets(const Model& s0) {
  std::vector<Range> r = s0.areas;
  for (const reference::LeafRun& run : s0.ref.expected_runs()) r.push_back({run.va, run.size});
  return r;
}

// One op: the shared body of every command; subclasses only generate it.
class OpCmd : public OpCommand<Model> {
 public:
  void checkPreconditions(const Model& s0) const override { RC_PRE(in_contract(s0, op_)); }

  void apply(Model& s0) const override {
    const engine::Outcome out = harness::predict(s0.ref, op_);
    const u64 guard = geo().page_size();
    // The areas: an ioremap that succeeded adds one, an iounmap frees the
    // one it points into (guard page included); nothing else changes them.
    auto free_area = [&](u64 va) {
      std::erase_if(s0.areas, [&](const Range& a) { return va >= a.va && va < a.end() + guard; });
    };
    std::visit(harness::Overloaded{
                   [&](const harness::IoremapOp& o) {
                     if (out.ret == 0) s0.areas.push_back({o.va, o.size});
                   },
                   [&](const harness::IounmapOp& o) { free_area(o.va); },
                   [](const harness::IoremapPageRangeOp&) {},
                   [](const harness::VmapPageRangeOp&) {},
                   [](const harness::VunmapRangeOp&) {},
                   [](const harness::FailAllocOp&) {},
                   [](const harness::VmallocOp&) {},
                   [](const harness::VmapOp&) {},
                   [](const harness::VfreeOp&) {},
                   [](const harness::VunmapOp&) {},
                   [](const harness::FailPageAllocOp&) {},
                   [](const harness::SetMemoryOp&) {},
               },
               op_);
  }
};

struct IoremapCmd : OpCmd {
  explicit IoremapCmd(const Model& s0) { op_ = *gen::ioremap_near(targets(s0)); }
};

struct VmapPageRangeCmd : OpCmd {
  explicit VmapPageRangeCmd(const Model& s0) { op_ = *gen::vmap_page_range_near(targets(s0)); }
};

struct IounmapCmd : OpCmd {
  explicit IounmapCmd(const Model& s0) {
    if (s0.areas.empty()) {
      op_ = harness::IounmapOp{*gen::va()};  // no such area: WARN
      return;
    }
    const Range a = *rc::gen::elementOf(s0.areas);
    const u64 page = geo().page_size();
    op_ = harness::IounmapOp{a.va +
                             page * *rc::gen::inRange<u64>(0, std::min<u64>(3, a.size / page))};
  }
};

struct VunmapRangeCmd : OpCmd {
  explicit VunmapRangeCmd(const Model& s0) {
    const std::vector<Range> t = targets(s0);
    const Range r =
        t.empty() ? Range{*gen::va(), *gen::size()} : *gen::subrange(*rc::gen::elementOf(t));
    op_ = harness::VunmapRangeOp{r.va, r.size};
  }
};

struct FailAllocCmd : OpCmd {
  explicit FailAllocCmd(const Model&) { op_ = harness::FailAllocOp{*gen::fail_nth()}; }
};

// On a geometry of gen::geometry(), picked before the commands.
void check_against_model(engine::Variant v) {
  const engine::Geometry& g = **gen::geometry();
  const Model initial{reference::RefKernel(g, v), {}};
  engine::Kernel k(g, v);
  rc::state::check(initial, k,
                   rc::state::gen::execOneOfWithArgs<IoremapCmd, IoremapCmd, VmapPageRangeCmd,
                                                     IounmapCmd, VunmapRangeCmd, FailAllocCmd>());
}

// --- MainlineMatchesReferenceModel / V4MatchesReferenceModel -------------

RC_GTEST_PROP(PropModel, MainlineMatchesReferenceModel, ()) {
  check_against_model(engine::Variant::mainline);
}

RC_GTEST_PROP(PropModel, V4MatchesReferenceModel, ()) { check_against_model(engine::Variant::v4); }

}  // namespace
}  // namespace vmapfuzz::props
