// SPDX-License-Identifier: GPL-2.0-only
// What the command-line programs share: the exit status contract, the
// version, the common options and how a file becomes a trace.
//
// Exit status, for every command and every *_replay program:
//   0    pass (for minimize, convert, export: the output was written)
//   1    a failure was found, or a finding did not reproduce as its
//        "# expect:" line says (minimize: the trace does not fail, so there
//        is nothing to minimize)
//   2    bad input or usage: an unreadable, empty or malformed file, an
//        unknown option
//   125  the input cannot be judged here: it is outside the harness
//        contract (REJECT), or the kernel implementation asked for with
//        --kernel-tree cannot be built or cannot run the trace. `git bisect
//        run` treats 125 as "skip this commit".
// With --kernel-tree, replay judges a trace by the kernel implementation's
// own verdict against its reference (0 pass, 1 fail, 125 as above), not by
// the engine variants' or the <era>-vs-kernel comparison's (see
// tools/replay.h for why).
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/targets.h"
#include "harness/trace_file.h"

namespace vmapfuzz::tools {

enum ExitCode : int {
  kExitPass = 0,
  kExitFail = 1,
  kExitUsage = 2,
  kExitCannotJudge = 125,
};

// The text of --version: version, trace format, variants, geometries, the
// linked kernel implementation.
std::string version_text(std::string_view program);
// One line per geometry, in the order fuzzer bytes number them: index, name,
// architecture, page size, VA bits, levels, CONT size, block sizes.
std::string geometries_text();

// The options the commands share, and the files they name.
struct Args {
  engine::Variant variant = harness::kDefaultVariant;  // $VMAPFUZZ_VARIANT or the default
  bool variant_given = false;                          // --variant on the command line
  const harness::TargetSpec* target = nullptr;         // --target (default: mixed)
  bool bytes = false;                                  // --bytes
  bool force = false;                                  // --force
  std::string out;                                     // -o
  double seconds = 30;                                 // --time
  std::vector<std::string> files;
  std::set<std::string, std::less<>> flags;  // the command's own switches that were given
  std::map<std::string, std::string, std::less<>> values;  // its own valued options that were given
};

// Which options a command takes beyond --variant, --target, --bytes,
// --help and --version.
struct OptionSet {
  std::initializer_list<std::string_view> switches;  // e.g. {"--coverage"}
  bool out = false;                                  // -o OUT and --force
  bool time = false;                                 // --time SECONDS
  std::initializer_list<std::string_view> values;    // options with a value, e.g. {"--era"}
};

// Parses argv (the command's own arguments) into `a`. Returns -1 to go on,
// or the exit status to end with: 0 after --help or --version (printed),
// 2 after a bad option (a message and the usage on stderr).
int parse_args(std::string_view program, std::string_view usage, int argc, char** argv,
               const OptionSet& options, Args* a);

// The trace in the file `path`, read by the input contract
// (harness/trace_file.h) with the options of `a`; nullopt after printing
// "PROGRAM: PATH:LINE: message" on stderr.
std::optional<harness::Input> load_input(std::string_view program, const std::string& path,
                                         const Args& a);

// The trace's variant after the options: --variant replaces it.
void apply_variant(const Args& a, harness::Trace* t);

// Whether --kernel-tree was given to this command (here or before a
// re-exec by kernel/build-tree): then a kernel implementation that is
// missing or cannot run a trace makes the input one that cannot be judged.
bool kernel_requested();
void set_kernel_requested();

}  // namespace vmapfuzz::tools
