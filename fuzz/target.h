// SPDX-License-Identifier: GPL-2.0-only
// What every fuzz target shares: how bytes become a trace, which variant
// runs, and how a failure is reported. A target is a name plus the op
// kinds it drives; its LLVMFuzzerTestOneInput and its *_replay main both
// go through run_input() so that a crash replays exactly.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "harness/runner.h"

namespace vmapfuzz::fuzz {

// A fuzz target: its name (corpus/<name>/, <name>_fuzz, <name>_replay)
// and the op kinds its inputs decode to.
struct TargetSpec {
  std::string_view name;
  std::span<const harness::OpKind> kinds;
};
// Every target, for the tools.
std::span<const TargetSpec> all_targets();
const TargetSpec* find_target(std::string_view name);

// Variant under test: $VMAPFUZZ_VARIANT if set (exits with a message if it
// names no variant), else the suite's default.
engine::Variant variant_from_env();

enum class InputStatus { pass, rejected, failed };

struct InputResult {
  InputStatus status = InputStatus::pass;
  harness::Trace trace;
  harness::RunResult run;
};

// Decodes `data` (text trace or fuzzer bytes) and runs it. With
// `fuzz_budget`, traces beyond harness::kFuzzMaxPtePages are rejected.
InputResult run_input(harness::Runner& runner, std::span<const std::uint8_t> data,
                      const TargetSpec& target, engine::Variant variant, bool fuzz_budget = false);

// The body of every LLVMFuzzerTestOneInput: -1 for inputs outside the
// contract or the budget, abort() with a report on a failure.
int fuzz_one(const TargetSpec& target, const std::uint8_t* data, std::size_t size);

// Failure report for stderr: signature line, the trace as text, details.
std::string failure_report(const InputResult& r);

}  // namespace vmapfuzz::fuzz
