// SPDX-License-Identifier: GPL-2.0-only
// Which translation geometry a trace runs on, and the harness's test
// configuration on it. Data only: no architecture number lives here. The
// engine derives its Geometry (granule, levels, CONT sizes and their
// arithmetic) from this struct; the reference looks the architecture up by
// `name` in its own table (reference/geometry_facts.h).
#pragma once

#include <string_view>

#include "common/types.h"

namespace vmapfuzz::common {

struct GeometryConfig {
  std::string_view name;  // stable, used in traces: "arm64-4k-48"
  u64 vmalloc_start = 0;  // base of the VA window the fuzzer maps into
  u64 vmalloc_size = 0;   // its size (a power of two)
  u64 phys_limit = 0;     // output addresses are below this (pfn_valid())
};

}  // namespace vmapfuzz::common
