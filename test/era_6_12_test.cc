// SPDX-License-Identifier: GPL-2.0-only
// The v6.12 variant (Linux 6.12, Debian's linux-source-6.12): each of its
// differences from mainline pinned true on v6.12 and false on mainline,
// the vmalloc cases that the 2026-allocator tests state for the other
// variants, engine-vs-reference agreement, and the variant relation the
// runner applies between mainline and v6.12.
#include <gtest/gtest.h>

#include <string>

#include "engine/arch_arm64.h"
#include "engine/pgalloc.h"
#include "engine/vmalloc.h"
#include "engine/vmap_pages.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
#include "harness/trace_io.h"
#include "harness/variant_relation.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::BugId;
using engine::FlushKind;
using engine::Kernel;
using engine::KernelConfig;
using engine::Variant;
using engine::Warn;
using engine::WarnId;
using harness::FailAllocOp;
using harness::FailPageAllocOp;
using harness::IoremapOp;
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

constexpr u64 kBase = engine::PageAllocator::kBasePfn;
const u64 kBasePa = kBase << 12;
constexpr u64 kNullPage = engine::kNullPage;
constexpr u64 kBadPfn = u64{1} << 40;

u64 v(u64 off) { return va(off).v; }

int map(Kernel& k, u64 off, u64 size, u64 pa_off) {
  return engine::vmap_page_range(k, va(off), va(off) + size, pa(pa_off), engine::PAGE_KERNEL);
}

// Difference 1: no CONT-PTE helpers on arm64 6.12 (generic PAGE_SIZE and
// PAGE_SHIFT), on the phys-range path and in vmalloc's shift.
TEST(Era612, ArchHelpersAreTheGenericPageSizeOnes) {
  struct Row {
    Variant v;
    u64 map_size;                 // arch_vmap_pte_range_map_size at a 64K-aligned VA/PA, 1M left
    u64 unmap_size;               // arch_vmap_pte_range_unmap_size of a valid CONT entry
    unsigned shift_1m, shift_2m;  // vm_shift() for 1M and 2M
  };
  const Row rows[] = {
      {Variant::mainline, 64 * K, 64 * K, 16, 21},
      {Variant::v4, 1 * M, 64 * K, 16, 21},
      {Variant::v6_12, 4 * K, 4 * K, 12, 21},
  };
  const engine::pte_t cont =
      engine::pte_mkcont(engine::pfn_pte(kPa >> 12, 12, engine::PAGE_KERNEL));
  for (const Row& r : rows) {
    SCOPED_TRACE(engine::variant_name(r.v));
    const Kernel k(geo(), r.v);
    EXPECT_EQ(engine::arch_vmap_pte_range_map_size(k, va(0), va(1 * M), kPa >> 12, 63), r.map_size);
    EXPECT_EQ(engine::arch_vmap_pte_range_unmap_size(k, va(0), &cont), r.unmap_size);
    EXPECT_EQ(engine::vm_shift(k, engine::PAGE_KERNEL, 1 * M), r.shift_1m);
    EXPECT_EQ(engine::vm_shift(k, engine::PAGE_KERNEL, 2 * M), r.shift_2m);
  }
}

TEST(Era612, IoremapMapsPlainPtesWhereMainlineUsesCont) {
  struct Row {
    Variant v;
    u64 off, size;
    std::vector<Shape> shapes;
    u64 set_huge_pte_at, set_pte_at;
  };
  const Row rows[] = {
      {Variant::mainline, 64 * K, 64 * K, {cont_run(64 * K, 64 * K, kPa + 64 * K)}, 1, 0},
      {Variant::v6_12, 64 * K, 64 * K, {pte_run(64 * K, 64 * K, kPa + 64 * K)}, 0, 16},
      // Blocks are the same in both.
      {Variant::mainline,
       2 * M,
       2 * M + 64 * K,
       {pmd_run(2 * M, 2 * M, kPa + 2 * M), cont_run(4 * M, 64 * K, kPa + 4 * M)},
       1,
       0},
      {Variant::v6_12,
       2 * M,
       2 * M + 64 * K,
       {pmd_run(2 * M, 2 * M, kPa + 2 * M), pte_run(4 * M, 64 * K, kPa + 4 * M)},
       0,
       16},
      {Variant::v6_12, 1 * G, 1 * G, {pud_run(1 * G, 1 * G, kPa + 1 * G)}, 0, 0},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(engine::variant_name(r.v)) + " " + std::to_string(r.size));
    Kernel k(geo(), r.v);
    ASSERT_NE(engine::get_vm_area_at(k, va(r.off), r.size, engine::VM_IOREMAP), nullptr);
    ASSERT_EQ(engine::ioremap_page_range(k, va(r.off), va(r.off) + r.size, pa(r.off),
                                         engine::prot_value(engine::ProtName::device)),
              0);
    EXPECT_EQ(shapes(k), r.shapes);
    EXPECT_EQ(k.counters().set_huge_pte_at, r.set_huge_pte_at);
    EXPECT_EQ(k.counters().set_pte_at, r.set_pte_at);
  }
}

