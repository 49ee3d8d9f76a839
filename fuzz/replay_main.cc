// SPDX-License-Identifier: GPL-2.0-only
// The <target>_replay programs: the replay front end of `vmapfuzz replay`
// (tools/replay.h) with this target's opcode table for fuzzer bytes. Built
// with every compiler, without libFuzzer, so the corpus is a regression
// suite everywhere (ctest runs it on corpus/<target>/).
#include <string>

#include "harness/targets.h"
#include "tools/replay.h"

extern const char* const kVmapfuzzTargetName;

int main(int argc, char** argv) {
  const std::string program = std::string(kVmapfuzzTargetName) + "_replay";
  return vmapfuzz::tools::replay_main(program, *vmapfuzz::harness::find_target(kVmapfuzzTargetName),
                                      argc - 1, argv + 1, /*is_vmapfuzz=*/false);
}
