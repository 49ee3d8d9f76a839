// SPDX-License-Identifier: GPL-2.0-only
// One `_quirk` test per accepted difference between implementations
// (harness/variant_relation.h). Each shows the difference happening where
// it can be shown in a few ops, and that the relation gives way exactly
// there, not before.
#include "harness/variant_relation.h"

#include <gtest/gtest.h>

#include "harness/runner.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::ProtName;
using engine::Variant;
using harness::Op;
using harness::PageRun;
using harness::VariantRelation;
using R = VariantRelation;

u64 v(u64 off) { return va(off).v; }

// mainline's reference after `ops`.
reference::RefKernel ref_after(const std::vector<Op>& ops) {
  reference::RefKernel ref(geo(), Variant::mainline);
  for (const Op& op : ops) harness::predict(ref, op);
  return ref;
}

// Both kernels after the same ops.
struct Pair {
  Kernel base{geo(), Variant::mainline};
  Kernel series;
  explicit Pair(Variant v, const std::vector<Op>& ops) : series(geo(), v) {
    for (const Op& op : ops) {
      harness::execute(base, op);
      harness::execute(series, op);
    }
  }
  std::optional<harness::Mismatch> compare(R r) const {
    return harness::compare_variants(r, base, series, v(0), v(1 * G));
  }
};

// Mapping over a live mapping is the caller's bug. v4 checks only the
// first PTE of each batch, and its batches are larger, so where mainline
// BUGs on the live PTE, v4 overwrites it.
TEST(NextRelation, MapOverLiveMappingComparesWithReferenceOnly_quirk) {
  const Op first = harness::VmapPageRangeOp{v(64 * K), 4 * K, kPa + 64 * M};
  const Op over = harness::VmapPageRangeOp{v(0), 1 * M, kPa};
  const auto ref = ref_after({first});
  EXPECT_EQ(harness::next_relation(R::identical, ref, over), R::none);
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), over), R::identical);
  Pair p(Variant::v4, {first, over});
  EXPECT_EQ(p.base.out().bug, engine::BugId::vmap_pte_range_remap);
  EXPECT_EQ(p.series.out().bug, engine::BugId::none);
}

// The series maps a vmap() of contiguous pages with blocks and CONT
// batches, mainline with single PTEs: the same translation, not the same
// tables.
TEST(NextRelation, VmapComparesTranslationOnly_quirk) {
  const Op op = harness::VmapOp{.va = v(2 * M), .runs = {PageRun{kPfn, 512}}};
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), op), R::translation);
  Pair p(Variant::v4, {op});
  EXPECT_TRUE(p.compare(R::identical));
  EXPECT_FALSE(p.compare(R::translation));
}

// After that, a partial vunmap_range() clears v4's whole block (with a
// WARN) and only mainline's PTEs in the range: the translations part.
TEST(NextRelation, PartialUnmapAfterVmapComparesWithReferenceOnly_quirk) {
  const Op vmap = harness::VmapOp{.va = v(2 * M), .runs = {PageRun{kPfn, 512}}};
  const Op unmap = harness::VunmapRangeOp{v(2 * M), 4 * K};
  const auto ref = ref_after({vmap});
  EXPECT_EQ(harness::next_relation(R::translation, ref, unmap), R::none);
  // While the tables are bit-identical, a partial unmap is the same in both.
  EXPECT_EQ(harness::next_relation(R::identical, ref, unmap), R::identical);
  Pair p(Variant::v4, {vmap, unmap});
  EXPECT_TRUE(p.compare(R::translation));
}

// Once the tables differ (a vmap() with a block needs no PTE table), an
// armed table allocation failure hits the two at different allocations.
TEST(NextRelation, ArmedTableFailureAfterPartingComparesWithReferenceOnly_quirk) {
  const Op vmap = harness::VmapOp{.va = v(2 * M), .runs = {PageRun{kPfn, 512}}};
  const Op arm = harness::FailAllocOp{3};
  const Op next = harness::IoremapOp{v(8 * M), 64 * K, kPa};
  EXPECT_EQ(harness::next_relation(R::translation, ref_after({vmap, arm}), next), R::none);
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({arm}), next), R::identical);
  // mainline took a PTE table for the vmap, v4 did not, so the third
  // allocation from now is another table in each.
  Pair p(Variant::v4, {vmap});
  EXPECT_EQ(p.base.pool().live_count(), p.series.pool().live_count() + 1);
}

// Different return codes once parted mean an injected failure hit one of
// the two only; while bit-identical they would be a real difference.
TEST(RelationAfterReturns, DifferentReturnsAfterPartingComparesWithReferenceOnly_quirk) {
  EXPECT_EQ(harness::relation_after_returns(R::translation, 0, -engine::kENOMEM), R::none);
  EXPECT_EQ(harness::relation_after_returns(R::mapped, -engine::kENOMEM, 0), R::none);
  EXPECT_EQ(harness::relation_after_returns(R::identical, 0, -engine::kENOMEM), R::identical);
  EXPECT_EQ(harness::relation_after_returns(R::translation, 0, 0), R::translation);
}

