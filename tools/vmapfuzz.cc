// SPDX-License-Identifier: GPL-2.0-only
// The vmapfuzz command line.
//   vmapfuzz replay [--variant V] FILE...
//   vmapfuzz convert (--to-bytes|--to-text) [--variant V] [--force] IN -o OUT
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/target.h"
#include "harness/backend.h"
#include "harness/trace_io.h"
#include "tools/explain.h"
#include "tools/export.h"
#include "tools/file_io.h"
#include "tools/minimize.h"

namespace {

using vmapfuzz::engine::Variant;

const char kUsage[] =
    "usage: vmapfuzz COMMAND [OPTIONS]\n"
    "commands:\n"
    "  replay   run text traces or fuzzer inputs, print PASS or the failure signature\n"
    "  convert  turn fuzzer bytes into a text trace or back\n"
    "  explain  run one trace and tell what went wrong, in page-table terms\n"
    "  minimize reduce a failing trace to a small one with the same failure signature\n"
    "  export   write a trace as a GoogleTest case or a KUnit case\n"
    "  kernel-info  describe the linked-in kernel implementation\n"
    "options for every command:\n"
    "  --kernel-tree DIR  also run the page-table code of the kernel tree DIR (mm/vmalloc.c and\n"
    "                     the arm64 helpers, built in userspace; see kernel/README.md)\n"
    "  --no-kernel        leave the linked-in kernel implementation out\n"
    "Run 'vmapfuzz COMMAND --help' for a command's options.\n";

const char kReplayUsage[] =
    "usage: vmapfuzz replay [--variant NAME] [--target NAME] [--coverage] FILE...\n"
    "Runs each file on mainline and the variant under test against the reference and\n"
    "prints PASS, FAIL <signature> (with details), REJECT or ERROR per file. A trace with a\n"
    "'# expect: SIGNATURE' comment (a finding) must fail with exactly that signature on the\n"
    "variant it names (REPRODUCED); run on another --variant it must pass.\n"
    "--coverage prints the semantic coverage of the files: leaf kinds, CONT batch sizes,\n"
    "WARNs, errors, BUGs, table replacements and unmap kinds per geometry x variant.\n"
    "Fuzzer bytes run on --variant (default: $VMAPFUZZ_VARIANT, else v4-fixed); text traces name\n"
    "their own variant unless --variant is given. Fuzzer bytes decode with the opcode table of\n"
    "--target (ioremap, vmalloc, vmap, mixed; default mixed). Exit status: 0 all pass, 1 "
    "otherwise.\n";

const char kConvertUsage[] =
    "usage: vmapfuzz convert (--to-bytes|--to-text) [--target NAME] [--variant NAME] [--force] IN "
    "-o OUT\n"
    "  --to-bytes  IN is a text trace; OUT gets the fuzzer bytes that decode to it\n"
    "  --to-text   IN is fuzzer bytes (or a text trace); OUT gets the canonical text\n"
    "  --target    the fuzz target whose opcode table the bytes use (default mixed)\n"
    "  --variant   the variant written into a text trace made from bytes (default: "
    "$VMAPFUZZ_VARIANT,\n"
    "              else v4-fixed)\n"
    "  --force     replace OUT if it exists (never when OUT is IN)\n";

bool parse_variant_arg(const char* s, Variant* v) {
  const auto p = vmapfuzz::engine::parse_variant(s);
  if (!p) {
    std::fprintf(stderr, "vmapfuzz: unknown variant '%s' (mainline, v4, v4-fixed, v6.12)\n", s);
    return false;
  }
  *v = *p;
  return true;
}

// The fuzz target whose opcode table fuzzer bytes use (default: mixed).
bool parse_target_arg(const char* s, const vmapfuzz::fuzz::TargetSpec** t) {
  *t = vmapfuzz::fuzz::find_target(s);
  if (!*t) {
    std::fprintf(stderr, "vmapfuzz: unknown target '%s' (ioremap, vmalloc, vmap, mixed)\n", s);
    return false;
  }
  return true;
}

bool load_trace(const std::string& path, Variant variant, const vmapfuzz::fuzz::TargetSpec& target,
                vmapfuzz::harness::Trace* t) {
  std::string err;
  const auto data = vmapfuzz::tools::read_file(path, &err);
  if (!data) {
    std::fprintf(stderr, "vmapfuzz: %s\n", err.c_str());
    return false;
  }
  if (vmapfuzz::harness::looks_like_text(*data)) {
    vmapfuzz::harness::ParseError pe;
    const std::string_view text(reinterpret_cast<const char*>(data->data()), data->size());
    if (!vmapfuzz::harness::parse_text(text, t, &pe)) {
      std::fprintf(stderr, "vmapfuzz: %s:%zu: %s\n", path.c_str(), pe.line, pe.message.c_str());
      return false;
    }
    return true;
  }
  *t = vmapfuzz::harness::decode_bytes(*data, variant, target.kinds);
  return true;
}

// The options the subcommands share, and the files they name.
struct Args {
  Variant variant = vmapfuzz::fuzz::variant_from_env();
  bool variant_given = false;
  const vmapfuzz::fuzz::TargetSpec* target = vmapfuzz::fuzz::find_target("mixed");
  bool force = false;
  std::string out;
  double seconds = 30;
  std::vector<std::string> files;
  std::set<std::string, std::less<>> flags;  // the command's own switches that were given
};

// Parses `--variant`, `--target`, plus `--force -o` (with_out), `--time`
// (with_time) and the command's own switches. Returns -1 to go on, or the
// exit status (0 after --help, 2 on a bad option).
int parse_args(const char* cmd, const char* usage, int argc, char** argv,
               std::initializer_list<std::string_view> own, bool with_out, bool with_time,
               Args* a) {
  auto bad = [&](const std::string& why) {
    std::fprintf(stderr, "vmapfuzz %s: %s\n%s", cmd, why.c_str(), usage);
    return 2;
  };
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage, stdout);
      return 0;
    } else if (arg == "--variant") {
      if (!has_value) return bad("--variant needs a value");
      if (!parse_variant_arg(argv[++i], &a->variant)) return 2;
      a->variant_given = true;
    } else if (arg == "--target") {
      if (!has_value) return bad("--target needs a value");
      if (!parse_target_arg(argv[++i], &a->target)) return 2;
    } else if (with_out && arg == "--force") {
      a->force = true;
    } else if (with_out && arg == "-o") {
      if (!has_value) return bad("-o needs a file");
      a->out = argv[++i];
    } else if (with_time && arg == "--time") {
      char* endp = nullptr;
      if (!has_value || (a->seconds = std::strtod(argv[++i], &endp), *endp) || !(a->seconds > 0))
        return bad("--time needs a positive number of seconds");
    } else if (std::find(own.begin(), own.end(), arg) != own.end()) {
      a->flags.emplace(arg);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return bad("unknown option '" + std::string(arg) + "'");
    } else {
      a->files.emplace_back(arg);
    }
  }
  return -1;
}

