// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz export: traces as GoogleTest or KUnit cases.
#include <cstdio>

#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/export.h"
#include "tools/file_io.h"

namespace vmapfuzz::tools {

std::string export_usage() {
  return "usage: vmapfuzz export (--gtest|--kunit) [--variant NAME] [--target NAME] [--bytes]\n"
         "                       [--force] FILE... [-o OUT]\n"
         "  --gtest  one self-contained GoogleTest TEST per file (the harness API), passing or\n"
         "           failing exactly as the trace does; link with vmapfuzz_harness and gtest_main\n"
         "  --kunit  a KUnit suite per file: the ops through the kernel API names with\n"
         "           KUNIT_EXPECT_* checks of the expected translations, to adapt and paste\n"
         "Output to OUT (never over an existing file unless --force, never over an input) or\n"
         "stdout. Exit status: 0 written; 2 bad input or usage, or OUT cannot be written; 125 a\n"
         "trace is outside the harness contract.\n";
}

int cmd_export(int argc, char** argv) {
  const std::string usage = export_usage();
  const char* const program = "vmapfuzz export";
  Args a;
  if (int rc = parse_args(program, usage, argc, argv,
                          {.switches = {"--gtest", "--kunit"}, .out = true}, &a);
      rc >= 0)
    return rc;
  const int kind = a.flags.count("--gtest") ? 1 : a.flags.count("--kunit") ? 2 : 0;
  if (!kind || a.flags.size() != 1 || a.files.empty()) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  std::string text = kind == 1 ? gtest_prologue() : "";
  for (const std::string& f : a.files) {
    auto in = load_input(program, f, a);
    if (!in) return kExitUsage;
    apply_variant(a, &in->trace);
    if (auto why = harness::validate(in->trace)) {
      std::fprintf(stderr, "%s: %s: not a runnable trace: %s\n", program, f.c_str(), why->c_str());
      return kExitCannotJudge;
    }
    const std::string name = test_name(f);
    text += kind == 1 ? export_gtest(in->trace, name) : export_kunit(in->trace, name);
    text += "\n";
  }
  if (a.out.empty()) {
    std::fputs(text.c_str(), stdout);
    return kExitPass;
  }
  std::string err;
  if (!write_new_file(a.out, std::vector<std::uint8_t>(text.begin(), text.end()), a.force, a.files,
                      &err)) {
    std::fprintf(stderr, "%s: %s\n", program, err.c_str());
    return kExitUsage;
  }
  return kExitPass;
}

}  // namespace vmapfuzz::tools
