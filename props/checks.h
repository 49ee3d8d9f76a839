// SPDX-License-Identifier: GPL-2.0-only
// Plain checks the properties share (no RapidCheck here): the per-op checks
// the Runner makes, for properties that drive an engine kernel op by op,
// and small queries over the leaves the MMU sees.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "harness/oracle.h"
#include "reference/mmu_walker.h"
#include "reference/model.h"

namespace vmapfuzz::props {

using engine::u64;

// What the MMU sees in `k`'s tables, and their structural issues.
reference::TableScan scan(const engine::Kernel& k);

// The first structural issue of a scan, as text; empty if there is none
// (so that RC_ASSERT(structure_issues(s) == "") prints it on failure).
std::string structure_issues(const reference::TableScan& s);

// The Runner's checks after one op, in its order: `actual` (the engine's
// Outcome) against `expected` (the model's prediction), then the structure
// of k's tables, then k's leaves against `ref_after` (the model after the
// same op), then the number of live tables. nullopt if all agree.
std::optional<harness::Mismatch> check_op(const reference::RefKernel& ref_after,
                                          const engine::Outcome& expected,
                                          const engine::Kernel& k,
                                          const engine::Outcome& actual);

// A stable signature for a mismatch, as harness::Failure spells it:
// <check>:<implementation>:<op>:<level>:<what>.
std::string signature(const harness::Mismatch& m, engine::Variant v, const harness::Op& op);

// The first difference between two kernels' page tables (the same live
// tables at the same addresses holding the same descriptors), or nullopt
// if they are bit-identical.
std::optional<std::string> pool_difference(const engine::Kernel& a, const engine::Kernel& b);

// The leaf runs of `runs` that overlap [va, end).
std::vector<reference::LeafRun> runs_in(const std::vector<reference::LeafRun>& runs, u64 va,
                                        u64 end);

}  // namespace vmapfuzz::props
