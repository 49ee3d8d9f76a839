// SPDX-License-Identifier: GPL-2.0-only
// The pages walker (vmap_pages_range_noflush_walk; mainline's
// vmap_small_pages_range_noflush) and vmap()'s errors: PMD blocks, the
// CONT fallback, the page index after a block, the WARN points and their
// return codes, and the v4 finding of corpus/vmap/findings/.
#include <gtest/gtest.h>

#include <string>

#include "engine/vmap_pages.h"
#include "engine/vmap_range.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::kNullPage;
using engine::Variant;
using engine::Warn;
using engine::WarnId;

constexpr Variant kSeries[] = {Variant::v4, Variant::v4_fixed};
const u64 kBadPfn = u64{1} << 40;  // pfn_valid() false

int walk(Kernel& k, u64 off, const std::vector<u64>& pages, unsigned shift) {
  return engine::vmap_pages_range_noflush_walk(k, va(off), va(off) + pages.size() * 4 * K,
                                               engine::PAGE_KERNEL, pages, shift);
}

TEST(VmapPagesRangeNoflushWalk, UsesPmdBlockOnlyForWholeAlignedSlot) {
  struct Row {
    const char* name;
    u64 off;
    std::vector<u64> pages;
    unsigned shift;
    std::vector<Shape> shapes;
    u64 pmd_set_huge, set_huge_pte_at;
  };
  const Row rows[] = {
      {"2M-aligned VA and PA, shift 21",
       2 * M,
       page_array({{kPfn, 512}}),
       21,
       {pmd_run(2 * M, 2 * M, kPa)},
       1,
       0},
      {"shift 22 (order 10): two blocks",
       2 * M,
       page_array({{kPfn, 1024}}),
       22,
       {pmd_run(2 * M, 4 * M, kPa)},
       2,
       0},
      {"shift 20: no block, 1M CONT batches",
       2 * M,
       page_array({{kPfn, 512}}),
       20,
       {cont_run(2 * M, 2 * M, kPa)},
       0,
       2},
      // The CONT fallback of a whole slot is capped at PMD_SIZE/2.
      {"PA only 64K aligned, shift 21: capped at PMD_SIZE/2",
       2 * M,
       page_array({{kPfn + 16, 512}}),
       21,
       {cont_run(2 * M, 2 * M, kPa + 64 * K)},
       0,
       2},
      {"PA only 64K aligned, shift 22: capped at PMD_SIZE/2",
       2 * M,
       page_array({{kPfn + 16, 1024}}),
       22,
       {cont_run(2 * M, 4 * M, kPa + 64 * K)},
       0,
       4},
      // 1M + 512K + 256K + 128K + 64K, then 64K in the next slot.
      {"VA 64K past 2M: CONT batches",
       2 * M + 64 * K,
       page_array({{kPfn + 16, 512}}),
       21,
       {cont_run(2 * M + 64 * K, 2 * M, kPa + 64 * K)},
       0,
       6},
      {"slot only half covered",
       2 * M,
       page_array({{kPfn, 256}}),
       21,
       {cont_run(2 * M, 1 * M, kPa)},
       0,
       1},
      {"VA and PA not congruent mod 64K: plain PTEs",
       2 * M + 4 * K,
       page_array({{kPfn, 16}}),
       21,
       {pte_run(2 * M + 4 * K, 64 * K, kPa)},
       0,
       0},
  };
  for (Variant v : kSeries) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      EXPECT_EQ(walk(k, r.off, r.pages, r.shift), 0);
      EXPECT_EQ(shapes(k), r.shapes);
      EXPECT_EQ(k.counters().walks, 1u);
      EXPECT_EQ(k.counters().pmd_set_huge, r.pmd_set_huge);
      EXPECT_EQ(k.counters().set_huge_pte_at, r.set_huge_pte_at);
      EXPECT_EQ((k.out().mod_mask & engine::PGTBL_PTE_MODIFIED) != 0, r.pmd_set_huge == 0);
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_TRUE(scan(k).issues.empty());
      EXPECT_TRUE(k.out().flushes.empty()) << "the walk itself does not flush";
    }
  }
}