int cmd_replay(int argc, char** argv) {
  Args a;
  if (int rc = parse_args("replay", kReplayUsage, argc, argv, {"--coverage"}, false, false, &a);
      rc >= 0)
    return rc;
  if (a.files.empty()) {
    std::fputs(kReplayUsage, stderr);
    return 2;
  }
  const bool coverage = a.flags.count("--coverage") != 0;
  const bool forced = a.variant_given;
  const Variant variant = a.variant;
  const auto& files = a.files;
  const auto* target = a.target;
  vmapfuzz::harness::Runner runner;
  vmapfuzz::harness::SemanticCoverage cov;
  if (coverage) runner.set_coverage(&cov);
  int bad = 0;
  for (const std::string& f : files) {
    vmapfuzz::harness::Trace t;
    if (!load_trace(f, variant, *target, &t)) {
      std::printf("ERROR %s\n", f.c_str());
      ++bad;
      continue;
    }
    // A finding names the failure it must reproduce ("# expect: SIGNATURE"),
    // on the variant it names.
    std::string expect;
    for (const auto& [index, text] : t.comments)
      if (text.starts_with("expect: ")) expect = text.substr(8);
    if (forced && t.variant != variant) expect.clear();
    if (forced) t.variant = variant;
    const auto r = runner.run(t);
    if (r.rejected) {
      std::printf("REJECT %s: %s\n", f.c_str(), r.rejected->c_str());
      ++bad;
    } else if (!expect.empty()) {
      const std::string got = r.failure ? r.failure->signature : "PASS";
      if (got == expect) {
        std::printf("REPRODUCED %s %s\n", f.c_str(), got.c_str());
      } else {
        std::printf("NOT-REPRODUCED %s: expected %s, got %s\n", f.c_str(), expect.c_str(),
                    got.c_str());
        ++bad;
      }
    } else if (r.failure) {
      std::printf("FAIL %s %s\n%s\n", f.c_str(), r.failure->signature.c_str(),
                  r.failure->detail.c_str());
      ++bad;
    } else {
      std::printf("PASS %s\n", f.c_str());
    }
    for (const std::string& n : r.notes) std::printf("  note: %s\n", n.c_str());
  }
  if (coverage) std::fputs(cov.table().c_str(), stdout);
  std::printf("%zu passed, %d failed\n", files.size() - static_cast<std::size_t>(bad), bad);
  return bad ? 1 : 0;
}

