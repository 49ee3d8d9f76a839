// SPDX-License-Identifier: GPL-2.0-only
// The subcommands of `vmapfuzz`, one file each (tools/cmd_*.cc); main.cc
// dispatches. Each takes its own arguments (after the command name) and
// returns an exit status of tools/cli.h.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace vmapfuzz::tools {

struct Command {
  std::string_view name;
  std::string_view summary;  // one line, for `vmapfuzz --help`
  int (*run)(int argc, char** argv);
  std::string (*usage)();
};

// Every command, in the order `vmapfuzz --help` lists them.
std::span<const Command> commands();

int cmd_replay(int argc, char** argv);
std::string replay_command_usage();
int cmd_explain(int argc, char** argv);
std::string explain_usage();
int cmd_minimize(int argc, char** argv);
std::string minimize_usage();
int cmd_convert(int argc, char** argv);
std::string convert_usage();
int cmd_export(int argc, char** argv);
std::string export_usage();
int cmd_kernel_info(int argc, char** argv);
std::string kernel_info_usage();
int cmd_behaviour(int argc, char** argv);
std::string behaviour_usage();

// --kernel-tree DIR and --no-kernel, valid anywhere on the command line
// (tools/kernel_options.cc). Removes them from argv; returns -1 to go on,
// or an exit status. With --kernel-tree, a vmapfuzz built with that tree
// linked in is run instead of this one (kernel/build-tree), unless this
// one is it.
int kernel_options(int* argc, char** argv);

}  // namespace vmapfuzz::tools