// Difference 2: no WARN_ON_ONCE(!PAGE_ALIGNED(end - addr)) in 6.12's
// vmap_pte_range: the partial page is mapped, then the loop steps over end.
TEST(Era612, UnalignedSizeMapsThePartialPageThenBugsPastTheEnd) {
  struct Row {
    const char* name;
    Variant v;
    u64 off, size;
    int ret;
    BugId bug;
    u64 bug_off;
    std::vector<WarnId> warns;
    std::vector<Shape> shapes;
  };
  const Row rows[] = {
      {"6K, mainline",
       Variant::mainline,
       0,
       6 * K,
       -engine::kEINVAL,
       BugId::none,
       0,
       {WarnId::vmap_pte_range_size_unaligned},
       {}},
      {"6K, v6.12",
       Variant::v6_12,
       0,
       6 * K,
       -engine::kBUGGED,
       BugId::walk_ran_past_end,
       8 * K,
       {},
       {pte_run(0, 8 * K, kPa)}},
      {"2M + 2K after a block, v6.12",
       Variant::v6_12,
       2 * M,
       2 * M + 2 * K,
       -engine::kBUGGED,
       BugId::walk_ran_past_end,
       4 * M + 4 * K,
       {},
       {pmd_run(2 * M, 2 * M, kPa + 2 * M), pte_run(4 * M, 4 * K, kPa + 4 * M)}},
      // The last partial page ends the PTE table: the walk steps onto the
      // next PMD slot's address.
      {"2M - 2K, v6.12",
       Variant::v6_12,
       0,
       2 * M - 2 * K,
       -engine::kBUGGED,
       BugId::walk_ran_past_end,
       2 * M,
       {},
       {pte_run(0, 2 * M, kPa)}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), r.v);
    EXPECT_EQ(map(k, r.off, r.size, r.off), r.ret);
    EXPECT_EQ(k.out().bug, r.bug);
    if (r.bug != BugId::none) {
      EXPECT_EQ(k.out().bug_addr, va(r.bug_off));
      EXPECT_TRUE(k.out().flushes.empty());  // the oops comes before flush_cache_vmap
    }
    EXPECT_EQ(warn_ids(k.out()), r.warns);
    EXPECT_EQ(shapes(k), r.shapes);
    expect_engine_matches_reference(r.v, {}, {VmapPageRangeOp{v(r.off), r.size, kPa + r.off}});
  }
}

// Difference 3: vunmap_pmd_range/vunmap_pud_range clear a partly covered
// block whole, without the WARN.
TEST(Era612, PartialBlockUnmapClearsTheWholeBlockWithoutWarn) {
  struct Row {
    Variant v;
    u64 map_off, map_size, unmap_off;
    std::vector<WarnId> warns;
  };
  const Row rows[] = {
      {Variant::mainline, 2 * M, 2 * M, 3 * M, {WarnId::vunmap_pmd_partial_block}},
      {Variant::v6_12, 2 * M, 2 * M, 3 * M, {}},
      {Variant::mainline, 1 * G, 1 * G, 1 * G + 2 * M, {WarnId::vunmap_pud_partial_block}},
      {Variant::v6_12, 1 * G, 1 * G, 1 * G + 2 * M, {}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(engine::variant_name(r.v)) + " " + std::to_string(r.map_size));
    Kernel k(geo(), r.v);
    ASSERT_EQ(map(k, r.map_off, r.map_size, r.map_off), 0);
    k.out().clear();
    engine::vunmap_range(k, va(r.unmap_off), va(r.unmap_off) + 4 * K);
    EXPECT_EQ(warn_ids(k.out()), r.warns);
    EXPECT_TRUE(shapes(k).empty());
    expect_engine_matches_reference(r.v, {},
                                    {VmapPageRangeOp{v(r.map_off), r.map_size, kPa + r.map_off},
                                     VunmapRangeOp{v(r.unmap_off), 4 * K}});
  }
}

