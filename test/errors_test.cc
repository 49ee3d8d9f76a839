// SPDX-License-Identifier: GPL-2.0-only
// The error, WARN and BUG points of the mapping and unmapping paths: what
// each returns or records, and what stays mapped afterwards.
#include <gtest/gtest.h>

#include <iterator>
#include <string>

#include "engine/arch.h"
#include "engine/arch_x86.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::BugId;
using engine::FlushKind;
using engine::Kernel;
using engine::PgLevel;
using engine::Variant;
using engine::Warn;
using engine::WarnId;

const engine::pgprot_t kDevice = engine::prot_value(engine::ProtName::device);

int map(Kernel& k, u64 off, u64 size, u64 pa_off) {
  return engine::vmap_page_range(k, va(off), va(off) + size, pa(pa_off), engine::PAGE_KERNEL);
}

TEST(VmapPteRange, BugsWhenRemappingPresentPteAndStopsTheWalk) {
  for (Variant v : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    ASSERT_EQ(map(k, 8 * K, 4 * K, 1 * M), 0);
    k.out().clear();

    EXPECT_EQ(map(k, 0, 16 * K, 0), -engine::kBUGGED);
    EXPECT_EQ(k.out().bug, BugId::vmap_pte_range_remap);
    EXPECT_EQ(k.out().bug_addr, va(8 * K));
    EXPECT_TRUE(k.out().flushes.empty());  // the oops comes before flush_cache_vmap
    // The two pages before the live one were written, the live one kept,
    // the one after never reached.
    EXPECT_EQ(translate(k, va(0)).pa, kPa);
    EXPECT_EQ(translate(k, va(4 * K)).pa, kPa + 4 * K);
    EXPECT_EQ(translate(k, va(8 * K)).pa, kPa + 1 * M);
    EXPECT_FALSE(translate(k, va(12 * K)).mapped);
  }
}

TEST(VmapPteRange, ReturnsEinvalAndWarnsOncePerKernelForUnalignedSize) {
  for (Variant v : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    if (engine::before_cont_vmap(v)) {
      // No such check in 6.12 or 6.1: the PTEs of both pages are written and the
      // loop steps over the end (modelled BUG), before flush_cache_vmap.
      EXPECT_EQ(map(k, 0, 6 * K, 0), -engine::kBUGGED);
      EXPECT_EQ(k.out().bug, BugId::walk_ran_past_end);
      EXPECT_EQ(k.out().bug_addr, va(8 * K));
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_TRUE(k.out().flushes.empty());
      EXPECT_EQ(shapes(k), std::vector<Shape>{pte_run(0, 8 * K, kPa)});
      continue;
    }
    for (int call = 0; call < 2; ++call) {
      k.out().clear();
      EXPECT_EQ(map(k, 0, 6 * K, 0), -engine::kEINVAL);
      const std::vector<Warn> want =
          call == 0 ? std::vector<Warn>{{WarnId::vmap_pte_range_size_unaligned, va(0)}}
                    : std::vector<Warn>{};
      EXPECT_EQ(k.out().warns, want) << "call " << call;
      EXPECT_TRUE(shapes(k).empty());
    }
    Kernel fresh(geo(), v);
    EXPECT_EQ(map(fresh, 0, 6 * K, 0), -engine::kEINVAL);
    EXPECT_EQ(warn_ids(fresh.out()), std::vector<WarnId>{WarnId::vmap_pte_range_size_unaligned});
  }
}

TEST(IoremapPageRange, ReturnsEinvalWithoutIoremapArea) {
  struct Row {
    const char* name;
    unsigned area_flags;  // 0: no area at all
  };
  const Row rows[] = {
      {"no area", 0}, {"VM_MAP area", engine::VM_MAP}, {"VM_ALLOC area", engine::VM_ALLOC}};
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    if (r.area_flags) {
      ASSERT_NE(engine::get_vm_area_at(k, va(0), 2 * M, r.area_flags), nullptr);
    }
    for (int call = 0; call < 2; ++call) {
      k.out().clear();
      EXPECT_EQ(engine::ioremap_page_range(k, va(0), va(2 * M), pa(0), kDevice), -engine::kEINVAL);
      // WARN_ONCE: reported on the first call only.
      EXPECT_EQ(warn_ids(k.out()), call == 0 ? std::vector<WarnId>{WarnId::ioremap_area_not_ioremap}
                                             : std::vector<WarnId>{});
    }
    EXPECT_TRUE(shapes(k).empty());
    EXPECT_EQ(k.pool().live_count(), 1u);
  }
}

