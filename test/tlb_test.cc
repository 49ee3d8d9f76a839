// SPDX-License-Identifier: GPL-2.0-only
// The TLB and walk-cache model (harness/tlb.h) on its own: each check fails
// on a hand-made store/flush sequence that breaks its rule, and stays quiet
// on the same sequence done the way the kernel does it. The sequences write
// descriptors with TablePool::store() and flush with Kernel::flush(), as
// the engine's functions do, so no flush-event prediction is involved.
#include "harness/tlb.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/arch_x86.h"
#include "engine/pgtable.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::FlushKind;
using engine::Kernel;
using harness::Mismatch;

constexpr u64 kPage = 4 * K;

// The entry at hardware `level` of the walk of `v`, or nullptr.
u64* entry_of(Kernel& k, VirtAddr v, unsigned level) {
  const reference::Translation tr = reference::translate(k.pool(), k.geo(), k.pgd_pa().v, v.v);
  for (const reference::WalkStep& s : tr.steps)
    if (s.level == level) return k.pool().table(PhysAddr{s.table_pa}) + s.index;
  return nullptr;
}

std::string sig(const std::optional<Mismatch>& m) {
  return m ? m->check + ":" + m->level + ":" + m->what : "none";
}

// An ioremap of `size` at va(0) -> pa(0), through harness::execute (which
// attaches the model), and that op's own checks taken.
void map(Kernel& k, u64 size, u64 pa_off = 0) {
  ASSERT_EQ(harness::execute(k, harness::IoremapOp{va(0).v, size, pa(pa_off).v}).ret, 0);
  ASSERT_EQ(sig(harness::check_tlb(k, va(0).v, va(size).v, nullptr)), "none");
}

std::optional<Mismatch> after(Kernel& k, u64 size) {
  return harness::check_tlb(k, va(0).v, va(size).v, nullptr);
}

TEST(TlbModel, AnUnmapWithoutAFlushLeavesAStaleTranslation) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, 4 * kPage);
  k.pool().store(entry_of(k, va(kPage), engine::kPteLevel), 0);
  EXPECT_EQ(sig(after(k, 4 * kPage)), "tlb:pte:stale-translation");
  k.flush(FlushKind::tlb_kernel_range, va(kPage), va(2 * kPage));
  EXPECT_EQ(sig(after(k, 4 * kPage)), "none");
}

TEST(TlbModel, AFlushOnePageShortLeavesTheLastPageStale) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, 4 * kPage);
  for (u64 off = 0; off < 4 * kPage; off += kPage)
    k.pool().store(entry_of(k, va(off), engine::kPteLevel), 0);
  k.flush(FlushKind::tlb_kernel_range, va(0), va(3 * kPage));
  const auto m = after(k, 4 * kPage);
  EXPECT_EQ(sig(m), "tlb:pte:stale-translation");
  ASSERT_TRUE(m && m->va);
  EXPECT_EQ(*m->va, va(3 * kPage).v);
}

TEST(TlbModel, ANewOutputAddressNeedsBreakBeforeMake) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, kPage);
  u64* pte = entry_of(k, va(0), engine::kPteLevel);
  const u64 moved = *pte + 16 * kPage;
  k.pool().store(pte, moved);
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "bbm:pte:oa-change");
  // Break, invalidate, make: allowed.
  k.pool().store(pte, 0);
  k.flush(FlushKind::tlb_kernel_range, va(0), va(kPage));
  k.pool().store(pte, moved + 16 * kPage);
  EXPECT_EQ(sig(after(k, kPage)), "none");
}

TEST(TlbModel, AnInvalidEntryWithoutTheInvalidationIsNoBreak) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, kPage);
  u64* pte = entry_of(k, va(0), engine::kPteLevel);
  const u64 moved = *pte + 16 * kPage;
  k.pool().store(pte, 0);
  k.pool().store(pte, moved);  // the old translation may still be cached
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "bbm:pte:oa-change");
}

TEST(TlbModel, ClearingTheContBitOfALiveGroupNeedsBreakBeforeMake) {
  Kernel k(geo(), engine::Variant::v4);
  map(k, 64 * K);
  u64* pte = entry_of(k, va(0), engine::kPteLevel);
  ASSERT_TRUE(*pte & engine::PTE_CONT);
  k.pool().store(pte, *pte & ~engine::PTE_CONT);
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "bbm:pte:cont-change");
}

