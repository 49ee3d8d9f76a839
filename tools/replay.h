// SPDX-License-Identifier: GPL-2.0-only
// The replay front end: `vmapfuzz replay` and every <target>_replay
// program. Files and directories (walked recursively, as libFuzzer reads a
// corpus; README and *.md files and dot files skipped) are read by the
// input contract (harness/trace_file.h), run, and judged, one line each:
//   PASS FILE
//   FAIL FILE SIGNATURE            the first failure (its details follow)
//   REPRODUCED FILE SIGNATURE      a finding ("# expect: SIGNATURE"): the
//                                  signature is among the failures
//   NOT-REPRODUCED FILE: ...       a finding that did not
//   REJECT FILE: WHY               outside the harness contract: not run
//   ERROR FILE: WHY                unreadable, empty or malformed: not run
// Lines that start with two spaces belong to the verdict above them: one
// per implementation and comparison (tools/verdicts.h), with --kernel-tree
// the one that decides ("  --kernel-tree: judged by ..."), then the first
// failure's details, the decoding used for fuzzer bytes, notes. The last
// line is "N passed, M failed" (M: every file that did not pass).
//
// The exit status follows tools/cli.h: 1 if any file failed, else 2 if any
// was unreadable, else 125 if any was rejected or a requested kernel
// implementation could not judge it, else 0. With --kernel-tree a file
// counts by the kernel implementation's own verdict against the reference
// of its era: an engine variant's failure is the same at every kernel
// commit, so `git bisect run` must not see it, and a failure of the
// bit-identical <era>-vs-kernel comparison alone (the kernel agreeing with
// its reference) is a difference from our model of the era, printed FAIL on
// its line but not a kernel failure. Without --kernel-tree any failure
// counts, comparisons included.
#pragma once

#include <string_view>

#include "harness/targets.h"

namespace vmapfuzz::tools {

// The usage of `vmapfuzz replay` / PROGRAM.
std::string replay_usage(std::string_view program, bool is_vmapfuzz);

// Runs the replay front end with the command's arguments (after the
// command name); `target` is the default opcode table for fuzzer bytes.
int replay_main(std::string_view program, const harness::TargetSpec& target, int argc, char** argv,
                bool is_vmapfuzz);

}  // namespace vmapfuzz::tools
