// SPDX-License-Identifier: GPL-2.0-only
// The one table of vmapfuzz_bench, and the goals checked against it.
#pragma once

#include <ostream>
#include <vector>

#include "bench/cost_model.h"
#include "bench/measure.h"

namespace vmapfuzz::bench {

// Variants in report order: mainline first (the baseline of every ratio).
inline constexpr engine::Variant kVariants[] = {engine::Variant::mainline, engine::Variant::v4,
                                                engine::Variant::v4_fixed};

struct VariantResult {
  engine::Variant variant;
  Measured measured;
  double map_ns = -1, unmap_ns = -1;  // wall time per op (median); -1: not run
};

struct WorkloadResult {
  const Workload* workload;
  std::vector<VariantResult> variants;  // as kVariants
  double limit_map_ns = -1, limit_unmap_ns = -1;
};

// The series' three workloads on one geometry (series_workloads()), on
// kSeriesVariants, counters only (no timing).
inline constexpr engine::Variant kSeriesVariants[] = {engine::Variant::mainline,
                                                      engine::Variant::v4};
struct GeometryResult {
  const engine::Geometry* geo;
  std::vector<WorkloadResult> results;
};

// The model fitted to the mainline maps of the workloads with series figures.
CostModel fit_to_series(const std::vector<WorkloadResult>& results);

// One markdown table: a row per workload, op and variant.
void print_table(std::ostream& out, const std::vector<WorkloadResult>& results,
                 const CostModel& model);

// One markdown table of kernel-cost counters per map: a row per geometry,
// workload and variant, v4 against mainline; then what each workload is
// where it differs from arm64-4k-48. Rows whose map failed, WARNed or
// BUGged say so (a finding to look at, not a failure of the benchmark).
void print_geometry_table(std::ostream& out, const std::vector<GeometryResult>& geometries);

// What each workload is, one line each.
void print_workloads(std::ostream& out, const std::vector<WorkloadResult>& results);

// The cost model's parameters and its v4 predictions against the series.
void print_cost_model(std::ostream& out, const std::vector<WorkloadResult>& results,
                      const CostModel& model);

// One line per goal, "met" or "NOT met" with the offending rows. Returns
// the number of correctness goals not met (exact counters; no op failed):
// timing goals are reported, not enforced. A v4 variant counts as slower
// than mainline only beyond `noise` (relative).
int print_goals(std::ostream& out, const std::vector<WorkloadResult>& results, double noise);

}  // namespace vmapfuzz::bench
