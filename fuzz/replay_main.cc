// SPDX-License-Identifier: GPL-2.0-only
// The *_replay programs: run corpus files (text traces or fuzzer bytes)
// without libFuzzer, print one verdict per file, exit non-zero unless all
// pass. Built with every compiler, so the corpus is a regression suite
// everywhere (ctest runs it on corpus/<target>/).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/target.h"

extern const char* const kVmapfuzzTargetName;

namespace {

int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--variant NAME] [--quiet] [--coverage] FILE...\n"
               "Runs each file (a text trace or fuzzer bytes) and prints PASS, FAIL <signature>,\n"
               "REJECT <reason> or ERROR <reason>. Exit status 0 only if every file passes.\n"
               "The variant for fuzzer bytes is --variant, else $VMAPFUZZ_VARIANT, else v4-fixed;\n"
               "text traces name their own. --coverage prints the semantic coverage of the files\n"
               "(the libFuzzer programs print it at exit when $VMAPFUZZ_COVERAGE is set).\n",
               argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const char*> files;
  bool quiet = false, coverage = false;
  vmapfuzz::engine::Variant variant = vmapfuzz::fuzz::variant_from_env();
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
      usage(argv[0]);
      return 0;
    }
    if (!std::strcmp(argv[i], "--quiet")) {
      quiet = true;
    } else if (!std::strcmp(argv[i], "--coverage")) {
      coverage = true;
    } else if (!std::strcmp(argv[i], "--variant")) {
      if (i + 1 >= argc) return usage(argv[0]);
      const auto v = vmapfuzz::engine::parse_variant(argv[++i]);
      if (!v) {
        std::fprintf(stderr, "unknown variant '%s'\n", argv[i]);
        return 2;
      }
      variant = *v;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      std::fprintf(stderr, "unknown option '%s'\n", argv[i]);
      return usage(argv[0]);
    } else {
      files.push_back(argv[i]);
    }
  }
  if (files.empty()) return usage(argv[0]);

  const vmapfuzz::fuzz::TargetSpec& target = *vmapfuzz::fuzz::find_target(kVmapfuzzTargetName);
  vmapfuzz::harness::Runner runner;
  vmapfuzz::harness::SemanticCoverage cov;
  if (coverage) runner.set_coverage(&cov);
  int bad = 0;
  for (const char* path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::printf("ERROR %s: cannot open\n", path);
      ++bad;
      continue;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    const auto r = vmapfuzz::fuzz::run_input(
        runner, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, target,
        variant);
    switch (r.status) {
      case vmapfuzz::fuzz::InputStatus::pass:
        if (!quiet) std::printf("PASS %s\n", path);
        break;
      case vmapfuzz::fuzz::InputStatus::rejected:
        std::printf("REJECT %s: %s\n", path, r.run.rejected->c_str());
        ++bad;
        break;
      case vmapfuzz::fuzz::InputStatus::failed:
        std::printf("FAIL %s %s\n", path, r.run.failure->signature.c_str());
        std::fputs(vmapfuzz::fuzz::failure_report(r).c_str(), stdout);
        ++bad;
        break;
    }
  }
  if (coverage) std::fputs(cov.table().c_str(), stdout);
  std::printf("%zu passed, %d failed\n", files.size() - static_cast<std::size_t>(bad), bad);
  return bad ? 1 : 0;
}