TEST(TlbModel, APermissionChangeIsLiveSafeButStaleUntilFlushed) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, kPage);
  u64* pte = entry_of(k, va(0), engine::kPteLevel);
  k.pool().store(pte, (*pte | engine::PTE_RDONLY) & ~engine::PTE_WRITE);
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "none");
  EXPECT_EQ(sig(after(k, kPage)), "tlb:pte:stale-translation");
  k.flush(FlushKind::tlb_kernel_range, va(0), va(kPage));
  EXPECT_EQ(sig(after(k, kPage)), "none");
}

TEST(TlbModel, AMemoryTypeChangeOnALiveEntryNeedsBreakBeforeMake) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, kPage);
  u64* pte = entry_of(k, va(0), engine::kPteLevel);
  k.pool().store(pte,
                 (*pte & ~engine::PTE_ATTRINDX_MASK) | engine::PTE_ATTRINDX(engine::MT_NORMAL_NC));
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "bbm:pte:unsafe-attrs");
}

// A stale leaf after a malformed CONT group in the same cached run is
// still found: the malformed group is the walker's to judge, the rest of
// the run is not skipped with it.
TEST(TlbModel, AStaleGroupAfterAMalformedOneInTheSameRunIsFound) {
  Kernel k(geo(), engine::Variant::v4);
  map(k, 128 * K);  // two CONT groups, cached as one run
  u64* first = entry_of(k, va(0), engine::kPteLevel);
  ASSERT_TRUE(*first & engine::PTE_CONT);
  // Group 1: its first entry alone made read-only: malformed.
  k.pool().store(first, (*first | engine::PTE_RDONLY) & ~engine::PTE_WRITE);
  EXPECT_EQ(sig(after(k, 128 * K)), "none");
  // Group 2: all its entries made read-only, no flush: stale.
  for (u64 off = 64 * K; off < 128 * K; off += kPage) {
    u64* pte = entry_of(k, va(off), engine::kPteLevel);
    k.pool().store(pte, (*pte | engine::PTE_RDONLY) & ~engine::PTE_WRITE);
  }
  const auto m = after(k, 128 * K);
  EXPECT_EQ(sig(m), "tlb:pte:stale-translation");
  ASSERT_TRUE(m && m->va);
  EXPECT_EQ(*m->va, va(64 * K).v);
}

// x86-64: CPA's split. A table filled with the large page's translations
// and attributes may replace it while it is cached; its entries are cached
// as soon as it is linked. Changing one before flush_tlb_all() mixes two
// sizes with different attributes; after it, the old PTE is stale until
// flush_tlb_one_kernel() of its page.
TEST(TlbModel, X86SplitThenChangeNeedsTheWholeTlbFlushedBetween) {
  const engine::Geometry& g = *engine::find_geometry("x86-64-4l");
  const auto xva = [&](u64 off) { return VirtAddr{g.vmalloc_start + off}; };
  for (const bool flushed : {false, true}) {
    SCOPED_TRACE(flushed ? "flushed" : "not flushed");
    Kernel k(g, engine::Variant::mainline);
    ASSERT_EQ(harness::execute(k, harness::IoremapOp{xva(2 * M).v, 2 * M, 4 * G}).ret, 0);
    u64* pmd = entry_of(k, xva(2 * M), engine::kPmdLevel);
    ASSERT_TRUE(*pmd & engine::x86::PAGE_PSE);
    const u64 flags = *pmd & ~engine::x86::PTE_PFN_MASK & ~engine::x86::PAGE_PSE;
    const PhysAddr table = k.pool().alloc();
    u64* pte = k.pool().table(table);
    for (u64 i = 0; i < 512; ++i) k.pool().store(pte + i, (4 * G + i * kPage) | flags);
    k.pool().store(pmd, table.v | engine::x86::KERNPG_TABLE);
    harness::TlbModel& tlb = *harness::find_tlb(k);
    EXPECT_EQ(sig(tlb.take_violation()), "none");
    if (flushed) k.flush(FlushKind::tlb_all, VirtAddr{0}, VirtAddr{0});
    k.pool().store(pte + 1, pte[1] & ~engine::x86::PAGE_RW);
    EXPECT_EQ(sig(tlb.take_violation()), flushed ? "none" : "bbm:pte:size-attrs");
    if (!flushed) continue;
    const auto stale = harness::check_tlb(k, xva(2 * M).v, xva(4 * M).v, nullptr);
    EXPECT_EQ(sig(stale), "tlb:pte:stale-translation");
    k.flush(FlushKind::tlb_one_kernel, xva(2 * M + kPage), xva(2 * M + kPage));
    EXPECT_EQ(sig(harness::check_tlb(k, xva(2 * M).v, xva(4 * M).v, nullptr)), "none");
  }
}