TEST(IoremapPageRange, ReturnsErangeUnlessRangeIsExactlyTheArea) {
  struct Row {
    const char* name;
    u64 off, size;
    int ret;
  };
  const Row rows[] = {
      {"exactly the area", 2 * M, 2 * M, 0},
      {"shorter than the area", 2 * M, 1 * M, -engine::kERANGE},
      {"including the guard page", 2 * M, 2 * M + 4 * K, -engine::kERANGE},
      {"starting inside the area", 2 * M + 4 * K, 2 * M - 4 * K, -engine::kERANGE},
      {"starting at the guard page", 4 * M, 4 * K, -engine::kERANGE},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    ASSERT_NE(engine::get_vm_area_at(k, va(2 * M), 2 * M, engine::VM_IOREMAP), nullptr);
    EXPECT_EQ(engine::ioremap_page_range(k, va(r.off), va(r.off) + r.size, pa(r.off), kDevice),
              r.ret);
    const std::vector<WarnId> want =
        r.ret ? std::vector<WarnId>{WarnId::ioremap_range_mismatch} : std::vector<WarnId>{};
    EXPECT_EQ(warn_ids(k.out()), want);
    EXPECT_EQ(shapes(k).empty(), r.ret != 0);
  }
}

TEST(VmapRangeNoflush, ReturnsEnomemAtEachLevelKeepingWhatIsMapped) {
  // [0, 2M + 64K): a PUD table, a PMD table, a PMD block at 0 (no table),
  // then a PTE table for the CONT group at 2M.
  struct Row {
    const char* name;
    unsigned fail_nth;
    int ret;
    unsigned allocated;
    std::vector<Shape> mapped;
  };
  const Row rows[] = {
      {"PUD table", 1, -engine::kENOMEM, 0, {}},
      {"PMD table", 2, -engine::kENOMEM, 1, {}},
      {"PTE table", 3, -engine::kENOMEM, 2, {pmd_run(0, 2 * M, kPa)}},
      {"none (fourth allocation)",
       4,
       0,
       3,
       {pmd_run(0, 2 * M, kPa), cont_run(2 * M, 64 * K, kPa + 2 * M)}},
  };
  for (Variant v : engine::kAllVariants) {
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": fail " + r.name);
      Kernel k(geo(), v);
      k.pool().fail_nth(r.fail_nth);
      EXPECT_EQ(map(k, 0, 2 * M + 64 * K, 0), r.ret);
      EXPECT_EQ(k.out().tables_allocated, r.allocated);
      EXPECT_EQ(k.pool().failures(), r.ret ? 1u : 0u);
      EXPECT_EQ(k.out().bug, BugId::none);
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_EQ(shapes(k), on_variant(v, r.mapped));
      EXPECT_TRUE(scan(k).issues.empty());
      // flush_cache_vmap runs whatever vmap_range_noflush returned.
      const std::vector<engine::Flush> want = {{FlushKind::cache_vmap, va(0), va(2 * M + 64 * K)}};
      EXPECT_EQ(k.out().flushes, want);
    }
  }
}

struct UnmapRow {
  const char* name;
  u64 map_off, map_size;
  u64 unmap_off, unmap_size;
  std::vector<std::pair<WarnId, u64>> warns;  // (id, VA offset)
  std::vector<Shape> remaining;
};

// On `variants` (default: all).
void expect_unmaps(const std::vector<UnmapRow>& rows,
                   const std::vector<Variant>& variants = {std::begin(engine::kAllVariants),
                                                           std::end(engine::kAllVariants)}) {
  for (Variant v : variants) {
    for (const UnmapRow& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      ASSERT_EQ(map(k, r.map_off, r.map_size, r.map_off), 0);
      k.out().clear();
      engine::vunmap_range(k, va(r.unmap_off), va(r.unmap_off) + r.unmap_size);
      std::vector<Warn> want;
      for (auto [id, off] : r.warns) want.push_back({id, va(off)});
      EXPECT_EQ(k.out().warns, want);
      EXPECT_EQ(k.out().bug, BugId::none);
      EXPECT_EQ(shapes(k), r.remaining);
      EXPECT_TRUE(scan(k).issues.empty());
      EXPECT_EQ(k.out().tables_freed, 0u);  // vunmap never frees tables
    }
  }
}

