// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz explain FILE: one trace, told in page-table terms.
#include <cstdio>

#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/explain.h"
#include "tools/ptdump.h"

namespace vmapfuzz::tools {

std::string explain_usage() {
  return "usage: vmapfuzz explain [--variant NAME] [--target NAME] [--bytes] [--format=ptdump] "
         "FILE\n"
         "Runs FILE (a text trace, or fuzzer bytes as for replay) and prints the numbered ops "
         "with\n"
         "every failing one marked (>>), the verdict and signature of the first failure, one "
         "line\n"
         "per implementation and comparison (as replay prints them), then for every failure "
         "its\n"
         "details, the walks of its divergent VA level by level (table, index, raw "
         "descriptor,\n"
         "decoded fields) and a ptdump-style listing of expected (-) vs actual (+) leaves over "
         "the\n"
         "affected range, as the tables were at the op it failed at.\n"
         "--format=ptdump prints instead the tables the reference expects after the trace, in\n"
         "the columns of arm64's /sys/kernel/debug/kernel_page_tables (one line per run of\n"
         "entries with the same level and bits, holes included), to diff against a kernel.\n"
         "Exit status: 0 pass, 1 any failure, 2 bad input or usage, 125 outside the harness\n"
         "contract.\n";
}

int cmd_explain(int argc, char** argv) {
  const std::string usage = explain_usage();
  Args a;
  if (int rc = parse_args("vmapfuzz explain", usage, argc, argv, {.values = {"--format"}}, &a);
      rc >= 0)
    return rc;
  const auto format = a.values.find("--format");
  const bool ptdump = format != a.values.end() && format->second == "ptdump";
  if (format != a.values.end() && !ptdump && format->second != "text") {
    std::fprintf(stderr, "vmapfuzz explain: unknown --format '%s' (text, ptdump)\n",
                 format->second.c_str());
    return kExitUsage;
  }
  if (a.files.size() != 1) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  auto in = load_input("vmapfuzz explain", a.files[0], a);
  if (!in) return kExitUsage;
  apply_variant(a, &in->trace);
  if (ptdump) {
    if (auto why = harness::validate(in->trace)) {
      std::fprintf(stderr, "vmapfuzz explain: %s: not a runnable trace: %s\n", a.files[0].c_str(),
                   why->c_str());
      return kExitCannotJudge;
    }
    const std::string text = ptdump_of_trace(in->trace);
    if (text.empty()) {
      std::fprintf(stderr, "vmapfuzz explain: --format=ptdump is arm64's format; %s is %s\n",
                   std::string(in->trace.geo->name).c_str(),
                   engine::arch_name(in->trace.geo->arch));
      return kExitUsage;
    }
    std::fputs(text.c_str(), stdout);
    return kExitPass;
  }
  if (in->decoding == harness::Decoding::bytes) std::printf("== input: %s\n", in->how.c_str());
  std::string text;
  const Verdict v = explain(in->trace, &text);
  std::fputs(text.c_str(), stdout);
  switch (v) {
    case Verdict::pass: return kExitPass;
    case Verdict::fail: return kExitFail;
    case Verdict::rejected: return kExitCannotJudge;
  }
  return kExitFail;
}

}  // namespace vmapfuzz::tools
