// SPDX-License-Identifier: GPL-2.0-only
// fuzz_throughput: executions per second of every fuzz target over its
// corpus (corpus/<target>/seeds), in process through fuzz::run_input() as
// LLVMFuzzerTestOneInput runs them (fuzzing budget on, one Runner reused),
// for a fixed number of runs cycling through the inputs. Also where an
// execution's time goes, by replaying the same ops
//   - on the engine kernels alone (harness::execute, mainline + variant),
//   - on the reference models alone (harness::predict, the touched range
//     and the expected leaves the oracle asks of them),
// the rest being the oracle's table scans and comparisons and decoding;
// and the harness ceiling: an empty input through run_input().
// Prints markdown table rows, then with --goal a "met"/"NOT met" line;
// ci/bench runs it in a plain and an ASan+UBSan build.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "fuzz/target.h"
#include "harness/oracle.h"

namespace {

using namespace vmapfuzz;
using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;

struct Input {
  Bytes bytes;
  harness::Trace trace;  // as decoded
  std::size_t ops_run;   // ops the Runner executed (it stops at a BUG or failure)
};

struct Options {
  std::string corpus = "corpus";
  std::string build = "?";
  std::size_t runs = 2000;
  double goal = 0;  // exec/s the main targets must reach; 0: no goal
  bool header = true;
  bool breakdown = true;
  std::vector<std::string> targets;
};

std::vector<Input> load(const Options& o, const fuzz::TargetSpec& t, engine::Variant v,
                        int* failing) {
  std::vector<std::filesystem::path> paths;
  const std::filesystem::path dir = std::filesystem::path(o.corpus) / t.name / "seeds";
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  harness::Runner runner;
  std::vector<Input> inputs;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), {});
    const fuzz::InputResult r = fuzz::run_input(runner, bytes, t, v);
    if (r.status == fuzz::InputStatus::rejected) continue;  // libFuzzer would not count it either
    *failing += r.status == fuzz::InputStatus::failed;
    inputs.push_back({std::move(bytes), r.trace, r.run.ops_run});
  }
  return inputs;
}

