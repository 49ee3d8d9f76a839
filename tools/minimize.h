// SPDX-License-Identifier: GPL-2.0-only
// `vmapfuzz minimize`: op-aware reduction of a failing trace that keeps
// the bug: a candidate is kept only if it fails with the same signature.
// Passes, each repeated until nothing changes: drop the ops after the
// failing one; drop groups of ops, then single ops (delta debugging); move
// sizes, addresses and output addresses to simpler, more aligned values
// (block sizes, 1G/2M/64K boundaries); simplify page runs (drop runs,
// shorten them, align their pfns); then attributes and boot options.
// Deterministic: same input, same output. Time-boxed.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "harness/ops.h"

namespace vmapfuzz::tools {

struct MinimizeResult {
  harness::Trace trace;
  std::string signature;
  std::size_t ops_before = 0, ops_after = 0;
  std::size_t text_before = 0, text_after = 0;  // bytes of the text form
  std::size_t runs = 0;                         // candidates tried
  bool timed_out = false;
};

// nullopt (and *err) if `t` does not fail to begin with. `progress` gets a
// line per improvement (may be empty).
// Why minimize() returned nothing: the trace passes, or it is outside the
// harness contract.
enum class MinimizeStatus { minimized, passes, rejected };

std::optional<MinimizeResult> minimize(const harness::Trace& t, double seconds,
                                       const std::function<void(const std::string&)>& progress,
                                       MinimizeStatus* status, std::string* err);

}  // namespace vmapfuzz::tools