// Difference 4: any error of a walker level comes back as -ENOMEM (the
// phys-range walker and the pages walker), never -EINVAL/-EBUSY as in v4.
TEST(Era612, WalkerErrorsComeBackAsEnomem) {
  struct Row {
    const char* name;
    Variant v;
    std::vector<u64> pages;
    bool busy_pte;
    int ret;
  };
  const Row rows[] = {
      {"invalid pfn, v6.12", Variant::v6_12, page_array({{kPfn, 2}, {kBadPfn, 1}}), false,
       -engine::kENOMEM},
      {"invalid pfn, mainline", Variant::mainline, page_array({{kPfn, 2}, {kBadPfn, 1}}), false,
       -engine::kENOMEM},
      {"invalid pfn, v4", Variant::v4, page_array({{kPfn, 2}, {kBadPfn, 1}}), false,
       -engine::kEINVAL},
      {"busy PTE, v6.12", Variant::v6_12, page_array({{kPfn, 4}}), true, -engine::kENOMEM},
      {"busy PTE, v4", Variant::v4, page_array({{kPfn, 4}}), true, -engine::kEBUSY},
      {"NULL page, v6.12", Variant::v6_12, page_array({{kPfn, 1}, {kNullPage, 1}}), false,
       -engine::kENOMEM},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), r.v);
    if (r.busy_pte) {
      ASSERT_EQ(map(k, 8 * K, 4 * K, 64 * M), 0);
    }
    VirtAddr addr;
    EXPECT_EQ(engine::vmap(k, r.pages, va(0), engine::PAGE_KERNEL, &addr), r.ret);
    EXPECT_TRUE(k.areas().empty());
  }
  // The phys-range walker: a failed PTE table allocation is -ENOMEM.
  for (unsigned nth : {1u, 2u, 3u}) {
    SCOPED_TRACE("table allocation " + std::to_string(nth));
    Kernel k(geo(), Variant::v6_12);
    k.pool().fail_nth(nth);
    EXPECT_EQ(map(k, 0, 64 * K, 0), -engine::kENOMEM);
    expect_engine_matches_reference(Variant::v6_12, {},
                                    {FailAllocOp{nth}, VmapPageRangeOp{v(0), 64 * K, kPa}});
  }
}

// Difference 5: vm_area_alloc_pages takes no opportunistic larger orders.
TEST(Era612, AllocatesPagesAtTheRequestedOrderOnly) {
  struct Row {
    const char* name;
    Variant v;
    unsigned order;
    u64 nr;
    unsigned fail_nth, fail_min_order;
    std::vector<u64> pages;
  };
  const Row rows[] = {
      {"order 0, 3 pages, mainline: order 1 then 0", Variant::mainline, 0, 3, 0, 0,
       page_array({{kBase, 2}, {kBase + 3, 1}})},
      {"order 0, 3 pages, v6.12: single pages", Variant::v6_12, 0, 3, 0, 0,
       page_array({{kBase, 1}, {kBase + 2, 1}, {kBase + 4, 1}})},
      {"order 9, 1536 pages, mainline: order 10 then 9", Variant::mainline, 9, 1536, 0, 0,
       page_array({{kBase, 1024}, {kBase + 0x600, 512}})},
      {"order 9, 1536 pages, v6.12: three order-9 blocks", Variant::v6_12, 9, 1536, 0, 0,
       page_array({{kBase, 512}, {kBase + 0x400, 512}, {kBase + 0x800, 512}})},
      {"order 9, second block fails, v6.12: short", Variant::v6_12, 9, 1536, 2, 9,
       page_array({{kBase, 512}})},
      // The bulk phase stops at the failed page, the single-page fallback
      // tries again (as Linux 6.12's own vm_area_alloc_pages does).
      {"order 0, second page fails, v6.12: retried", Variant::v6_12, 0, 3, 2, 0,
       page_array({{kBase, 1}, {kBase + 2, 1}, {kBase + 4, 1}})},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), r.v);
    if (r.fail_nth) k.page_allocator().fail_nth(r.fail_nth, r.fail_min_order);
    std::vector<u64> pages;
    EXPECT_EQ(engine::vm_area_alloc_pages(k, r.order, r.nr, pages), r.pages.size());
    EXPECT_EQ(pages, r.pages);
  }
}

