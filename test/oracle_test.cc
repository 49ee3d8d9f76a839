// SPDX-License-Identifier: GPL-2.0-only
// The oracle's comparison helpers on hand-built inputs: where two leaf
// lists first differ, how the difference is classified, and how Outcome
// differences are named.
#include "harness/oracle.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

#include "reference/attrs.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using reference::LeafRun;

const reference::Attrs kDev = reference::expected_attrs(engine::ProtName::device, true);
const reference::Attrs kRo = reference::expected_attrs(engine::ProtName::kernel_ro, true);

constexpr unsigned kPud = engine::kPudLevel, kPmd = engine::kPmdLevel, kPte = engine::kPteLevel;

LeafRun run(u64 off, u64 size, u64 pa, unsigned level, bool cont = false,
            reference::Attrs a = kDev) {
  return {va(off).v, size, pa, level, cont, a};
}

struct Row {
  const char* name;
  std::vector<LeafRun> expected, actual;
  std::optional<u64> divergence;  // VA offset
  const char* check;              // nullptr: no mismatch
  const char* level;
  const char* what;
};

TEST(Oracle, ClassifiesTheFirstLeafDifference) {
  const Row rows[] = {
      {"identical",
       {run(0, 2 * M, kPa, kPmd)},
       {run(0, 2 * M, kPa, kPmd)},
       std::nullopt,
       nullptr,
       "",
       ""},
      {"both empty", {}, {}, std::nullopt, nullptr, "", ""},
      {"output address differs",
       {run(0, 2 * M, kPa, kPmd)},
       {run(0, 2 * M, kPa + 2 * M, kPmd)},
       0,
       "translation",
       "pmd",
       "pa-mismatch"},
      {"attributes differ",
       {run(0, 64 * K, kPa, kPte, true)},
       {run(0, 64 * K, kPa, kPte, true, kRo)},
       0,
       "translation",
       "pte",
       "attrs-mismatch"},
      {"mapping missing",
       {run(1 * G, 1 * G, kPa, kPud)},
       {},
       1 * G,
       "translation",
       "pud",
       "missing-mapping"},
      {"mapping unexpected",
       {},
       {run(4 * K, 4 * K, kPa, kPte)},
       4 * K,
       "translation",
       "pte",
       "unexpected-mapping"},
      {"block where pages were expected",
       {run(0, 2 * M, kPa, kPte)},
       {run(0, 2 * M, kPa, kPmd)},
       0,
       "layout",
       "pte",
       "pte-vs-pmd"},
      {"pages where a block was expected",
       {run(0, 1 * G, kPa, kPud)},
       {run(0, 1 * G, kPa, kPmd)},
       0,
       "layout",
       "pud",
       "pud-vs-pmd"},
      {"CONT missing",
       {run(0, 64 * K, kPa, kPte, true)},
       {run(0, 64 * K, kPa, kPte, false)},
       0,
       "layout",
       "pte",
       "cont-missing"},
      {"CONT unexpected",
       {run(0, 64 * K, kPa, kPte, false)},
       {run(0, 64 * K, kPa, kPte, true)},
       0,
       "layout",
       "pte",
       "cont-unexpected"},
      {"actual run ends early",
       {run(0, 128 * K, kPa, kPte)},
       {run(0, 64 * K, kPa, kPte)},
       64 * K,
       "translation",
       "pte",
       "missing-mapping"},
      {"actual run goes on",
       {run(0, 64 * K, kPa, kPte)},
       {run(0, 128 * K, kPa, kPte)},
       64 * K,
       "translation",
       "pte",
       "unexpected-mapping"},
      {"later run starts elsewhere",
       {run(0, 64 * K, kPa, kPte), run(128 * K, 64 * K, kPa + 1 * M, kPte)},
       {run(0, 64 * K, kPa, kPte), run(192 * K, 64 * K, kPa + 1 * M, kPte)},
       128 * K,
       "translation",
       "pte",
       "missing-mapping"},
      {"later run has other attributes",
       {run(0, 2 * M, kPa, kPte)},
       {run(0, 1 * M, kPa, kPte), run(1 * M, 1 * M, kPa + 1 * M, kPte, false, kRo)},
       1 * M,
       "translation",
       "pte",
       "attrs-mismatch"},
      {"extra run at the end",
       {run(0, 2 * M, kPa, kPmd)},
       {run(0, 2 * M, kPa, kPmd), run(1 * G, 2 * M, kPa, kPmd)},
       1 * G,
       "translation",
       "pmd",
       "unexpected-mapping"},
      {"PA differs inside a run",
       {run(0, 2 * M, kPa, kPte)},
       {run(0, 1 * M, kPa, kPte), run(1 * M, 1 * M, kPa + 5 * M, kPte)},
       1 * M,
       "translation",
       "pte",
       "pa-mismatch"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const std::optional<u64> d = harness::first_divergence(r.expected, r.actual);
    EXPECT_EQ(d, r.divergence ? std::optional<u64>(va(*r.divergence).v) : std::nullopt);
    // Symmetric in its arguments.
    EXPECT_EQ(harness::first_divergence(r.actual, r.expected), d);
    const auto m = harness::compare_leaves(r.expected, r.actual, engine::kPteLevel);
    if (!r.check) {
      EXPECT_FALSE(m) << m->detail;
      continue;
    }
    ASSERT_TRUE(m);
    EXPECT_EQ(m->check, r.check) << m->detail;
    EXPECT_EQ(m->level, r.level) << m->detail;
    EXPECT_EQ(m->what, r.what) << m->detail;
  }
}

TEST(Oracle, FindsTheRunContainingAnAddress) {
  const std::vector<LeafRun> runs = {run(0, 64 * K, kPa, kPte), run(2 * M, 2 * M, kPa, kPmd)};
  EXPECT_EQ(harness::run_at(runs, va(0).v), &runs[0]);
  EXPECT_EQ(harness::run_at(runs, va(64 * K - 1).v), &runs[0]);
  EXPECT_EQ(harness::run_at(runs, va(64 * K).v), nullptr);
  EXPECT_EQ(harness::run_at(runs, va(4 * M - 1).v), &runs[1]);
  EXPECT_EQ(harness::run_at(runs, va(4 * M).v), nullptr);
  EXPECT_EQ(harness::run_at(runs, va(0).v - 1), nullptr);
}

TEST(Oracle, NamesTheFirstOutcomeDifference) {
  using engine::Outcome;
  struct ORow {
    const char* name;
    std::function<void(Outcome&)> change;
    const char* check;
    const char* what;
  };
  const ORow rows[] = {
      {"return code", [](Outcome& o) { o.ret = -engine::kENOMEM; }, "ret", "ok-vs-enomem"},
      {"BUG", [](Outcome& o) { o.bug = engine::BugId::vmap_pte_range_remap; }, "bug",
       "none-vs-vmap_pte_range:remap"},
      {"extra WARN",
       [](Outcome& o) {
         o.warns.push_back({engine::WarnId::pmd_bad, va(0)});
       },
       "warn", "unexpected-pmd_clear_bad"},
      {"missing WARN", [](Outcome& o) { o.warns.clear(); }, "warn",
       "missing-vunmap_pmd_range:partial-block"},
      {"tables allocated", [](Outcome& o) { ++o.tables_allocated; }, "tables", "alloc-count"},
      {"tables freed", [](Outcome& o) { ++o.tables_freed; }, "tables", "free-count"},
      {"flushes", [](Outcome& o) { o.flushes.pop_back(); }, "flush", "sequence"},
      {"mask", [](Outcome& o) { o.mod_mask = 0; }, "mask", "pgtbl-mod-mask"},
  };
  Outcome base;
  base.mod_mask = engine::PGTBL_PMD_MODIFIED;
  base.warns = {{engine::WarnId::vunmap_pmd_partial_block, va(2 * M)}};
  base.flushes = {{engine::FlushKind::tlb_kernel_range, va(2 * M), va(4 * M)}};
  EXPECT_FALSE(harness::compare_outcomes(base, base));
  for (const ORow& r : rows) {
    SCOPED_TRACE(r.name);
    Outcome changed = base;
    r.change(changed);
    const auto m = harness::compare_outcomes(base, changed);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->check, r.check) << m->detail;
    EXPECT_EQ(m->what, r.what) << m->detail;
  }
}

}  // namespace
}  // namespace vmapfuzz::test
