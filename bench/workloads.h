// SPDX-License-Identifier: GPL-2.0-only
// The workloads the benchmarks time: the three the series measured (docs/vmap.md,
// "What the series measured") and three more, each as a map and an unmap of one instance.
// Several instances live side by side at their own VAs, so that a timed
// batch maps (or unmaps) all of them between two clock reads.
//
// Geometry: all_workloads() run on arm64-4k-48, the geometry the series
// measured; series_workloads() are its three workloads on any geometry.
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
  // The geometry its kernels have.
  const engine::Geometry* geo = &engine::arm64_4k_48();
};

// Every workload, in report order, on arm64-4k-48. Page arrays are built
// here, once.
std::vector<Workload> all_workloads();

// The series' three workloads on geometry `g`, named as in all_workloads():
// ioremap-1M, vmalloc-1M (mapped with the shift vmalloc_huge() would take
// there: CONT_PTE_SHIFT with 4K pages, PAGE_SHIFT with 16K and 64K, where a
// CONT group is 2 MiB, and without CONT) and vmap-100M-o8, 100 MiB of pages
// from order-8 blocks whatever their size (1 MiB with 4K pages, 4 MiB with
// 16K, 16 MiB with 64K: six blocks and a quarter). Without series figures
// or counter claims (those are the arm64 4K ones).
std::vector<Workload> series_workloads(const engine::Geometry& g);

}  // namespace vmapfuzz::bench
