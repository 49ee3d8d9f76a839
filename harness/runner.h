// SPDX-License-Identifier: GPL-2.0-only
// The differential executor: runs a trace on every implementation (the
// engine variants, and a registered Backend) and on the reference model of
// each, op by op, and checks after each op that
//   - the Outcome (return code, BUG, WARNs, flushes, tables allocated and
//     freed, pgtbl_mod_mask) equals the reference's prediction;
//   - the tables are well formed (no dangling, shared or leaked table, no
//     reserved or garbage descriptor, every block aligned, every CONT group
//     architecturally valid);
//   - the leaves the MMU sees equal the reference's expected leaves
//     (translation of every page, then level and CONT use);
//   - mainline and the variant under test hold bit-identical tables, while
//     the trace stays inside the kernel's contract (see oracle.h), and a
//     backend the same tables as the engine variant of its era.
// Each implementation is judged on its own: a failed check retires only the
// implementation that failed it (and the comparisons it takes part in); the
// others run every op to the end. A predicted BUG ends the trace for all.
// RunResult::verdicts holds one verdict per implementation and comparison;
// RunResult::failure is the first failure, in op order.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "harness/backend.h"
#include "harness/coverage.h"
#include "harness/ops.h"
#include "reference/model.h"

namespace vmapfuzz::harness {

struct Failure {
  // Stable identity of the bug, e.g. "translation:v4:ioremap:pte:pa-mismatch":
  // <check>:<implementation>:<op>:<level>:<what>.
  std::string signature;
  std::size_t op_index = 0;    // 0-based
  std::string detail;          // human-readable explanation, several lines
  std::string impl;            // the implementation that failed ("v4", "mainline-vs-v4")
  std::size_t impl_index = 0;  // into Runner::impls(); a comparison: its second side
  std::size_t base_index = 0;  // a comparison: its first side (mainline, or the era engine)
  std::pair<engine::u64, engine::u64> range{0, 0};  // VAs the failing check looked at
  std::optional<engine::u64> va;                    // first VA concerned, if known
};

// What an entry of RunResult::verdicts is.
enum class ImplRole {
  variant,     // an engine variant: mainline, or the trace's variant
  era_engine,  // the engine variant of a backend's era, run only for it
  backend,     // a Backend (the `kernel` implementation)
  comparison,  // two implementations compared with each other ("mainline-vs-v4")
};
std::string_view role_name(ImplRole r);

enum class VerdictStatus {
  pass,        // judged on every op the trace ran, and at its end: no failure
  fail,        // a check failed (ImplVerdict::failure); not run after that op
  not_judged,  // stopped before the end without failing (ImplVerdict::reason)
  not_run,     // judged on no op at all (ImplVerdict::reason)
};
std::string_view status_name(VerdictStatus s);  // "PASS", "FAIL", "NOT-JUDGED", "NOT-RUN"

// How one implementation, or one comparison of two, fared on a trace.
struct ImplVerdict {
  std::string name;  // as in signatures: "mainline", "v4", "kernel", "v6.12-vs-kernel"
  ImplRole role = ImplRole::variant;
  VerdictStatus status = VerdictStatus::pass;
  std::optional<Failure> failure;  // status fail
  std::size_t ops_judged = 0;      // ops it was checked on (a failing op included)
  // not_judged, not_run: why it stopped; it stopped before op ops_judged
  // (0-based), e.g. "op 3 (vmalloc) is not supported by this implementation".
  std::string reason;
  std::string source;  // backend: what it was built from (Backend::source())
};

struct RunResult {
  std::optional<std::string> rejected;  // outside the contract: not run
  // The trace's own variant met an op whose VA its area allocator cannot
  // produce (docs/placement.md): the run ended there, with this reason.
  std::optional<std::string> unreachable;
  // The first failure: the lowest op index, then the order of `verdicts`
  // (the per-op checks of an op before the end-of-trace checks).
  std::optional<Failure> failure;
  // Every implementation the trace ran on, in the order of Runner::impls(),
  // then the comparisons (mainline-vs-<variant>, <era>-vs-<backend>).
  // Empty when rejected.
  std::vector<ImplVerdict> verdicts;
  std::size_t ops_run = 0;       // ops run on at least one implementation
  bool stopped_by_bug = false;   // a modelled BUG ended the trace (as predicted)
  bool backend_retired = false;  // the backend met an op it cannot run (see notes)
  // Things a reader should know that are not failures, e.g. that the
  // kernel implementation stopped at an op its tree does not support.
  std::vector<std::string> notes;

