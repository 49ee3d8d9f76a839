// SPDX-License-Identifier: GPL-2.0-only
// Fuzz target "mixed": every op of every path in one sequence, so that
// areas, leftover tables and raw mappings of one path meet the others.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vmapfuzz::fuzz::fuzz_one(*vmapfuzz::harness::find_target("mixed"), data, size);
}

// For the mixed_replay main.
extern const char* const kVmapfuzzTargetName;
const char* const kVmapfuzzTargetName = "mixed";
