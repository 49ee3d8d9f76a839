// SPDX-License-Identifier: GPL-2.0-only
#include "tools/replay.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/backend.h"
#include "harness/coverage.h"
#include "harness/runner.h"
#include "tools/cli.h"
#include "tools/file_io.h"
#include "tools/verdicts.h"

namespace vmapfuzz::tools {
namespace {

namespace fs = std::filesystem;

// Not inputs, in a corpus directory: documentation and hidden files.
bool skipped_in_directory(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.empty() || name[0] == '.' || name.starts_with("README") || name.ends_with(".md");
}

// The files to run: each argument, or every regular file under a
// directory argument, sorted. Arguments that name nothing go to `missing`.
std::vector<std::string> expand(const std::vector<std::string>& args,
                                std::vector<std::string>* missing) {
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      if (fs::exists(arg, ec)) files.push_back(arg);
      else missing->push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(arg, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (skipped_in_directory(it->path())) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    }
    if (ec) missing->push_back(arg + " (" + ec.message() + ")");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

// The finding's expected signature ("# expect: SIGNATURE"), or empty.
std::string expected_signature(const harness::Trace& t) {
  std::string expect;
  for (const auto& [index, text] : t.comments)
    if (text.starts_with("expect: ")) expect = text.substr(8);
  return expect;
}

// What a file counts as in the tally (and the exit status).
enum class Outcome { pass, fail, unjudged };

// The lines that belong to a file's verdict after the implementations: how
// fuzzer bytes were decoded, and the run's notes.
void print_extra(const harness::Input& in, const harness::RunResult& r) {
  if (in.decoding == harness::Decoding::bytes) std::printf("  input: %s\n", in.how.c_str());
  for (const std::string& n : r.notes) std::printf("  note: %s\n", n.c_str());
}

struct Tally {
  std::size_t passed = 0, failed = 0, errors = 0, rejected = 0, unjudged = 0;
  int exit_code() const {
    if (failed) return kExitFail;
    if (errors) return kExitUsage;
    if (rejected || unjudged) return kExitCannotJudge;
    return kExitPass;
  }
};

}  // namespace

std::string replay_usage(std::string_view program, bool is_vmapfuzz) {
  const std::string p(program);
  return "usage: " + p + (is_vmapfuzz ? " replay" : "") +
         " [--variant NAME] [--target NAME] [--bytes] [--quiet] [--coverage] FILE|DIR...\n"
         "Runs each file (every file under a directory, as libFuzzer reads a corpus) on mainline\n"
         "and the variant under test against the reference, and prints one verdict per file:\n"
         "PASS, FAIL <signature> (with details), REJECT (outside the harness contract: not run),\n"
         "UNREACHABLE (a vm area at a VA the kernel's allocator cannot give: docs/placement.md)\n"
         "or ERROR (unreadable, empty or malformed: not run). A trace with a '# expect: "
         "SIGNATURE'\n"
         "comment (a finding) must fail with that signature, first or not, on the variant it\n"
         "names (REPRODUCED); run on another --variant it must pass.\n"
         "Input: a file whose name ends in .trace or that starts with 'vmapfuzz-trace' is a text\n"
         "trace; fuzzer bytes are read only with --bytes or under a "
         "libFuzzer/ClusterFuzzLite/AFL++\n"
         "name (crash-*, leak-*, timeout-*, oom-*, slow-unit-*, a SHA-1, id:*), exactly as the\n"
         "fuzz target reads them, on --variant (default: $VMAPFUZZ_VARIANT, else v4-fixed) with "
         "the\n"
         "opcode table of --target (ioremap, vmalloc, vmap, mixed; default " +
         (is_vmapfuzz ? std::string("mixed") : "this program's") +
         "). Text traces name their own variant unless --variant is given.\n"
         "Under each verdict, one line per implementation (mainline, the variant, a kernel\n"
         "implementation and the engine variant of its era) and per comparison of two, each\n"
         "judged on its own: PASS, FAIL <signature> (op N), NOT-JUDGED after op N (it stopped\n"
         "without failing) or NOT-RUN. A finding reproduces when its signature is among the\n"
         "failures. Replay prints the first failure's details, `vmapfuzz explain` every one's.\n"
         "--quiet leaves out PASS lines; --coverage prints the semantic coverage of the files\n"
         "(leaf kinds, CONT batch sizes, WARNs, errors, BUGs, table replacements, unmap kinds per\n"
         "geometry x variant).\n"
         "Exit status: 0 all pass; 1 a failure (or NOT-REPRODUCED); 2 an unreadable or malformed\n"
         "file, or bad usage; 125 a trace outside the contract. With --kernel-tree, a file is\n"
         "judged by the kernel implementation's own verdict against its reference: 0 when it\n"
         "passes (whatever an engine variant does), 1 when it fails, 125 when it was not built\n"
         "or cannot run every op (git bisect run: skip).\n";
}

int replay_main(std::string_view program, const harness::TargetSpec& target, int argc, char** argv,
                bool is_vmapfuzz) {
  const std::string usage = replay_usage(is_vmapfuzz ? "vmapfuzz" : program, is_vmapfuzz);
  Args a;
  a.target = &target;
  if (int rc = parse_args(program, usage, argc, argv, {.switches = {"--quiet", "--coverage"}}, &a);
      rc >= 0)
    return rc;
  if (a.files.empty()) {
    std::fputs(usage.c_str(), stderr);
    return kExitUsage;
  }
  const bool quiet = a.flags.count("--quiet") != 0;
  const bool coverage = a.flags.count("--coverage") != 0;
  harness::Runner runner;
  harness::SemanticCoverage cov;
  if (coverage) runner.set_coverage(&cov);
  Tally tally;
  std::vector<std::string> missing;
  const std::vector<std::string> files = expand(a.files, &missing);
  for (const std::string& m : missing) {
    std::printf("ERROR %s: no such file or directory\n", m.c_str());
    ++tally.errors;
  }
  if (files.empty() && missing.empty()) {
    std::fprintf(stderr, "%.*s: no files to replay under %s\n", static_cast<int>(program.size()),
                 program.data(), a.files.front().c_str());
    return kExitUsage;
  }
  // A kernel implementation asked for with --kernel-tree that is not there
  // (the tree did not build) cannot judge anything.
  const bool kernel_missing = kernel_requested() && !harness::backend();
  for (const std::string& f : files) {
    std::string err;
    const auto data = read_file(f, &err);
    std::optional<harness::Input> in;
    if (data) in = harness::read_input(f, *data, {a.bytes, a.target, a.variant}, &err);
    if (!in) {
      std::printf("ERROR %s\n", err.c_str());
      ++tally.errors;
      continue;
    }
    harness::Trace& t = in->trace;
    // A finding fails as it says on the variant it names, and passes on others.
    std::string expect = expected_signature(t);
    if (a.variant_given && t.variant != a.variant) expect.clear();
    apply_variant(a, &t);
    const harness::RunResult r = runner.run(t);
    if (r.rejected) {
      std::printf("REJECT %s: %s\n", f.c_str(), r.rejected->c_str());
      ++tally.rejected;
      print_extra(*in, r);
      continue;
    }
    // The file's verdict line: the first failure, or the finding's
    // expected signature among the failures.
    Outcome outcome = Outcome::pass;
    std::string line, details;
    const harness::ImplVerdict* kernel = r.backend_verdict();
    const bool kernel_unjudged = kernel_missing || !kernel ||
                                 (kernel->status != harness::VerdictStatus::pass &&
                                  kernel->status != harness::VerdictStatus::fail);
    if (!expect.empty()) {
      if (r.failed_with(expect)) {
        line.append("REPRODUCED ").append(f).append(" ").append(expect);
      } else {
        line.append("NOT-REPRODUCED ").append(f).append(": expected ").append(expect);
        line.append(", got ").append(r.failure ? r.failure->signature : std::string("PASS"));
        outcome = Outcome::fail;
      }
    } else if (!r.failure && r.unreachable) {
      // The kernel cannot produce the trace's placement: nothing to judge.
      line = "UNREACHABLE " + f + ": " + *r.unreachable;
      outcome = Outcome::unjudged;
    } else if (r.failure) {
      line = "FAIL " + f + " " + r.failure->signature;
      details = r.failure->detail + "\n";
      outcome = Outcome::fail;
    } else if (kernel_requested() && kernel_unjudged) {
      // The engine and the reference agree, but what was asked for is the
      // kernel tree's code.
      line = "REJECT " + f + ": the kernel implementation asked for with --kernel-tree " +
             (kernel_missing                      ? std::string("was not built")
              : kernel && !kernel->reason.empty() ? "stopped: " + kernel->reason
                                                  : std::string("cannot run every op"));
      outcome = Outcome::unjudged;
    } else {
      line = "PASS " + f;
    }
    // Asked for with --kernel-tree, the file is judged by the kernel
    // implementation's own verdict against its reference: an engine
    // finding does not change from one kernel commit to the next, and the
    // <era>-vs-kernel comparison measures the engine as much as the tree.
    std::string judged;
    if (kernel_requested()) {
      if (kernel_unjudged) {
        outcome = Outcome::unjudged;
        judged = kernel ? verdict_text(*kernel) : "NOT-RUN: it was not built";
      } else {
        outcome = kernel->status == harness::VerdictStatus::fail ? Outcome::fail : Outcome::pass;
        judged = verdict_text(*kernel);
      }
    }
    const bool shown = !(quiet && line.starts_with("PASS "));
    if (shown) {
      std::printf("%s\n%s", line.c_str(), verdict_lines(r, "  ").c_str());
      if (kernel_requested())
        std::printf("  --kernel-tree: judged by the kernel implementation: %s\n", judged.c_str());
      std::fputs(details.c_str(), stdout);
    }
    switch (outcome) {
      case Outcome::pass: ++tally.passed; break;
      case Outcome::fail: ++tally.failed; break;
      case Outcome::unjudged: ++tally.unjudged; break;
    }
    print_extra(*in, r);
  }
  if (coverage) std::fputs(cov.table().c_str(), stdout);
  const std::size_t total = files.size() + missing.size();
  std::printf("%zu passed, %zu failed\n", tally.passed, total - tally.passed);
  return tally.exit_code();
}

}  // namespace vmapfuzz::tools
