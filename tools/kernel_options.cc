// SPDX-License-Identifier: GPL-2.0-only
// --kernel-tree DIR and --no-kernel for every vmapfuzz command.
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "harness/backend.h"
#include "tools/cli.h"
#include "tools/commands.h"

namespace vmapfuzz::tools {
namespace {

// Set in the environment of the vmapfuzz that kernel/build-tree runs for a
// --kernel-tree: that one has the tree linked in, and was asked for it.
constexpr const char* kReexecVar = "VMAPFUZZ_KERNEL_REEXEC";

}  // namespace

int kernel_options(int* argc, char** argv) {
  std::string tree;
  bool off = false;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (!std::strcmp(argv[i], "--kernel-tree")) {
      if (i + 1 >= *argc) {
        std::fputs("vmapfuzz: --kernel-tree needs a directory\n", stderr);
        return kExitUsage;
      }
      tree = argv[++i];
    } else if (!std::strcmp(argv[i], "--no-kernel")) {
      off = true;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
  if (off) harness::set_backend(nullptr);
  if (tree.empty()) {
    if (std::getenv(kReexecVar) && !off) set_kernel_requested();
    return -1;
  }
  char* real = realpath(tree.c_str(), nullptr);
  if (!real) {
    std::fprintf(stderr, "vmapfuzz: --kernel-tree %s: %s\n", tree.c_str(), std::strerror(errno));
    return kExitUsage;
  }
  const std::string want = real;
  std::free(real);
  set_kernel_requested();
  const harness::Backend* b = harness::linked_backend();
  if (b && b->source() == want) return -1;
  if (std::getenv(kReexecVar)) {
    std::fprintf(stderr,
                 "vmapfuzz: the build for --kernel-tree %s has no kernel implementation "
                 "from it (see the report above)\n",
                 want.c_str());
    return kExitCannotJudge;
  }
  const std::string script = std::string(VMAPFUZZ_SOURCE_DIR) + "/kernel/build-tree";
  // A tree that cannot be used is reported (by the extractor, naming the
  // step) and the command runs on without it: what it judges is then
  // "cannot be judged here" (tools/cli.h).
  const pid_t pid = fork();
  if (pid == 0) {
    execlp("bash", "bash", script.c_str(), "--tree", want.c_str(), "--check", nullptr);
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "vmapfuzz: no kernel implementation from %s; running without it\n",
                 want.c_str());
    harness::set_backend(nullptr);
    return -1;
  }
  // Build (or reuse) a vmapfuzz with that tree linked in and run it.
  setenv(kReexecVar, "1", 1);
  std::vector<const char*> args = {"bash",       script.c_str(), "--tree",
                                   want.c_str(), "--",           "vmapfuzz"};
  for (int i = 1; i < *argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execvp("bash", const_cast<char* const*>(args.data()));
  std::fprintf(stderr, "vmapfuzz: cannot run %s: %s\n", script.c_str(), std::strerror(errno));
  return kExitUsage;
}

}  // namespace vmapfuzz::tools