// A run of page stores in rising VA order, each continuing the last (what
// a map writes), is cached without decoding each store (harness/tlb.h,
// run_next_). A run that reaches VAs still cached must be checked against
// them from the first such page on: here its new output address there is
// a break-before-make violation, found at that page.
TEST(TlbModel, AStoreRunReachingCachedVasIsCheckedFromItsFirstCachedPage) {
  Kernel k(geo(), engine::Variant::mainline);
  ASSERT_EQ(harness::execute(k, harness::IoremapOp{va(8 * kPage).v, 4 * kPage, pa(0).v}).ret, 0);
  u64* at8 = entry_of(k, va(8 * kPage), engine::kPteLevel);
  ASSERT_NE(at8, nullptr);
  const u64 attrs = *at8 & ~engine::PTE_ADDR_MASK;
  harness::TlbModel& tlb = *harness::find_tlb(k);
  for (u64 i = 0; i < 12; ++i)  // va(0) .. va(11 pages) -> 1 GiB on
    k.pool().store(at8 - 8 + i, (pa(G).v + i * kPage) | attrs);
  const auto m = tlb.take_violation();
  EXPECT_EQ(sig(m), "bbm:pte:oa-change");
  ASSERT_TRUE(m && m->va);
  EXPECT_EQ(*m->va, va(8 * kPage).v);
}

// The same pages stored in rising order (one run, cached without decoding),
// in falling order (each store decoded), and read when the model is
// attached after them: the model ends up caching the same leaves, and finds the same stale one
// after an unmap flushed one leaf short. With CONT groups, without (the CONT bits taken out), and
// with scattered output addresses (each page a run of its own, as
// vmalloc's), over a PTE table's end.
TEST(TlbModel, StoresInRisingAndFallingOrderCacheTheSame) {
  enum class Shape { cont, pages, scattered };
  for (const Shape shape : {Shape::cont, Shape::pages, Shape::scattered}) {
    SCOPED_TRACE(static_cast<int>(shape));
    const engine::Variant v = engine::Variant::v4;
    // 2 MiB - 128 KiB .. 2 MiB + 128 KiB: two PTE tables, 2 CONT groups in each.
    const u64 lo = 2 * M - 128 * K, size = 256 * K;
    // How the model comes to cache the pages: it watches them stored in
    // rising or falling order, or it is attached after and reads them
    // (seed_range(), which takes runs the same way).
    enum class Order { rising, falling, seeded };
    auto build = [&](Kernel& k, Order order) {
      ASSERT_EQ(engine::vmap_page_range(k, va(lo), va(lo + size), pa(lo), engine::PAGE_KERNEL), 0);
      std::vector<std::pair<u64*, u64>> pages;
      for (u64 off = lo; off < lo + size; off += kPage) {
        u64* e = entry_of(k, va(off), engine::kPteLevel);
        ASSERT_NE(e, nullptr);
        ASSERT_TRUE(*e & engine::PTE_CONT);
        u64 d = shape == Shape::cont ? *e : *e & ~engine::PTE_CONT;
        // Scattered: every page two pages below the last one's output address.
        if (shape == Shape::scattered)
          d = (d & ~engine::PTE_ADDR_MASK) | (pa(G).v - (off - lo) * 2);
        pages.emplace_back(e, d);
        k.pool().store(e, 0);
      }
      if (order == Order::falling) std::reverse(pages.begin(), pages.end());
      if (order == Order::seeded)
        for (const auto& [e, d] : pages) k.pool().store(e, d);
      harness::TlbModel& tlb = harness::tlb_of(k);
      if (order != Order::seeded) {
        ASSERT_EQ(tlb.cached_leaves(), 0u);
        for (const auto& [e, d] : pages) k.pool().store(e, d);
      }
      EXPECT_EQ(sig(tlb.take_violation()), "none");
      // What is cached is what the tables hold.
      EXPECT_EQ(sig(harness::check_tlb(k, va(lo).v, va(lo + size).v, nullptr)), "none");
    };
    Kernel up(geo(), v), down(geo(), v), seeded(geo(), v);
    build(up, Order::rising);
    build(down, Order::falling);
    build(seeded, Order::seeded);
    harness::TlbModel& a = *harness::find_tlb(up);
    for (Kernel* k : {&down, &seeded}) {
      harness::TlbModel& b = *harness::find_tlb(*k);
      EXPECT_EQ(a.cached_leaves(), b.cached_leaves());
      for (u64 off = lo - kPage; off <= lo + size; off += kPage)
        EXPECT_EQ(a.caches(va(off).v), b.caches(va(off).v)) << off;
    }
    EXPECT_EQ(a.cached_leaves(), shape == Shape::cont ? size / (64 * K) : size / kPage);
    // A flush one leaf short: a page, or a CONT group (a flush of any of
    // its pages drops the whole group).
    const u64 leaf = shape == Shape::cont ? 64 * K : kPage;
    for (Kernel* k : {&up, &down, &seeded}) {
      engine::vunmap_range_noflush(*k, va(lo), va(lo + size));
      k->flush(FlushKind::tlb_kernel_range, va(lo), va(lo + size - leaf));
      const auto m = harness::check_tlb(*k, va(lo).v, va(lo + size).v, nullptr);
      EXPECT_EQ(sig(m), "tlb:pte:stale-translation");
      ASSERT_TRUE(m && m->va);
      EXPECT_EQ(*m->va, va(lo + size - leaf).v);
    }
  }
}