TEST(VunmapRange, WarnsAndClearsWholeBlockOnPartialUnmap) {
  expect_unmaps(
      {
          {"whole PMD block", 2 * M, 2 * M, 2 * M, 2 * M, {}, {}},
          {"one page of a PMD block",
           2 * M,
           2 * M,
           3 * M,
           4 * K,
           {{WarnId::vunmap_pmd_partial_block, 3 * M}},
           {}},
          {"whole PUD block", 1 * G, 1 * G, 1 * G, 1 * G, {}, {}},
          {"one page of a PUD block",
           1 * G,
           1 * G,
           1 * G + 2 * M,
           4 * K,
           {{WarnId::vunmap_pud_partial_block, 1 * G + 2 * M}},
           {}},
          {"range straddling two PMD blocks",
           2 * M,
           4 * M,
           3 * M,
           2 * M,
           {{WarnId::vunmap_pmd_partial_block, 3 * M}, {WarnId::vunmap_pmd_partial_block, 4 * M}},
           {}},
      },
      {Variant::mainline, Variant::v4, Variant::v4_fixed});
  // Linux 6.12 clears the same whole blocks without the WARNs.
  expect_unmaps(
      {
          {"whole PMD block", 2 * M, 2 * M, 2 * M, 2 * M, {}, {}},
          {"one page of a PMD block", 2 * M, 2 * M, 3 * M, 4 * K, {}, {}},
          {"whole PUD block", 1 * G, 1 * G, 1 * G, 1 * G, {}, {}},
          {"one page of a PUD block", 1 * G, 1 * G, 1 * G + 2 * M, 4 * K, {}, {}},
          {"range straddling two PMD blocks", 2 * M, 4 * M, 3 * M, 2 * M, {}, {}},
      },
      {Variant::v6_12});
}

TEST(VunmapRange, WarnsAndClearsWholeContGroupOnPartialUnmap) {
  expect_unmaps(
      {
          {"whole group", 64 * K, 64 * K, 64 * K, 64 * K, {}, {}},
          {"misaligned start",
           64 * K,
           64 * K,
           68 * K,
           60 * K,
           {{WarnId::vunmap_pte_cont_misaligned, 68 * K}},
           {}},
          {"partial end",
           64 * K,
           64 * K,
           64 * K,
           8 * K,
           {{WarnId::vunmap_pte_cont_partial, 64 * K}},
           {}},
          {"misaligned start and partial end",
           64 * K,
           64 * K,
           68 * K,
           4 * K,
           {{WarnId::vunmap_pte_cont_misaligned, 68 * K},
            {WarnId::vunmap_pte_cont_partial, 64 * K}},
           {}},
          {"partial end in the second group",
           64 * K,
           128 * K,
           64 * K,
           72 * K,
           {{WarnId::vunmap_pte_cont_partial, 128 * K}},
           {}},
          {"first group of two",
           64 * K,
           128 * K,
           64 * K,
           64 * K,
           {},
           {cont_run(128 * K, 64 * K, kPa + 128 * K)}},
      },
      {Variant::mainline, Variant::v4, Variant::v4_fixed});
  // Linux 6.12 mapped the same ranges with plain PTEs: each unmap clears
  // exactly its pages, without WARNs.
  expect_unmaps(
      {
          {"whole group", 64 * K, 64 * K, 64 * K, 64 * K, {}, {}},
          {"misaligned start",
           64 * K,
           64 * K,
           68 * K,
           60 * K,
           {},
           {pte_run(64 * K, 4 * K, kPa + 64 * K)}},
          {"partial end",
           64 * K,
           64 * K,
           64 * K,
           8 * K,
           {},
           {pte_run(72 * K, 56 * K, kPa + 72 * K)}},
          {"misaligned start and partial end",
           64 * K,
           64 * K,
           68 * K,
           4 * K,
           {},
           {pte_run(64 * K, 4 * K, kPa + 64 * K), pte_run(72 * K, 56 * K, kPa + 72 * K)}},
          {"partial end in the second group",
           64 * K,
           128 * K,
           64 * K,
           72 * K,
           {},
           {pte_run(136 * K, 56 * K, kPa + 136 * K)}},
          {"first group of two",
           64 * K,
           128 * K,
           64 * K,
           64 * K,
           {},
           {pte_run(128 * K, 64 * K, kPa + 128 * K)}},
      },
      {Variant::v6_12});
}

TEST(VunmapRange, ClearsSinglePtesExactly) {
  expect_unmaps({
      {"middle page",
       0,
       16 * K,
       4 * K,
       4 * K,
       {},
       {pte_run(0, 4 * K, kPa), pte_run(8 * K, 8 * K, kPa + 8 * K)}},
      {"nothing mapped there", 0, 16 * K, 1 * M, 64 * K, {}, {pte_run(0, 16 * K, kPa)}},
  });
}

