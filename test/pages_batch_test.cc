// SPDX-License-Identifier: GPL-2.0-only
// vmap()'s batching (v4 patch 5, docs/vmap.md): vm_shift(),
// num_pages_contiguous(), get_vmap_batch_order() and how
// vmap_pages_range_batched() groups runs into walks.
#include <gtest/gtest.h>

#include <string>

#include "engine/vmap_pages.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::FlushKind;
using engine::Kernel;
using engine::kNullPage;
using engine::Variant;

constexpr Variant kSeries[] = {Variant::v4, Variant::v4_fixed};
const engine::pgprot_t kExec = engine::prot_value(engine::ProtName::kernel_exec);

// arm64 4K with one of the two arch block sizes switched off.
const engine::Geometry& geo_without(bool pmd_block, bool cont) {
  static const engine::Geometry no_pmd = [] {
    engine::Geometry g = geo();
    g.pmd_block = false;
    return g;
  }();
  static const engine::Geometry no_cont = [] {
    engine::Geometry g = geo();
    g.cont_pte_shift = 0;
    return g;
  }();
  return !pmd_block ? no_pmd : !cont ? no_cont : geo();
}

TEST(VmShift, PicksTheLargestArchBlockTheSizeFills) {
  struct Row {
    const char* name;
    bool pmd_block, cont;
    u64 size;
    unsigned shift;
  };
  const Row rows[] = {
      {"one page", true, true, 4 * K, 12},
      {"just below 64K", true, true, 64 * K - 4 * K, 12},
      {"64K", true, true, 64 * K, 16},
      {"64K + 4K", true, true, 64 * K + 4 * K, 16},
      {"just below 2M", true, true, 2 * M - 4 * K, 16},
      {"2M", true, true, 2 * M, 21},
      {"1G: never PUD_SHIFT", true, true, 1 * G, 21},
      {"2M without PMD blocks", false, true, 2 * M, 16},
      {"64K without CONT", true, false, 64 * K, 12},
      {"2M without CONT", true, false, 2 * M, 21},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const Kernel k(geo_without(r.pmd_block, r.cont), Variant::v4);
    EXPECT_EQ(engine::vm_shift(k, engine::PAGE_KERNEL, r.size), r.shift);
  }
}

TEST(NumPagesContiguous, CountsTheRunOfConsecutivePfns) {
  const u64 bad = u64{1} << 40;  // far beyond phys_limit: pfn_valid() is false
  struct Row {
    const char* name;
    std::vector<u64> pages;
    u64 nr;
    u64 want;
  };
  const Row rows[] = {
      {"no pages", {}, 0, 0},
      {"one page", page_array({{kPfn, 1}}), 1, 1},
      {"16 pages", page_array({{kPfn, 16}}), 16, 16},
      {"16 pages, nr 8", page_array({{kPfn, 16}}), 8, 8},
      {"gap after two", page_array({{kPfn, 2}, {kPfn + 3, 1}}), 3, 2},
      {"descending pfns", {kPfn + 1, kPfn}, 2, 1},
      {"same pfn twice", {kPfn, kPfn}, 2, 1},
      {"NULL first (NULL + 1 would be pfn 0)", {kNullPage, 0, 1}, 3, 1},
      {"NULL after a page", {kPfn, kNullPage}, 2, 1},
      {"NULL entries", page_array({{kNullPage, 4}}), 4, 1},
      {"invalid pfns: still pointer arithmetic", page_array({{bad, 16}}), 16, 16},
      {"pfn 0 onwards", page_array({{0, 5}}), 5, 5},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(engine::num_pages_contiguous(r.pages, r.nr), r.want);
  }
}