// After a PMD block the page index must advance by 512 (docs/bug-classes.md, C17), so the
// next slot maps pages[512], not pages[1] or pages[0].
TEST(VmapPagesRangeNoflushWalk, AdvancesPageIndexBy512AfterPmdBlock) {
  const u64 B = kPfn + 0x10000;
  struct Row {
    const char* name;
    std::vector<u64> pages;
    std::vector<Shape> shapes;
  };
  const Row rows[] = {
      {"block then block",
       page_array({{kPfn, 512}, {B, 512}}),
       {pmd_run(2 * M, 2 * M, kPa), pmd_run(4 * M, 2 * M, pfn_pa(B))}},
      {"block then CONT",
       page_array({{kPfn, 512}, {B, 16}}),
       {pmd_run(2 * M, 2 * M, kPa), cont_run(4 * M, 64 * K, pfn_pa(B))}},
      {"block then single pages",
       page_array({{kPfn, 512}, {B, 1}, {B + 7, 1}}),
       {pmd_run(2 * M, 2 * M, kPa), pte_run(4 * M, 4 * K, pfn_pa(B)),
        pte_run(4 * M + 4 * K, 4 * K, pfn_pa(B + 7))}},
  };
  for (Variant v : kSeries) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      EXPECT_EQ(walk(k, 2 * M, r.pages, 21), 0);
      EXPECT_EQ(shapes(k), r.shapes);
      EXPECT_EQ(k.out().bug, engine::BugId::none);
    }
  }
}

// v3's WARN checks before the PMD block: only when shift >= PMD_SHIFT, on
// the first page of each PMD slot. Below PMD_SHIFT the PTE-level checks
// report the same page.
TEST(VmapPagesRangeNoflushWalk, WarnsAtPmdLevelForBadFirstPageOfSlot) {
  struct Row {
    const char* name;
    std::vector<u64> pages;
    unsigned shift;
    int ret;
    Warn warn;
    std::vector<Shape> left;  // what stays mapped
  };
  const Row rows[] = {
      {"NULL first page, shift 21",
       page_array({{kNullPage, 1}, {kPfn + 1, 511}}),
       21,
       -engine::kENOMEM,
       {WarnId::vmap_pages_pmd_null_page, va(2 * M)},
       {}},
      {"invalid first page, shift 21",
       page_array({{kBadPfn, 512}}),
       21,
       -engine::kEINVAL,
       {WarnId::vmap_pages_pmd_invalid_pfn, va(2 * M)},
       {}},
      {"NULL first page, shift 20",
       page_array({{kNullPage, 1}, {kPfn + 1, 511}}),
       20,
       -engine::kENOMEM,
       {WarnId::vmap_pages_pte_null_page, va(2 * M)},
       {}},
      {"invalid first page, shift 20",
       page_array({{kBadPfn, 512}}),
       20,
       -engine::kEINVAL,
       {WarnId::vmap_pages_pte_invalid_pfn, va(2 * M)},
       {}},
      {"NULL first page of the second slot",
       page_array({{kPfn, 512}, {kNullPage, 1}, {kPfn + 0x10001, 511}}),
       21,
       -engine::kENOMEM,
       {WarnId::vmap_pages_pmd_null_page, va(4 * M)},
       {pmd_run(2 * M, 2 * M, kPa)}},
      // A partial slot still gets the PMD-level check of its first page.
      {"NULL first page of a partial slot",
       page_array({{kNullPage, 1}, {kPfn + 1, 15}}),
       21,
       -engine::kENOMEM,
       {WarnId::vmap_pages_pmd_null_page, va(2 * M)},
       {}},
  };
  for (Variant v : kSeries) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      EXPECT_EQ(walk(k, 2 * M, r.pages, r.shift), r.ret);
      EXPECT_EQ(k.out().warns, std::vector<Warn>{r.warn});
      EXPECT_EQ(shapes(k), r.left);
      EXPECT_EQ(k.out().bug, engine::BugId::none);
    }
  }
}

// vmap_try_huge_pmd looks at the slot's first page only; the other 511
// are assumed contiguous from `shift` (the caller's contract). A NULL page
// inside an aligned order-9 slot is never looked at.
TEST(VmapPagesRangeNoflushWalk, ChecksOnlyFirstPageOfPmdSlot_quirk) {
  for (Variant v : kSeries) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    std::vector<u64> pages = page_array({{kPfn, 512}});
    pages[5] = kNullPage;
    EXPECT_EQ(walk(k, 2 * M, pages, 21), 0);
    EXPECT_TRUE(k.out().warns.empty());
    EXPECT_EQ(translate(k, va(2 * M + 20 * K)).pa, kPa + 20 * K);
    // Below PMD_SHIFT the same array is checked page by page... but only at
    // the start of each CONT batch: the NULL at index 5 sits inside the
    // first 1M batch and is not looked at either.
    Kernel k2(geo(), v);
    EXPECT_EQ(walk(k2, 2 * M, pages, 20), 0);
    EXPECT_TRUE(k2.out().warns.empty());
    EXPECT_EQ(translate(k2, va(2 * M + 20 * K)).pa, kPa + 20 * K);
  }
}

