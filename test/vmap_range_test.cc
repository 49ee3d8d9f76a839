// SPDX-License-Identifier: GPL-2.0-only
// The block decisions of vmap_range_noflush (docs/mapping-rules.md), one test
// per condition of vmap_try_huge_pud/pmd, each condition both true and
// false, on both variants; and the replacement of a leftover table by a
// block.
#include "engine/vmap_range.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/vunmap.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::KernelConfig;
using engine::Variant;

constexpr unsigned kHuge = 63;  // ioremap_max_page_shift without nohugeiomap

struct MapRow {
  const char* name;
  u64 off, size, pa_off;
  unsigned max_shift;
  std::vector<Shape> expect;
};

// Maps each row on a fresh kernel of each variant and checks what the MMU sees.
void expect_layouts(const std::vector<MapRow>& rows, const engine::Geometry& g = geo()) {
  for (Variant v : engine::kAllVariants) {
    for (const MapRow& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(g, v);
      ASSERT_EQ(engine::vmap_range_noflush(k, va(r.off), va(r.off) + r.size, pa(r.pa_off),
                                           engine::PAGE_KERNEL, r.max_shift),
                0);
      EXPECT_EQ(shapes(k), on_variant(v, r.expect));
      EXPECT_TRUE(scan(k).issues.empty());
    }
  }
}

TEST(VmapTryHugePud, RequiresExactCoverageOfTheSlot) {
  expect_layouts({
      {"exactly 1G", 1 * G, 1 * G, 0, kHuge, {pud_run(1 * G, 1 * G, kPa)}},
      {"1G less 2M", 1 * G, 1 * G - 2 * M, 0, kHuge, {pmd_run(1 * G, 1 * G - 2 * M, kPa)}},
      {"1G plus 2M",
       1 * G,
       1 * G + 2 * M,
       0,
       kHuge,
       {pud_run(1 * G, 1 * G, kPa), pmd_run(2 * G, 2 * M, kPa + 1 * G)}},
  });
}

TEST(VmapTryHugePud, RefusesWhenVaNotAligned) {
  // pud_addr_end() clips at the slot boundary, so a misaligned VA never
  // covers a whole slot: the VA check and the coverage check coincide.
  expect_layouts({
      {"VA aligned", 1 * G, 1 * G, 0, kHuge, {pud_run(1 * G, 1 * G, kPa)}},
      {"VA 2M past a 1G boundary",
       1 * G + 2 * M,
       1 * G,
       2 * M,
       kHuge,
       {pmd_run(1 * G + 2 * M, 1 * G, kPa + 2 * M)}},
  });
}

TEST(VmapTryHugePud, RefusesWhenPaNotAligned) {
  expect_layouts({
      {"PA 1G aligned", 1 * G, 1 * G, 1 * G, kHuge, {pud_run(1 * G, 1 * G, kPa + 1 * G)}},
      {"PA 2M aligned only", 1 * G, 1 * G, 2 * M, kHuge, {pmd_run(1 * G, 1 * G, kPa + 2 * M)}},
  });
}

TEST(VmapTryHugePud, RefusesWhenMaxPageShiftBelowPudShift) {
  expect_layouts({
      {"shift 63", 1 * G, 1 * G, 0, 63, {pud_run(1 * G, 1 * G, kPa)}},
      {"shift 30 (PUD_SHIFT)", 1 * G, 1 * G, 0, 30, {pud_run(1 * G, 1 * G, kPa)}},
      {"shift 29", 1 * G, 1 * G, 0, 29, {pmd_run(1 * G, 1 * G, kPa)}},
  });
}

TEST(VmapTryHugePud, RefusesWhenArchLacksPudBlocks) {
  engine::Geometry no_pud = geo();
  no_pud.pud_block = false;
  expect_layouts({{"no PUD blocks", 1 * G, 1 * G, 0, kHuge, {pmd_run(1 * G, 1 * G, kPa)}}}, no_pud);
}

TEST(VmapTryHugePmd, RequiresExactCoverageOfTheSlot) {
  expect_layouts({
      {"exactly 2M", 2 * M, 2 * M, 0, kHuge, {pmd_run(2 * M, 2 * M, kPa)}},
      {"2M less 64K", 2 * M, 2 * M - 64 * K, 0, kHuge, {cont_run(2 * M, 2 * M - 64 * K, kPa)}},
      {"2M less 4K",
       2 * M,
       2 * M - 4 * K,
       0,
       kHuge,
       {cont_run(2 * M, 2 * M - 64 * K, kPa),
        pte_run(4 * M - 64 * K, 60 * K, kPa + 2 * M - 64 * K)}},
      {"2M plus 64K",
       2 * M,
       2 * M + 64 * K,
       0,
       kHuge,
       {pmd_run(2 * M, 2 * M, kPa), cont_run(4 * M, 64 * K, kPa + 2 * M)}},
  });
}