const char kExplainUsage[] =
    "usage: vmapfuzz explain [--variant NAME] [--target NAME] FILE\n"
    "Runs FILE (text trace or fuzzer bytes) and prints the numbered ops with the failing one\n"
    "marked (>>), the verdict and signature, the walks of the first divergent VA level by level\n"
    "(table, index, raw descriptor, decoded fields) and a ptdump-style listing of expected (-)\n"
    "vs actual (+) leaves over the affected range. Exit status: 0 pass, 1 fail, 2 bad input.\n";

int cmd_explain(int argc, char** argv) {
  Args a;
  if (int rc = parse_args("explain", kExplainUsage, argc, argv, {}, false, false, &a); rc >= 0)
    return rc;
  if (a.files.size() != 1) {
    std::fputs(kExplainUsage, stderr);
    return 2;
  }
  const std::string& file = a.files[0];
  const Variant variant = a.variant;
  const bool forced = a.variant_given;
  const auto* target = a.target;
  vmapfuzz::harness::Trace t;
  if (!load_trace(file, variant, *target, &t)) return 2;
  if (forced) t.variant = variant;
  std::string text;
  const bool passed = vmapfuzz::tools::explain(t, &text);
  std::fputs(text.c_str(), stdout);
  return passed ? 0 : 1;
}

const char kMinimizeUsage[] =
    "usage: vmapfuzz minimize [--time SECONDS] [--variant NAME] [--target NAME] [--force] FILE [-o "
    "OUT]\n"
    "Reduces a failing trace (text or fuzzer bytes): drops ops and groups of ops, moves sizes\n"
    "and addresses to simpler aligned values, simplifies page runs, then attributes; a candidate\n"
    "is kept only if it fails with the same signature. Deterministic; stops after --time seconds\n"
    "(default 30). Progress and before/after sizes on stderr; the minimized text trace goes to\n"
    "OUT (never over an existing file unless --force, never over FILE) or stdout.\n";

int cmd_minimize(int argc, char** argv) {
  Args a;
  if (int rc = parse_args("minimize", kMinimizeUsage, argc, argv, {}, true, true, &a); rc >= 0)
    return rc;
  if (a.files.size() != 1) {
    std::fputs(kMinimizeUsage, stderr);
    return 2;
  }
  const std::string& in = a.files[0];
  const std::string& out = a.out;
  const Variant variant = a.variant;
  const bool forced = a.variant_given, force = a.force;
  const double seconds = a.seconds;
  const auto* target = a.target;
  vmapfuzz::harness::Trace t;
  if (!load_trace(in, variant, *target, &t)) return 2;
  if (forced) t.variant = variant;
  std::string err;
  const auto progress = [](const std::string& line) {
    std::fprintf(stderr, "minimize: %s\n", line.c_str());
  };
  const auto r = vmapfuzz::tools::minimize(t, seconds, progress, &err);
  if (!r) {
    std::fprintf(stderr, "vmapfuzz minimize: %s: %s\n", in.c_str(), err.c_str());
    return 1;
  }
  vmapfuzz::harness::Trace result = r->trace;
  result.comments = {{0, "minimized by vmapfuzz minimize; fails with " + r->signature}};
  std::fprintf(stderr, "minimize: %s: %zu -> %zu ops, %zu -> %zu bytes, %zu runs%s\n",
               r->signature.c_str(), r->ops_before, r->ops_after, r->text_before, r->text_after,
               r->runs, r->timed_out ? " (time limit reached)" : "");
  const std::string text = vmapfuzz::harness::to_text(result);
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  if (!vmapfuzz::tools::write_new_file(out, std::vector<std::uint8_t>(text.begin(), text.end()),
                                       force, {in}, &err)) {
    std::fprintf(stderr, "vmapfuzz: %s\n", err.c_str());
    return 1;
  }
  return 0;
}