// A seed caches a CONT group whose entries disagree page by page, each
// without CONT, even where its first entry continues the run of the whole
// group before it.
TEST(TlbModel, ASeedCachesAMalformedGroupPageByPage) {
  Kernel k(geo(), engine::Variant::v4);
  // Three groups, the third one's fourth entry made read-only.
  ASSERT_EQ(engine::vmap_page_range(k, va(0), va(192 * K), pa(0), engine::PAGE_KERNEL), 0);
  u64* fourth = entry_of(k, va(128 * K + 3 * kPage), engine::kPteLevel);
  ASSERT_TRUE(*fourth & engine::PTE_CONT);
  k.pool().store(fourth, (*fourth | engine::PTE_RDONLY) & ~engine::PTE_WRITE);
  harness::TlbModel& tlb = harness::tlb_of(k);
  EXPECT_EQ(tlb.cached_leaves(), 2u + 16u);
  EXPECT_EQ(sig(after(k, 192 * K)), "none");
}

// A run of stores ends with its table: the entry after a table's last one
// may be the first of another table, mapping other VAs, and a store there
// is decoded for its own VA.
TEST(TlbModel, AStoreRunEndsWithItsTable) {
  Kernel k(geo(), engine::Variant::mainline);
  harness::TlbModel& tlb = harness::tlb_of(k);
  // The PTE tables of [2M - 8K, 2M) and of [6M, 6M + 4K), one after the other in the pool.
  ASSERT_EQ(
      engine::vmap_page_range(k, va(2 * M - 2 * kPage), va(2 * M), pa(0), engine::PAGE_KERNEL), 0);
  ASSERT_EQ(engine::vmap_page_range(k, va(6 * M), va(6 * M + kPage), pa(G), engine::PAGE_KERNEL),
            0);
  u64* last = entry_of(k, va(2 * M - kPage), engine::kPteLevel);
  u64* other = entry_of(k, va(6 * M), engine::kPteLevel);
  ASSERT_EQ(other, last + 1) << "the pool no longer hands out tables in order";
  const u64 d0 = last[-1], d1 = last[0];
  for (u64* e : {last - 1, last, other}) k.pool().store(e, 0);
  k.flush(FlushKind::tlb_kernel_range, va(2 * M - 2 * kPage), va(6 * M + kPage));
  k.pool().store(last - 1, d0);
  k.pool().store(last, d1);
  k.pool().store(other, d1 + kPage);  // the next output address, but for 6M, not 2M
  EXPECT_EQ(sig(tlb.take_violation()), "none");
  EXPECT_FALSE(tlb.caches(va(2 * M).v));
  EXPECT_TRUE(tlb.caches(va(6 * M).v));
  EXPECT_EQ(sig(harness::check_tlb(k, va(2 * M - 2 * kPage).v, va(6 * M + kPage).v, nullptr)),
            "none");
}

