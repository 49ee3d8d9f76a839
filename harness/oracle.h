// SPDX-License-Identifier: GPL-2.0-only
// The checks behind Runner, usable on their own (tests, reports).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "harness/ops.h"
#include "reference/mmu_walker.h"
#include "reference/model.h"

namespace vmapfuzz::harness {

struct Mismatch {
  std::string check;   // "ret", "bug", "warn", "flush", "tables", "mask", "structure",
                       // "translation", "layout", "variants"
  std::string level;   // "pud", "pmd", "pte", "none" or "-"
  std::string what;    // short, stable: "pa-mismatch", "enomem-vs-ok", ...
  std::string detail;  // for humans
  std::optional<engine::u64> va = std::nullopt;  // the first VA it concerns, if any
};

// Outcome equality, field by field, most telling first.
std::optional<Mismatch> compare_outcomes(const engine::Outcome& expected,
                                         const engine::Outcome& actual);

// Levels are the reference's hardware levels (reference/geometry_facts.h);
// `leaf_level` is the geometry's page level (3 unless it has five levels),
// by which they are named.

// Structural issues of a table scan (first one reported).
std::optional<Mismatch> check_structure(const reference::TableScan& scan, unsigned leaf_level);

// Expected vs actual leaves: the first VA where they differ, classified as
// a translation difference (PA, attributes, mapped or not) or a layout
// difference (same translation, different level or CONT use).
std::optional<Mismatch> compare_leaves(const std::vector<reference::LeafRun>& expected,
                                       const std::vector<reference::LeafRun>& actual,
                                       unsigned leaf_level);

// The first VA where the two run lists differ (runs must be coalesced).
std::optional<engine::u64> first_divergence(const std::vector<reference::LeafRun>& a,
                                            const std::vector<reference::LeafRun>& b);

// The run containing va, or nullptr.
const reference::LeafRun* run_at(const std::vector<reference::LeafRun>& runs, engine::u64 va);

// The kernel's name for an entry at hardware level `level`: by its distance
// from the page level (pte, pmd, pud, p4d), except that the root table of
// a geometry with four or more levels is the pgd.
const char* level_name(unsigned level, unsigned leaf_level = engine::kPteLevel);

// Bytes of `runs` mapped with a PMD/PUD block or a CONT group.
engine::u64 huge_bytes(const std::vector<reference::LeafRun>& runs, unsigned leaf_level);
// The page level of geometry `g` (what the functions above take).
unsigned leaf_level_of(const common::GeometryConfig& g);

// The failure signature of a mismatch: <check>:<impl>:<op>:<level>:<what>,
// e.g. "translation:v4:vmap:pte:pa-mismatch". The one place it is spelled.
std::string signature(const Mismatch& m, std::string_view impl, const Op& op);

// The tables of `k` against the reference `ref` over VAs [lo, hi): their
// structure (scan_range), then the leaves against ref's expected leaves.
// [0, ~0) is the whole tree, with the leak check (scan_tables). When they
// pass and `runs` is given, it receives the leaf runs the scan saw.
std::optional<Mismatch> check_tables(const reference::RefKernel& ref, const engine::Kernel& k,
                                     engine::u64 lo, engine::u64 hi,
                                     std::vector<reference::LeafRun>* runs = nullptr);

// The checks after one op on one implementation, in order: its Outcome
// (`actual`) against the prediction (`expected`), then check_tables() over
// [lo, hi) unless empty, then the number of live tables against
// `ref_after` (the reference after the same op), then check_tlb(). The Runner calls it with
// the op's touched_range(); properties with the whole tree.
// `runs`, when given, receives the leaf runs over [lo, hi) (check_tables()).
std::optional<Mismatch> check_op(const reference::RefKernel& ref_after,
                                 const engine::Outcome& expected, const engine::Kernel& k,
                                 const engine::Outcome& actual, engine::u64 lo, engine::u64 hi,
                                 std::vector<reference::LeafRun>* runs = nullptr);

// The TLB model's checks (harness/tlb.h) of `k`, if one watches it: the
// first break-before-make or walk-cache violation since the last call, then
// the cached translations of VAs in [lo, hi) against the tables' leaf runs
// there (`runs`, or a scan when nullptr). check_op() ends with it; the
// Runner's audit calls it over the whole tree.
std::optional<Mismatch> check_tlb(const engine::Kernel& k, engine::u64 lo, engine::u64 hi,
                                  const std::vector<reference::LeafRun>* runs);

// The VA range an op may change, judged from the reference state before
// the op: its own range (an ioremap's guard page included), widened to the
// whole blocks and CONT groups an unmap clears. The per-op checks look
// there; the whole tree is checked at the end of the trace.
std::pair<engine::u64, engine::u64> touched_range(const reference::RefKernel& ref, const Op& op);

// Bit-identical descriptors (tables included) of two kernels for the VAs
// in [lo, hi); a description of the first difference, or nullopt.
std::optional<std::string> compare_tables(const engine::Kernel& a, const engine::Kernel& b,
                                          engine::u64 lo, engine::u64 hi);

}  // namespace vmapfuzz::harness
