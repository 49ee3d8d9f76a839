// SPDX-License-Identifier: GPL-2.0-only
// The reference model agrees with the engine on the page-array paths
// (vmalloc, vmap, vfree, vunmap and their failures), Runner passes traces
// mixing them, mainline and the series relate as oracle.h says after a
// vmap(), and the vmap finding's corpus trace fails on v4 only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "harness/oracle.h"
#include "harness/runner.h"
#include "harness/trace_io.h"
#include "harness/variant_relation.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::KernelConfig;
using engine::kNullPage;
using engine::ProtName;
using engine::Variant;
using harness::FailAllocOp;
using harness::FailPageAllocOp;
using harness::Op;
using harness::PageRun;
using harness::VfreeOp;
using harness::VmallocOp;
using harness::VmapOp;
using harness::VmapPageRangeOp;
using harness::VunmapOp;
using harness::VunmapRangeOp;

u64 v(u64 off) { return va(off).v; }

struct Scenario {
  const char* name;
  KernelConfig cfg;
  std::vector<Op> ops;
};

const u64 A = kPfn, B = kPfn + 0x100000, C = kPfn + 0x200000;

const std::vector<Scenario>& scenarios() {
  static const std::vector<Scenario> s = {
      {"huge vmalloc 2M", {}, {VmallocOp{v(4 * K), 2 * M, true}}},
      {"huge vmalloc 6M: order 10 and order 9", {}, {VmallocOp{v(0), 6 * M, true}}},
      {"huge vmalloc 1M + 4K: CONT", {}, {VmallocOp{v(4 * K), 1 * M + 4 * K, true}}},
      {"small vmalloc 60K", {}, {VmallocOp{v(4 * K), 60 * K, false, ProtName::kernel_ro}}},
      {"nohugevmalloc", {.nohugevmalloc = true}, {VmallocOp{v(0), 2 * M, true}}},
      {"vmalloc page failure and retry",
       {},
       {FailPageAllocOp{1, 9}, VmallocOp{v(4 * K), 2 * M, true}, FailPageAllocOp{1, 0},
        VmallocOp{v(8 * M), 4 * K, false}}},
      {"vmalloc table failure and retry",
       {},
       {FailAllocOp{2}, VmallocOp{v(2 * M), 2 * M, true}, FailAllocOp{1},
        VmallocOp{v(1 * G), 4 * K, false}}},
      {"vmalloc area taken",
       {},
       {VmallocOp{v(2 * M + 32 * K), 4 * K, false}, VmallocOp{v(1 * M + 4 * K), 1 * M, true},
        VmallocOp{v(2 * M), 2 * M, true}}},
      {"vmap descending 8/4/0",
       {},
       {VmapOp{.va = v(0),
               .runs = {PageRun{A, 256}, PageRun{B, 16}, PageRun{C, 1}, PageRun{C + 2, 1}}}}},
      {"vmap order 9 then order 10 at 2M",
       {},
       {VmapOp{.va = v(2 * M), .runs = {PageRun{A, 512}, PageRun{B, 1024}}}}},
      {"vmap stops batching at an order-0 step",
       {},
       {VmapOp{.va = v(0),
               .prot = ProtName::kernel_exec,
               .runs = {PageRun{A, 16}, PageRun{C, 3}, PageRun{B, 256}}}}},
      {"vmap unaligned run, page-aligned VA",
       {},
       {VmapOp{.va = v(4 * K), .runs = {PageRun{A + 256, 512}}}}},
      {"vmap NULL page", {}, {VmapOp{.va = v(0), .runs = {PageRun{A, 16}, PageRun{kNullPage, 1}}}}},
      {"vmap invalid pfns", {}, {VmapOp{.va = v(0), .runs = {PageRun{u64{1} << 40, 16}}}}},
      {"vmap over a raw PTE",
       {},
       {VmapPageRangeOp{v(8 * K), 4 * K, kPa + 64 * M},
        VmapOp{.va = v(0), .runs = {PageRun{A, 16}}}, VunmapOp{v(0)}}},
      {"vmap table failure",
       {},
       {FailAllocOp{3}, VmapOp{.va = v(2 * M), .runs = {PageRun{A, 512}}}, FailAllocOp{3},
        VmapOp{.va = v(1 * G), .runs = {PageRun{B, 16}}}}},
      {"vmap, vunmap, vmalloc reuses the slot",
       {},
       {VmapOp{.va = v(2 * M), .runs = {PageRun{A, 512}}}, VunmapOp{v(2 * M)},
        VmallocOp{v(2 * M), 64 * K, true}, VfreeOp{v(2 * M)}, VmallocOp{v(2 * M), 2 * M, true}}},
      {"partial vunmap_range of a vmalloc block, then vfree",
       {},
       {VmallocOp{v(2 * M), 2 * M, true}, VunmapRangeOp{v(2 * M), 4 * K}, VfreeOp{v(2 * M)}}},
      {"vfree and vunmap of nothing", {}, {VfreeOp{v(0)}, VunmapOp{v(4 * M)}}},
      {"vmalloc over a raw PTE (mainline BUGs)",
       {},
       {VmapPageRangeOp{v(64 * K), 4 * K, kPa + 64 * M}, VmallocOp{v(0), 1 * M, true}}},
      {"vmap and vmalloc side by side",
       {},
       {VmallocOp{v(0), 64 * K, true},
        VmapOp{.va = v(128 * K), .runs = {PageRun{B, 16}, PageRun{A, 1}}}, VunmapOp{v(128 * K)},
        VfreeOp{v(0)}}},
  };
  return s;
}

