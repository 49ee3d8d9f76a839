// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz convert: between fuzzer bytes and text traces.
#include <cstdio>

#include "harness/trace_io.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/file_io.h"

namespace vmapfuzz::tools {

std::string convert_usage() {
  return "usage: vmapfuzz convert (--to-bytes|--to-text) [--target NAME] [--variant NAME] "
         "[--bytes]\n"
         "                        [--force] IN -o OUT\n"
         "  --to-bytes  IN is a text trace; OUT gets the fuzzer bytes that decode to it\n"
         "  --to-text   IN is a text trace or fuzzer bytes (--bytes, or a libFuzzer name such as\n"
         "              crash-*); OUT gets the canonical text\n"
         "  --target    the fuzz target whose opcode table the bytes use (default mixed)\n"
         "  --variant   the variant written into a text trace made from bytes (default:\n"
         "              $VMAPFUZZ_VARIANT, else v4-fixed)\n"
         "  --force     replace OUT if it exists (never when OUT is IN)\n"
         "Exit status: 0 written; 2 bad input or usage, or OUT cannot be written; 125 the trace "
         "is\n"
         "outside the harness contract or has ops the target cannot express (--to-bytes).\n";
}

int cmd_convert(int argc, char** argv) {
  const std::string usage = convert_usage();
  const char* const program = "vmapfuzz convert";
  Args a;
  if (int rc = parse_args(program, usage, argc, argv,
                          {.switches = {"--to-bytes", "--to-text"}, .out = true}, &a);
      rc >= 0)
    return rc;
  const int dir = a.flags.count("--to-bytes") ? 1 : a.flags.count("--to-text") ? 2 : 0;
  if (!dir || a.flags.size() != 1 || a.files.size() != 1 || a.out.empty()) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  const std::string& in_path = a.files[0];
  auto in = load_input(program, in_path, a);
  if (!in) return kExitUsage;
  harness::Trace& t = in->trace;
  std::vector<std::uint8_t> data;
  if (dir == 1) {
    if (auto why = harness::validate(t)) {
      std::fprintf(stderr, "%s: %s: not a runnable trace: %s\n", program, in_path.c_str(),
                   why->c_str());
      return kExitCannotJudge;
    }
    auto bytes = harness::encode_bytes(t, a.target->kinds);
    if (!bytes) {
      std::fprintf(stderr, "%s: %s: has ops the '%s' target cannot express\n", program,
                   in_path.c_str(), std::string(a.target->name).c_str());
      return kExitCannotJudge;
    }
    data = std::move(*bytes);
  } else {
    const std::string text = harness::to_text(t);
    data.assign(text.begin(), text.end());
  }
  std::string err;
  if (!write_new_file(a.out, data, a.force, {in_path}, &err)) {
    std::fprintf(stderr, "%s: %s\n", program, err.c_str());
    return kExitUsage;
  }
  return kExitPass;
}

}  // namespace vmapfuzz::tools
