// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz replay: the replay front end (tools/replay.h) with the mixed
// target's opcode table for fuzzer bytes unless --target says otherwise.
#include "tools/commands.h"
#include "tools/replay.h"

namespace vmapfuzz::tools {

std::string replay_command_usage() { return replay_usage("vmapfuzz", /*is_vmapfuzz=*/true); }

int cmd_replay(int argc, char** argv) {
  return replay_main("vmapfuzz replay", *harness::find_target("mixed"), argc, argv,
                     /*is_vmapfuzz=*/true);
}

}  // namespace vmapfuzz::tools
