// SPDX-License-Identifier: GPL-2.0-only
// The reference's block rule (plan_phys_range, docs/mapping-rules.md#the-resulting-layout)
// and its agreement with the engine's call counts.
#include "reference/layout.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "engine/vmap_range.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Variant;
using reference::Step;

struct PlanRow {
  const char* name;
  Variant v;
  u64 off, size, pa_off;
  unsigned max_shift;
  std::vector<Step> steps;  // kind, size and count matter; va and pa are checked apart
};

Step step(Step::Kind kind, u64 size, u64 count = 1) { return {kind, 0, size, 0, count}; }

const std::vector<PlanRow>& plan_rows() {
  static const std::vector<PlanRow> rows = {
      {"aligned 2M", Variant::v4, 2 * M, 2 * M, 0, 63, {step(Step::pmd_block, 2 * M)}},
      {"aligned 1G", Variant::mainline, 1 * G, 1 * G, 0, 63, {step(Step::pud_block, 1 * G)}},
      {"1M on mainline", Variant::mainline, 0, 1 * M, 0, 63, {step(Step::cont_batch, 64 * K, 16)}},
      {"1M on v4", Variant::v4, 0, 1 * M, 0, 63, {step(Step::cont_batch, 1 * M)}},
      {"768K on v4 rounds down",
       Variant::v4,
       0,
       768 * K,
       0,
       63,
       {step(Step::cont_batch, 512 * K), step(Step::cont_batch, 256 * K)}},
      {"v4 batch capped by the table end",
       Variant::v4,
       1536 * K,
       1 * M,
       1536 * K,
       63,
       {step(Step::cont_batch, 512 * K), step(Step::cont_batch, 512 * K)}},
      {"v4 batch capped by max_page_shift",
       Variant::v4,
       0,
       256 * K,
       0,
       17,
       {step(Step::cont_batch, 128 * K, 2)}},
      {"VA and PA not congruent mod 64K",
       Variant::v4,
       0,
       128 * K,
       4 * K,
       63,
       {step(Step::pte, 4 * K, 32)}},
      {"pages then a group",
       Variant::v4,
       60 * K,
       68 * K,
       60 * K,
       63,
       {step(Step::pte, 4 * K), step(Step::cont_batch, 64 * K)}},
      {"unaligned tail",
       Variant::v4,
       0,
       2 * M + 0x800,
       0,
       63,
       {step(Step::pmd_block, 2 * M), step(Step::unaligned, 0x800)}},
      // Linux 6.12: no CONT batches, and an unaligned tail maps its partial
      // page before the walk steps over the end.
      {"1M on v6.12", Variant::v6_12, 0, 1 * M, 0, 63, {step(Step::pte, 4 * K, 256)}},
      {"1G on v6.12", Variant::v6_12, 1 * G, 1 * G, 0, 63, {step(Step::pud_block, 1 * G)}},
      {"unaligned tail on v6.12",
       Variant::v6_12,
       0,
       2 * M + 0x800,
       0,
       63,
       {step(Step::pmd_block, 2 * M), step(Step::pte, 4 * K), step(Step::past_end, 0)}},
  };
  return rows;
}

TEST(PlanPhysRange, ChoosesTheLargestLeafAtEachStep) {
  for (const PlanRow& r : plan_rows()) {
    SCOPED_TRACE(r.name);
    const auto steps = reference::plan_phys_range(geo(), r.v, va(r.off).v, va(r.off).v + r.size,
                                                  kPa + r.pa_off, r.max_shift);
    ASSERT_EQ(steps.size(), r.steps.size());
    u64 x = va(r.off).v;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      EXPECT_EQ(steps[i].kind, r.steps[i].kind) << "step " << i;
      EXPECT_EQ(steps[i].size, r.steps[i].size) << "step " << i;
      EXPECT_EQ(steps[i].count, r.steps[i].count) << "step " << i;
      EXPECT_EQ(steps[i].va, x) << "step " << i;
      EXPECT_EQ(steps[i].pa, kPa + r.pa_off + (x - va(r.off).v)) << "step " << i;
      x += steps[i].bytes();
    }
  }
}

