// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz_bench: the series' workloads on mainline, v4 and v4-fixed in one
// run, with the plain-store limit of each; prints the table of report.h on
// stdout (Google Benchmark's own output goes to stderr). Takes Google
// Benchmark's flags (--benchmark_repetitions, --benchmark_out, ...), and
//   --clock=wall|cpu   wall time (default) or the thread's CPU time
//   --noise=FRACTION   how much slower than mainline a v4 time may be and
//                      still count as "not slower" (default 0.10: the spread
//                      of the unmap rows, identical code, on a shared VM)
//
// Then, counters only (untimed), the series' three workloads on every
// geometry, mainline and v4 (report.h: print_geometry_table).
//
// Timing: one benchmark per workload and variant, owning one Kernel. It
// maps and unmaps its batch once untimed, so page tables exist as in a
// running kernel (vunmap never frees them); then each iteration maps the
// whole batch and unmaps it again, each phase between its own clock reads.
// Google Benchmark's time is the map phase per batch, the counter unmap_s
// the unmap phase; the table divides both by the batch size.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <map>
#include <vector>

#include "bench/report.h"
#include "bench/store_limit.h"

namespace vmapfuzz::bench {
namespace {

// The clock of every timed phase: wall time (steady_clock), or with
// --clock=cpu the CPU time of the benchmark thread, which leaves out the
// time the thread was preempted (a loaded machine).
struct Clock {
  using time_point = double;  // seconds
  static inline bool cpu = false;
  static time_point now() {
    timespec ts;
    clock_gettime(cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
  }
};

// The cost of the clock itself, as seen between two reads (the median of
// many back-to-back pairs): subtracted from every timed phase. Reading the
// CPU-time clock is a system call (~0.4 µs here), the wall clock ~50 ns.
double clock_overhead() {
  std::vector<double> d(1001);
  for (double& x : d) {
    const Clock::time_point t0 = Clock::now();
    x = Clock::now() - t0;
  }
  std::nth_element(d.begin(), d.begin() + 500, d.end());
  return d[500];
}

double seconds(Clock::time_point a, Clock::time_point b) {
  static const double overhead = clock_overhead();
  return std::max(0.0, b - a - overhead);
}

// Each iteration maps the batch (timed: the benchmark's manual time) and
// unmaps it (timed too: the counter kUnmap, per iteration), in seconds per
// batch; collect() divides by the batch size.
constexpr const char* kUnmap = "unmap_s";

void time_batches(benchmark::State& state, const Workload* w, engine::Variant v) {
  Kernel k(*w->geo, v);
  std::string err = map_batch(k, *w);
  if (err.empty()) err = unmap_batch(k, *w);
  if (!err.empty()) state.SkipWithError(err.c_str());  // the loop below then does not run
  double unmap_s = 0;
  for (auto _ : state) {
    const Clock::time_point t0 = Clock::now();
    err = map_batch(k, *w);
    const Clock::time_point t1 = Clock::now();
    if (err.empty()) err = unmap_batch(k, *w);
    const Clock::time_point t2 = Clock::now();
    if (!err.empty()) {
      state.SkipWithError(err.c_str());
      break;
    }
    state.SetIterationTime(seconds(t0, t1));
    unmap_s += seconds(t1, t2);
  }
  state.counters[kUnmap] = benchmark::Counter(unmap_s, benchmark::Counter::kAvgIterations);
}

// The plain-store limit of `descriptors` entries per instance, one write
// pass per iteration (a benchmark of its own for the map and the unmap:
// timed back to back in one loop, the first pass measured up to 2x slower).
void time_limit(benchmark::State& state, unsigned sets, u64 descriptors) {
  StoreLimit limit(sets, descriptors);
  u64 base = 0x0060'0000'4000'0f03;  // a page descriptor's attribute bits
  limit.write(base);
  for (auto _ : state) {
    base ^= 1u << 12;
    const Clock::time_point t0 = Clock::now();
    limit.write(base);
    const Clock::time_point t1 = Clock::now();
    state.SetIterationTime(seconds(t0, t1));
  }
}

// Keeps, per benchmark, the map and unmap seconds per iteration: the
// median aggregate when there are repetitions, else the single run.
// Displays as usual.
class Collector : public benchmark::ConsoleReporter {
 public:
  struct Times {
    double map_s = -1, unmap_s = -1;
  };
  Collector() : ConsoleReporter(OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (!median && r.run_type != Run::RT_Iteration) continue;
      Times& t = (median ? median_ : single_)[r.run_name.function_name];
      t.map_s = r.GetAdjustedRealTime() * 1e-9;  // in ns: every benchmark's unit
      if (auto it = r.counters.find(kUnmap); it != r.counters.end()) t.unmap_s = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  Times times(const std::string& name) const {
    if (auto it = median_.find(name); it != median_.end()) return it->second;
    if (auto it = single_.find(name); it != single_.end()) return it->second;
    return {};
  }

 private:
  std::map<std::string, Times> median_, single_;
};

std::string bench_name(const Workload& w, engine::Variant v) {
  return w.name + "/" + std::string(engine::variant_name(v));
}

void register_all(const std::vector<WorkloadResult>& results) {
  for (const WorkloadResult& r : results) {
    const Workload* w = r.workload;
    for (const VariantResult& vr : r.variants)
      benchmark::RegisterBenchmark(bench_name(*w, vr.variant).c_str(), time_batches, w, vr.variant)
          ->UseManualTime()
          ->Unit(benchmark::kNanosecond);
    const Measured& ml = r.variants[0].measured;
    for (bool map : {true, false})
      benchmark::RegisterBenchmark((w->name + "/store-limit-" + (map ? "map" : "unmap")).c_str(),
                                   time_limit, w->batch,
                                   (map ? ml.map : ml.unmap).descriptors_written)
          ->UseManualTime()
          ->Unit(benchmark::kNanosecond);
  }
}

double per_op_ns(double batch_s, const Workload& w) {
  return batch_s < 0 ? -1 : batch_s * 1e9 / w.batch;
}

void collect(std::vector<WorkloadResult>& results, const Collector& c) {
  for (WorkloadResult& r : results) {
    const Workload& w = *r.workload;
    for (VariantResult& vr : r.variants) {
      const Collector::Times t = c.times(bench_name(w, vr.variant));
      vr.map_ns = per_op_ns(t.map_s, w);
      vr.unmap_ns = per_op_ns(t.unmap_s, w);
    }
    r.limit_map_ns = per_op_ns(c.times(w.name + "/store-limit-map").map_s, w);
    r.limit_unmap_ns = per_op_ns(c.times(w.name + "/store-limit-unmap").map_s, w);
  }
}

}  // namespace
}  // namespace vmapfuzz::bench

int main(int argc, char** argv) {
  using namespace vmapfuzz::bench;
  benchmark::Initialize(&argc, argv);
  double noise = 0.10;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--clock=cpu") || !std::strcmp(argv[i], "--clock=wall")) {
      Clock::cpu = !std::strcmp(argv[i], "--clock=cpu");
    } else if (!std::strncmp(argv[i], "--noise=", 8)) {
      noise = std::strtod(argv[i] + 8, nullptr);
    } else {
      std::fprintf(stderr,
                   "%s: unknown argument %s (besides Google Benchmark's flags: "
                   "--clock=wall|cpu, --noise=FRACTION)\n",
                   argv[0], argv[i]);
      return 2;
    }
  }

