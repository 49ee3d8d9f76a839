// SPDX-License-Identifier: GPL-2.0-only
// The vmapfuzz command line: `vmapfuzz COMMAND [OPTIONS]`, one file per
// command (tools/cmd_*.cc), the exit status contract of tools/cli.h.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/cli.h"
#include "tools/commands.h"

namespace vmapfuzz::tools {
namespace {

std::string usage() {
  std::string s = "usage: vmapfuzz COMMAND [OPTIONS]\ncommands:\n";
  for (const Command& c : commands()) {
    char line[160];
    std::snprintf(line, sizeof line, "  %-12s %s\n", std::string(c.name).c_str(),
                  std::string(c.summary).c_str());
    s += line;
  }
  s +=
      "  help COMMAND the options of COMMAND (as COMMAND --help)\n"
      "options for every command:\n"
      "  --kernel-tree DIR  also run the page-table code of the kernel tree DIR (mm/vmalloc.c and\n"
      "                     the arm64 helpers, built in userspace; see kernel/README.md)\n"
      "  --no-kernel        leave the linked-in kernel implementation out\n"
      "  --version          the version, trace format, variants and geometries\n"
      "geometries (a text trace's `geometry NAME` line; the first byte of fuzzer input, by "
      "index):\n";
  s += geometries_text();
  s += "Exit status: 0 pass; 1 a failure was found; 2 bad input or usage; 125 the input cannot be\n"
       "judged here (outside the harness contract, or the kernel implementation asked for cannot\n"
       "run it: `git bisect run` skips).\n";
  return s;
}

const Command* find_command(std::string_view name) {
  for (const Command& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

}  // namespace

std::span<const Command> commands() {
  static const Command kCommands[] = {
      {"replay", "run text traces or fuzzer inputs, print PASS or the failure signature",
       cmd_replay, replay_command_usage},
      {"explain", "run one trace and tell what went wrong, in page-table terms", cmd_explain,
       explain_usage},
      {"minimize", "reduce a failing trace to a small one with the same failure signature",
       cmd_minimize, minimize_usage},
      {"convert", "turn fuzzer bytes into a text trace or back", cmd_convert, convert_usage},
      {"export", "write a trace as a GoogleTest case or a KUnit case", cmd_export, export_usage},
      {"kernel-info", "describe the linked-in kernel implementation", cmd_kernel_info,
       kernel_info_usage},
      {"behaviour", "measure what partial unmaps of huge mappings do per variant (a report)",
       cmd_behaviour, behaviour_usage},
  };
  return kCommands;
}

}  // namespace vmapfuzz::tools

int main(int argc, char** argv) {
  using namespace vmapfuzz::tools;
  if (int rc = kernel_options(&argc, argv); rc >= 0) return rc;
  if (argc < 2) {
    std::fputs(usage().c_str(), stderr);
    return kExitUsage;
  }
  const std::string_view first = argv[1];
  if (first == "--help" || first == "-h") {
    std::fputs(usage().c_str(), stdout);
    return kExitPass;
  }
  if (first == "--version") {
    std::fputs(version_text("vmapfuzz").c_str(), stdout);
    return kExitPass;
  }
  if (first == "help") {
    if (argc == 2) {
      std::fputs(usage().c_str(), stdout);
      return kExitPass;
    }
    const Command* c = find_command(argv[2]);
    if (!c || argc > 3) {
      std::fprintf(stderr, "vmapfuzz help: unknown command '%s'\n%s", argv[2], usage().c_str());
      return kExitUsage;
    }
    std::fputs(c->usage().c_str(), stdout);
    return kExitPass;
  }
  const Command* c = find_command(first);
  if (!c) {
    std::fprintf(stderr, "vmapfuzz: unknown command '%s'\n%s", argv[1], usage().c_str());
    return kExitUsage;
  }
  return c->run(argc - 2, argv + 2);
}