TEST(RefKernel, PredictsEngineOnPageArrayPaths) {
  for (Variant variant : engine::kAllVariants)
    for (const Scenario& s : scenarios()) {
      SCOPED_TRACE(std::string(engine::variant_name(variant)) + ": " + s.name);
      expect_engine_matches_reference(variant, s.cfg, s.ops);
    }
}

// The agreement checks can fail: a scenario whose ops each side runs with
// a different page array is caught.
TEST(RefKernel, DisagreesWhenThePageArrayDiffers) {
  Kernel k(geo(), Variant::v4);
  reference::RefKernel ref(geo(), Variant::v4);
  const Op predicted = VmapOp{.va = v(0), .runs = {PageRun{A, 16}}};
  const Op executed = VmapOp{.va = v(0), .runs = {PageRun{B, 16}}};
  EXPECT_FALSE(
      harness::compare_outcomes(harness::predict(ref, predicted), harness::execute(k, executed)));
  const auto lv =
      harness::compare_leaves(ref.expected_runs(), scan(k).runs, ref.facts().leaf_level);
  ASSERT_TRUE(lv);
  EXPECT_EQ(lv->check, "translation");
  EXPECT_EQ(lv->what, "pa-mismatch");
}

harness::Trace trace_of(const std::vector<Op>& ops, Variant variant, KernelConfig cfg = {}) {
  harness::Trace t;
  t.variant = variant;
  t.config = cfg;
  t.ops = ops;
  return t;
}

TEST(Runner, PassesPageArrayScenarios) {
  harness::Runner runner;
  for (Variant variant : engine::kAllVariants)
    for (const Scenario& s : scenarios()) {
      SCOPED_TRACE(std::string(engine::variant_name(variant)) + ": " + s.name);
      const harness::RunResult r = runner.run(trace_of(s.ops, variant, s.cfg));
      EXPECT_FALSE(r.rejected) << *r.rejected;
      EXPECT_FALSE(r.failure) << r.failure->signature << "\n" << r.failure->detail;
      if (!r.stopped_by_bug) {
        EXPECT_EQ(r.ops_run, s.ops.size());
      }
    }
}

