// SPDX-License-Identifier: GPL-2.0-only
// The workloads the benchmarks time: the three the series measured (docs/vmap.md,
// "What the series measured") and three more, each as a map and an unmap of one instance.
// Several instances live side by side at their own VAs, so that a timed
// batch maps (or unmaps) all of them between two clock reads.
//
// Geometry: arm64, 4 KiB granule, 48-bit VA, the engine's only one.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/events.h"
#include "engine/kernel.h"

namespace vmapfuzz::bench {

using engine::Kernel;
using engine::u64;

// The series' own figures (v2-v4 cover letters, RK3588 little core).
struct SeriesFigure {
  double mainline_ns;
  double v4_ns;
};

// A count the series' mechanism fixes exactly, per map (docs/vmap.md#what-the-series-measured).
struct CounterClaim {
  const char* counter;
  u64 engine::Counters::*field;
  u64 mainline;
  u64 v4;
};

struct Workload {
  std::string name;  // short, stable: "ioremap-1M"
  std::string what;  // one line for the report
  unsigned batch;    // instances per timed batch
  std::optional<SeriesFigure> series;
  std::vector<CounterClaim> claims;
  // Map instance i (0 <= i < batch) at its VA; the kernel's return code.
  std::function<int(Kernel&, unsigned)> map;
  // Unmap instance i again: iounmap/vunmap of its area, or vunmap_range.
  std::function<void(Kernel&, unsigned)> unmap;
};

// Every workload, in report order. Page arrays are built here, once.
std::vector<Workload> all_workloads();

}  // namespace vmapfuzz::bench
