// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz kernel-info: what the linked kernel implementation was built from.
#include <cstdio>

#include "harness/backend.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace vmapfuzz::tools {

std::string kernel_info_usage() {
  return "usage: vmapfuzz kernel-info [--kernel-tree DIR]\n"
         "Describes the kernel implementation linked into this vmapfuzz (or built from DIR): the\n"
         "tree, its version, the era it is compared with, the probes and the units built.\n"
         "Exit status: 0 described; 2 bad usage; 125 there is no kernel implementation (none\n"
         "linked, or DIR could not be built).\n";
}

int cmd_kernel_info(int argc, char** argv) {
  const std::string usage = kernel_info_usage();
  Args a;
  if (int rc = parse_args("vmapfuzz kernel-info", usage, argc, argv, {}, &a); rc >= 0) return rc;
  if (!a.files.empty()) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  const harness::Backend* b = harness::backend();
  if (!b) {
    std::puts(
        "no kernel implementation (build with -DVMAPFUZZ_KERNEL_TREE=DIR or use --kernel-tree "
        "DIR)");
    return kExitCannotJudge;
  }
  std::printf("%s implementation, compared with engine variant %s\n%s\n",
              std::string(b->name()).c_str(), std::string(engine::variant_name(b->era())).c_str(),
              b->describe().c_str());
  return kExitPass;
}

}  // namespace vmapfuzz::tools
