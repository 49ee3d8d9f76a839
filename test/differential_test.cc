// SPDX-License-Identifier: GPL-2.0-only
// The reference model agrees with the engine on the scenarios of the other
// unit tests (the same checks harness::Runner makes, spelled out), Runner
// itself passes, rejects and stops as documented, and a corrupted table
// between two ops is reported as a structure or translation failure.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "harness/oracle.h"
#include "harness/runner.h"
#include "harness/variant_relation.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::KernelConfig;
using engine::ProtName;
using engine::Variant;
using harness::FailAllocOp;
using harness::IoremapOp;
using harness::IoremapPageRangeOp;
using harness::IounmapOp;
using harness::Op;
using harness::VmapPageRangeOp;
using harness::VunmapRangeOp;

u64 v(u64 off) { return va(off).v; }

struct Scenario {
  const char* name;
  KernelConfig cfg;
  std::vector<Op> ops;
};

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> s = {
      {"PMD block", {}, {IoremapOp{v(2 * M), 2 * M, kPa, ProtName::device}}},
      {"every leaf size in one call",
       {},
       {IoremapOp{v(1 * G), 1 * G + 2 * M + 64 * K + 8 * K, kPa + 1 * G, ProtName::normal}}},
      {"v4 batches of every size",
       {},
       {IoremapOp{v(2 * M + 64 * K), 2 * M - 64 * K, kPa + 64 * K}}},
      {"block over a leftover PTE table",
       {},
       {IoremapOp{v(2 * M), 4 * K, kPa}, IounmapOp{v(2 * M)}, IoremapOp{v(2 * M), 2 * M, kPa}}},
      {"PUD over leftover PMD and PTE tables",
       {},
       {IoremapOp{v(1 * G), 4 * K, kPa}, IoremapOp{v(1 * G + 4 * M), 4 * K, kPa},
        IounmapOp{v(1 * G)}, IounmapOp{v(1 * G + 4 * M)}, IoremapOp{v(1 * G), 1 * G, kPa}}},
      {"partial block and CONT unmaps",
       {},
       {IoremapOp{v(2 * M), 2 * M + 128 * K, kPa}, VunmapRangeOp{v(3 * M), 4 * K},
        VunmapRangeOp{v(4 * M + 68 * K), 4 * K}, VunmapRangeOp{v(1 * G + 2 * M), 4 * K},
        IounmapOp{v(2 * M)}}},
      {"partial PUD unmap",
       {},
       {VmapPageRangeOp{v(1 * G), 1 * G, kPa}, VunmapRangeOp{v(1 * G + 6 * M), 2 * M}}},
      {"ENOMEM at each level",
       {},
       // PUD table, then PMD table (the PUD table stays), then PTE table
       // (after a PMD block that the failed ioremap unmaps again).
       {FailAllocOp{1}, IoremapOp{v(0), 2 * M + 64 * K, kPa}, FailAllocOp{2},
        IoremapOp{v(0), 2 * M + 64 * K, kPa}, FailAllocOp{2}, IoremapOp{v(0), 2 * M + 64 * K, kPa},
        IoremapOp{v(0), 2 * M + 64 * K, kPa}}},
      {"unaligned vmap_page_range size",
       {},
       {VmapPageRangeOp{v(1 * G - 2 * M), 2 * M + 0x800, kPa},
        VmapPageRangeOp{v(4 * G), 6 * K, kPa}}},
      {"remapping a present PTE",
       {},
       {VmapPageRangeOp{v(8 * K), 4 * K, kPa}, VmapPageRangeOp{v(0), 16 * K, kPa}}},
      {"ioremap_page_range area checks",
       {},
       {IoremapPageRangeOp{v(0), 2 * M, kPa}, IoremapOp{v(2 * M), 2 * M, kPa},
        IoremapPageRangeOp{v(2 * M), 1 * M, kPa}, IoremapPageRangeOp{v(3 * M), 1 * M, kPa},
        IoremapOp{v(2 * M), 2 * M, kPa}}},
      {"nohugeiomap", {.nohugeiomap = true}, {IoremapOp{v(2 * M), 2 * M + 64 * K, kPa}}},
      {"iounmap of nothing", {}, {IounmapOp{v(0)}}},
      {"vunmap over empty entries",
       {},
       {VunmapRangeOp{v(0), 4 * K}, IoremapOp{v(0), 4 * K, kPa}, VunmapRangeOp{v(1 * G), 4 * K},
        VunmapRangeOp{v(2 * M), 4 * M}}},
      {"mapping over a live PTE at a group start",
       {},
       {VmapPageRangeOp{v(64 * K), 4 * K, kPa + 64 * M}, VmapPageRangeOp{v(0), 1 * M, kPa}}},
      {"mapping over a live PTE inside a group",
       {},
       {VmapPageRangeOp{v(68 * K), 4 * K, kPa + 64 * M}, VmapPageRangeOp{v(0), 1 * M, kPa},
        VunmapRangeOp{v(0), 1 * M}}},
      {"pages mapped just below a run they continue",
       {},
       {VmapPageRangeOp{v(16 * K), 16 * K, kPa + 16 * K}, VmapPageRangeOp{v(0), 16 * K, kPa}}},
      {"rewriting a live block",
       {},
       {VmapPageRangeOp{v(2 * M), 2 * M, kPa},
        VmapPageRangeOp{v(2 * M), 2 * M, kPa, ProtName::kernel_ro}}},
  };
  return s;
}

