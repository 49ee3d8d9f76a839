// SPDX-License-Identifier: GPL-2.0-only
// Fuzz target "vmap": vmap() of page arrays built from runs (aligned,
// misaligned, touching, NULL, outside memory), v4's batching of
// contiguous runs into PMD blocks and CONT batches, vunmap, partial unmaps.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vmapfuzz::fuzz::fuzz_one(*vmapfuzz::harness::find_target("vmap"), data, size);
}

// For the vmap_replay main.
extern const char* const kVmapfuzzTargetName;
const char* const kVmapfuzzTargetName = "vmap";