  const std::vector<Workload> workloads = all_workloads();
  std::vector<WorkloadResult> results;
  for (const Workload& w : workloads) {
    WorkloadResult r{&w, {}};
    for (vmapfuzz::engine::Variant v : kVariants) r.variants.push_back({v, measure(w, v)});
    results.push_back(std::move(r));
  }
  register_all(results);

  Collector collector;
  collector.SetOutputStream(&std::cerr);
  collector.SetErrorStream(&std::cerr);
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::Shutdown();
  collect(results, collector);

  const CostModel model = fit_to_series(results);
  print_table(std::cout, results, model);
  std::cout << "\n";
  print_workloads(std::cout, results);
  std::cout << "\n";
  print_cost_model(std::cout, results, model);
  std::cout << "\n";
  const int failed = print_goals(std::cout, results, noise);

  // The series' three workloads on every geometry: counters, not timed.
  std::vector<std::vector<Workload>> per_geometry;
  std::vector<GeometryResult> geometries;
  for (const vmapfuzz::engine::Geometry* g : vmapfuzz::engine::all_geometries())
    per_geometry.push_back(series_workloads(*g));
  for (const std::vector<Workload>& ws : per_geometry) {
    GeometryResult gr{ws.front().geo, {}};
    for (const Workload& w : ws) {
      WorkloadResult r{&w, {}};
      for (vmapfuzz::engine::Variant v : kSeriesVariants) r.variants.push_back({v, measure(w, v)});
      gr.results.push_back(std::move(r));
    }
    geometries.push_back(std::move(gr));
  }
  std::cout << "\n";
  print_geometry_table(std::cout, geometries);
  return failed ? 1 : 0;
}