TEST(RefKernel, PredictsEngineOutcomeAndLeaves) {
  for (Variant variant : engine::kAllVariants)
    for (const Scenario& s : scenarios()) {
      SCOPED_TRACE(std::string(engine::variant_name(variant)) + ": " + s.name);
      expect_engine_matches_reference(variant, s.cfg, s.ops);
    }
}

harness::Trace trace_of(const Scenario& s, Variant variant) {
  harness::Trace t;
  t.variant = variant;
  t.config = s.cfg;
  t.ops = s.ops;
  return t;
}

TEST(Runner, PassesEveryScenarioOnBothVariants) {
  harness::Runner runner;
  for (Variant variant : engine::kAllVariants)
    for (const Scenario& s : scenarios()) {
      SCOPED_TRACE(std::string(engine::variant_name(variant)) + ": " + s.name);
      const harness::RunResult r = runner.run(trace_of(s, variant));
      EXPECT_FALSE(r.rejected) << *r.rejected;
      EXPECT_FALSE(r.failure) << r.failure->signature << "\n" << r.failure->detail;
      if (!r.stopped_by_bug) {
        EXPECT_EQ(r.ops_run, s.ops.size());
      }
    }
}

TEST(Runner, RejectsTraceOutsideTheContract) {
  harness::Runner runner;
  harness::Trace t;
  t.ops = {IoremapOp{v(0), 2 * M, kPa}, VunmapRangeOp{v(0), 0}};
  const harness::RunResult r = runner.run(t);
  ASSERT_TRUE(r.rejected);
  EXPECT_NE(r.rejected->find("op 2"), std::string::npos) << *r.rejected;
  EXPECT_EQ(r.ops_run, 0u);
  EXPECT_FALSE(r.failure);
}

TEST(Runner, StopsAtPredictedBug) {
  harness::Runner runner;
  harness::Trace t;
  t.ops = {VmapPageRangeOp{v(8 * K), 4 * K, kPa}, VmapPageRangeOp{v(0), 16 * K, kPa},
           IoremapOp{v(1 * G), 2 * M, kPa}};
  const harness::RunResult r = runner.run(t);
  EXPECT_FALSE(r.failure) << r.failure->signature;
  EXPECT_TRUE(r.stopped_by_bug);
  EXPECT_EQ(r.ops_run, 2u);
}

// v4 overwrites the live PTE mainline BUGs on; Runner stops comparing the
// variants with each other (oracle.h, maps_over_live_mapping) but still
// compares each with its own reference.
TEST(Runner, AcceptsVariantDivergenceAfterMappingOverLiveMapping_quirk) {
  harness::Runner runner;
  harness::Trace t;
  t.variant = Variant::v4;
  t.ops = {VmapPageRangeOp{v(64 * K), 4 * K, kPa + 64 * M}, VmapPageRangeOp{v(0), 1 * M, kPa}};
  const harness::RunResult r = runner.run(t);
  EXPECT_FALSE(r.failure) << r.failure->signature;
  EXPECT_TRUE(r.stopped_by_bug);  // mainline's BUG
  ASSERT_EQ(runner.impls().size(), 2u);
  EXPECT_EQ(runner.impls()[0].kernel->out().bug, engine::BugId::vmap_pte_range_remap);
  EXPECT_EQ(runner.impls()[1].kernel->out().bug, engine::BugId::none);
  EXPECT_EQ(translate(*runner.impls()[1].kernel, va(64 * K)).pa, kPa + 64 * K);
}

