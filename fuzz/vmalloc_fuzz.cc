// SPDX-License-Identifier: GPL-2.0-only
// Fuzz target "vmalloc": vmalloc and vmalloc_huge (one walk in v4, one
// rewalk per chunk in mainline), vfree, partial unmaps, table and page
// allocation failures with the retry at PAGE_SHIFT.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vmapfuzz::fuzz::fuzz_one(*vmapfuzz::harness::find_target("vmalloc"), data, size);
}

// For the vmalloc_replay main.
extern const char* const kVmapfuzzTargetName;
const char* const kVmapfuzzTargetName = "vmalloc";