// The series may use more block and CONT mapping than mainline, never less.
TEST(CompareVariants, SeriesMayUseMoreBlocksNotFewer_quirk) {
  const Op op = harness::VmapOp{.va = v(2 * M), .runs = {PageRun{kPfn, 512}}};
  Pair p(Variant::v4, {op});
  EXPECT_FALSE(harness::compare_variants(R::translation, p.base, p.series, v(0), v(1 * G)));
  const auto swapped = harness::compare_variants(R::translation, p.series, p.base, v(0), v(1 * G));
  ASSERT_TRUE(swapped);
  EXPECT_EQ(swapped->what, "fewer-blocks");
}

// set_memory_valid() checks no area. On v4's block for a vmap() of
// contiguous pages, invalidating one page WARNs and fails (the PMD handler
// refuses a block only partly in range); on mainline's PTEs it invalidates
// that page. The translations part there, not at set_memory_ro (refused
// on a vmap area by both).
TEST(NextRelation, SetMemoryValidAfterVmapComparesWithReferenceOnly_quirk) {
  const Op vmap = harness::VmapOp{.va = v(2 * M), .runs = {PageRun{kPfn, 512}}};
  const Op invalid = harness::SetMemoryOp{v(2 * M), 1, common::SetMemoryMode::invalid};
  const Op ro = harness::SetMemoryOp{v(2 * M), 1, common::SetMemoryMode::ro};
  const auto ref = ref_after({vmap});
  EXPECT_EQ(harness::next_relation(R::translation, ref, ro), R::translation);
  EXPECT_EQ(harness::next_relation(R::translation, ref, invalid), R::none);
  Pair refused(Variant::v4, {vmap, ro});
  EXPECT_FALSE(refused.compare(R::translation));
  Pair p(Variant::v4, {vmap, invalid});
  EXPECT_TRUE(p.compare(R::translation));
}

// --- mainline vs v6.12 ---

// 6.12 has no arm64 CONT-PTE helpers: a phys range is plain PTEs there.
TEST(NextRelation612, PhysRangeComparesWithoutContBits_quirk) {
  const Op op = harness::IoremapOp{v(0), 64 * K, kPa};
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), op, Variant::v6_12),
            R::translation);
  Pair p(Variant::v6_12, {op});
  EXPECT_TRUE(p.compare(R::identical));
  EXPECT_FALSE(p.compare(R::translation));
}

// 6.12's vm_area_alloc_pages takes no opportunistic larger orders: a
// vmalloc's pages (and every later allocation's) come from other frames.
TEST(NextRelation612, VmallocComparesMappedVasOnly_quirk) {
  const Op op = harness::VmallocOp{v(0), 2 * M + 64 * K, false};
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), op, Variant::v6_12), R::mapped);
  EXPECT_EQ(harness::next_relation(R::translation, ref_after({}), op, Variant::v6_12), R::mapped);
  Pair p(Variant::v6_12, {op});
  EXPECT_FALSE(p.compare(R::mapped));
}

TEST(NextRelation612, VmallocWithPageFailureArmedComparesWithReferenceOnly_quirk) {
  const Op op = harness::VmallocOp{v(0), 2 * M, true};
  const auto armed = ref_after({harness::FailPageAllocOp{1, 9}});
  EXPECT_EQ(harness::next_relation(R::identical, armed, op, Variant::v6_12), R::none);
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), op, Variant::v6_12), R::mapped);
}

// A huge vmalloc of 64K..2M: mainline aligns and rounds its area to 64K
// (CONT_PTE_SHIFT), 6.12 to a page, so the areas differ unless both agree.
TEST(NextRelation612, HugeVmallocWithAnotherAreaComparesWithReferenceOnly_quirk) {
  const auto ref = ref_after({});
  EXPECT_EQ(harness::next_relation(R::identical, ref, harness::VmallocOp{v(4 * K), 68 * K, true},
                                   Variant::v6_12),
            R::none);
  EXPECT_EQ(harness::next_relation(R::identical, ref, harness::VmallocOp{v(64 * K), 64 * K, true},
                                   Variant::v6_12),
            R::mapped);
}

// A partial unmap once the layouts may differ: mainline clears whole CONT
// groups where 6.12 has single pages.
TEST(NextRelation612, PartialUnmapAfterPartingComparesWithReferenceOnly_quirk) {
  const Op map = harness::IoremapOp{v(0), 64 * K, kPa};
  const Op unmap = harness::VunmapRangeOp{v(0), 4 * K};
  const auto ref = ref_after({map});
  EXPECT_EQ(harness::next_relation(R::translation, ref, unmap, Variant::v6_12), R::none);
  EXPECT_EQ(harness::next_relation(R::identical, ref, unmap, Variant::v6_12), R::identical);
  Pair p(Variant::v6_12, {map, unmap});
  EXPECT_TRUE(p.compare(R::translation));
}

