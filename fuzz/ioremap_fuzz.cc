// SPDX-License-Identifier: GPL-2.0-only
// Fuzz target "ioremap": the physically contiguous path (ioremap,
// ioremap_page_range, vmap_page_range, iounmap, vunmap_range, table
// allocation failures) on mainline and the variant under test.
#include <cstdio>
#include <cstdlib>

#include "fuzz/target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static vmapfuzz::harness::Runner runner;
  static const vmapfuzz::engine::Variant variant = vmapfuzz::fuzz::variant_from_env();
  const auto r = vmapfuzz::fuzz::run_input(runner, {data, size}, variant, /*fuzz_budget=*/true);
  if (r.status == vmapfuzz::fuzz::InputStatus::rejected) return -1;
  if (r.status == vmapfuzz::fuzz::InputStatus::failed) {
    std::fputs(vmapfuzz::fuzz::failure_report(r).c_str(), stderr);
    std::abort();
  }
  return 0;
}
