// SPDX-License-Identifier: GPL-2.0-only
// The differential executor: runs a trace on every implementation (the
// engine variants) and on the reference model, op by op, and checks after
// each op that
//   - the Outcome (return code, BUG, WARNs, flushes, tables allocated and
//     freed, pgtbl_mod_mask) equals the reference's prediction;
//   - the tables are well formed (no dangling, shared or leaked table, no
//     reserved or garbage descriptor, every block aligned, every CONT group
//     architecturally valid);
//   - the leaves the MMU sees equal the reference's expected leaves
//     (translation of every page, then level and CONT use);
//   - mainline and the variant under test hold bit-identical tables, while
//     the trace stays inside the kernel's contract (see oracle.h).
// The first failed check ends the run with a Failure and its signature.
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
  std::size_t impl_index = 0;  // into Runner::impls(); 1 for a variants comparison
  std::size_t base_index = 0;  // for a comparison of two implementations: the other one
  std::pair<engine::u64, engine::u64> range{0, 0};  // VAs the failing check looked at
  std::optional<engine::u64> va;                    // first VA concerned, if known
};

struct RunResult {
  std::optional<std::string> rejected;  // outside the contract: not run
  std::optional<Failure> failure;
  std::size_t ops_run = 0;
  bool stopped_by_bug = false;   // a modelled BUG ended the trace (as predicted)
  bool backend_retired = false;  // the backend met an op it cannot run (see notes)
  // Things a reader should know that are not failures, e.g. that the
  // kernel implementation stopped at an op its tree does not support.
  std::vector<std::string> notes;
};

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
  struct Impl {
    engine::Variant variant;
    std::unique_ptr<engine::Kernel> kernel;
    std::unique_ptr<reference::RefKernel> ref;
    Backend* backend = nullptr;  // nullptr: the engine runs this one
    bool retired = false;        // the backend met an op it cannot run
    std::string name() const;    // "v4", "kernel"
  };
  const std::vector<Impl>& impls() const { return impls_; }

 private:
  std::vector<Impl> impls_;
  SemanticCoverage* coverage_ = nullptr;
};

// Executes one op on an engine kernel; returns its Outcome.
engine::Outcome execute(engine::Kernel& k, const Op& op);
// Predicts one op on the reference model.
engine::Outcome predict(reference::RefKernel& r, const Op& op);

}  // namespace vmapfuzz::harness