// vmalloc on v6.12: the 2026-allocator rows of pages_vmalloc_test.cc,
// stated for 6.12 (no CONT shift: page alignment below 2M; single pages
// one apart; order-9 blocks only).
TEST(Era612, VmallocPlacesAndMapsBy612Rules) {
  struct Row {
    const char* name;
    u64 size, hint;
    bool huge;
    KernelConfig cfg;
    u64 addr, area_size;
    std::vector<Shape> first;  // the first leaves
    u64 leaves;                // number of separate runs
  };
  const Row rows[] = {
      {"64K huge: page aligned at the hint, single pages",
       64 * K,
       4 * K,
       true,
       {},
       4 * K,
       64 * K,
       {pte_run(4 * K, 4 * K, kBasePa), pte_run(8 * K, 4 * K, kBasePa + 8 * K)},
       16},
      {"1M huge: small pages",
       1 * M,
       4 * K,
       true,
       {},
       4 * K,
       1 * M,
       {pte_run(4 * K, 4 * K, kBasePa)},
       256},
      {"68K huge: not rounded to 128K",
       68 * K,
       4 * K,
       true,
       {},
       4 * K,
       68 * K,
       {pte_run(4 * K, 4 * K, kBasePa)},
       17},
      {"2M huge: hint rounded up to 2M",
       2 * M,
       4 * K,
       true,
       {},
       2 * M,
       2 * M,
       {pmd_run(2 * M, 2 * M, kBasePa)},
       1},
      {"4M huge: two order-9 blocks",
       4 * M,
       0,
       true,
       {},
       0,
       4 * M,
       {pmd_run(0, 2 * M, kBasePa), pmd_run(2 * M, 2 * M, (kBase + 0x400) << 12)},
       2},
      {"2M + 4K huge: rounded up to 4M",
       2 * M + 4 * K,
       0,
       true,
       {},
       0,
       4 * M,
       {pmd_run(0, 2 * M, kBasePa), pmd_run(2 * M, 2 * M, (kBase + 0x400) << 12)},
       2},
      {"2M huge with nohugevmalloc",
       2 * M,
       4 * K,
       true,
       {.nohugevmalloc = true},
       4 * K,
       2 * M,
       {pte_run(4 * K, 4 * K, kBasePa)},
       512},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v6_12, r.cfg);
    VirtAddr addr;
    ASSERT_EQ(engine::vmalloc(k, r.size, va(r.hint), r.huge, engine::PAGE_KERNEL, &addr), 0);
    EXPECT_EQ(addr, va(r.addr));
    ASSERT_EQ(k.areas().size(), 1u);
    EXPECT_EQ(k.areas()[0].size, r.area_size + 4 * K);
    const std::vector<Shape> s = shapes(k);
    ASSERT_GE(s.size(), r.first.size());
    EXPECT_EQ(
        std::vector<Shape>(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(r.first.size())),
        r.first);
    EXPECT_EQ(s.size(), r.leaves);
    for (const Shape& x : s) EXPECT_FALSE(x.cont);
    EXPECT_EQ(k.counters().set_huge_pte_at, 0u);
    expect_engine_matches_reference(Variant::v6_12, r.cfg, {VmallocOp{v(r.hint), r.size, r.huge}});
  }
  // A failed order-9 allocation retries at PAGE_SHIFT, at the hint.
  Kernel k(geo(), Variant::v6_12);
  k.page_allocator().fail_nth(1, 9);
  VirtAddr addr;
  ASSERT_EQ(engine::vmalloc(k, 2 * M, va(4 * K), true, engine::PAGE_KERNEL, &addr), 0);
  EXPECT_EQ(addr, va(4 * K));
  // No warn_alloc() for the failed huge attempt (page_order != 0).
  EXPECT_EQ(k.out().warns, std::vector<Warn>{});
  EXPECT_EQ(shapes(k).size(), 512u);
  expect_engine_matches_reference(Variant::v6_12, {},
                                  {FailPageAllocOp{1, 9}, VmallocOp{v(4 * K), 2 * M, true}});
}

