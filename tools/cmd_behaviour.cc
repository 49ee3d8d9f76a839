// SPDX-License-Identifier: GPL-2.0-only
// vmapfuzz behaviour: the caller-visible behaviour changes of the series on
// partial ops over huge mappings (tools/behaviour.h,
// docs/behaviour-changes.md).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/behaviour.h"
#include "tools/cli.h"
#include "tools/commands.h"
#include "tools/file_io.h"

namespace vmapfuzz::tools {

namespace {

std::string names_of(auto table) {
  std::string s;
  for (const auto& x : table) s += (s.empty() ? "" : ", ") + std::string(x.name);
  return s;
}

}  // namespace

std::string behaviour_usage() {
  return "usage: vmapfuzz behaviour [--geometry NAME]... [--setup NAME]... [--range NAME]...\n"
         "                          [--op NAME]... [--cases] [--tsv] [--out DIR [--force]]\n"
         "Runs every case (a setup, one partial op over one range of its area, the caller's\n"
         "teardown) on mainline, v4 and v4-fixed, and classifies what each variant did with the\n"
         "partial op relative to mainline: same, WARN (which), error return, more pages changed\n"
         "than asked, pages of the range not changed, a CONT group left malformed, a range that\n"
         "cuts a CONT group or block (split). Ops: vunmap_range, set_memory_valid(0) (also\n"
         "with BBML2_NOABORT) and set_memory_ro on arm64; set_memory_np and set_memory_ro\n"
         "(the cpa_ rows) on x86-64. Prints a markdown report\n"
         "(--tsv: one tab-separated line per case and variant). Each case's trace also replays\n"
         "through the harness, every variant against its reference.\n"
         "  --geometry NAME  an arm64 or x86-64 geometry (default: every arm64 geometry and\n"
         "                   x86-64-4l); repeatable\n"
         "  --setup NAME     " +
         names_of(behaviour::setups()) +
         "\n"
         "  --range NAME     " +
         names_of(behaviour::ranges()) +
         "\n"
         "  --op NAME        " +
         names_of(behaviour::partial_ops()) +
         "\n"
         "  --cases          add one row per case to the report\n"
         "  --out DIR        write one reproducer trace per distinct class into DIR (created if\n"
         "                   missing); refuses to replace an existing file unless --force\n"
         "See docs/behaviour-changes.md.\n"
         "Exit status: 0 every case replays; 1 a case failed replay (an engine or model bug, not "
         "a\n"
         "behaviour change); 2 bad usage or DIR cannot be written.\n";
}

int cmd_behaviour(int argc, char** argv) {
  const std::string usage = behaviour_usage();
  const char* const program = "vmapfuzz behaviour";
  auto bad = [&](const std::string& why) {
    std::fprintf(stderr, "%s: %s\n%s", program, why.c_str(), usage.c_str());
    return static_cast<int>(kExitUsage);
  };
  behaviour::Filter f;
  bool per_case = false, as_tsv = false, force = false;
  std::string out;
  auto known = [](auto table, std::string_view n) {
    for (const auto& x : table)
      if (x.name == n) return true;
    return false;
  };
  for (int i = 0; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::fputs(usage.c_str(), stdout);
      return kExitPass;
    } else if (arg == "--version") {
      std::fputs(version_text(program).c_str(), stdout);
      return kExitPass;
    } else if (arg == "--geometry") {
      if (!has_value) return bad("--geometry needs a value");
      const engine::Geometry* g = engine::find_geometry(argv[++i]);
      if (!g || (g->arch != engine::Arch::arm64 && g->arch != engine::Arch::x86_64))
        return bad("'" + std::string(argv[i]) +
                   "' is not an arm64 or x86-64 geometry (vmapfuzz --help)");
      f.geos.push_back(g);
    } else if (arg == "--setup") {
      if (!has_value || !known(behaviour::setups(), argv[i + 1]))
        return bad("--setup needs one of: " + names_of(behaviour::setups()));
      f.setups.emplace_back(argv[++i]);
    } else if (arg == "--range") {
      if (!has_value || !known(behaviour::ranges(), argv[i + 1]))
        return bad("--range needs one of: " + names_of(behaviour::ranges()));
      f.ranges.emplace_back(argv[++i]);
    } else if (arg == "--op") {
      if (!has_value || !known(behaviour::partial_ops(), argv[i + 1]))
        return bad("--op needs one of: " + names_of(behaviour::partial_ops()));
      f.ops.emplace_back(argv[++i]);
    } else if (arg == "--cases") {
      per_case = true;
    } else if (arg == "--tsv") {
      as_tsv = true;
    } else if (arg == "--force") {
      force = true;
    } else if (arg == "--out") {
      if (!has_value || !*argv[i + 1]) return bad("--out needs a directory");
      out = argv[++i];
    } else {
      return bad("unknown option or argument '" + std::string(arg) + "'");
    }
  }

  const auto cases = behaviour::run_cases(f);
  if (cases.empty()) return bad("no case matches the selection");

  if (!out.empty()) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec))
      return bad("--out " + out + ": exists and is not a directory");
    fs::create_directories(out, ec);
    if (ec) {
      std::fprintf(stderr, "%s: --out %s: %s\n", program, out.c_str(), ec.message().c_str());
      return kExitUsage;
    }
    std::string command = "vmapfuzz behaviour";
    for (int i = 0; i < argc; ++i) command += " " + std::string(argv[i]);
    const auto reps = behaviour::reproducers(cases, command);
    // Check every name first, so that a refusal writes nothing.
    for (const auto& r : reps)
      if (!force && fs::exists(fs::path(out) / r.file, ec)) {
        std::fprintf(stderr, "%s: %s: exists; refusing to overwrite (use --force)\n", program,
                     (fs::path(out) / r.file).c_str());
        return kExitUsage;
      }
    for (const auto& r : reps) {
      std::string err;
      if (!write_new_file((fs::path(out) / r.file).string(),
                          std::vector<std::uint8_t>(r.text.begin(), r.text.end()), force, {},
                          &err)) {
        std::fprintf(stderr, "%s: %s\n", program, err.c_str());
        return kExitUsage;
      }
    }
  }
  const std::string text =
      as_tsv ? behaviour::tsv(cases) : behaviour::markdown(cases, per_case, out);
  std::fputs(text.c_str(), stdout);
  return behaviour::replay_failures(cases) ? kExitFail : kExitPass;
}

}  // namespace vmapfuzz::tools