TEST(VmapTryHugePmd, RefusesWhenVaNotAligned) {
  expect_layouts({
      {"VA aligned", 2 * M, 2 * M, 0, kHuge, {pmd_run(2 * M, 2 * M, kPa)}},
      {"VA 64K past a 2M boundary",
       2 * M + 64 * K,
       2 * M,
       64 * K,
       kHuge,
       {cont_run(2 * M + 64 * K, 2 * M, kPa + 64 * K)}},
  });
}

TEST(VmapTryHugePmd, RefusesWhenPaNotAligned) {
  expect_layouts({
      {"PA 2M aligned", 2 * M, 2 * M, 0, kHuge, {pmd_run(2 * M, 2 * M, kPa)}},
      {"PA 64K aligned only", 2 * M, 2 * M, 64 * K, kHuge, {cont_run(2 * M, 2 * M, kPa + 64 * K)}},
      {"PA 4K aligned only", 2 * M, 2 * M, 4 * K, kHuge, {pte_run(2 * M, 2 * M, kPa + 4 * K)}},
  });
}

TEST(VmapTryHugePmd, RefusesWhenMaxPageShiftBelowPmdShift) {
  expect_layouts({
      {"shift 21 (PMD_SHIFT)", 2 * M, 2 * M, 0, 21, {pmd_run(2 * M, 2 * M, kPa)}},
      {"shift 20", 2 * M, 2 * M, 0, 20, {cont_run(2 * M, 2 * M, kPa)}},
      {"shift 16 (CONT_PTE_SHIFT)", 2 * M, 2 * M, 0, 16, {cont_run(2 * M, 2 * M, kPa)}},
      {"shift 15", 2 * M, 2 * M, 0, 15, {pte_run(2 * M, 2 * M, kPa)}},
      {"shift 12 (PAGE_SHIFT)", 2 * M, 2 * M, 0, 12, {pte_run(2 * M, 2 * M, kPa)}},
  });
}

TEST(VmapTryHugePmd, RefusesWhenArchLacksPmdBlocks) {
  engine::Geometry no_pmd = geo();
  no_pmd.pmd_block = false;
  expect_layouts({{"no PMD blocks", 2 * M, 2 * M, 0, kHuge, {cont_run(2 * M, 2 * M, kPa)}}},
                 no_pmd);
}

TEST(VmapPageRange, UsesNoBlockOrContWithNohugeiomap) {
  struct Row {
    bool nohugeiomap;
    u64 off, size;
    std::vector<Shape> expect;
  };
  const Row rows[] = {
      {false,
       2 * M,
       2 * M + 64 * K,
       {pmd_run(2 * M, 2 * M, kPa), cont_run(4 * M, 64 * K, kPa + 2 * M)}},
      {true, 2 * M, 2 * M + 64 * K, {pte_run(2 * M, 2 * M + 64 * K, kPa)}},
      {false, 1 * G, 1 * G, {pud_run(1 * G, 1 * G, kPa)}},
      {true, 1 * G, 1 * G, {pte_run(1 * G, 1 * G, kPa)}},
  };
  for (Variant v : engine::kAllVariants) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + (r.nohugeiomap ? " nohugeiomap " : " ") +
                   std::to_string(r.size));
      Kernel k(geo(), v, KernelConfig{.nohugeiomap = r.nohugeiomap});
      EXPECT_EQ(k.ioremap_max_page_shift(), r.nohugeiomap ? 12u : 63u);
      ASSERT_EQ(
          engine::vmap_page_range(k, va(r.off), va(r.off) + r.size, pa(0), engine::PAGE_KERNEL), 0);
      EXPECT_EQ(shapes(k), on_variant(v, r.expect));
    }
  }
}

TEST(VmapPageRange, AppliesPgprotNxAndFlushesTheCache) {
  Kernel k(geo(), Variant::v4);
  ASSERT_EQ(engine::vmap_page_range(k, va(2 * M), va(4 * M), pa(0), engine::PAGE_KERNEL_EXEC), 0);
  const reference::Translation t = translate(k, va(3 * M));
  ASSERT_TRUE(t.mapped);
  EXPECT_TRUE(t.attrs.pxn);
  EXPECT_EQ(t.pa, kPa + 1 * M);
  const std::vector<engine::Flush> want = {{engine::FlushKind::cache_vmap, va(2 * M), va(4 * M)}};
  EXPECT_EQ(k.out().flushes, want);
  EXPECT_EQ(k.out().mod_mask,
            engine::PGTBL_P4D_MODIFIED | engine::PGTBL_PUD_MODIFIED | engine::PGTBL_PMD_MODIFIED);
}

