// SPDX-License-Identifier: GPL-2.0-only
// kernel_impl_bench: the series' workloads run by the kernel implementation
// (a kernel tree's own code, kernel/) and by the engine variant of its era,
// side by side: time per map+unmap, and the kernel-cost counters of one map
// (walks, set_pte_at, set_huge_pte_at, pmd_set_huge, descriptors written),
// which must be equal if the engine counts what the real code does. Built
// only with a kernel tree (-DVMAPFUZZ_KERNEL_TREE=DIR in the bench preset);
// ci/bench --kernel-tree DIR runs it. Takes Google Benchmark's flags.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/measure.h"
#include "harness/backend.h"
#include "harness/runner.h"

namespace vmapfuzz::bench {
namespace {

using engine::Counters;
using engine::Kernel;
using engine::u64;
using harness::Op;

constexpr u64 kVa = 0xffff800000000000ull + (u64{1} << 30);  // 1 GiB into the window
constexpr u64 M = u64{1} << 20;

struct KWorkload {
  std::string name;
  Op map;
  Op unmap;
};

harness::VmapOp vmap_runs(u64 total_pages, u64 run_pages, u64 pfn_stride) {
  harness::VmapOp o;
  o.va = kVa;
  o.prot = engine::ProtName::normal;
  for (u64 i = 0; i < total_pages / run_pages; ++i)
    o.runs.push_back({0x100000 + i * pfn_stride, run_pages});
  return o;
}

std::vector<KWorkload> workloads() {
  return {
      {"ioremap-1M", harness::IoremapOp{kVa, 1 * M, 0x40000000, engine::ProtName::device},
       harness::IounmapOp{kVa}},
      {"ioremap-2M", harness::IoremapOp{kVa, 2 * M, 0x40000000, engine::ProtName::device},
       harness::IounmapOp{kVa}},
      {"vmalloc-1M-huge", harness::VmallocOp{kVa, 1 * M, true, engine::ProtName::normal},
       harness::VfreeOp{kVa}},
      {"vmalloc-4M-huge", harness::VmallocOp{kVa, 4 * M, true, engine::ProtName::normal},
       harness::VfreeOp{kVa}},
      // 100 MiB: order-8 runs (1 MiB each, apart) and order-0 pages (apart).
      {"vmap-100M-order8", vmap_runs(25600, 256, 0x200), harness::VunmapOp{kVa}},
      {"vmap-100M-order0", vmap_runs(25600, 1, 2), harness::VunmapOp{kVa}},
  };
}

struct Sample {
  Counters map;
  int ret = 0;
};
std::map<std::string, Sample> g_samples;  // "<workload>/<impl>"

engine::Outcome run(harness::Backend* be, Kernel& k, const Op& op) {
  return be ? be->execute(k, op) : harness::execute(k, op);
}

// One benchmark: map + unmap per iteration on one Kernel (tables stay
// allocated after the first round, as in a running kernel).
void bm(benchmark::State& state, KWorkload w, harness::Backend* be) {
  Kernel k(engine::arm64_4k_48(), be ? be->era() : harness::linked_backend()->era());
  const Counters c0 = k.counters();
  const int ret = run(be, k, w.map).ret;
  const Counters map = k.counters() - c0;
  run(be, k, w.unmap);
  g_samples[w.name + "/" + (be ? "kernel" : "engine")] = {map, ret};
  if (ret != 0) {
    state.SkipWithError("map failed");
    return;
  }
  for (auto _ : state) {
    run(be, k, w.map);
    run(be, k, w.unmap);
  }
  state.counters["walks"] = static_cast<double>(map.walks);
  state.counters["set_pte_at"] = static_cast<double>(map.set_pte_at);
  state.counters["descriptors"] = static_cast<double>(map.descriptors_written);
}

}  // namespace
}  // namespace vmapfuzz::bench

int main(int argc, char** argv) {
  using namespace vmapfuzz;
  harness::Backend* be = harness::linked_backend();
  if (!be) {
    std::fprintf(stderr, "kernel_impl_bench: built without a kernel tree\n");
    return 2;
  }
  const std::string era(engine::variant_name(be->era()));
  for (const bench::KWorkload& w : bench::workloads()) {
    benchmark::RegisterBenchmark((w.name + "/engine-" + era).c_str(), bench::bm, w, nullptr);
    benchmark::RegisterBenchmark((w.name + "/kernel").c_str(), bench::bm, w, be);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::printf("\nkernel-cost counters of one map: engine %s vs kernel (%s)\n", era.c_str(),
              be->source().c_str());
  std::printf("%-18s %-7s %8s %10s %10s %8s %12s %5s\n", "workload", "impl", "walks", "set_pte_at",
              "set_huge", "pmd_huge", "descriptors", "same");
  int differ = 0;
  for (const bench::KWorkload& w : bench::workloads()) {
    const auto& e = bench::g_samples[w.name + "/engine"];
    const auto& k = bench::g_samples[w.name + "/kernel"];
    const bool same = e.map.walks == k.map.walks && e.map.set_pte_at == k.map.set_pte_at &&
                      e.map.set_huge_pte_at == k.map.set_huge_pte_at &&
                      e.map.pmd_set_huge == k.map.pmd_set_huge &&
                      e.map.descriptors_written == k.map.descriptors_written && e.ret == k.ret;
    differ += !same;
    for (const auto* s : {&e, &k})
      std::printf("%-18s %-7s %8llu %10llu %10llu %8llu %12llu %5s\n", w.name.c_str(),
                  s == &e ? "engine" : "kernel", static_cast<unsigned long long>(s->map.walks),
                  static_cast<unsigned long long>(s->map.set_pte_at),
                  static_cast<unsigned long long>(s->map.set_huge_pte_at),
                  static_cast<unsigned long long>(s->map.pmd_set_huge),
                  static_cast<unsigned long long>(s->map.descriptors_written),
                  s == &k ? (same ? "yes" : "NO") : "");
  }
  return differ ? 1 : 0;
}
