// SPDX-License-Identifier: GPL-2.0-only
// Every fuzz input frees what it allocates, once the Runner is warm.
//
// libFuzzer counts the mallocs and frees of each input; when an input
// allocates more than it frees, it runs the input again under LeakSanitizer,
// a scan of the whole heap (bench/RESULTS.md, "Where a libFuzzer execution
// goes"). The Runner keeps a kernel and a reference model for each
// geometry, variant and configuration it has met (Runner::prepare), with
// their memory, so that does not happen once it is warm. This
// program replays every seed of every target three times through
// fuzz::run_input, counting operator new and delete, and fails if an input
// of the third round allocates more than it frees.
//
// usage: alloc_balance_test CORPUS_DIR
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <string>
#include <vector>

#include "fuzz/target.h"

namespace {
long g_news = 0, g_deletes = 0;
}  // namespace

void* operator new(std::size_t n) {
  void* p = std::malloc(n ? n : 1);
  if (!p) throw std::bad_alloc();
  ++g_news;
  return p;
}
void operator delete(void* p) noexcept {
  if (p) ++g_deletes;
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept { operator delete(p); }

int main(int argc, char** argv) {
  using namespace vmapfuzz;
  if (argc != 2) {
    std::fprintf(stderr, "usage: alloc_balance_test CORPUS_DIR\n");
    return 2;
  }
  int failures = 0;
  for (const harness::TargetSpec& target : harness::all_targets()) {
    const std::filesystem::path dir =
        std::filesystem::path(argv[1]) / std::string(target.name) / "seeds";
    std::vector<std::filesystem::path> paths;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
      if (e.is_regular_file()) paths.push_back(e.path());
    if (ec || paths.empty()) {
      std::fprintf(stderr, "alloc_balance_test: no seeds in %s\n", dir.c_str());
      return 2;
    }
    std::sort(paths.begin(), paths.end());
    std::vector<std::vector<std::uint8_t>> inputs;
    for (const auto& p : paths) {
      std::ifstream in(p, std::ios::binary);
      inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    harness::Runner runner;
    long unbalanced = 0;
    for (int round = 0; round < 3; ++round) {
      for (std::size_t i = 0; i < inputs.size(); ++i) {
        const long news = g_news, deletes = g_deletes;
        fuzz::run_input(runner, inputs[i], target, engine::Variant::mainline);
        const long net = (g_news - news) - (g_deletes - deletes);
        if (round == 2 && net > 0) {
          ++unbalanced;
          std::fprintf(stderr, "%s: %ld more allocations than frees\n", paths[i].c_str(), net);
        }
      }
    }
    std::printf("%s: %zu inputs, %ld allocate more than they free\n",
                std::string(target.name).c_str(), inputs.size(), unbalanced);
    failures += unbalanced != 0;
  }
  return failures ? 1 : 0;
}
