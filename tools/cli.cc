// SPDX-License-Identifier: GPL-2.0-only
#include "tools/cli.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "harness/backend.h"
#include "harness/coverage.h"
#include "harness/trace_io.h"
#include "tools/file_io.h"

#ifndef VMAPFUZZ_VERSION
#define VMAPFUZZ_VERSION "unknown"
#endif

namespace vmapfuzz::tools {
namespace {

bool g_kernel_requested = false;

}  // namespace

std::string version_text(std::string_view program) {
  std::string s = std::string(program) + " (vmapfuzz) " VMAPFUZZ_VERSION "\n";
  s += "trace format: " + std::string(harness::kTraceMagic) + "\n";
  s += "variants: " + harness::variant_names() + "\n";
  std::string geos;
  for (const engine::Geometry* g : engine::all_geometries())
    geos += (geos.empty() ? "" : ", ") + std::string(g->name) +
            (g == &engine::arm64_4k_48() ? " (default)" : "");
  s += "geometries: " + geos + "\n";
  s += "fuzz targets: " + harness::target_names() + "\n";
  const harness::Backend* b = harness::linked_backend();
  s += "kernel implementation: " +
       (b ? b->source() + " (era " + std::string(engine::variant_name(b->era())) + ")"
          : std::string("none linked")) +
       "\n";
  return s;
}

int parse_args(std::string_view program, std::string_view usage, int argc, char** argv,
               const OptionSet& options, Args* a) {
  auto bad = [&](const std::string& why) {
    std::fprintf(stderr, "%.*s: %s\n%.*s", static_cast<int>(program.size()), program.data(),
                 why.c_str(), static_cast<int>(usage.size()), usage.data());
    return static_cast<int>(kExitUsage);
  };
  std::string env_err;
  if (const auto v = harness::variant_from_env(&env_err)) a->variant = *v;
  if (!a->target) a->target = harness::find_target("mixed");
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      return kExitPass;
    } else if (arg == "--version") {
      std::fputs(version_text(program).c_str(), stdout);
      return kExitPass;
    } else if (arg == "--variant") {
      if (!has_value) return bad("--variant needs a value");
      const auto v = engine::parse_variant(argv[++i]);
      if (!v)
        return bad("unknown variant '" + std::string(argv[i]) + "' (" + harness::variant_names() +
                   ")");
      a->variant = *v;
      a->variant_given = true;
    } else if (arg == "--target") {
      if (!has_value) return bad("--target needs a value");
      a->target = harness::find_target(argv[++i]);
      if (!a->target)
        return bad("unknown target '" + std::string(argv[i]) + "' (" + harness::target_names() +
                   ")");
    } else if (arg == "--bytes") {
      a->bytes = true;
    } else if (options.out && arg == "--force") {
      a->force = true;
    } else if (options.out && arg == "-o") {
      if (!has_value) return bad("-o needs a file");
      a->out = argv[++i];
    } else if (options.time && arg == "--time") {
      char* endp = nullptr;
      if (!has_value || (a->seconds = std::strtod(argv[++i], &endp), *endp) || !(a->seconds > 0))
        return bad("--time needs a positive number of seconds");
    } else if (const auto eq = arg.find('=');
               std::find(options.values.begin(), options.values.end(), arg.substr(0, eq)) !=
               options.values.end()) {
      // --name VALUE or --name=VALUE.
      const std::string_view name = arg.substr(0, eq);
      if (eq == std::string_view::npos && !has_value)
        return bad(std::string(arg) + " needs a value");
      const std::string value(eq == std::string_view::npos ? std::string_view(argv[++i])
                                                           : arg.substr(eq + 1));
      if (!a->values.emplace(name, value).second) return bad(std::string(name) + " given twice");
    } else if (std::find(options.switches.begin(), options.switches.end(), arg) !=
               options.switches.end()) {
      a->flags.emplace(arg);
    } else if (arg.size() > 1 && arg[0] == '-') {
      return bad("unknown option '" + std::string(arg) + "'");
    } else {
      a->files.emplace_back(arg);
    }
  }
  if (!env_err.empty() && !a->variant_given) return bad(env_err);
  return -1;
}

std::string geometries_text() {
  std::string s;
  const auto geos = engine::all_geometries();
  for (std::size_t i = 0; i < geos.size(); ++i) {
    const engine::Geometry& g = *geos[i];
    std::string blocks;
    if (g.pmd_block) blocks += "PMD " + harness::size_text(g.pmd_size());
    if (g.pud_block)
      blocks += (blocks.empty() ? "" : ", ") + ("PUD " + harness::size_text(g.pud_size()));
    char line[200];
    std::snprintf(
        line, sizeof line, "  %2zu %-14s %s, %s pages, %u-bit VA, %u levels, %s, blocks %s%s\n", i,
        std::string(g.name).c_str(), engine::arch_name(g.arch),
        harness::size_text(g.page_size()).c_str(), g.va_bits, g.levels,
        g.cont_pte_shift ? ("CONT " + harness::size_text(g.cont_pte_size())).c_str() : "no CONT",
        blocks.empty() ? "none" : blocks.c_str(), i == 0 ? " (default)" : "");
    s += line;
  }
  return s;
}

std::optional<harness::Input> load_input(std::string_view program, const std::string& path,
                                         const Args& a) {
  std::string err;
  const auto data = read_file(path, &err);
  std::optional<harness::Input> in;
  if (data) in = harness::read_input(path, *data, {a.bytes, a.target, a.variant}, &err);
  if (!in)
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(program.size()), program.data(),
                 err.c_str());
  return in;
}

void apply_variant(const Args& a, harness::Trace* t) {
  if (a.variant_given) t->variant = a.variant;
}

bool kernel_requested() { return g_kernel_requested; }
void set_kernel_requested() { g_kernel_requested = true; }

}  // namespace vmapfuzz::tools
