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

// The first structural issue of a scan of a kernel on geometry `g`, as
// text; empty if there is none (so that RC_ASSERT(structure_issues(s, g) ==
// "") prints it on failure).
std::string structure_issues(const reference::TableScan& s, const engine::Geometry& g);

// One op on the engine kernel `k` and on a copy of the model `ref`, checked
// as the Runner checks it (harness::check_op over the whole tree): the
// failure's signature (harness::signature) and details, or nullopt. The
// body of every stateful command's run().
struct StepFailure {
  std::string signature, detail;
};
std::optional<StepFailure> step_and_check(const reference::RefKernel& ref, engine::Kernel& k,
                                          const harness::Op& op);

// What the TLB model watching `k` (harness/tlb.h) reports over every VA:
// its first break-before-make or walk-cache violation since it was last
// asked, else the first stale cached translation; empty if none. Properties
// that drive a kernel with harness::execute() and judge the result
// themselves end with RC_ASSERT(tlb_issues(k) == "").
std::string tlb_issues(const engine::Kernel& k);

// A VA range [va, va + size).
struct Range {
  u64 va = 0, size = 0;
  u64 end() const { return va + size; }
  friend bool operator==(const Range&, const Range&) = default;
};

// How the outcome of an op on the series (`series`) differs from mainline's
// (`mainline`), or nullopt if it does not: every field as
// harness::compare_outcomes() compares them, except arch_sync_kernel_mappings
// events (x86-64), which each top-level walk makes for the range it
// modified: the series' fewer walks sync fewer, wider ranges, so it only
// has to sync every range mainline syncs.
std::optional<std::string> series_outcome_difference(const engine::Outcome& mainline,
                                                     const engine::Outcome& series);

// The first difference between two kernels' page tables over the whole
// VA space (harness::compare_tables), or nullopt if they are bit-identical.
std::optional<std::string> tables_difference(const engine::Kernel& a, const engine::Kernel& b);

// Bytes of `runs` (leaves of a kernel on geometry `g`) mapped with a
// PMD/PUD block or a CONT group.
u64 huge_bytes(const std::vector<reference::LeafRun>& runs, const engine::Geometry& g);

// The live vm areas of a trace so far and the ranges its mapping ops
// touched, kept up to date through the reference model (which has no
// list of areas to read): what vfree/vunmap/iounmap and vunmap_range aim
// at. Ranges exclude the guard page.
struct LiveAreas {
  std::vector<Range> ioremap, vmalloc, vmap;
  std::vector<Range> mapped;  // every range a mapping op asked for, live or not

  // After `op` was predicted on `ref` with outcome `out`.
  void after(const reference::RefKernel& ref, const harness::Op& op, const engine::Outcome& out);
  std::vector<Range> areas() const;    // all live areas
  std::vector<Range> targets() const;  // areas() and mapped
};

// The leaf runs of `runs` that overlap [va, end).
std::vector<reference::LeafRun> runs_in(const std::vector<reference::LeafRun>& runs, u64 va,
                                        u64 end);

}  // namespace vmapfuzz::props
