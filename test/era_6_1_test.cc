// SPDX-License-Identifier: GPL-2.0-only
// The v6.1 variant (Linux 6.1, Debian's linux-source-6.1): its two
// differences from v6.12 pinned on v6.1 and absent on v6.12 and mainline,
// every other v6.12 rule shared bit for bit, engine-vs-reference agreement,
// the variant relation the runner applies between mainline and v6.1, and
// whole traces through the runner. The v6.12 rules themselves are stated
// in test/era_6_12_test.cc.
#include <gtest/gtest.h>

#include <string>

#include "engine/vmalloc.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
#include "harness/runner.h"
#include "harness/variant_relation.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::Variant;
using engine::WarnId;
using harness::FailAllocOp;
using harness::FailPageAllocOp;
using harness::IoremapOp;
using harness::IoremapPageRangeOp;
using harness::IounmapOp;
using harness::Op;
using harness::PageRun;
using harness::VariantRelation;
using harness::VfreeOp;
using harness::VmallocOp;
using harness::VmapOp;
using harness::VmapPageRangeOp;
using harness::VunmapOp;
using harness::VunmapRangeOp;

u64 v(u64 off) { return va(off).v; }

const engine::pgprot_t kDevice = engine::prot_value(engine::ProtName::device);

// Difference 1: ioremap_page_range() checks no vm area in 6.1. Where the
// later code WARNs once and refuses (-EINVAL without a VM_IOREMAP area,
// -ERANGE for a part of one), 6.1 maps the range as vmap_page_range() does.
TEST(Era61, IoremapPageRangeChecksNoArea) {
  struct Row {
    const char* name;
    Variant v;
    bool area;  // a VM_IOREMAP area of 64K at offset 0 first
    u64 size;
    int ret;
    std::vector<WarnId> warns;
    std::vector<Shape> shapes;
  };
  const Row rows[] = {
      {"no area, mainline",
       Variant::mainline,
       false,
       64 * K,
       -engine::kEINVAL,
       {WarnId::ioremap_area_not_ioremap},
       {}},
      {"no area, v6.12",
       Variant::v6_12,
       false,
       64 * K,
       -engine::kEINVAL,
       {WarnId::ioremap_area_not_ioremap},
       {}},
      {"no area, v6.1", Variant::v6_1, false, 64 * K, 0, {}, {pte_run(0, 64 * K, kPa)}},
      {"part of the area, v6.12",
       Variant::v6_12,
       true,
       60 * K,
       -engine::kERANGE,
       {WarnId::ioremap_range_mismatch},
       {}},
      {"part of the area, v6.1", Variant::v6_1, true, 60 * K, 0, {}, {pte_run(0, 60 * K, kPa)}},
      {"the whole area, v6.12", Variant::v6_12, true, 64 * K, 0, {}, {pte_run(0, 64 * K, kPa)}},
      {"the whole area, v6.1", Variant::v6_1, true, 64 * K, 0, {}, {pte_run(0, 64 * K, kPa)}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), r.v);
    if (r.area) {
      ASSERT_NE(engine::get_vm_area_at(k, va(0), 64 * K, engine::VM_IOREMAP), nullptr);
    }
    k.out().clear();
    EXPECT_EQ(engine::ioremap_page_range(k, va(0), va(r.size), pa(0), kDevice), r.ret);
    EXPECT_EQ(warn_ids(k.out()), r.warns);
    EXPECT_EQ(shapes(k), r.shapes);
  }
  for (Variant var : {Variant::v6_12, Variant::v6_1}) {
    SCOPED_TRACE(std::string(engine::variant_name(var)));
    expect_engine_matches_reference(
        var, {},
        {IoremapPageRangeOp{v(0), 64 * K, kPa}, IoremapOp{v(1 * M), 64 * K, kPa},
         VunmapRangeOp{v(1 * M), 64 * K}, IoremapPageRangeOp{v(1 * M), 60 * K, kPa + 1 * M}});
  }
}