// Difference 6: vmap() maps plain PTEs without batching, like mainline,
// where the series maps an aligned order-9 run with a PMD block.
TEST(Era612, VmapMapsPlainPtesWithoutBatching) {
  struct Row {
    Variant v;
    std::vector<Shape> shapes;
    u64 set_pte_at, walks;
  };
  const Row rows[] = {
      {Variant::mainline, {pte_run(2 * M, 2 * M, kPa)}, 512, 1},
      {Variant::v6_12, {pte_run(2 * M, 2 * M, kPa)}, 512, 1},
      {Variant::v4, {pmd_run(2 * M, 2 * M, kPa)}, 0, 1},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(engine::variant_name(r.v));
    Kernel k(geo(), r.v);
    VirtAddr addr;
    ASSERT_EQ(engine::vmap(k, page_array({{kPfn, 512}}), va(2 * M), engine::PAGE_KERNEL, &addr), 0);
    EXPECT_EQ(addr, va(2 * M));
    EXPECT_EQ(shapes(k), r.shapes);
    EXPECT_EQ(k.counters().set_pte_at, r.set_pte_at);
    EXPECT_EQ(k.counters().walks, r.walks);
  }
}

// Engine and reference agree on v6.12 over mixed scenarios (the
// differential tests cover every variant on their own scenario lists).
TEST(Era612, EngineMatchesReferenceOnMixedScenarios) {
  const std::vector<std::vector<Op>> scenarios = {
      {IoremapOp{v(64 * K), 64 * K, kPa + 64 * K}, IounmapOp{v(64 * K)},
       VmallocOp{v(0), 1 * M, true}, VfreeOp{v(0)}},
      {IoremapOp{v(2 * M), 2 * M + 64 * K, kPa + 2 * M}, VunmapRangeOp{v(2 * M + 4 * K), 64 * K},
       IoremapOp{v(1 * G), 1 * G, kPa + 1 * G}, VunmapRangeOp{v(1 * G + 2 * M), 4 * K}},
      {VmapOp{.va = v(0), .runs = {PageRun{kPfn, 512}, PageRun{kPfn + 1024, 16}}},
       VunmapRangeOp{v(4 * K), 8 * K}, VunmapOp{v(0)}},
      {VmallocOp{v(4 * K), 4 * M, true}, VunmapRangeOp{v(2 * M + 4 * K), 4 * K},
       VmallocOp{v(8 * M), 68 * K, true}},
      {VmapPageRangeOp{v(2 * M), 4 * K, kPa}, VmallocOp{v(2 * M), 2 * M, true}},
  };
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    SCOPED_TRACE("scenario " + std::to_string(i));
    expect_engine_matches_reference(Variant::v6_12, {}, scenarios[i]);
  }
}