// A walk needs PUD, PMD and (unless every slot is a block) PTE tables.
TEST(VmapPagesRangeNoflushWalk, ReturnsEnomemWhenATableAllocationFails) {
  struct Row {
    const char* name;
    std::vector<u64> pages;
    unsigned shift;
    unsigned fail_nth;
    int ret;
  };
  const Row rows[] = {
      {"PUD table", page_array({{kPfn, 16}}), 16, 1, -engine::kENOMEM},
      {"PMD table", page_array({{kPfn, 16}}), 16, 2, -engine::kENOMEM},
      {"PTE table", page_array({{kPfn, 16}}), 16, 3, -engine::kENOMEM},
      {"fourth: not needed", page_array({{kPfn, 16}}), 16, 4, 0},
      {"third with a PMD block: not needed", page_array({{kPfn, 512}}), 21, 3, 0},
  };
  for (Variant v : kSeries) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      k.pool().fail_nth(r.fail_nth);
      EXPECT_EQ(walk(k, 2 * M, r.pages, r.shift), r.ret);
      EXPECT_EQ(k.out().tables_allocated, r.ret ? r.fail_nth - 1 : std::min(r.fail_nth - 1, 3u));
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_EQ(shapes(k).empty(), r.ret != 0);
    }
  }
}

// vmap()'s errors on all three kernels: which WARN, which return code, and
// that the area is gone afterwards (vmap() calls vunmap() on failure).
TEST(Vmap, WarnsAndFailsOnBusyPteNullPageAndInvalidPfn) {
  struct Row {
    const char* name;
    bool live_pte_at_8k;  // vmap_page_range(4K) at VA 8K first
    std::vector<u64> pages;
    Warn warn;
    int ret_series;
    int ret_mainline;
  };
  const Row rows[] = {
      {"present PTE",
       true,
       page_array({{kPfn, 1}, {kPfn + 2, 1}, {kPfn + 4, 1}, {kPfn + 6, 1}}),
       {WarnId::vmap_pages_pte_busy, va(8 * K)},
       -engine::kEBUSY,
       -engine::kENOMEM},
      {"NULL page",
       false,
       page_array({{kPfn, 1}, {kPfn + 2, 1}, {kNullPage, 1}, {kPfn + 6, 1}}),
       {WarnId::vmap_pages_pte_null_page, va(8 * K)},
       -engine::kENOMEM,
       -engine::kENOMEM},
      {"NULL first page",
       false,
       page_array({{kNullPage, 4}}),
       {WarnId::vmap_pages_pte_null_page, va(0)},
       -engine::kENOMEM,
       -engine::kENOMEM},
      {"invalid pfn",
       false,
       page_array({{kPfn, 1}, {kPfn + 2, 1}, {kBadPfn, 1}, {kPfn + 6, 1}}),
       {WarnId::vmap_pages_pte_invalid_pfn, va(8 * K)},
       -engine::kEINVAL,
       -engine::kENOMEM},
      {"invalid pfns in a CONT batch",
       false,
       page_array({{kBadPfn, 16}}),
       {WarnId::vmap_pages_pte_invalid_pfn, va(0)},
       -engine::kEINVAL,
       -engine::kENOMEM},
  };
  for (Variant v : engine::kAllVariants) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      if (r.live_pte_at_8k) {
        ASSERT_EQ(
            engine::vmap_page_range(k, va(8 * K), va(12 * K), pa(64 * M), engine::PAGE_KERNEL), 0);
      }
      k.out().clear();
      VirtAddr addr{1};
      EXPECT_EQ(engine::vmap(k, r.pages, va(0), engine::PAGE_KERNEL, &addr),
                !engine::has_series(v) ? r.ret_mainline : r.ret_series);
      EXPECT_EQ(addr, VirtAddr{0});
      EXPECT_EQ(k.out().warns, std::vector<Warn>{r.warn});
      EXPECT_EQ(k.out().bug, engine::BugId::none);
      EXPECT_TRUE(k.areas().empty());
      // vunmap() of the area also clears what the failed walk had mapped
      // (and the foreign PTE inside it).
      EXPECT_TRUE(shapes(k).empty());
    }
  }
}