// Difference 2: 6.1's __vmalloc_area_node() ORs __GFP_NOWARN into the mask
// of its own warn_alloc() calls: a failed page allocation or mapping fails
// the vmalloc the same way, silently.
TEST(Era61, VmallocFailuresDoNotWarn) {
  struct Row {
    const char* name;
    std::vector<Op> ops;  // the last one is the vmalloc
    std::vector<WarnId> warns_612;
  };
  const Row rows[] = {
      {"order-0 page allocation fails",
       {FailPageAllocOp{2, 0, 1000}, VmallocOp{v(0), 64 * K, false}},
       {WarnId::vmalloc_pages_failed}},
      {"the PTE table allocation fails",
       {FailAllocOp{2}, VmallocOp{v(0), 64 * K, false}},
       {WarnId::vmalloc_map_failed}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    for (Variant var : {Variant::v6_12, Variant::v6_1}) {
      SCOPED_TRACE(std::string(engine::variant_name(var)));
      Kernel k(geo(), var);
      engine::Outcome out;
      for (const Op& op : r.ops) out = harness::execute(k, op);
      EXPECT_EQ(out.ret, -engine::kENOMEM);
      EXPECT_EQ(warn_ids(out), var == Variant::v6_1 ? std::vector<WarnId>{} : r.warns_612);
      EXPECT_TRUE(k.areas().empty());
      expect_engine_matches_reference(var, {}, r.ops);
    }
  }
}

// Everything else is v6.12: the same outcome and bit-identical tables after
// every op of scenarios that avoid the two differences.
TEST(Era61, OtherwiseMapsAsV612BitForBit) {
  const std::vector<std::vector<Op>> scenarios = {
      {IoremapOp{v(64 * K), 1 * M, kPa + 64 * K}, IoremapOp{v(1 * G), 1 * G, kPa},
       VunmapRangeOp{v(1 * G + 2 * M), 4 * K}, IounmapOp{v(64 * K)}},
      {VmapOp{.va = v(0), .runs = {PageRun{kPfn, 512}, PageRun{kPfn + 1024, 16}}},
       VunmapRangeOp{v(4 * K), 8 * K}, VunmapOp{v(0)}},
      {VmallocOp{v(4 * K), 4 * M, true}, VmallocOp{v(8 * M), 68 * K, true}, VfreeOp{v(4 * K)}},
      {FailPageAllocOp{1, 9}, VmallocOp{v(0), 2 * M, true}},
      {VmapPageRangeOp{v(2 * M), 6 * K, kPa}},
  };
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    SCOPED_TRACE("scenario " + std::to_string(i));
    Kernel k612(geo(), Variant::v6_12), k61(geo(), Variant::v6_1);
    for (const Op& op : scenarios[i]) {
      SCOPED_TRACE(harness::show(op));
      const engine::Outcome a = harness::execute(k612, op);
      const engine::Outcome b = harness::execute(k61, op);
      const auto m = harness::compare_outcomes(a, b);
      EXPECT_FALSE(m) << m->check << ":" << m->what << "\n" << m->detail;
      EXPECT_FALSE(harness::compare_tables(k612, k61, 0, ~u64{0}));
      if (a.bug != engine::BugId::none) break;
    }
    expect_engine_matches_reference(Variant::v6_1, {}, scenarios[i]);
  }
}

// The relation between mainline and v6.1: v6.12's, and `none` after an
// ioremap_page_range() that mainline refuses.
TEST(Era61, RelatesToMainlineAsV612ButForUncheckedIoremapPageRange) {
  struct Row {
    const char* name;
    std::vector<Op> before;  // run on the reference first
    Op op;
    VariantRelation from, want;
  };
  const Row rows[] = {
      {"ioremap: CONT aside",
       {},
       IoremapOp{v(0), 64 * K, kPa},
       VariantRelation::identical,
       VariantRelation::translation},
      {"vmalloc: other page frames",
       {},
       VmallocOp{v(0), 2 * M, true},
       VariantRelation::identical,
       VariantRelation::mapped},
      {"ioremap_page_range without an area",
       {},
       IoremapPageRangeOp{v(0), 64 * K, kPa},
       VariantRelation::identical,
       VariantRelation::none},
      {"ioremap_page_range of a whole ioremap area",
       {IoremapOp{v(0), 64 * K, kPa}, VunmapRangeOp{v(0), 64 * K}},
       IoremapPageRangeOp{v(0), 64 * K, kPa},
       VariantRelation::identical,
       VariantRelation::translation},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    reference::RefKernel ref(geo(), Variant::mainline);
    for (const Op& op : r.before) harness::predict(ref, op);
    EXPECT_EQ(harness::next_relation(r.from, ref, r.op, Variant::v6_1), r.want);
  }
}

// The runner on whole traces: mainline and v6.1 side by side, the two
// differences included.
TEST(Era61, RunnerPassesTracesOnV61) {
  const std::vector<std::vector<Op>> traces = {
      {IoremapOp{v(64 * K), 1 * M, kPa + 64 * K},
       VmapOp{.va = v(4 * M), .runs = {PageRun{kPfn, 512}}}, VmallocOp{v(8 * M), 4 * M, true},
       VunmapRangeOp{v(8 * M + 4 * K), 4 * K}, VfreeOp{v(8 * M)}},
      {IoremapPageRangeOp{v(0), 64 * K, kPa}, VmallocOp{v(1 * M), 1 * M, true}},
      {FailAllocOp{2}, VmallocOp{v(0), 64 * K, false}, VmallocOp{v(1 * M), 64 * K, false}},
  };
  harness::Runner runner;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    SCOPED_TRACE("trace " + std::to_string(i));
    harness::Trace t;
    t.geo = &geo();
    t.variant = Variant::v6_1;
    t.ops = traces[i];
    const harness::RunResult r = runner.run(t);
    EXPECT_FALSE(r.failure) << r.failure->signature << "\n" << r.failure->detail;
    EXPECT_FALSE(r.rejected) << *r.rejected;
  }
}

}  // namespace
}  // namespace vmapfuzz::test