// Freeing an area whose leaves reach beyond it (a CONT group that a
// vmap_page_range over the area's edge wrote in mainline): mainline clears
// the whole group, 6.12 the area's pages only.
TEST(NextRelation612, FreeingAreaInsidePartOfALeafComparesWithReferenceOnly_quirk) {
  // A one-page vmap area, unmapped, then mapped with a CONT group over it.
  const Op area = harness::VmapOp{.va = v(2 * M), .runs = {PageRun{kPfn, 1}}};
  const std::vector<Op> before = {area, harness::VunmapRangeOp{v(2 * M), 4 * K},
                                  harness::VmapPageRangeOp{v(2 * M), 64 * K, kPa}};
  const Op free = harness::VunmapOp{v(2 * M)};
  const auto ref = ref_after(before);
  EXPECT_EQ(harness::next_relation(R::translation, ref, free, Variant::v6_12), R::none);
  // An area whose leaves are its own is freed alike.
  EXPECT_EQ(harness::next_relation(R::translation, ref_after({area}), free, Variant::v6_12),
            R::translation);
  Pair p(Variant::v6_12, before);
  harness::execute(p.base, free);
  harness::execute(p.series, free);
  EXPECT_TRUE(p.compare(R::translation));
}

// 6.12 changes permissions with apply_to_page_range(): it allocates the
// tables a range lacks, where the 2026 walk skips empty ones, and flushes
// after set_memory_valid(1). Any change ends the comparison.
TEST(NextRelation612, SetMemoryComparesWithReferenceOnly_quirk) {
  const Op op = harness::SetMemoryOp{v(4 * M), 1, common::SetMemoryMode::valid};
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), op, Variant::v6_12), R::none);
  Pair p(Variant::v6_12, {op});
  EXPECT_NE(p.base.pool().live_count(), p.series.pool().live_count());
}

// 6.1's ioremap_page_range() checks no vm area: where mainline refuses a
// range (no VM_IOREMAP area, or not the area's whole usable range) with a
// WARN and an error, 6.1 maps it.
TEST(NextRelation61, IoremapPageRangeMainlineRefusesComparesWithReferenceOnly_quirk) {
  const Op no_area = harness::IoremapPageRangeOp{v(0), 64 * K, kPa};
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), no_area, Variant::v6_1), R::none);
  // mainline's check passes (the whole area): CONT bits aside, as for 6.12.
  const Op area = harness::IoremapOp{v(0), 64 * K, kPa};
  const Op whole = harness::IoremapPageRangeOp{v(0), 64 * K, kPa};
  const Op part = harness::IoremapPageRangeOp{v(0), 60 * K, kPa};
  const auto ref = ref_after({area, harness::VunmapRangeOp{v(0), 64 * K}});
  EXPECT_EQ(harness::next_relation(R::identical, ref, whole, Variant::v6_1), R::translation);
  EXPECT_EQ(harness::next_relation(R::identical, ref, part, Variant::v6_1), R::none);
  // 6.12 refuses as mainline does.
  EXPECT_EQ(harness::next_relation(R::identical, ref_after({}), no_area, Variant::v6_12),
            R::translation);
  Pair p(Variant::v6_1, {no_area});
  EXPECT_EQ(p.base.out().ret, -engine::kEINVAL);
  EXPECT_EQ(p.series.out().ret, 0);
  EXPECT_TRUE(p.compare(R::translation));
}

// --- a backend against the engine of its era ---

// vmap() and vmalloc() return a pointer in the kernel: NULL for any error.
TEST(BackendComparable, PointerReturnHidesTheErrno_quirk) {
  engine::Outcome expected, actual;
  expected.ret = -engine::kEINVAL;
  actual.ret = -engine::kENOMEM;
  EXPECT_EQ(harness::backend_comparable(expected, actual, true).ret, -engine::kEINVAL);
  EXPECT_EQ(harness::backend_comparable(expected, actual, false).ret, -engine::kENOMEM);
  // Success against failure stays a difference.
  actual.ret = 0;
  EXPECT_EQ(harness::backend_comparable(expected, actual, true).ret, 0);
}

// A BUG unwinds the kernel's frames and the walker's local mask with them.
TEST(BackendComparable, BugHidesTheModMask_quirk) {
  engine::Outcome expected, actual;
  expected.mod_mask = engine::PGTBL_PMD_MODIFIED;
  actual.bug = engine::BugId::vmap_pte_range_remap;
  EXPECT_EQ(harness::backend_comparable(expected, actual, false).mod_mask, expected.mod_mask);
  actual.bug = engine::BugId::none;
  EXPECT_EQ(harness::backend_comparable(expected, actual, false).mod_mask, 0u);
}

}  // namespace
}  // namespace vmapfuzz::test