TEST(Vmap, ReturnsEnomemWhenATableAllocationFails) {
  struct Row {
    const char* name;
    u64 hint;
    std::vector<u64> pages;
    unsigned fail_nth;
    int ret_series, ret_mainline;
  };
  const Row rows[] = {
      {"PUD table", 0, page_array({{kPfn, 16}}), 1, -engine::kENOMEM, -engine::kENOMEM},
      {"PMD table", 0, page_array({{kPfn, 16}}), 2, -engine::kENOMEM, -engine::kENOMEM},
      {"PTE table", 0, page_array({{kPfn, 16}}), 3, -engine::kENOMEM, -engine::kENOMEM},
      // The series maps an aligned order-9 run with a block: no PTE table.
      {"PTE table, order-9 run at 2M", 2 * M, page_array({{kPfn, 512}}), 3, 0, -engine::kENOMEM},
  };
  for (Variant v : engine::kAllVariants) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      k.pool().fail_nth(r.fail_nth);
      VirtAddr addr;
      const int want = !engine::has_series(v) ? r.ret_mainline : r.ret_series;
      EXPECT_EQ(engine::vmap(k, r.pages, va(r.hint), engine::PAGE_KERNEL, &addr), want);
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_EQ(k.areas().size(), want ? 0u : 1u);
      EXPECT_EQ(shapes(k).empty(), want != 0);
    }
  }
}

// Only the first PTE of each batch is checked for pte_none: a live PTE in
// the middle of a 64K batch is overwritten by the series, while mainline,
// page by page, WARNs.
TEST(Vmap, ChecksOnlyFirstPteOfEachBatch_quirk) {
  for (Variant v : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    ASSERT_EQ(engine::vmap_page_range(k, va(8 * K), va(12 * K), pa(64 * M), engine::PAGE_KERNEL),
              0);
    k.out().clear();
    VirtAddr addr;
    const int ret = engine::vmap(k, page_array({{kPfn, 16}}), va(0), engine::PAGE_KERNEL, &addr);
    if (!engine::has_series(v)) {  // mainline and v6.12: page by page
      EXPECT_EQ(ret, -engine::kENOMEM);
      EXPECT_EQ(k.out().warns, (std::vector<Warn>{{WarnId::vmap_pages_pte_busy, va(8 * K)}}));
    } else {
      EXPECT_EQ(ret, 0);
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_EQ(shapes(k), std::vector<Shape>{cont_run(0, 64 * K, kPa)});
    }
  }
}

// corpus/vmap/findings/cont-batch-crosses-into-next-run-placement-any.trace: two order-8
// runs at a VA 64K below a 2M boundary. On v4 the CONT batch that starts
// the second PTE table in the middle of run 0 is sized 1M and runs 64K into
// run 1, so run 1's first 16 pages translate to run 0's pfns. v4-fixed
// caps the batch at the end of its chunk; mainline maps page by page.
TEST(Vmap, MapsFirstPagesOfNextRunToPreviousRunOnV4_finding) {
  const u64 run0 = 0x100000, run1 = 0x200000;
  const std::vector<u64> pages = page_array({{run0, 256}, {run1, 256}});
  const u64 base = 1 * G + 2 * M - 64 * K;  // VA 0xffff8000401f0000
  struct Row {
    Variant v;
    u64 wrong_pages;
  };
  const Row rows[] = {{Variant::mainline, 0}, {Variant::v4, 16}, {Variant::v4_fixed, 0}};
  for (const Row& r : rows) {
    SCOPED_TRACE(engine::variant_name(r.v));
    // Patch 6 would give this vmap a 2M aligned area: the walker-contract case.
    engine::KernelConfig any;
    any.placement_any = true;
    Kernel k(geo(), r.v, any);
    VirtAddr addr;
    ASSERT_EQ(engine::vmap(k, pages, va(base), engine::PAGE_KERNEL, &addr), 0);
    ASSERT_EQ(addr.v, 0xffff8000401f0000ull);
    EXPECT_TRUE(k.out().warns.empty());
    EXPECT_TRUE(scan(k).issues.empty());
    u64 wrong = 0;
    for (u64 i = 0; i < pages.size(); ++i) {
      const reference::Translation t = translate(k, addr + i * 4 * K);
      ASSERT_TRUE(t.mapped) << "page " << i;
      if (t.pa != pfn_pa(pages[i])) ++wrong;
    }
    EXPECT_EQ(wrong, r.wrong_pages);
    // The first page of run 1, VA 0xffff8000402f0000.
    const u64 want = r.v == Variant::v4 ? pfn_pa(run0 + 256) : pfn_pa(run1);
    EXPECT_EQ(translate(k, addr + u64{256} * 4 * K).pa, want);
    // From the 17th page of run 1 on, all three are right again.
    EXPECT_EQ(translate(k, addr + u64{272} * 4 * K).pa, pfn_pa(run1 + 16));
  }
}

}  // namespace
}  // namespace vmapfuzz::test