// A table left behind by an earlier, smaller mapping (vunmap never frees
// tables) is freed, with a walk-cache flush, when a block goes over it.
TEST(VmapTryHugePxd, FreesLeftoverTableBeforeMappingBlock) {
  struct Row {
    const char* name;
    std::vector<std::pair<u64, u64>> leftovers;  // (off, size) mapped then unmapped
    u64 block_off, block_size;
    unsigned freed;
    std::vector<u64> pgtable_flush_offs;  // v6.12's order
    unsigned level;
    std::vector<u64> flush_offs_2026;  // the 2026 trees' order, where it differs
  };
  const Row rows[] = {
      {"PMD over a PTE table", {{2 * M, 4 * K}}, 2 * M, 2 * M, 1, {2 * M}, engine::kPmdLevel, {}},
      {"PUD over a PMD table and two PTE tables",
       {{1 * G, 4 * K}, {1 * G + 4 * M, 4 * K}},
       1 * G,
       1 * G,
       3,
       {1 * G, 1 * G + 4 * M, 1 * G},
       engine::kPudLevel,
       {1 * G, 1 * G, 1 * G + 4 * M}},
      {"PUD over a PMD table without PTE tables",
       {{1 * G + 2 * M, 2 * M}},
       1 * G,
       1 * G,
       1,
       {1 * G},
       engine::kPudLevel,
       {}},
  };
  for (Variant v : engine::kAllVariants) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      for (auto [off, size] : r.leftovers) {
        ASSERT_EQ(engine::vmap_page_range(k, va(off), va(off) + size, pa(off), engine::PAGE_KERNEL),
                  0);
        engine::vunmap_range(k, va(off), va(off) + size);
      }
      ASSERT_TRUE(shapes(k).empty());
      const u64 live_before = k.pool().live_count();
      k.out().clear();

      const VirtAddr start = va(r.block_off), end = va(r.block_off) + r.block_size;
      ASSERT_EQ(engine::vmap_page_range(k, start, end, pa(r.block_off), engine::PAGE_KERNEL), 0);

      EXPECT_EQ(k.out().tables_freed, r.freed);
      EXPECT_EQ(k.out().tables_allocated, 0u);
      std::vector<engine::Flush> want;
      const bool order_2026 = !engine::before_cont_vmap(v) && !r.flush_offs_2026.empty();
      for (u64 off : order_2026 ? r.flush_offs_2026 : r.pgtable_flush_offs)
        want.push_back({engine::FlushKind::tlb_pgtable, va(off), va(off)});
      want.push_back({engine::FlushKind::cache_vmap, start, end});
      EXPECT_EQ(k.out().flushes, want);
      EXPECT_EQ(k.pool().live_count(), live_before - r.freed);
      const std::vector<Shape> block = {
          {r.block_off, r.block_size, kPa + r.block_off, r.level, false}};
      EXPECT_EQ(shapes(k), block);
      const reference::TableScan s = scan(k);
      EXPECT_TRUE(s.issues.empty()) << reference::issue_kind_name(s.issues.front().kind);
      EXPECT_EQ(k.pool().double_frees(), 0u);
    }
  }
}

TEST(VmapRangeNoflush, AdvancesPhysAcrossEverySlotLevel) {
  // PUD block, PMD block, CONT batch and single pages in one call: the PA
  // must follow the VA through every level's `phys_addr += next - addr`.
  const u64 size = 1 * G + 2 * M + 64 * K + 8 * K;
  for (Variant v : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    ASSERT_EQ(engine::vmap_range_noflush(k, va(1 * G), va(1 * G) + size, pa(1 * G),
                                         engine::PAGE_KERNEL, kHuge),
              0);
    const std::vector<Shape> want = {
        pud_run(1 * G, 1 * G, kPa + 1 * G),
        pmd_run(2 * G, 2 * M, kPa + 2 * G),
        cont_run(2 * G + 2 * M, 64 * K, kPa + 2 * G + 2 * M),
        pte_run(2 * G + 2 * M + 64 * K, 8 * K, kPa + 2 * G + 2 * M + 64 * K),
    };
    EXPECT_EQ(shapes(k), on_variant(v, want));
    for (u64 off : {1 * G + 123 * M, 2 * G + 1 * M, 2 * G + 2 * M + 60 * K, size + 1 * G - 4 * K}) {
      const reference::Translation t = translate(k, va(off));
      ASSERT_TRUE(t.mapped) << std::hex << off;
      EXPECT_EQ(t.pa, kPa + off) << std::hex << off;
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