TEST(Vunmap, WarnsForNonexistentArea) {
  Kernel k(geo(), Variant::v4);
  ASSERT_EQ(map(k, 0, 2 * M, 0), 0);
  k.out().clear();
  engine::vunmap(k, va(0));  // mapped with vmap_page_range: no area
  const std::vector<Warn> want = {{WarnId::vunmap_nonexistent_area, va(0)}};
  EXPECT_EQ(k.out().warns, want);
  EXPECT_TRUE(k.out().flushes.empty());
  EXPECT_EQ(shapes(k), std::vector<Shape>{pmd_run(0, 2 * M, kPa)});
}

TEST(Vunmap, UnmapsTheWholeAreaWithLazyFlush) {
  Kernel k(geo(), Variant::v4);
  ASSERT_NE(engine::get_vm_area_at(k, va(2 * M), 2 * M, engine::VM_IOREMAP), nullptr);
  ASSERT_EQ(engine::ioremap_page_range(k, va(2 * M), va(4 * M), pa(0), kDevice), 0);
  k.out().clear();
  engine::vunmap(k, va(3 * M));  // any address inside the area
  const std::vector<engine::Flush> want = {
      {FlushKind::cache_vunmap, va(2 * M), va(4 * M + 4 * K)},
      {FlushKind::tlb_lazy_purge, va(2 * M), va(4 * M + 4 * K)}};
  EXPECT_EQ(k.out().flushes, want);
  EXPECT_TRUE(k.out().warns.empty());
  EXPECT_TRUE(shapes(k).empty());
  EXPECT_TRUE(k.areas().empty());
}

// pXd_none_or_clear_bad(): an entry that is neither none, a table nor (at the PUD and
// PMD levels) a block is reported through pXd_clear_bad, zeroed, and the walk goes on
// with the next slot. The PUD and PMD of arm64-4k-48 test it; there the P4D is folded
// onto the PGD, so a bad PGD entry meets the p4d check. The PGD check of its own, and a
// P4D check on a P4D table, need five levels: x86-64-5l.
TEST(VunmapRange, ClearsBadEntryAtEachLevelAndWalksOn) {
  struct Row {
    const char* name;
    const char* geometry;
    unsigned step;  // the translation step whose table holds the entry
    PgLevel level;  // that table's kernel level (the slot size of its entries)
    u64 garbage;    // not none, not a table, not a block at that level
    WarnId warn;
    engine::u32 modified;
  };
  const Row rows[] = {
      {"arm64 PMD entry, invalid", "arm64-4k-48", 2, PgLevel::pmd, 0x4, WarnId::pmd_bad,
       engine::PGTBL_PMD_MODIFIED},
      {"arm64 PUD entry, invalid", "arm64-4k-48", 1, PgLevel::pud, 0x4, WarnId::pud_bad,
       engine::PGTBL_PUD_MODIFIED},
      {"arm64 PGD entry, checked as the folded P4D", "arm64-4k-48", 0, PgLevel::pgd, 0x4,
       WarnId::p4d_bad, engine::PGTBL_P4D_MODIFIED},
      {"x86-64 P4D entry with PSE", "x86-64-5l", 1, PgLevel::p4d,
       engine::x86::PAGE_PRESENT | engine::x86::PAGE_PSE, WarnId::p4d_bad,
       engine::PGTBL_P4D_MODIFIED},
      {"x86-64 PGD entry, present only", "x86-64-5l", 0, PgLevel::pgd, engine::x86::PAGE_PRESENT,
       WarnId::pgd_bad, engine::PGTBL_PGD_MODIFIED},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const engine::Geometry& g = *engine::find_geometry(r.geometry);
    Kernel k(g, Variant::mainline);
    const VirtAddr start{g.vmalloc_start};
    ASSERT_EQ(engine::vmap_page_range(k, start, start + g.page_size(), PhysAddr{kPa},
                                      engine::prot_value(g, engine::ProtName::normal)),
              0);
    // The entry of the slot after the one that maps `start`, in the same table.
    const reference::Translation t = translate(k, start);
    ASSERT_TRUE(t.mapped);
    ASSERT_LT(r.step, t.steps.size());
    u64* entry = k.pool().table(PhysAddr{t.steps[r.step].table_pa}) + t.steps[r.step].index + 1;
    ASSERT_EQ(*entry, 0u);
    *entry = r.garbage;
    const u64 slot = u64{1} << g.level_shift(r.level);
    const VirtAddr bad{(start.v & ~(slot - 1)) + slot};
    k.out().clear();
    engine::vunmap_range(k, start, bad + g.page_size());
    EXPECT_EQ(k.out().warns, (std::vector<Warn>{{r.warn, bad}}));
    EXPECT_EQ(k.out().bug, BugId::none);
    EXPECT_EQ(*entry, 0u);
    EXPECT_NE(k.out().mod_mask & r.modified, 0u);
    EXPECT_NE(k.out().mod_mask & engine::PGTBL_PTE_MODIFIED, 0u);
    EXPECT_FALSE(translate(k, start).mapped);
    EXPECT_TRUE(scan(k).issues.empty());
  }
}

