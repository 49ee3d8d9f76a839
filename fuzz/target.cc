// SPDX-License-Identifier: GPL-2.0-only
#include "fuzz/target.h"

#include <cstdio>
#include <cstdlib>

#include "harness/trace_file.h"
#include "harness/trace_io.h"

namespace vmapfuzz::fuzz {
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

// The signature line, the trace as text, the details.
std::string failure_report(const harness::Trace& t, const harness::Failure& f) {
  return "vmapfuzz: FAIL " + f.signature + "\n" + f.detail + "\n--- trace ---\n" +
         harness::to_text(t) + "--- end ---\n";
}

}  // namespace

engine::Variant variant_from_env() {
  std::string err;
  const auto v = harness::variant_from_env(&err);
  if (!v) {
    std::fprintf(stderr, "vmapfuzz: %s\n", err.c_str());
    std::exit(2);
  }
  return *v;
}

InputResult run_input(harness::Runner& runner, std::span<const std::uint8_t> data,
                      const TargetSpec& target, engine::Variant variant) {
  InputResult r;
  std::string err;
  auto t = harness::decode_fuzz_input(data, target, variant, &err);
  if (!t) {
    r.status = InputStatus::rejected;
    r.run.rejected = err;
    return r;
  }
  r.trace = std::move(*t);
  // The contract first: the budget below plans every range op, and a text
  // input may ask for a range far past the harness's size limit (64 TiB of
  // PTE-level pages planned one PTE table a step took 2.5 GiB).
  if (auto why = harness::validate(r.trace)) {
    r.status = InputStatus::rejected;
    r.run.rejected = std::move(*why);
    return r;
  }
  if (harness::pte_level_pages(r.trace) > harness::kFuzzMaxPtePages) {
    r.status = InputStatus::rejected;
    r.run.rejected = "over the fuzzing budget of PTE-level pages";
    return r;
  }
  r.run = runner.run(r.trace);
  // An unreachable placement (docs/placement.md) is not a fuzzing result.
  r.status = r.run.rejected || (r.run.unreachable && !r.run.failure) ? InputStatus::rejected
             : r.run.failure                                         ? InputStatus::failed
                                                                     : InputStatus::pass;
  return r;
}

int fuzz_one(const TargetSpec& target, const std::uint8_t* data, std::size_t size) {
  static harness::Runner runner;
  static const engine::Variant variant = variant_from_env();
  static const bool coverage_on = [] {
    runner.set_coverage(coverage_from_env());
    return true;
  }();
  (void)coverage_on;
  const InputResult r = run_input(runner, {data, size}, target, variant);
  if (r.status == InputStatus::rejected) return -1;
  if (r.status == InputStatus::failed) {
    std::fputs(failure_report(r.trace, *r.run.failure).c_str(), stderr);
    std::abort();
  }
  return 0;
}

}  // namespace vmapfuzz::fuzz