TEST(GetVmapBatchOrder, LimitsRunLengthByPfnAlignmentAndArchBlocks) {
  const u64 bad = u64{1} << 40;
  struct Row {
    const char* name;
    std::vector<u64> pages;
    u64 idx;
    u64 max_steps;  // 0: pages.size() - idx
    unsigned order;
    int v4_order = -1;  // v4's, where the finding makes it differ
  };
  const Row rows[] = {
      {"run of 1", page_array({{kPfn, 1}, {kPfn + 2, 1}}), 0, 0, 0},
      {"run of 2: below 64K", page_array({{kPfn, 2}}), 0, 0, 0},
      {"run of 8: below 64K", page_array({{kPfn, 8}}), 0, 0, 0},
      {"run of 15: below 64K", page_array({{kPfn, 15}}), 0, 0, 0},
      {"run of 16", page_array({{kPfn, 16}}), 0, 0, 4},
      {"run of 31", page_array({{kPfn, 31}}), 0, 0, 4},
      {"run of 256", page_array({{kPfn, 256}}), 0, 0, 8},
      {"run of 512, 2M aligned", page_array({{kPfn, 512}}), 0, 0, 9},
      {"run of 1024", page_array({{kPfn, 1024}}), 0, 0, 10},
      {"run of 2048: not capped at PMD or MAX_PAGE_ORDER", page_array({{kPfn, 2048}}), 0, 0, 11},
      {"run of 512 aligned only to 256", page_array({{kPfn + 256, 512}}), 0, 0, 8},
      {"run of 512 aligned only to 8: below 64K", page_array({{kPfn + 8, 512}}), 0, 0, 0},
      {"run of 1024 from pfn 0: no ffs limit", page_array({{0, 1024}}), 0, 0, 10},
      {"run of 16 from pfn 0", page_array({{0, 16}}), 0, 0, 4},
      {"NULL entries", page_array({{kNullPage, 16}}), 0, 0, 0},
      // bad is aligned to 2^40 pages: v4's min_t(unsigned int, ...) limits the scan to
      // 0 pages (corpus/vmap/findings/batch-order-truncated-pfn.trace).
      {"invalid pfns", page_array({{bad, 16}}), 0, 0, 4, 0},
      {"pfn aligned to 2^32 pages", page_array({{u64{1} << 32, 512}}), 0, 0, 9, 0},
      {"pfn aligned to 2^31 pages", page_array({{u64{1} << 31, 512}}), 0, 0, 9},
      {"run of 16 at index 1", page_array({{kPfn + 100, 1}, {kPfn, 16}}), 1, 0, 4},
      {"run of 256, max_steps 16", page_array({{kPfn, 256}}), 0, 16, 4},
      {"run of 256, max_steps 15", page_array({{kPfn, 256}}), 0, 15, 0},
  };
  for (Variant v : kSeries) {
    const Kernel k(geo(), v);
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      const u64 steps = r.max_steps ? r.max_steps : r.pages.size() - r.idx;
      const unsigned want =
          v == Variant::v4 && r.v4_order >= 0 ? static_cast<unsigned>(r.v4_order) : r.order;
      EXPECT_EQ(engine::get_vmap_batch_order(k, r.pages, engine::PAGE_KERNEL, steps, r.idx), want);
    }
  }
}

// Without CONT_PTE (x86, riscv) any run below 2 MiB ends the batching.
TEST(GetVmapBatchOrder, ReturnsZeroBelowPmdSizeWithoutCont) {
  const Kernel k(geo_without(true, false), Variant::v4);
  EXPECT_EQ(engine::get_vmap_batch_order(k, page_array({{kPfn, 256}}), engine::PAGE_KERNEL, 256, 0),
            0u);
  EXPECT_EQ(engine::get_vmap_batch_order(k, page_array({{kPfn, 512}}), engine::PAGE_KERNEL, 512, 0),
            9u);
}

struct BatchRow {
  const char* name;
  u64 off;  // VA offset of the mapping
  std::vector<u64> pages;
  u64 walks;
  std::vector<Shape> shapes;
};