TEST(VunmapRange, BugsOnEmptyRangeAfterTheCacheFlush) {
  Kernel k(geo(), Variant::v4);
  ASSERT_EQ(map(k, 0, 4 * K, 0), 0);
  k.out().clear();
  engine::vunmap_range_noflush(k, va(4 * K), va(4 * K));
  EXPECT_EQ(k.out().bug, BugId::range_addr_ge_end);
  EXPECT_EQ(k.out().bug_addr, va(4 * K));
  EXPECT_TRUE(k.out().flushes.empty());
  // vunmap_range(): flush_cache_vunmap comes before the BUG_ON, the TLB flush never.
  k.out().clear();
  engine::vunmap_range(k, va(8 * K), va(4 * K));
  EXPECT_EQ(k.out().bug, BugId::range_addr_ge_end);
  EXPECT_EQ(k.out().bug_addr, va(8 * K));
  EXPECT_EQ(k.out().flushes,
            (std::vector<engine::Flush>{{FlushKind::cache_vunmap, va(8 * K), va(4 * K)}}));
  EXPECT_EQ(shapes(k), std::vector<Shape>{pte_run(0, 4 * K, kPa)});
}

// vunmap_pte_range() steps by pages until addr == end: an end inside a page is never met.
// Every caller passes page-aligned ranges; the model stops the walk at the first step past
// the end with a BUG, after the page it has cleared.
TEST(VunmapRange, BugsWhenThePteLoopStepsOverAnUnalignedEnd) {
  for (Variant v : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    ASSERT_EQ(map(k, 0, 8 * K, 0), 0);
    k.out().clear();
    engine::vunmap_range(k, va(0), va(0x800));
    EXPECT_EQ(k.out().bug, BugId::walk_ran_past_end);
    EXPECT_EQ(k.out().bug_addr, va(4 * K));
    EXPECT_EQ(k.out().flushes,
              (std::vector<engine::Flush>{{FlushKind::cache_vunmap, va(0), va(0x800)}}));
    EXPECT_EQ(shapes(k), std::vector<Shape>{pte_run(4 * K, 4 * K, kPa + 4 * K)});
  }
}

// The fixed-address area of the harness: it and its guard page must lie inside the
// vmalloc window and overlap no live area (guard pages included).
TEST(GetVmAreaAt, PlacesOnlyInsideTheWindowAndBesideLiveAreas) {
  const u64 start = geo().vmalloc_start, end = start + geo().vmalloc_size;
  struct Row {
    const char* name;
    u64 addr, size;
    bool placed;
  };
  const Row rows[] = {
      {"size 0", va(8 * M).v, 0, false},
      {"below the window", start - 4 * K, 4 * K, false},
      {"guard page past the window end", end - 4 * K, 4 * K, false},
      {"guard page on the last page of the window", end - 8 * K, 4 * K, true},
      {"on the live area's guard page", va(4 * M).v, 4 * K, false},
      {"ending just before the live area", va(2 * M - 8 * K).v, 4 * K, true},
      {"guard page on the live area's first page", va(2 * M - 4 * K).v, 4 * K, false},
      {"right after the live area's guard page", va(4 * M + 4 * K).v, 4 * K, true},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    ASSERT_NE(engine::get_vm_area_at(k, va(2 * M), 2 * M, engine::VM_IOREMAP), nullptr);
    const engine::VmArea* a = engine::get_vm_area_at(k, VirtAddr{r.addr}, r.size, engine::VM_MAP);
    EXPECT_EQ(a != nullptr, r.placed);
    EXPECT_EQ(k.areas().size(), r.placed ? 2u : 1u);
    if (!a) continue;
    EXPECT_EQ(a->addr, VirtAddr{r.addr});
    EXPECT_EQ(a->size, r.size + 4 * K);
    EXPECT_EQ(a->flags, engine::VM_MAP);
  }
}

TEST(VmapRangeNoflush, BugsOnEmptyRange) {
  Kernel k(geo(), Variant::v4);
  EXPECT_EQ(engine::vmap_range_noflush(k, va(4 * K), va(4 * K), pa(0), engine::PAGE_KERNEL, 63),
            -engine::kBUGGED);
  EXPECT_EQ(k.out().bug, BugId::range_addr_ge_end);
  EXPECT_EQ(k.pool().live_count(), 1u);
}

}  // namespace
}  // namespace vmapfuzz::test
