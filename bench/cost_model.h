// SPDX-License-Identifier: GPL-2.0-only
// A kernel cost model: time = per_call * calls + per_descriptor * descriptors,
// where calls are the top-down walks and arch set calls the series saves
// (kernel_calls()) and descriptors the 8-byte entries written. Fitted to
// the series' mainline figures, it predicts the v4 figures from the
// engine's counters: if the series' speedups come from the calls it
// removes, the prediction lands near what the series measured.
#pragma once

#include <span>

#include "engine/events.h"

namespace vmapfuzz::bench {

struct CostPoint {
  double calls;
  double descriptors;
  double ns;  // measured
};

struct CostModel {
  double per_call_ns = 0;
  double per_descriptor_ns = 0;
  double predict(double calls, double descriptors) const {
    return per_call_ns * calls + per_descriptor_ns * descriptors;
  }
};

// Least squares on the relative error (the figures span 3407 ns to
// 1.2 ms, so absolute errors would fit the largest one only). Needs two
// points that are not proportional.
CostModel fit_cost_model(std::span<const CostPoint> points);

}  // namespace vmapfuzz::bench