template <typename F>
double time_runs(std::size_t runs, std::size_t n, F&& f) {
  const Clock::time_point t0 = Clock::now();
  for (std::size_t i = 0; i < runs; ++i) f(i % n);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<engine::Variant> impl_variants(const harness::Trace& t) {
  std::vector<engine::Variant> v = {engine::Variant::mainline};
  if (t.variant != engine::Variant::mainline) v.push_back(t.variant);
  return v;
}

// The engine's part: every op on fresh-state kernels, reused as Runner does.
void engine_only(const Input& in, std::vector<std::unique_ptr<engine::Kernel>>& kernels) {
  const std::vector<engine::Variant> vs = impl_variants(in.trace);
  for (std::size_t k = 0; k < vs.size(); ++k) {
    if (kernels.size() <= k) kernels.emplace_back();
    auto& kp = kernels[k];
    if (!kp || kp->variant() != vs[k] || &kp->geo() != in.trace.geo ||
        !(kp->config() == in.trace.config))
      kp = std::make_unique<engine::Kernel>(*in.trace.geo, vs[k], in.trace.config);
    else kp->reset();
    for (std::size_t i = 0; i < in.ops_run; ++i) harness::execute(*kp, in.trace.ops[i]);
  }
}

// The reference's part: new models (as Runner makes them), predictions,
// and the expected leaves of each op's touched range and of the end state.
std::size_t reference_only(const Input& in) {
  std::size_t sink = 0;
  for (engine::Variant v : impl_variants(in.trace)) {
    reference::RefKernel ref(*in.trace.geo, v, in.trace.config);
    for (std::size_t i = 0; i < in.ops_run; ++i) {
      const harness::Op& op = in.trace.ops[i];
      const auto [lo, hi] = harness::touched_range(ref, op);
      sink += static_cast<std::size_t>(harness::predict(ref, op).ret);
      if (lo < hi) sink += ref.expected_runs(lo, hi).size();
      sink += ref.table_count();
    }
    sink += ref.expected_runs().size();
  }
  return sink;
}

void print_row(const Options& o, std::string_view target, std::size_t n, int failing, double full,
               double engine_s, double ref_s) {
  const double rate = static_cast<double>(o.runs) / full;
  std::string inputs = std::to_string(n);
  if (failing) inputs += " (" + std::to_string(failing) + " fail)";
  std::printf("| %s | %s | %s | %zu | %.0f | %.1f", std::string(target).c_str(), o.build.c_str(),
              inputs.c_str(), o.runs, rate, 1e6 / rate);
  if (engine_s < 0) {
    std::printf(" | - | - | - |\n");
    return;
  }
  std::printf(" | %.0f%% | %.0f%% | %.0f%% |\n", 100 * engine_s / full, 100 * ref_s / full,
              100 * (1 - (engine_s + ref_s) / full));
}

int usage() {
  std::fprintf(stderr,
               "usage: fuzz_throughput [--corpus DIR] [--runs N] [--build LABEL] [--goal EXECS]\n"
               "                       [--no-header] [--no-breakdown] [TARGET...]\n");
  return 2;
}

bool parse(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--corpus" && has_value) o->corpus = argv[++i];
    else if (a == "--runs" && has_value) o->runs = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--build" && has_value) o->build = argv[++i];
    else if (a == "--goal" && has_value) o->goal = std::strtod(argv[++i], nullptr);
    else if (a == "--no-header") o->header = false;
    else if (a == "--no-breakdown") o->breakdown = false;
    else if (!a.empty() && a[0] != '-' && fuzz::find_target(a)) o->targets.push_back(a);
    else return false;
  }
  if (o->targets.empty())
    for (const fuzz::TargetSpec& t : fuzz::all_targets()) o->targets.emplace_back(t.name);
  return o->runs > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, &o)) return usage();
  const engine::Variant variant = fuzz::variant_from_env();
  if (o.header)
    std::printf(
        "| target | build | inputs | runs | exec/s | µs/exec | engine | reference | "
        "oracle + decode |\n|---|---|--:|--:|--:|--:|--:|--:|--:|\n");
  std::string below, lowest;
  double lowest_rate = 0;
  for (const std::string& name : o.targets) {
    const fuzz::TargetSpec& t = *fuzz::find_target(name);
    int failing = 0;
    const std::vector<Input> inputs = load(o, t, variant, &failing);
    if (inputs.empty()) continue;
    harness::Runner runner;
    const double full = time_runs(o.runs, inputs.size(), [&](std::size_t i) {
      fuzz::run_input(runner, inputs[i].bytes, t, variant);
    });
    double engine_s = -1, ref_s = -1;
    if (o.breakdown) {
      std::vector<std::unique_ptr<engine::Kernel>> kernels;
      engine_s =
          time_runs(o.runs, inputs.size(), [&](std::size_t i) { engine_only(inputs[i], kernels); });
      volatile std::size_t sink = 0;
      ref_s = time_runs(o.runs, inputs.size(),
                        [&](std::size_t i) { sink = sink + reference_only(inputs[i]); });
    }
    print_row(o, name, inputs.size(), failing, full, engine_s, ref_s);
    const double rate = static_cast<double>(o.runs) / full;
    if (o.goal > 0 && rate < o.goal) below += " " + name;
    if (lowest.empty() || rate < lowest_rate) lowest = name, lowest_rate = rate;
  }
  harness::Runner runner;
  const fuzz::TargetSpec& any = fuzz::all_targets()[0];
  const double empty =
      time_runs(o.runs, 1, [&](std::size_t) { fuzz::run_input(runner, {}, any, variant); });
  print_row(o, "(empty input: harness ceiling)", 1, 0, empty, -1, -1);
  if (o.goal > 0)
    std::printf("%s every target at or above %.0f exec/s (%s; lowest: %s %.0f)%s%s\n",
                below.empty() ? "met    " : "NOT met", o.goal, o.build.c_str(), lowest.c_str(),
                lowest_rate, below.empty() ? "" : "; below:", below.c_str());
  return 0;
}