TEST(VmapPagesRangeBatched, WalksOncePerEqualOrderGroupAndOnceForTheTail) {
  const u64 A = kPfn, B = kPfn + 0x100000, C = kPfn + 0x200000, D = kPfn + 0x300000;
  const BatchRow rows[] = {
      {"descending 8/4/0",
       0,
       page_array({{A, 256}, {B, 16}, {C, 1}, {C + 2, 1}, {C + 4, 1}}),
       3,
       {cont_run(0, 1 * M, pfn_pa(A)), cont_run(1 * M, 64 * K, pfn_pa(B)),
        pte_run(1 * M + 64 * K, 4 * K, pfn_pa(C)), pte_run(1 * M + 68 * K, 4 * K, pfn_pa(C + 2)),
        pte_run(1 * M + 72 * K, 4 * K, pfn_pa(C + 4))}},
      {"descending 8/4, no tail",
       0,
       page_array({{A, 256}, {B, 16}}),
       2,
       {cont_run(0, 1 * M, pfn_pa(A)), cont_run(1 * M, 64 * K, pfn_pa(B))}},
      {"ascending 4/8",
       0,
       page_array({{B, 16}, {A, 256}}),
       2,
       {cont_run(0, 64 * K, pfn_pa(B)), cont_run(64 * K, 1 * M, pfn_pa(A))}},
      {"order-0 page first: everything at PAGE_SHIFT",
       0,
       page_array({{C, 1}, {A, 256}}),
       1,
       {pte_run(0, 4 * K, pfn_pa(C)), pte_run(4 * K, 1 * M, pfn_pa(A))}},
      {"scan stops at the first order-0 step",
       0,
       page_array({{B, 16}, {C, 1}, {A, 256}, {D, 16}}),
       2,
       {cont_run(0, 64 * K, pfn_pa(B)), pte_run(64 * K, 4 * K, pfn_pa(C)),
        pte_run(68 * K, 1 * M, pfn_pa(A)), pte_run(1 * M + 68 * K, 64 * K, pfn_pa(D))}},
      {"a run of 8 pages is an order-0 step",
       0,
       page_array({{B, 16}, {C, 8}, {A, 256}}),
       2,
       {cont_run(0, 64 * K, pfn_pa(B)), pte_run(64 * K, 32 * K, pfn_pa(C)),
        pte_run(96 * K, 1 * M, pfn_pa(A))}},
      {"equal orders coalesced into one walk",
       0,
       page_array({{A, 16}, {B, 16}, {C, 16}}),
       1,
       {cont_run(0, 64 * K, pfn_pa(A)), cont_run(64 * K, 64 * K, pfn_pa(B)),
        cont_run(128 * K, 64 * K, pfn_pa(C))}},
      {"one run cut by alignment into two order-8 steps",
       0,
       page_array({{A + 256, 512}}),
       1,
       {cont_run(0, 2 * M, pfn_pa(A + 256))}},
      {"one run cut into orders 5 and 4",
       0,
       page_array({{A, 48}}),
       2,
       {cont_run(0, 192 * K, pfn_pa(A))}},
      {"single pages only",
       0,
       page_array({{A, 1}, {B, 1}, {C, 1}}),
       1,
       {pte_run(0, 4 * K, pfn_pa(A)), pte_run(4 * K, 4 * K, pfn_pa(B)),
        pte_run(8 * K, 4 * K, pfn_pa(C))}},
      {"order 9 at a 2M-aligned VA: PMD block",
       2 * M,
       page_array({{A, 512}}),
       1,
       {pmd_run(2 * M, 2 * M, pfn_pa(A))}},
      {"order 9 then order 8",
       2 * M,
       page_array({{A, 512}, {B, 256}}),
       2,
       {pmd_run(2 * M, 2 * M, pfn_pa(A)), cont_run(4 * M, 1 * M, pfn_pa(B))}},
      {"order 10: two PMD blocks in one walk",
       2 * M,
       page_array({{A, 1024}}),
       1,
       {pmd_run(2 * M, 4 * M, pfn_pa(A))}},
  };
  for (Variant v : kSeries) {
    for (const BatchRow& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      const VirtAddr end = va(r.off) + r.pages.size() * 4 * K;
      EXPECT_EQ(engine::vmap_pages_range_batched(k, va(r.off), end, engine::PAGE_KERNEL, r.pages),
                0);
      EXPECT_EQ(k.counters().walks, r.walks);
      EXPECT_EQ(shapes(k), r.shapes);
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_TRUE(scan(k).issues.empty());
      // flush_cache_vmap once, over the original [addr, end) (docs/bug-classes.md, C18).
      const std::vector<engine::Flush> want = {{FlushKind::cache_vmap, va(r.off), end}};
      EXPECT_EQ(k.out().flushes, want);
    }
  }
}

// The flush covers the original range even when a later batch fails.
TEST(VmapPagesRangeBatched, FlushesOriginalRangeAfterAFailedBatch) {
  for (Variant v : kSeries) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    const std::vector<u64> pages = page_array({{kPfn, 256}, {kPfn + 0x1000, 16}, {kNullPage, 1}});
    const VirtAddr end = va(pages.size() * 4 * K);
    EXPECT_EQ(engine::vmap_pages_range_batched(k, va(0), end, engine::PAGE_KERNEL, pages),
              -engine::kENOMEM);
    EXPECT_EQ(k.counters().walks, 3u);
    EXPECT_EQ(warn_ids(k.out()),
              std::vector<engine::WarnId>{engine::WarnId::vmap_pages_pte_null_page});
    const std::vector<engine::Flush> want = {{FlushKind::cache_vmap, va(0), end}};
    EXPECT_EQ(k.out().flushes, want);
    // The batches before the NULL page stay mapped (vmap() unmaps them).
    EXPECT_EQ(shapes(k), (std::vector<Shape>{cont_run(0, 1 * M, kPa),
                                             cont_run(1 * M, 64 * K, pfn_pa(kPfn + 0x1000))}));
  }
}

