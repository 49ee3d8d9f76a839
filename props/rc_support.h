// SPDX-License-Identifier: GPL-2.0-only
// What the properties share that speaks RapidCheck (props/checks.h has the
// plain parts):
//   - OpCommand<Model>: the body of the stateful model tests' commands: one
//     harness op, run on the engine kernel (the system under test) and
//     checked against the model's reference as the Runner checks it
//     (step_and_check). A test's commands derive from it and only generate
//     op_ and say what it does to their model (checkPreconditions, apply).
//     Model must have a `reference::RefKernel ref`.
//   - assert_passes(): a whole-trace Runner result must be a pass; a failure
//     fails the property with its signature and details.
#pragma once

#include <rapidcheck/state.h>

#include <ostream>

#include "engine/kernel.h"
#include "harness/ops.h"
#include "harness/runner.h"
#include "props/checks.h"

namespace vmapfuzz::props {

template <class Model>
class OpCommand : public rc::state::Command<Model, engine::Kernel> {
 public:
  void run(const Model& s0, engine::Kernel& k) const override {
    if (const auto f = step_and_check(s0.ref, k, op_)) {
      RC_LOG() << f->detail << "\n";
      RC_FAIL(f->signature);
    }
  }

  void show(std::ostream& os) const override { os << harness::show(op_); }

 protected:
  harness::Op op_;
};

inline void assert_passes(const harness::RunResult& res) {
  RC_ASSERT(!res.rejected);
  if (res.failure) {
    RC_LOG() << res.failure->detail << "\n";
    RC_FAIL(res.failure->signature);
  }
}

}  // namespace vmapfuzz::props