// pmd_free_pte_page() without its __flush_tlb_kernel_pgtable(): the PTE
// table goes back to the allocator while a walk through it may be cached.
TEST(TlbModel, FreeingATableWithoutThePgtableFlushIsCaught) {
  for (const bool flushed : {false, true}) {
    Kernel k(geo(), engine::Variant::mainline);
    map(k, kPage);
    ASSERT_EQ(harness::execute(k, harness::VunmapRangeOp{va(0).v, kPage}).ret, 0);
    ASSERT_EQ(sig(after(k, kPage)), "none");
    u64* pmd = entry_of(k, va(0), engine::kPmdLevel);
    const PhysAddr table = engine::desc_table_pa(*pmd);
    k.pool().store(pmd, 0);
    if (flushed) k.flush(FlushKind::tlb_pgtable, va(0), va(0));
    k.pool().free(table);
    EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()),
              flushed ? "none" : "walk-cache:pte:freed-table")
        << "flushed=" << flushed;
  }
}

// A block written where a cached walk still leads to the old PTE table.
TEST(TlbModel, ABlockOverACachedTableWalkNeedsTheWalkInvalidated) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, kPage);
  ASSERT_EQ(harness::execute(k, harness::VunmapRangeOp{va(0).v, kPage}).ret, 0);
  u64* pmd = entry_of(k, va(0), engine::kPmdLevel);
  const u64 block = pa(0).v | engine::mk_sect_prot(engine::PAGE_KERNEL);
  k.pool().store(pmd, 0);
  k.pool().store(pmd, block);
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "bbm:pmd:table-replaced");
}

// flush_tlb_kernel_range() is a last-level invalidation on arm64: it does
// not drop the walk cache, so it cannot stand in for the pgtable flush.
TEST(TlbModel, ALastLevelRangeFlushLeavesTheWalkCache) {
  Kernel k(geo(), engine::Variant::mainline);
  map(k, kPage);
  ASSERT_EQ(harness::execute(k, harness::VunmapRangeOp{va(0).v, kPage}).ret, 0);
  u64* pmd = entry_of(k, va(0), engine::kPmdLevel);
  const PhysAddr table = engine::desc_table_pa(*pmd);
  k.pool().store(pmd, 0);
  k.flush(FlushKind::tlb_kernel_range, va(0), va(2 * M));
  k.pool().free(table);
  EXPECT_EQ(sig(harness::find_tlb(k)->take_violation()), "walk-cache:pte:freed-table");
}

TEST(TlbModel, AttachingLateCachesWhatTheTablesHold) {
  Kernel k(geo(), engine::Variant::mainline);
  ASSERT_EQ(engine::vmap_page_range(k, va(0), va(kPage), pa(0), engine::PAGE_KERNEL), 0);
  ASSERT_EQ(harness::find_tlb(k), nullptr);
  harness::TlbModel& tlb = harness::tlb_of(k);
  EXPECT_TRUE(tlb.caches(va(0).v));
  EXPECT_FALSE(tlb.caches(va(kPage).v));
  k.pool().store(entry_of(k, va(0), engine::kPteLevel), 0);
  EXPECT_EQ(sig(after(k, kPage)), "tlb:pte:stale-translation");
}

TEST(TlbModel, TheLazyPurgeOfAFreedAreaDropsItsTranslations) {
  Kernel k(geo(), engine::Variant::v4);
  map(k, 2 * M);
  harness::TlbModel& tlb = *harness::find_tlb(k);
  EXPECT_TRUE(tlb.caches(va(M).v));
  ASSERT_EQ(harness::execute(k, harness::IounmapOp{va(0).v}).ret, 0);
  EXPECT_FALSE(tlb.caches(va(M).v));
  EXPECT_EQ(sig(after(k, 2 * M)), "none");
}

// The Runner judges every implementation with the model: a whole trace
// that maps, unmaps part, remaps and frees passes, and leaves nothing
// cached for the VAs it freed.
TEST(TlbModel, RunnerTracesPassAndResetEmptiesTheModel) {
  harness::Trace t;
  t.variant = engine::Variant::v4;
  t.ops = {harness::IoremapOp{va(0).v, 4 * M, pa(0).v}, harness::VunmapRangeOp{va(2 * M).v, 2 * M},
           harness::IoremapPageRangeOp{va(2 * M).v, 2 * M, pa(4 * M).v},
           harness::IounmapOp{va(0).v}};
  harness::Runner r;
  const harness::RunResult res = r.run(t);
  ASSERT_FALSE(res.failure) << res.failure->signature << "\n" << res.failure->detail;
  for (const auto& im : r.impls()) {
    const harness::TlbModel* tlb = harness::find_tlb(*im.kernel);
    ASSERT_NE(tlb, nullptr) << im.name();
    EXPECT_EQ(tlb->cached_leaves(), 0u) << im.name();
  }
}

}  // namespace
}  // namespace vmapfuzz::test
