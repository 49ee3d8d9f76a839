// SPDX-License-Identifier: GPL-2.0-only
// The input contract: how the bytes of a file become a trace, in one place
// for every program (vmapfuzz's commands, the <target>_replay programs).
//
//   - A file is a text trace when its name ends in ".trace" or its content
//     starts with "vmapfuzz-trace". A text trace must be valid UTF-8 text
//     (no byte order mark, no control characters but tab, CR and LF) and
//     start with exactly the header "vmapfuzz-trace 1"; an unknown version,
//     a missing or damaged header is an error naming the file and line.
//   - A file is fuzzer bytes only when asked: `bytes` (the --bytes option),
//     or a name as libFuzzer and ClusterFuzzLite give their inputs and
//     artifacts (crash-*, leak-*, timeout-*, oom-*, slow-unit-*,
//     minimized-from-*, clusterfuzz-testcase-*, a 40-digit SHA-1, AFL++'s
//     id:*). Such a file is read exactly as the fuzz target reads it
//     (decode_fuzz_input), so that a crash replays as it was found.
//   - Anything else, and an empty file, is an error: nothing is run.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "harness/ops.h"
#include "harness/targets.h"

namespace vmapfuzz::harness {

struct InputSpec {
  bool bytes = false;                  // --bytes: decode as the fuzz target does, whatever the name
  const TargetSpec* target = nullptr;  // the opcode table of fuzzer bytes
  engine::Variant variant = kDefaultVariant;  // the variant fuzzer bytes run on
};

enum class Decoding : std::uint8_t { text, bytes };

struct Input {
  Trace trace;
  Decoding decoding = Decoding::text;
  // How it was read, for the output: "text trace", or "fuzzer bytes
  // (target vmap, variant v4-fixed)".
  std::string how;
};

// The trace in `data`, the content of the file `path`, by the contract
// above; nullopt with `err` ("PATH:LINE: message" or "PATH: message").
std::optional<Input> read_input(std::string_view path, std::span<const std::uint8_t> data,
                                const InputSpec& spec, std::string* err);

// Whether the file name (its last path component) is one libFuzzer,
// ClusterFuzzLite or AFL++ gives an input or artifact.
bool named_like_fuzzer_input(std::string_view path);

// What a fuzz target does with its input: a text trace if it starts with
// the header, otherwise fuzzer bytes for `target` on `variant`. nullopt (with
// `err` "line N: message") for text that does not parse.
std::optional<Trace> decode_fuzz_input(std::span<const std::uint8_t> data, const TargetSpec& target,
                                       engine::Variant variant, std::string* err);

}  // namespace vmapfuzz::harness
