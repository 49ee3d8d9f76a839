// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz export: traces as GoogleTest or KUnit cases.
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/export.h"
#include "tools/file_io.h"
#include "tools/kunit_export.h"

namespace vmapfuzz::tools {

std::string export_usage() {
  return "usage: vmapfuzz export --gtest [--variant NAME] [--target NAME] [--bytes] [--force]\n"
         "                       FILE... [-o OUT]\n"
         "       vmapfuzz export --kunit [--era 2026|6.12] [--target NAME] [--bytes] [--force]\n"
         "                       FILE... (-o OUT | --out-dir DIR)\n"
         "  --gtest    one self-contained GoogleTest TEST per file (the harness API), passing or\n"
         "             failing exactly as the trace does; link with vmapfuzz_harness and "
         "gtest_main\n"
         "  --kunit    KUnit cases that build and run in a real kernel (docs/kunit.md): the ops\n"
         "             through the kernel's API at the addresses it returns, every translation\n"
         "             checked against the reference model; a trace the API cannot reproduce is\n"
         "             a case that skips with the reason. To OUT or stdout: one suite of all\n"
         "             FILEs. To DIR: one suite file per corpus folder (corpus/TARGET/KIND), with\n"
         "             Kconfig, Makefile, .kunitconfig and README, ready to be mm/vmapfuzz/\n"
         "  --era      the kernel the KUnit C is for: 2026 (the mm tree with the series; expects\n"
         "             v4-fixed's results, the default) or 6.12 (expects v6.12's)\n"
         "Output never goes over an existing file (or into a non-empty DIR) unless --force, and\n"
         "never over an input. Exit status: 0 written; 2 bad input or usage, or the output\n"
         "cannot be written; 125 a trace is outside the harness contract.\n";
}

namespace {

int write_text(const char* program, const std::string& path, const std::string& text,
               const Args& a) {
  std::string err;
  if (!write_new_file(path, std::vector<std::uint8_t>(text.begin(), text.end()), a.force, a.files,
                      &err)) {
    std::fprintf(stderr, "%s: %s\n", program, err.c_str());
    return kExitUsage;
  }
  return kExitPass;
}

// --kunit: the suites, to one file/stdout or to a folder with build files.
int export_kunit_files(const char* program, const Args& a,
                       const std::vector<std::pair<std::string, harness::Trace>>& traces) {
  KunitEra era = KunitEra::v2026;
  if (const auto it = a.values.find("--era"); it != a.values.end()) {
    const auto e = parse_kunit_era(it->second);
    if (!e) {
      std::fprintf(stderr, "%s: unknown --era '%s' (2026, 6.12)\n", program, it->second.c_str());
      return kExitUsage;
    }
    era = *e;
  }
  const auto dir_it = a.values.find("--out-dir");
  // Suites in the order they first appear; case names unique in a suite.
  std::vector<std::pair<std::string, std::vector<KunitInput>>> suites;
  for (const auto& [path, trace] : traces) {
    const std::string suite = dir_it == a.values.end() ? "traces" : kunit_suite_name(path);
    auto it =
        std::find_if(suites.begin(), suites.end(), [&](const auto& s) { return s.first == suite; });
    if (it == suites.end()) it = suites.insert(suites.end(), {suite, {}});
    std::string name = test_name(std::filesystem::path(path).filename().string());
    const std::string stem = name;
    for (int k = 2; std::any_of(it->second.begin(), it->second.end(),
                                [&](const KunitInput& in) { return in.name == name; });
         ++k)
      name = stem + "_" + std::to_string(k);
    it->second.push_back({name, path, trace});
  }
  if (dir_it == a.values.end()) {
    const std::string text = kunit_suite_file(suites.front().first, suites.front().second, era);
    if (a.out.empty()) {
      std::fputs(text.c_str(), stdout);
      return kExitPass;
    }
    return write_text(program, a.out, text, a);
  }
  const std::filesystem::path dir = dir_it->second;
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    std::fprintf(stderr, "%s: --out-dir %s is not a folder\n", program, dir.c_str());
    return kExitUsage;
  }
  if (std::filesystem::is_directory(dir, ec) && !std::filesystem::is_empty(dir, ec) && !a.force) {
    std::fprintf(stderr, "%s: %s is not empty (--force writes into it)\n", program, dir.c_str());
    return kExitUsage;
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "%s: cannot create %s: %s\n", program, dir.c_str(), ec.message().c_str());
    return kExitUsage;
  }
  std::vector<std::string> objects;
  for (const auto& [suite, inputs] : suites) {
    const std::string file = "vmapfuzz_" + suite;
    if (int rc = write_text(program, (dir / (file + ".c")).string(),
                            kunit_suite_file(suite, inputs, era), a))
      return rc;
    objects.push_back(file + ".o");
  }
  for (const auto& [file, text] : {std::pair<const char*, std::string>{"Kconfig", kunit_kconfig()},
                                   {"Makefile", kunit_makefile(objects)},
                                   {".kunitconfig", kunit_kunitconfig()},
                                   {"README", kunit_readme(era)}})
    if (int rc = write_text(program, (dir / file).string(), text, a)) return rc;
  std::fprintf(stderr,
               "%s: %zu suites, %zu cases, and Kconfig, Makefile, .kunitconfig, README in %s\n",
               program, suites.size(), traces.size(), dir.c_str());
  return kExitPass;
}

}  // namespace

int cmd_export(int argc, char** argv) {
  const std::string usage = export_usage();
  const char* const program = "vmapfuzz export";
  Args a;
  if (int rc = parse_args(
          program, usage, argc, argv,
          {.switches = {"--gtest", "--kunit"}, .out = true, .values = {"--era", "--out-dir"}}, &a);
      rc >= 0)
    return rc;
  const int kind = a.flags.count("--gtest") ? 1 : a.flags.count("--kunit") ? 2 : 0;
  if (!kind || a.flags.size() != 1 || a.files.empty() || (kind == 1 && !a.values.empty()) ||
      (a.values.count("--out-dir") && !a.out.empty())) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  std::vector<std::pair<std::string, harness::Trace>> traces;
  for (const std::string& f : a.files) {
    auto in = load_input(program, f, a);
    if (!in) return kExitUsage;
    apply_variant(a, &in->trace);
    if (auto why = harness::validate(in->trace)) {
      std::fprintf(stderr, "%s: %s: not a runnable trace: %s\n", program, f.c_str(), why->c_str());
      return kExitCannotJudge;
    }
    traces.emplace_back(f, std::move(in->trace));
  }
  if (kind == 2) return export_kunit_files(program, a, traces);
  std::string text = gtest_prologue();
  for (const auto& [f, trace] : traces) text += export_gtest(trace, test_name(f)) + "\n";
  if (a.out.empty()) {
    std::fputs(text.c_str(), stdout);
    return kExitPass;
  }
  return write_text(program, a.out, text, a);
}

}  // namespace vmapfuzz::tools