// One long trace through every page-array op kind.
TEST(Runner, PassesTraceMixingAllPageArrayOps) {
  const std::vector<Op> ops = {
      VmallocOp{v(4 * K), 6 * M, true},
      VmapOp{.va = v(10 * M), .runs = {PageRun{A, 512}, PageRun{B, 16}, PageRun{C, 1}}},
      VmallocOp{v(16 * M), 1 * M + 4 * K, true},
      FailPageAllocOp{1, 9},
      VmallocOp{v(32 * M), 2 * M, true},
      VunmapRangeOp{v(16 * M + 64 * K), 64 * K},
      VunmapOp{v(10 * M)},
      VmapOp{.va = v(10 * M),
             .prot = ProtName::kernel_ro,
             .runs = {PageRun{B + 512, 256}, PageRun{A + 512, 16}}},
      VfreeOp{v(2 * M)},
      FailAllocOp{1},
      VmallocOp{v(1 * G + 2 * M), 2 * M, true},
      VfreeOp{v(16 * M)},
      VunmapOp{v(10 * M)},
      VfreeOp{v(32 * M)},
      VmallocOp{v(0), 8 * K, false},
      VfreeOp{v(100 * M)},
  };
  harness::Runner runner;
  for (Variant variant : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(variant));
    const harness::RunResult r = runner.run(trace_of(ops, variant));
    EXPECT_FALSE(r.rejected) << *r.rejected;
    EXPECT_FALSE(r.failure) << r.failure->signature << "\n" << r.failure->detail;
    EXPECT_FALSE(r.stopped_by_bug);
    EXPECT_EQ(r.ops_run, ops.size());
  }
}

// After a vmap() mainline and the series share the translation only; the
// series maps with at least as many block and CONT bytes.
TEST(VariantRelation, RelatesVmapByTranslationWithMoreBlocksOnSeries) {
  const Op op = VmapOp{.va = v(2 * M), .runs = {PageRun{A, 512}, PageRun{B, 16}, PageRun{C, 1}}};
  reference::RefKernel ref(geo(), Variant::mainline);
  EXPECT_EQ(harness::next_relation(harness::VariantRelation::identical, ref, op),
            harness::VariantRelation::translation);
  EXPECT_EQ(harness::next_relation(harness::VariantRelation::identical, ref,
                                   VmallocOp{v(2 * M), 2 * M, true}),
            harness::VariantRelation::identical);
  Kernel base(geo(), Variant::mainline);
  harness::execute(base, op);
  const u64 lo = v(0), hi = v(1 * G);
  for (Variant variant : {Variant::v4, Variant::v4_fixed}) {
    SCOPED_TRACE(engine::variant_name(variant));
    Kernel series(geo(), variant);
    harness::execute(series, op);
    const auto m =
        harness::compare_variants(harness::VariantRelation::translation, base, series, lo, hi);
    EXPECT_FALSE(m) << m->what << "\n" << m->detail;
    // Bit-identical would be the wrong relation: the series has a block.
    const auto identical =
        harness::compare_variants(harness::VariantRelation::identical, base, series, lo, hi);
    ASSERT_TRUE(identical);
    EXPECT_EQ(identical->what, "tables-differ");
    // With the roles swapped the "series" has fewer block bytes.
    const auto swapped =
        harness::compare_variants(harness::VariantRelation::translation, series, base, lo, hi);
    ASSERT_TRUE(swapped);
    EXPECT_EQ(swapped->what, "fewer-blocks");
  }
}

// The finding's trace, as committed: it fails on v4 with its `# expect:`
// signature and passes on v4-fixed and mainline.
TEST(Runner, ReproducesCorpusFindingOnV4Only) {
  const std::filesystem::path file = std::filesystem::path(__FILE__).parent_path().parent_path() /
                                     "corpus/vmap/findings/cont-batch-crosses-into-next-run.trace";
  std::ifstream in(file);
  ASSERT_TRUE(in) << "cannot read " << file;
  std::stringstream text;
  text << in.rdbuf();
  harness::Trace t;
  harness::ParseError err;
  ASSERT_TRUE(harness::parse_text(text.str(), &t, &err)) << err.line << ": " << err.message;
  ASSERT_EQ(t.variant, Variant::v4);
  ASSERT_NE(text.str().find("# expect: translation:v4:vmap:pte:pa-mismatch"), std::string::npos);
  harness::Runner runner;
  for (Variant variant : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(variant));
    t.variant = variant;
    const harness::RunResult r = runner.run(t);
    EXPECT_FALSE(r.rejected);
    if (variant == Variant::v4) {
      ASSERT_TRUE(r.failure);
      EXPECT_EQ(r.failure->signature, "translation:v4:vmap:pte:pa-mismatch");
      EXPECT_EQ(r.failure->op_index, 0u);
    } else {
      EXPECT_FALSE(r.failure) << r.failure->signature;
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