// --- corrupting the engine's tables between two ops ---

// The table entry a translation of `off` ended on.
u64& leaf_entry(Kernel& k, u64 off) {
  const reference::Translation t = translate(k, va(off));
  const reference::WalkStep& s = t.steps.back();
  return k.pool().table(PhysAddr{s.table_pa})[s.index];
}

struct Corruption {
  const char* name;
  std::function<void(Kernel&)> corrupt;
  const char* check;
  const char* what;
};

TEST(Oracle, ReportsTablesCorruptedBetweenOps) {
  const Corruption rows[] = {
      {"block output address", [](Kernel& k) { leaf_entry(k, 2 * M) ^= 4 * M; }, "translation",
       "pa-mismatch"},
      {"block memory type", [](Kernel& k) { leaf_entry(k, 2 * M) ^= engine::PTE_ATTRINDX(1); },
       "translation", "attrs-mismatch"},
      {"block cleared", [](Kernel& k) { leaf_entry(k, 2 * M) = 0; }, "translation",
       "missing-mapping"},
      {"page made a reserved L3 encoding",
       // (A page-level entry with the valid bit alone, or a non-zero invalid
       // one, is an entry that translates nothing, TableScan::invalid, since
       // set_memory_valid makes them; in a CONT group it breaks the group.)
       [](Kernel& k) { leaf_entry(k, 8 * M + 64 * K) &= ~engine::PTE_TABLE_BIT; }, "structure",
       "malformed-cont"},
      {"invalid but non-zero entry",
       [](Kernel& k) { leaf_entry(k, 8 * M + 64 * K) &= ~engine::PTE_VALID; }, "structure",
       "malformed-cont"},
      {"one entry of a CONT group lost its bit",
       [](Kernel& k) { leaf_entry(k, 8 * M + 4 * K) &= ~engine::PTE_CONT; }, "structure",
       "malformed-cont"},
      {"a whole CONT group lost its bit",
       [](Kernel& k) {
         for (u64 o = 0; o < 64 * K; o += 4 * K) leaf_entry(k, 8 * M + o) &= ~engine::PTE_CONT;
       },
       "layout", "cont-missing"},
      {"table never linked", [](Kernel& k) { k.pool().alloc(); }, "structure", "leaked-table"},
      {"PTE table freed under its PMD entry",
       [](Kernel& k) {
         const reference::Translation t = translate(k, va(8 * M));
         k.pool().free(PhysAddr{t.steps.back().table_pa});
       },
       "structure", "dangling-table"},
  };
  const std::vector<Op> ops = {IoremapOp{v(2 * M), 2 * M, kPa + 2 * M},
                               IoremapOp{v(8 * M), 128 * K, kPa + 8 * M},
                               VunmapRangeOp{v(100 * G), 4 * K}};
  for (const Corruption& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    reference::RefKernel ref(geo(), Variant::v4);
    std::optional<harness::Mismatch> found;
    for (std::size_t i = 0; i < ops.size() && !found; ++i) {
      const engine::Outcome expected = harness::predict(ref, ops[i]);
      const engine::Outcome actual = harness::execute(k, ops[i]);
      ASSERT_FALSE(harness::compare_outcomes(expected, actual));
      if (i == 1) r.corrupt(k);
      const reference::TableScan sc = scan(k);
      found = harness::check_structure(sc, ref.facts().leaf_level);
      if (!found)
        found = harness::compare_leaves(ref.expected_runs(), sc.runs, ref.facts().leaf_level);
      if (i < 1) {
        ASSERT_FALSE(found) << found->detail;
      }
    }
    ASSERT_TRUE(found);
    EXPECT_EQ(found->check, r.check) << found->detail;
    EXPECT_EQ(found->what, r.what) << found->detail;
  }
}

}  // namespace
}  // namespace vmapfuzz::test
