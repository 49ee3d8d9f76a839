// SPDX-License-Identifier: GPL-2.0-only
// What one map and one unmap of a workload cost in kernel terms (the
// engine's Counters, as deltas), and in memory; and the batch loops the
// timed benchmarks share.
#pragma once

#include <string>

#include "bench/workloads.h"
#include "engine/events.h"

namespace vmapfuzz::bench {

using engine::Counters;

Counters operator-(const Counters& after, const Counters& before);
// The calls the series saves: top-down walks and arch set calls
// (set_pte_at, set_huge_pte_at, pmd_set_huge, pud_set_huge).
u64 kernel_calls(const Counters& c);

struct Measured {
  Counters map, unmap;     // per instance, tables already present (as timed)
  u64 tables = 0;          // page-table pages one map allocates on a fresh kernel
  long peak_rss_kib = -1;  // growth of the peak RSS while a fresh kernel maps and
                           // unmaps one instance (-1: /proc/self/clear_refs unusable)
  std::string error;       // non-empty if an op failed, WARNed or BUGged
};

// Maps and unmaps instance 0 on a fresh kernel (tables, memory), then once
// more on the now warm one (counters).
Measured measure(const Workload& w, engine::Variant v);

// Map (unmap) every instance of the batch, checking only at the end, then
// clear the recorder (Kernel::out); "" or what went wrong. A caller that
// times the batch stops its clock right after the call: the check and the
// clear cost a few ns per batch.
std::string map_batch(Kernel& k, const Workload& w);
std::string unmap_batch(Kernel& k, const Workload& w);

}  // namespace vmapfuzz::bench