// One plan write is one arch call in the engine.
TEST(PlanPhysRange, MatchesEngineCallCounts) {
  for (const PlanRow& r : plan_rows()) {
    SCOPED_TRACE(r.name);
    const auto steps = reference::plan_phys_range(geo(), r.v, va(r.off).v, va(r.off).v + r.size,
                                                  kPa + r.pa_off, r.max_shift);
    u64 count[Step::past_end + 1] = {};
    for (const Step& s : steps) count[s.kind] += s.count;
    engine::Kernel k(geo(), r.v);
    const int ret = engine::vmap_range_noflush(k, va(r.off), va(r.off) + r.size, pa(r.pa_off),
                                               engine::PAGE_KERNEL, r.max_shift);
    EXPECT_EQ(ret, count[Step::unaligned]  ? -engine::kEINVAL
                   : count[Step::past_end] ? -engine::kBUGGED
                                           : 0);
    EXPECT_EQ(k.counters().pud_set_huge, count[Step::pud_block]);
    EXPECT_EQ(k.counters().pmd_set_huge, count[Step::pmd_block]);
    EXPECT_EQ(k.counters().set_huge_pte_at, count[Step::cont_batch]);
    EXPECT_EQ(k.counters().set_pte_at, count[Step::pte]);
  }
}

// The hardware level the engine's leaves of each step are read at: the step's level.
TEST(PlanPhysRange, EngineWritesEachStepAtItsLevel) {
  const reference::GeometryFacts& f = reference::geometry_facts(geo());
  for (const PlanRow& r : plan_rows()) {
    SCOPED_TRACE(r.name);
    engine::Kernel k(geo(), r.v);
    engine::vmap_range_noflush(k, va(r.off), va(r.off) + r.size, pa(r.pa_off), engine::PAGE_KERNEL,
                               r.max_shift);
    const auto steps = reference::plan_phys_range(geo(), r.v, va(r.off).v, va(r.off).v + r.size,
                                                  kPa + r.pa_off, r.max_shift);
    for (const Step& s : steps) {
      if (s.kind == Step::unaligned || s.kind == Step::past_end) continue;
      SCOPED_TRACE(std::string(reference::step_kind_name(s.kind)) + " step at +" +
                   std::to_string(s.va - va(0).v));
      const reference::Translation t = translate(k, VirtAddr{s.va});
      ASSERT_TRUE(t.mapped);
      EXPECT_EQ(t.level, reference::step_level(f, s.kind));
      EXPECT_EQ(t.cont, s.kind == Step::cont_batch);
    }
  }
}

// Block steps sit where their kernel level lives (the level it is folded onto, if
// folded), every other step at the page level. Worked out by hand per row.
TEST(PlanPhysRange, NamesEachStepKindAndItsLevel) {
  const std::pair<Step::Kind, const char*> names[] = {
      {Step::pud_block, "pud"}, {Step::pmd_block, "pmd"},       {Step::cont_batch, "cont"},
      {Step::pte, "pte"},       {Step::unaligned, "unaligned"}, {Step::past_end, "past-end"},
  };
  for (const auto& [kind, name] : names) EXPECT_STREQ(reference::step_kind_name(kind), name);

  struct LevelRow {
    const char* geometry;
    unsigned pud, pmd, page;
  };
  const LevelRow rows[] = {
      {"arm64-4k-48", 1, 2, 3},   // four levels
      {"arm64-64k-42", 2, 2, 3},  // two: PUD and PMD folded onto the root
      {"riscv64-sv39", 1, 2, 3},  // three: the PUD folded onto the root
      {"x86-64-5l", 2, 3, 4},     // five
  };
  for (const LevelRow& r : rows) {
    SCOPED_TRACE(r.geometry);
    const reference::GeometryFacts* f = reference::find_geometry_facts(r.geometry);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(reference::step_level(*f, Step::pud_block), r.pud);
    EXPECT_EQ(reference::step_level(*f, Step::pmd_block), r.pmd);
    for (Step::Kind k : {Step::cont_batch, Step::pte, Step::unaligned, Step::past_end})
      EXPECT_EQ(reference::step_level(*f, k), r.page) << reference::step_kind_name(k);
  }
}

}  // namespace
}  // namespace vmapfuzz::test