// The relation between mainline and v6.12, op by op (harness/oracle.h).
TEST(Era612, RelatesToMainlineByIdentityTranslationOrMappedVas) {
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
      {"vmap: plain PTEs in both",
       {},
       VmapOp{.va = v(0), .runs = {PageRun{kPfn, 512}}},
       VariantRelation::identical,
       VariantRelation::identical},
      {"vmalloc: other page frames",
       {},
       VmallocOp{v(0), 2 * M, true},
       VariantRelation::identical,
       VariantRelation::mapped},
      {"vmalloc after ioremap stays the weaker",
       {},
       VmallocOp{v(0), 8 * K, false},
       VariantRelation::translation,
       VariantRelation::mapped},
      {"ioremap after vmalloc keeps mapped",
       {},
       IoremapOp{v(0), 64 * K, kPa},
       VariantRelation::mapped,
       VariantRelation::mapped},
      {"huge 68K at a page-aligned hint: areas differ",
       {},
       VmallocOp{v(4 * K), 68 * K, true},
       VariantRelation::identical,
       VariantRelation::none},
      {"huge 64K at a 64K-aligned hint: same area",
       {},
       VmallocOp{v(64 * K), 64 * K, true},
       VariantRelation::identical,
       VariantRelation::mapped},
      {"vmalloc with a page failure armed",
       {FailPageAllocOp{1, 9}},
       VmallocOp{v(0), 2 * M, true},
       VariantRelation::identical,
       VariantRelation::none},
      {"partial vunmap_range after CONT",
       {},
       VunmapRangeOp{v(0), 4 * K},
       VariantRelation::translation,
       VariantRelation::none},
      {"partial block vunmap_range while identical",
       {},
       VunmapRangeOp{v(0), 4 * K},
       VariantRelation::identical,
       VariantRelation::identical},
      {"vfree", {}, VfreeOp{v(0)}, VariantRelation::translation, VariantRelation::translation},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    reference::RefKernel ref(geo(), Variant::mainline);
    for (const Op& op : r.before) harness::predict(ref, op);
    EXPECT_EQ(harness::next_relation(r.from, ref, r.op, Variant::v6_12), r.want);
  }
  // After an ioremap with CONT on mainline, the two are translation-
  // identical with CONT bits aside, but not bit-identical.
  Kernel base(geo(), Variant::mainline), era(geo(), Variant::v6_12);
  const Op op = IoremapOp{v(2 * M), 2 * M + 64 * K, kPa};
  harness::execute(base, op);
  harness::execute(era, op);
  const u64 lo = v(0), hi = v(1 * G);
  EXPECT_FALSE(harness::compare_variants(VariantRelation::translation, base, era, lo, hi));
  EXPECT_FALSE(harness::compare_variants(VariantRelation::mapped, base, era, lo, hi));
  const auto identical = harness::compare_variants(VariantRelation::identical, base, era, lo, hi);
  ASSERT_TRUE(identical);
  EXPECT_EQ(identical->what, "tables-differ");
  // A different output address is a translation difference, but not a
  // `mapped` one.
  Kernel other(geo(), Variant::v6_12);
  harness::execute(other, IoremapOp{v(2 * M), 2 * M + 64 * K, kPa + 1 * G});
  const auto t = harness::compare_variants(VariantRelation::translation, base, other, lo, hi);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->what, "translation-translation-pa-mismatch");
  EXPECT_FALSE(harness::compare_variants(VariantRelation::mapped, base, other, lo, hi));
}

// The runner on whole traces: mainline and v6.12 side by side.
TEST(Era612, RunnerPassesTracesOnV612) {
  const std::vector<std::vector<Op>> traces = {
      {IoremapOp{v(64 * K), 1 * M, kPa + 64 * K},
       VmapOp{.va = v(4 * M), .runs = {PageRun{kPfn, 512}}}, VmallocOp{v(8 * M), 4 * M, true},
       VunmapRangeOp{v(8 * M + 4 * K), 4 * K}, VfreeOp{v(8 * M)}},
      {VmallocOp{v(4 * K), 68 * K, true}, VmallocOp{v(1 * M), 1 * M, true},
       IoremapOp{v(1 * G), 1 * G, kPa}},
      {VmapPageRangeOp{v(0), 6 * K, kPa}},
  };
  harness::Runner runner;
  for (std::size_t i = 0; i < traces.size(); ++i) {
    SCOPED_TRACE("trace " + std::to_string(i));
    harness::Trace t;
    t.geo = &geo();
    t.variant = Variant::v6_12;
    t.ops = traces[i];
    const harness::RunResult r = runner.run(t);
    EXPECT_FALSE(r.failure) << r.failure->signature << "\n" << r.failure->detail;
    EXPECT_FALSE(r.rejected) << *r.rejected;
  }
}

}  // namespace
}  // namespace vmapfuzz::test