// vmap() on mainline maps every page with a plain PTE in one walk; v4
// batches the same array. Both translate every page to pages[i].
TEST(Vmap, MapsPlainPtesOnMainlineAndBatchesOnSeries) {
  const std::vector<u64> pages = page_array({{kPfn, 512}, {kPfn + 0x1000, 16}, {kPfn + 0x2000, 1}});
  struct Row {
    Variant v;
    u64 walks;
    std::vector<Shape> shapes;
  };
  const Row rows[] = {
      {Variant::mainline,
       1,
       {pte_run(2 * M, 2 * M, kPa), pte_run(4 * M, 64 * K, pfn_pa(kPfn + 0x1000)),
        pte_run(4 * M + 64 * K, 4 * K, pfn_pa(kPfn + 0x2000))}},
      {Variant::v4,
       3,
       {pmd_run(2 * M, 2 * M, kPa), cont_run(4 * M, 64 * K, pfn_pa(kPfn + 0x1000)),
        pte_run(4 * M + 64 * K, 4 * K, pfn_pa(kPfn + 0x2000))}},
      {Variant::v4_fixed,
       3,
       {pmd_run(2 * M, 2 * M, kPa), cont_run(4 * M, 64 * K, pfn_pa(kPfn + 0x1000)),
        pte_run(4 * M + 64 * K, 4 * K, pfn_pa(kPfn + 0x2000))}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(engine::variant_name(r.v));
    Kernel k(geo(), r.v);
    VirtAddr addr;
    ASSERT_EQ(engine::vmap(k, pages, va(2 * M), kExec, &addr), 0);
    EXPECT_EQ(addr, va(2 * M));
    EXPECT_EQ(k.counters().walks, r.walks);
    EXPECT_EQ(shapes(k), r.shapes);
    EXPECT_TRUE(translate(k, va(2 * M)).attrs.pxn) << "vmap maps with pgprot_nx()";
    EXPECT_TRUE(translate(k, va(4 * M + 64 * K)).attrs.pxn);
    ASSERT_EQ(k.areas().size(), 1u);
    EXPECT_EQ(k.areas()[0].size, pages.size() * 4 * K + 4 * K);
    EXPECT_EQ(k.areas()[0].flags, engine::VM_MAP);
  }
}

// Before patch 6, vmap()'s area is only page aligned: the hint is used as is.
TEST(Vmap, PlacesTheAreaAtThePageAlignedHint) {
  for (Variant v : {Variant::mainline, Variant::v6_12}) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    VirtAddr addr;
    ASSERT_EQ(engine::vmap(k, page_array({{kPfn, 16}}), va(4 * K), engine::PAGE_KERNEL, &addr), 0);
    EXPECT_EQ(addr, va(4 * K));
    // VA 4K and PA 4G are not congruent modulo 64K: no CONT, not wrong.
    EXPECT_EQ(shapes(k), std::vector<Shape>{pte_run(4 * K, 64 * K, kPa)});
    // The area (and its guard page) is taken: a second vmap there fails.
    VirtAddr again{1};
    EXPECT_EQ(engine::vmap(k, page_array({{kPfn, 1}}), va(64 * K), engine::PAGE_KERNEL, &again),
              -engine::kENOMEM);
    EXPECT_EQ(again, VirtAddr{0});
  }
}

// Patch 6 (v4, v4-fixed): vmap_get_aligned_vm_area() asks for PMD_SIZE from 2M,
// 64K from 64K, else a page; a VA without the first alignment is unreachable
// (docs/placement.md), unless `placement any`.
TEST(Vmap, SeriesAsksForAnAlignedArea) {
  struct Row {
    const char* name;
    u64 pages, off;
    u64 unreachable;  // the alignment reported, 0: placed at the VA
  };
  const Row rows[] = {
      {"4K: any page", 1, 4 * K, 0},      {"60K: any page", 15, 4 * K, 0},
      {"64K at 4K", 16, 4 * K, 64 * K},   {"64K at 64K", 16, 64 * K, 0},
      {"2M - 4K at 64K", 511, 64 * K, 0}, {"2M at 64K", 512, 64 * K, 2 * M},
      {"2M at 2M", 512, 2 * M, 0},        {"3M + 64K at 1M", 784, 1 * M, 2 * M},
  };
  for (Variant v : kSeries) {
    for (const bool any : {false, true}) {
      for (const Row& r : rows) {
        SCOPED_TRACE(std::string(engine::variant_name(v)) + (any ? " any: " : ": ") + r.name);
        engine::KernelConfig cfg;
        cfg.placement_any = any;
        Kernel k(geo(), v, cfg);
        k.out().clear();
        VirtAddr addr;
        const int ret =
            engine::vmap(k, page_array({{kPfn, r.pages}}), va(r.off), engine::PAGE_KERNEL, &addr);
        const u64 want = any ? 0 : r.unreachable;
        EXPECT_EQ(k.out().unreachable_align, want);
        EXPECT_EQ(ret, want ? -engine::kENOMEM : 0);
        EXPECT_EQ(addr, want ? VirtAddr{0} : va(r.off));
        EXPECT_EQ(k.areas().empty(), want != 0);
      }
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