const char kExportUsage[] =
    "usage: vmapfuzz export (--gtest|--kunit) [--variant NAME] [--target NAME] [--force] FILE... "
    "[-o OUT]\n"
    "  --gtest  one self-contained GoogleTest TEST per file (the harness API), passing or\n"
    "           failing exactly as the trace does; link with vmapfuzz_harness and gtest_main\n"
    "  --kunit  a KUnit suite per file: the ops through the kernel API names with\n"
    "           KUNIT_EXPECT_* checks of the expected translations, to adapt and paste\n"
    "Output to OUT (never over an existing file unless --force, never over an input) or stdout.\n";

int cmd_export(int argc, char** argv) {
  Args a;
  if (int rc =
          parse_args("export", kExportUsage, argc, argv, {"--gtest", "--kunit"}, true, false, &a);
      rc >= 0)
    return rc;
  const int kind = a.flags.count("--gtest") ? 1 : a.flags.count("--kunit") ? 2 : 0;
  if (!kind || a.flags.size() != 1 || a.files.empty()) {
    std::fputs(kExportUsage, stderr);
    return 2;
  }
  const auto& files = a.files;
  const std::string& out = a.out;
  const Variant variant = a.variant;
  const bool forced = a.variant_given, force = a.force;
  const auto* target = a.target;
  std::string text = kind == 1 ? vmapfuzz::tools::gtest_prologue() : "";
  for (const std::string& f : files) {
    vmapfuzz::harness::Trace t;
    if (!load_trace(f, variant, *target, &t)) return 2;
    if (forced) t.variant = variant;
    if (auto why = vmapfuzz::harness::validate(t)) {
      std::fprintf(stderr, "vmapfuzz export: %s: not a runnable trace: %s\n", f.c_str(),
                   why->c_str());
      return 2;
    }
    const std::string name = vmapfuzz::tools::test_name(f);
    text +=
        kind == 1 ? vmapfuzz::tools::export_gtest(t, name) : vmapfuzz::tools::export_kunit(t, name);
    text += "\n";
  }
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
    return 0;
  }
  std::string err;
  if (!vmapfuzz::tools::write_new_file(out, std::vector<std::uint8_t>(text.begin(), text.end()),
                                       force, files, &err)) {
    std::fprintf(stderr, "vmapfuzz: %s\n", err.c_str());
    return 1;
  }
  return 0;
}

int cmd_convert(int argc, char** argv) {
  Args a;
  if (int rc = parse_args("convert", kConvertUsage, argc, argv, {"--to-bytes", "--to-text"}, true,
                          false, &a);
      rc >= 0)
    return rc;
  const int dir = a.flags.count("--to-bytes") ? 1 : a.flags.count("--to-text") ? 2 : 0;
  if (!dir || a.flags.size() != 1 || a.files.size() != 1 || a.out.empty()) {
    std::fputs(kConvertUsage, stderr);
    return 2;
  }
  const std::string& in = a.files[0];
  const std::string& out = a.out;
  const Variant variant = a.variant;
  const bool force = a.force;
  const auto* target = a.target;
  vmapfuzz::harness::Trace t;
  if (!load_trace(in, variant, *target, &t)) return 1;
  std::vector<std::uint8_t> data;
  if (dir == 1) {
    if (auto why = vmapfuzz::harness::validate(t)) {
      std::fprintf(stderr, "vmapfuzz: %s: not a runnable trace: %s\n", in.c_str(), why->c_str());
      return 1;
    }
    auto bytes = vmapfuzz::harness::encode_bytes(t, target->kinds);
    if (!bytes) {
      std::fprintf(stderr, "vmapfuzz: %s: has ops the '%s' target cannot express\n", in.c_str(),
                   std::string(target->name).c_str());
      return 1;
    }
    data = std::move(*bytes);
  } else {
    const std::string text = vmapfuzz::harness::to_text(t);
    data.assign(text.begin(), text.end());
  }
  std::string err;
  if (!vmapfuzz::tools::write_new_file(out, data, force, {in}, &err)) {
    std::fprintf(stderr, "vmapfuzz: %s\n", err.c_str());
    return 1;
  }
  return 0;
}