  // Whether any implementation or comparison failed with `signature`.
  bool failed_with(std::string_view signature) const;
  // The verdict of the registered backend, or nullptr when none ran.
  const ImplVerdict* backend_verdict() const;
};

// After every kAuditEvery ops, and after the last op, the Runner audits
// the whole tree of every implementation (structure, leaks, every leaf,
// every comparison); the checks after each op cover the VAs the op touched
// (touched_range(), oracle.h).
inline constexpr std::size_t kAuditEvery = 16;

// Runs traces; keeps its kernels between runs so that fuzzing does not
// reallocate table memory for every input.
class Runner {
 public:
  Runner();
  ~Runner();
  RunResult run(const Trace& t);
  // Every later run adds what it exercised to `cov` (nullptr: stop).
  void set_coverage(SemanticCoverage* cov) { coverage_ = cov; }

  // Access for reports: the kernels and models of the last run, by
  // implementation: mainline first, then the trace's variant if different;
  // with a registered Backend (harness/backend.h), the engine variant of its
  // era if not already there, then the backend itself.
  // A failed or retired implementation keeps the state of the op it
  // stopped at.
  struct Impl {
    engine::Variant variant;
    std::unique_ptr<engine::Kernel> kernel;
    std::unique_ptr<reference::RefKernel> ref;
    Backend* backend = nullptr;  // nullptr: the engine runs this one
    ImplRole role = ImplRole::variant;
    bool retired = false;      // failed, or the backend met an op it cannot run
    std::string name() const;  // "v4", "kernel"
    // During a run: its verdict so far, and the VA range its reference
    // says the current op touches.
    VerdictStatus status = VerdictStatus::pass;
    std::size_t ops_judged = 0;
    std::optional<Failure> failure;
    std::string reason;
    std::pair<engine::u64, engine::u64> range{0, 0};
    // The leaf runs its last passing table check saw, over `runs_range`
    // ({0, 0}: none this op); the comparisons reuse them.
    std::vector<reference::LeafRun> runs;
    std::pair<engine::u64, engine::u64> runs_range{0, 0};
    int ret = 0;  // the current op's return code
    // `placement any`: an op so far had a VA its placement rule cannot
    // produce; failures from then on carry ":placement-any".
    bool beyond_placement = false;
  };
  const std::vector<Impl>& impls() const { return impls_; }

 private:
  // Two implementations compared with each other, while both run.
  struct Pair {
    std::size_t base = 0, other = 0;  // into impls_
    bool bit_identical = false;       // a backend: else mainline and the variant (relation)
    bool retired = false;
    VerdictStatus status = VerdictStatus::pass;
    std::size_t ops_judged = 0;
    std::optional<Failure> failure;
    std::string reason;
  };
  // Gives `im` a kernel and a reference model of geometry g, variant v and
  // configuration cfg in boot state, with Impl::runs' storage: its own,
  // reset, if they are those; else a set from spare_ (where its own go);
  // else new ones. Inputs alternate between variants and geometries; a set
  // kept for each keeps its memory, so that an input does not allocate what
  // the previous one freed: libFuzzer runs LeakSanitizer over any input
  // that allocates more than it frees (bench/RESULTS.md, "Where a libFuzzer
  // execution goes").
  void prepare(Impl& im, const engine::Geometry& g, engine::Variant v,
               const engine::KernelConfig& cfg);
  static constexpr std::size_t kSpareKernels = 64;
  struct Spare {
    std::unique_ptr<engine::Kernel> kernel;
    std::unique_ptr<reference::RefKernel> ref;
    std::vector<reference::LeafRun> runs;  // Impl::runs' storage
  };

  std::vector<Impl> impls_;
  std::vector<Spare> spare_;  // most recently used last
  std::vector<Pair> pairs_;
  SemanticCoverage* coverage_ = nullptr;
};

// Executes one op on an engine kernel; returns its Outcome.
engine::Outcome execute(engine::Kernel& k, const Op& op);
// Predicts one op on the reference model.
engine::Outcome predict(reference::RefKernel& r, const Op& op);

}  // namespace vmapfuzz::harness
