// SPDX-License-Identifier: GPL-2.0-only
// What every fuzz target shares: the body of LLVMFuzzerTestOneInput. A
// target is a harness::TargetSpec (harness/targets.h); its <name>_fuzz
// program calls fuzz_one(), its <name>_replay program the replay front end
// (tools/replay.h), and both read an input with
// harness::decode_fuzz_input(), so that a crash replays exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "harness/runner.h"
#include "harness/targets.h"

namespace vmapfuzz::fuzz {

using harness::all_targets;
using harness::find_target;
using harness::TargetSpec;

// $VMAPFUZZ_VARIANT, else v4-fixed; exits with status 2 and a message if
// it names no variant (a fuzz program has no other way to say so).
engine::Variant variant_from_env();

enum class InputStatus { pass, rejected, failed };

struct InputResult {
  InputStatus status = InputStatus::pass;
  harness::Trace trace;
  harness::RunResult run;
};

// One input as a fuzz target runs it: decoded by harness::decode_fuzz_input,
// rejected outside the contract (harness::validate) or beyond the fuzzing
// budget of PTE-level pages (harness::kFuzzMaxPtePages), else run.
InputResult run_input(harness::Runner& runner, std::span<const std::uint8_t> data,
                      const TargetSpec& target, engine::Variant variant);

// The body of every LLVMFuzzerTestOneInput: -1 for a rejected input,
// abort() with a report on stderr (the signature line, the trace as text,
// the details) on a failure, else 0.
int fuzz_one(const TargetSpec& target, const std::uint8_t* data, std::size_t size);

}  // namespace vmapfuzz::fuzz
