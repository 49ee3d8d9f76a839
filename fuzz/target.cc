// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/target.h"

#include <cstdio>
#include <cstdlib>

#include "harness/trace_io.h"

namespace vmapfuzz::fuzz {

namespace {

using harness::OpKind;
constexpr OpKind kIoremapKinds[] = {OpKind::ioremap,         OpKind::ioremap_page_range,
                                    OpKind::vmap_page_range, OpKind::iounmap,
                                    OpKind::vunmap_range,    OpKind::fail_alloc};
constexpr OpKind kVmallocKinds[] = {OpKind::vmalloc, OpKind::vfree, OpKind::vunmap_range,
                                    OpKind::fail_alloc, OpKind::fail_page_alloc};
constexpr OpKind kVmapKinds[] = {OpKind::vmap, OpKind::vunmap, OpKind::vunmap_range,
                                 OpKind::fail_alloc};

}  // namespace

std::span<const TargetSpec> all_targets() {
  static const TargetSpec kTargets[] = {
      {"ioremap", kIoremapKinds},
      {"vmalloc", kVmallocKinds},
      {"vmap", kVmapKinds},
      {"mixed", harness::all_op_kinds()},
  };
  return kTargets;
}

const TargetSpec* find_target(std::string_view name) {
  for (const TargetSpec& t : all_targets())
    if (t.name == name) return &t;
  return nullptr;
}

engine::Variant variant_from_env() {
  const char* v = std::getenv("VMAPFUZZ_VARIANT");
  // The corrected series by default; the faithful v4 on request
  // (VMAPFUZZ_VARIANT=v4), because its findings would stop every run.
  if (!v || !*v) return engine::Variant::v4_fixed;
  const auto parsed = engine::parse_variant(v);
  if (!parsed) {
    std::fprintf(stderr,
                 "vmapfuzz: VMAPFUZZ_VARIANT=%s names no variant (mainline, v4, v4-fixed, v6.12)\n",
                 v);
    std::exit(2);
  }
  return *parsed;
}

InputResult run_input(harness::Runner& runner, std::span<const std::uint8_t> data,
                      const TargetSpec& target, engine::Variant variant, bool fuzz_budget) {
  InputResult r;
  if (harness::looks_like_text(data)) {
    harness::ParseError err;
    const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
    if (!harness::parse_text(text, &r.trace, &err)) {
      r.status = InputStatus::rejected;
      r.run.rejected = "line " + std::to_string(err.line) + ": " + err.message;
      return r;
    }
  } else {
    r.trace = harness::decode_bytes(data, variant, target.kinds);
  }
  if (fuzz_budget && harness::pte_level_pages(r.trace) > harness::kFuzzMaxPtePages) {
    r.status = InputStatus::rejected;
    r.run.rejected = "over the fuzzing budget of PTE-level pages";
    return r;
  }
  r.run = runner.run(r.trace);
  r.status = r.run.rejected  ? InputStatus::rejected
             : r.run.failure ? InputStatus::failed
                             : InputStatus::pass;
  return r;
}

namespace {

// With $VMAPFUZZ_COVERAGE set, a fuzz program prints its semantic coverage
// (what it exercised, per geometry x variant) when it exits.
harness::SemanticCoverage* coverage_from_env() {
  const char* v = std::getenv("VMAPFUZZ_COVERAGE");
  if (!v || !*v) return nullptr;
  static harness::SemanticCoverage cov;
  std::atexit([] { std::fputs(cov.table().c_str(), stderr); });
  return &cov;
}

}  // namespace

int fuzz_one(const TargetSpec& target, const std::uint8_t* data, std::size_t size) {
  static harness::Runner runner;
  static const engine::Variant variant = variant_from_env();
  static const bool coverage_on = [] {
    runner.set_coverage(coverage_from_env());
    return true;
  }();
  (void)coverage_on;
  const InputResult r = run_input(runner, {data, size}, target, variant, /*fuzz_budget=*/true);
  if (r.status == InputStatus::rejected) return -1;
  if (r.status == InputStatus::failed) {
    std::fputs(failure_report(r).c_str(), stderr);
    std::abort();
  }
  return 0;
}

std::string failure_report(const InputResult& r) {
  const harness::Failure& f = *r.run.failure;
  return "vmapfuzz: FAIL " + f.signature + "\n" + f.detail + "\n--- trace ---\n" +
         harness::to_text(r.trace) + "--- end ---\n";
}

}  // namespace vmapfuzz::fuzz