// The kernel implementation options, valid before or after the command:
//   --kernel-tree DIR  run with the kernel implementation built from DIR:
//                      this binary when it was built from DIR, otherwise
//                      kernel/build-tree builds one and runs it instead;
//   --no-kernel        leave a linked-in kernel implementation out.
// Returns -1 to go on (the options removed from argv), or an exit status.
int kernel_options(int* argc, char** argv) {
  std::string tree;
  bool off = false;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    if (!std::strcmp(argv[i], "--kernel-tree")) {
      if (i + 1 >= *argc) {
        std::fputs("vmapfuzz: --kernel-tree needs a directory\n", stderr);
        return 2;
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
  if (off) vmapfuzz::harness::set_backend(nullptr);
  if (tree.empty()) return -1;
  char* real = realpath(tree.c_str(), nullptr);
  if (!real) {
    std::fprintf(stderr, "vmapfuzz: --kernel-tree %s: %s\n", tree.c_str(), std::strerror(errno));
    return 2;
  }
  const std::string want = real;
  std::free(real);
  const vmapfuzz::harness::Backend* b = vmapfuzz::harness::linked_backend();
  if (b && b->source() == want) return -1;
  if (std::getenv("VMAPFUZZ_KERNEL_REEXEC")) {
    std::fprintf(stderr,
                 "vmapfuzz: the build for --kernel-tree %s has no kernel implementation "
                 "from it (see the report above)\n",
                 want.c_str());
    return 2;
  }
  const std::string script = std::string(VMAPFUZZ_SOURCE_DIR) + "/kernel/build-tree";
  // A tree that cannot be used is reported (by the extractor, naming the
  // step) and the command runs on without it.
  const pid_t pid = fork();
  if (pid == 0) {
    execlp("bash", "bash", script.c_str(), "--tree", want.c_str(), "--check", nullptr);
    _exit(127);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "vmapfuzz: no kernel implementation from %s; running without it\n",
                 want.c_str());
    vmapfuzz::harness::set_backend(nullptr);
    return -1;
  }
  // Build (or reuse) a vmapfuzz with that tree linked in and run it.
  setenv("VMAPFUZZ_KERNEL_REEXEC", "1", 1);
  std::vector<const char*> args = {"bash",       script.c_str(), "--tree",
                                   want.c_str(), "--",           "vmapfuzz"};
  for (int i = 1; i < *argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  execvp("bash", const_cast<char* const*>(args.data()));
  std::fprintf(stderr, "vmapfuzz: cannot run %s: %s\n", script.c_str(), std::strerror(errno));
  return 2;
}

int cmd_kernel_info() {
  const vmapfuzz::harness::Backend* b = vmapfuzz::harness::backend();
  if (!b) {
    std::puts(
        "no kernel implementation (build with -DVMAPFUZZ_KERNEL_TREE=DIR or use --kernel-tree "
        "DIR)");
    return 1;
  }
  std::printf("%s implementation, compared with engine variant %s\n%s\n",
              std::string(b->name()).c_str(),
              std::string(vmapfuzz::engine::variant_name(b->era())).c_str(), b->describe().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (int rc = kernel_options(&argc, argv); rc >= 0) return rc;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string cmd = argv[1];
  if (cmd == "kernel-info") return cmd_kernel_info();
  if (cmd == "replay") return cmd_replay(argc - 2, argv + 2);
  if (cmd == "convert") return cmd_convert(argc - 2, argv + 2);
  if (cmd == "explain") return cmd_explain(argc - 2, argv + 2);
  if (cmd == "minimize") return cmd_minimize(argc - 2, argv + 2);
  if (cmd == "export") return cmd_export(argc - 2, argv + 2);
  std::fprintf(stderr, "vmapfuzz: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return 2;
}
