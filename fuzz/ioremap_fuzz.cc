// SPDX-License-Identifier: GPL-2.0-only
// Fuzz target "ioremap": the physically contiguous path (ioremap,
// ioremap_page_range, vmap_page_range, iounmap, vunmap_range, table
// allocation failures) on mainline and the variant under test.
#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return vmapfuzz::fuzz::fuzz_one(*vmapfuzz::harness::find_target("ioremap"), data, size);
}

// For the ioremap_replay main.
extern const char* const kVmapfuzzTargetName;
const char* const kVmapfuzzTargetName = "ioremap";
