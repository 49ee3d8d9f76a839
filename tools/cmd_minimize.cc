// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz minimize FILE: the smallest trace that fails the same way.
#include <cstdio>

#include "harness/trace_io.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/file_io.h"
#include "tools/minimize.h"

namespace vmapfuzz::tools {

std::string minimize_usage() {
  return "usage: vmapfuzz minimize [--time SECONDS] [--variant NAME] [--target NAME] [--bytes]\n"
         "                         [--force] FILE [-o OUT]\n"
         "Reduces a failing trace (text, or fuzzer bytes as for replay): drops ops and groups of\n"
         "ops, moves sizes and addresses to simpler aligned values, simplifies page runs, then "
         "the\n"
         "other fields; a candidate is kept only if it fails with the same signature.\n"
         "Deterministic; stops after --time seconds (default 30). Progress and before/after sizes\n"
         "on stderr; the minimized text trace goes to OUT (never over an existing file unless\n"
         "--force, never over FILE) or stdout.\n"
         "Exit status: 0 written; 1 the trace does not fail (nothing to minimize); 2 bad input or\n"
         "usage, or OUT cannot be written; 125 the trace is outside the harness contract.\n";
}

int cmd_minimize(int argc, char** argv) {
  const std::string usage = minimize_usage();
  const char* const program = "vmapfuzz minimize";
  Args a;
  if (int rc = parse_args(program, usage, argc, argv, {.out = true, .time = true}, &a); rc >= 0)
    return rc;
  if (a.files.size() != 1) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  const std::string& in_path = a.files[0];
  auto in = load_input(program, in_path, a);
  if (!in) return kExitUsage;
  apply_variant(a, &in->trace);
  std::string err;
  const auto progress = [](const std::string& line) {
    std::fprintf(stderr, "minimize: %s\n", line.c_str());
  };
  MinimizeStatus status = MinimizeStatus::minimized;
  const auto r = minimize(in->trace, a.seconds, progress, &status, &err);
  if (!r) {
    std::fprintf(stderr, "%s: %s: %s\n", program, in_path.c_str(), err.c_str());
    return status == MinimizeStatus::rejected ? kExitCannotJudge : kExitFail;
  }
  harness::Trace result = r->trace;
  result.comments = {{0, "minimized by vmapfuzz minimize; fails with " + r->signature}};
  std::fprintf(stderr, "minimize: %s: %zu -> %zu ops, %zu -> %zu bytes, %zu runs%s\n",
               r->signature.c_str(), r->ops_before, r->ops_after, r->text_before, r->text_after,
               r->runs, r->timed_out ? " (time limit reached)" : "");
  const std::string text = harness::to_text(result);
  if (a.out.empty()) {
    std::fputs(text.c_str(), stdout);
    return kExitPass;
  }
  if (!write_new_file(a.out, std::vector<std::uint8_t>(text.begin(), text.end()), a.force,
                      {in_path}, &err)) {
    std::fprintf(stderr, "%s: %s\n", program, err.c_str());
    return kExitUsage;
  }
  return kExitPass;
}

}  // namespace vmapfuzz::tools
