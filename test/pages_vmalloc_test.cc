// SPDX-License-Identifier: GPL-2.0-only
// vmalloc (docs/vmalloc.md): the shift and VA alignment it picks,
// the page array vm_area_alloc_pages() builds from the model allocator,
// the leaves that result, its failure paths and retry at PAGE_SHIFT, and
// the series' single walk against mainline's walk per chunk.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "engine/vmalloc.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
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

// The model allocator's first pfn (2 GiB) and what follows from its
// policy: pfn = ALIGN(next, 1 << order); next = pfn + (1 << order) + 1.
constexpr u64 kBase = engine::PageAllocator::kBasePfn;
const u64 kBasePa = kBase << 12;

int vmalloc(Kernel& k, u64 size, u64 hint, bool huge, VirtAddr* out) {
  return engine::vmalloc(k, size, va(hint), huge, engine::PAGE_KERNEL, out);
}

struct PlacementRow {
  const char* name;
  u64 size, hint;
  bool huge;
  KernelConfig cfg;
  u64 addr;       // VA offset chosen
  u64 area_size;  // usable size (size rounded)
  std::vector<Shape> shapes;
  u64 mainline_walks;  // one per 2^shift chunk, or 1 at PAGE_SHIFT
};

const std::vector<PlacementRow>& placement_rows() {
  static const std::vector<PlacementRow> rows = {
      {"2M huge at a 2M-aligned hint",
       2 * M,
       2 * M,
       true,
       {},
       2 * M,
       2 * M,
       {pmd_run(2 * M, 2 * M, kBasePa)},
       1},
      {"2M huge: hint rounded up to 2M",
       2 * M,
       4 * K,
       true,
       {},
       2 * M,
       2 * M,
       {pmd_run(2 * M, 2 * M, kBasePa)},
       1},
      // 1024 pages: one opportunistic order-10 block.
      {"2M + 4K huge: rounded up to 4M",
       2 * M + 4 * K,
       0,
       true,
       {},
       0,
       4 * M,
       {pmd_run(0, 4 * M, kBasePa)},
       2},
      // 1536 pages at order 9: an order-10 block, then an order-9 one.
      {"6M huge: order 10 then order 9",
       6 * M,
       0,
       true,
       {},
       0,
       6 * M,
       {pmd_run(0, 4 * M, kBasePa), pmd_run(4 * M, 2 * M, (kBase + 0x600) << 12)},
       3},
      {"64K huge: CONT, hint rounded up to 64K",
       64 * K,
       4 * K,
       true,
       {},
       64 * K,
       64 * K,
       {cont_run(64 * K, 64 * K, kBasePa)},
       1},
      // 272 pages at order 4: an order-8 block, then an order-4 one.
      {"1M + 4K huge: rounded up to 1M + 64K",
       1 * M + 4 * K,
       0,
       true,
       {},
       0,
       1 * M + 64 * K,
       {cont_run(0, 1 * M, kBasePa), cont_run(1 * M, 64 * K, (kBase + 0x110) << 12)},
       17},
      // Below 2M: CONT groups even over a 2M-aligned order-9 block.
      {"2M - 4K huge: CONT, not PMD",
       2 * M - 4 * K,
       0,
       true,
       {},
       0,
       2 * M,
       {cont_run(0, 2 * M, kBasePa)},
       32},
      // The caller's size picks the shift, before it is rounded to pages:
      // 2M - 1 is below PMD_SIZE, so CONT groups as for 2M - 4K.
      {"2M - 1 huge: CONT, not PMD",
       2 * M - 1,
       0,
       true,
       {},
       0,
       2 * M,
       {cont_run(0, 2 * M, kBasePa)},
       32},
      // 64K - 1 is below CONT_PTE_SIZE: PAGE_SHIFT, one order-4 block.
      {"64K - 1 huge: plain PTEs",
       64 * K - 1,
       4 * K,
       true,
       {},
       4 * K,
       64 * K,
       {pte_run(4 * K, 64 * K, kBasePa)},
       1},
      // 15 pages: opportunistic orders 3, 2, 1, then one order-0 page.
      {"60K huge: plain PTEs",
       60 * K,
       4 * K,
       true,
       {},
       4 * K,
       60 * K,
       {pte_run(4 * K, 32 * K, kBasePa), pte_run(36 * K, 16 * K, (kBase + 0xc) << 12),
        pte_run(52 * K, 8 * K, (kBase + 0x12) << 12), pte_run(60 * K, 4 * K, (kBase + 0x15) << 12)},
       1},
      {"2M without huge: plain PTEs at the hint",
       2 * M,
       4 * K,
       false,
       {},
       4 * K,
       2 * M,
       {pte_run(4 * K, 2 * M, kBasePa)},
       1},
      {"2M huge with nohugevmalloc: plain PTEs",
       2 * M,
       4 * K,
       true,
       {.nohugevmalloc = true},
       4 * K,
       2 * M,
       {pte_run(4 * K, 2 * M, kBasePa)},
       1},
      {"5000 bytes: two pages", 5000, 0, false, {}, 0, 8 * K, {pte_run(0, 8 * K, kBasePa)}, 1},
  };
  return rows;
}

TEST(Vmalloc, AlignsRoundsAndMapsByShift) {
  for (Variant v : kVariants2026) {  // v6.12: test/era_6_12_test.cc
    for (const PlacementRow& r : placement_rows()) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v, r.cfg);
      VirtAddr addr;
      ASSERT_EQ(vmalloc(k, r.size, r.hint, r.huge, &addr), 0);
      EXPECT_EQ(addr, va(r.addr));
      ASSERT_EQ(k.areas().size(), 1u);
      EXPECT_EQ(k.areas()[0].addr, va(r.addr));
      EXPECT_EQ(k.areas()[0].size, r.area_size + 4 * K);  // guard page
      EXPECT_EQ(k.areas()[0].flags,
                r.huge ? engine::VM_ALLOC | engine::VM_ALLOW_HUGE_VMAP : engine::VM_ALLOC);
      EXPECT_EQ(shapes(k), r.shapes);
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_TRUE(scan(k).issues.empty());
      const std::vector<engine::Flush> want = {
          {FlushKind::cache_vmap, va(r.addr), va(r.addr + r.area_size)}};
      EXPECT_EQ(k.out().flushes, want);
    }
  }
}

// The series' claim for vmalloc: one walk instead of one per chunk, and
// bit-identical tables.
TEST(Vmalloc, WalksOncePerChunkOnMainlineAndOnceOnSeriesWithIdenticalTables) {
  for (const PlacementRow& r : placement_rows()) {
    SCOPED_TRACE(r.name);
    Kernel base(geo(), Variant::mainline, r.cfg);
    VirtAddr addr;
    ASSERT_EQ(vmalloc(base, r.size, r.hint, r.huge, &addr), 0);
    EXPECT_EQ(base.counters().walks, r.mainline_walks);
    for (Variant v : {Variant::v4, Variant::v4_fixed}) {
      SCOPED_TRACE(engine::variant_name(v));
      Kernel series(geo(), v, r.cfg);
      ASSERT_EQ(vmalloc(series, r.size, r.hint, r.huge, &addr), 0);
      EXPECT_EQ(series.counters().walks, 1u);
      const std::optional<std::string> diff = harness::compare_tables(base, series, 0, ~u64{0});
      EXPECT_FALSE(diff) << *diff;
      EXPECT_EQ(series.pool().live_count(), base.pool().live_count());
    }
  }
}

TEST(VmAreaAllocPages, TriesLargerOrdersFirstAndLowersTheCapOnFailure) {
  struct Row {
    const char* name;
    unsigned order;
    u64 nr;
    unsigned fail_nth, fail_min_order;
    std::vector<u64> pages;
    unsigned fail_times = 1;
  };
  const Row rows[] = {
      {"1536 pages at order 9: order 10 then order 9", 9, 1536, 0, 0,
       page_array({{kBase, 1024}, {kBase + 0x600, 512}})},
      {"failed order 10 caps at 9", 9, 1536, 1, 10,
       page_array({{kBase, 512}, {kBase + 0x400, 512}, {kBase + 0x800, 512}})},
      // Order 8 fails once; the cap stays at 7 although 256 pages remain.
      {"failed order 8 caps the rest at 7", 0, 384, 1, 8,
       page_array({{kBase, 128}, {kBase + 0x100, 128}, {kBase + 0x200, 128}})},
      {"order 4, 16 pages: no larger order fits", 4, 16, 0, 0, page_array({{kBase, 16}})},
      {"order 0, one page", 0, 1, 0, 0, page_array({{kBase, 1}})},
      {"order 0, 3 pages: order 1 then order 0", 0, 3, 0, 0,
       page_array({{kBase, 2}, {kBase + 3, 1}})},
      {"requested order fails: nothing", 9, 512, 1, 9, {}},
      {"second requested block fails: short", 9, 1536, 2, 9, page_array({{kBase, 1024}})},
      // The bulk phase stops at the failure; the single-page fallback
      // tries again and gets the page.
      {"order-0 page fails in the bulk phase: retried", 0, 3, 2, 0,
       page_array({{kBase, 2}, {kBase + 3, 1}})},
      {"order-0 page fails in the bulk phase and its retry: short", 0, 3, 2, 0,
       page_array({{kBase, 2}}), 2},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    if (r.fail_nth) k.page_allocator().fail_nth(r.fail_nth, r.fail_min_order, r.fail_times);
    std::vector<u64> pages;
    EXPECT_EQ(engine::vm_area_alloc_pages(k, r.order, r.nr, pages), r.pages.size());
    EXPECT_EQ(pages, r.pages);
  }
}

// A page allocation failure frees the area (warn_alloc) and vmalloc tries
// again at PAGE_SHIFT with the original alignment: plain PTEs at the hint,
// never the chunk shift over order-0 pages (docs/bug-classes.md, C7).
TEST(Vmalloc, RetriesAtPageShiftAfterPageAllocationFailure) {
  struct Row {
    const char* name;
    u64 size;
    bool huge;
    unsigned fail_min_order;
    VirtAddr failed_area;  // where the huge attempt's area was (huge rows)
    std::vector<Shape> shapes;
  };
  // No warn_alloc() for a failed huge attempt: it is retried with small
  // pages. An order-0 failure in the bulk phase is retried by the
  // single-page fallback, so one injected failure cannot fail a vmalloc.
  const Row rows[] = {
      {"2M huge, order 9 fails", 2 * M, true, 9, va(2 * M), {pte_run(4 * K, 2 * M, kBasePa)}},
      {"64K huge, order 4 fails", 64 * K, true, 4, va(64 * K), {pte_run(4 * K, 64 * K, kBasePa)}},
      {"4K, the bulk failure is retried", 4 * K, false, 0, {}, {pte_run(4 * K, 4 * K, kBasePa)}},
  };
  for (Variant v : kVariants2026) {  // v6.12: test/era_6_12_test.cc
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      k.page_allocator().fail_nth(1, r.fail_min_order);
      VirtAddr addr{1};
      EXPECT_EQ(vmalloc(k, r.size, 4 * K, r.huge, &addr), 0);
      EXPECT_EQ(addr, va(4 * K));
      EXPECT_EQ(k.out().warns, std::vector<Warn>{});
      EXPECT_EQ(shapes(k), r.shapes);
      EXPECT_EQ(k.areas().size(), 1u);
      if (r.huge) {
        // The failed area was freed: its unmap and lazy TLB flush, then the
        // retry's flush_cache_vmap.
        const VirtAddr fa = r.failed_area;
        const std::vector<engine::Flush> want = {
            {FlushKind::cache_vunmap, fa, fa + r.size + 4 * K},
            {FlushKind::tlb_lazy_purge, fa, fa + r.size + 4 * K},
            {FlushKind::cache_vmap, va(4 * K), va(4 * K + r.size)}};
        EXPECT_EQ(k.out().flushes, want);
      }
    }
  }
}

// A page-table allocation failure while mapping: warn_alloc("failed to
// map pages"), area freed, retry at PAGE_SHIFT.
TEST(Vmalloc, RetriesAtPageShiftAfterMappingFailure) {
  struct Row {
    const char* name;
    u64 size;
    bool huge;
    unsigned fail_nth;
    int ret;
    std::vector<Shape> shapes;
    unsigned tables_allocated;
  };
  const Row rows[] = {
      // PUD ok, PMD fails; the retry allocates the PMD and a PTE table and
      // gets a new order-9 block (pages are never reused).
      {"2M huge, PMD table fails",
       2 * M,
       true,
       2,
       0,
       {pte_run(2 * M, 2 * M, (kBase + 0x400) << 12)},
       3},
      // PUD, PMD ok, PTE fails: the retry needs no new table.
      {"64K huge, PTE table fails",
       64 * K,
       true,
       3,
       0,
       {pte_run(2 * M, 64 * K, (kBase + 0x20) << 12)},
       3},
      {"4K, PUD table fails: no retry", 4 * K, false, 1, -engine::kENOMEM, {}, 0},
  };
  for (Variant v : kVariants2026) {  // v6.12: test/era_6_12_test.cc
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      k.pool().fail_nth(r.fail_nth);
      VirtAddr addr{1};
      EXPECT_EQ(vmalloc(k, r.size, 2 * M, r.huge, &addr), r.ret);
      EXPECT_EQ(addr, r.ret ? VirtAddr{0} : va(2 * M));
      EXPECT_EQ(k.out().warns, (std::vector<Warn>{{WarnId::vmalloc_map_failed, va(2 * M)}}));
      EXPECT_EQ(k.out().bug, BugId::none);
      EXPECT_EQ(shapes(k), r.shapes);
      EXPECT_EQ(k.out().tables_allocated, r.tables_allocated);
      EXPECT_EQ(k.areas().size(), r.ret ? 0u : 1u);
      EXPECT_TRUE(scan(k).issues.empty());
    }
  }
}

// No room for the area at the (aligned) hint: warn_alloc, and for a huge
// vmalloc the retry at PAGE_SHIFT places it at the unaligned hint.
TEST(Vmalloc, WarnsWhenTheAreaCannotBePlaced) {
  struct Row {
    const char* name;
    u64 blocker_off, blocker_size;
    u64 size, hint;
    bool huge;
    int ret;
    unsigned warns;
    u64 next_pfn;  // the allocator's next order-0 page afterwards
  };
  const Row rows[] = {
      {"small: taken", 0, 4 * K, 4 * K, 0, false, -engine::kENOMEM, 1, kBase},
      {"huge: both attempts taken", 2 * M, 4 * K, 2 * M, 1 * M, true, -engine::kENOMEM, 2, kBase},
      // [1M+64K, 2M+68K) hits the blocker at 2M+32K; [1M+4K, 2M+8K) does
      // not, and gets one order-8 block.
      {"huge: aligned taken, retry at the hint fits", 2 * M + 32 * K, 4 * K, 1 * M, 1 * M + 4 * K,
       true, 0, 1, kBase + 0x101},
      {"huge: fits", 8 * M, 4 * K, 2 * M, 1 * M, true, 0, 0, kBase + 0x201},
  };
  for (Variant v : kVariants2026) {  // v6.12: test/era_6_12_test.cc
    for (const Row& r : rows) {
      SCOPED_TRACE(std::string(engine::variant_name(v)) + ": " + r.name);
      Kernel k(geo(), v);
      ASSERT_NE(engine::get_vm_area_at(k, va(r.blocker_off), r.blocker_size, engine::VM_MAP),
                nullptr);
      VirtAddr addr;
      EXPECT_EQ(vmalloc(k, r.size, r.hint, r.huge, &addr), r.ret);
      EXPECT_EQ(k.out().warns,
                std::vector<Warn>(r.warns, Warn{WarnId::vmalloc_area_failed, va(r.hint)}));
      EXPECT_EQ(k.areas().size(), r.ret ? 1u : 2u);
      EXPECT_EQ(shapes(k).empty(), r.ret != 0);
      EXPECT_EQ(k.page_allocator().alloc_pages(0), r.next_pfn)
          << "pages are only allocated once an area is placed";
    }
  }
}

// A raw vmap_page_range() PTE where a huge vmalloc area lands: mainline's
// per-chunk vmap_range_noflush BUGs on it (vmap_pte_range remap); the
// series' pages walker WARNs -EBUSY, vmalloc frees the area (unmapping the
// foreign PTE with it) and the retry at PAGE_SHIFT succeeds. At
// PAGE_SHIFT, mainline's small-pages walker WARNs too and fails -ENOMEM.
TEST(Vmalloc, BugsOnMainlineRewalkWhereSeriesWarnsEbusy_quirk) {
  struct Row {
    const char* name;
    Variant v;
    bool huge;
    int ret;
    BugId bug;
    std::vector<Warn> warns;
  };
  const Row rows[] = {
      {"huge, mainline",
       Variant::mainline,
       true,
       -engine::kBUGGED,
       BugId::vmap_pte_range_remap,
       {}},
      {"huge, v4",
       Variant::v4,
       true,
       0,
       BugId::none,
       {{WarnId::vmap_pages_pte_busy, va(64 * K)}, {WarnId::vmalloc_map_failed, va(0)}}},
      {"huge, v4-fixed",
       Variant::v4_fixed,
       true,
       0,
       BugId::none,
       {{WarnId::vmap_pages_pte_busy, va(64 * K)}, {WarnId::vmalloc_map_failed, va(0)}}},
      {"small, mainline",
       Variant::mainline,
       false,
       -engine::kENOMEM,
       BugId::none,
       {{WarnId::vmap_pages_pte_busy, va(64 * K)}, {WarnId::vmalloc_map_failed, va(0)}}},
      {"small, v4",
       Variant::v4,
       false,
       -engine::kEBUSY,
       BugId::none,
       {{WarnId::vmap_pages_pte_busy, va(64 * K)}, {WarnId::vmalloc_map_failed, va(0)}}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), r.v);
    ASSERT_EQ(engine::vmap_page_range(k, va(64 * K), va(68 * K), pa(64 * M), engine::PAGE_KERNEL),
              0);
    k.out().clear();
    VirtAddr addr;
    EXPECT_EQ(vmalloc(k, 1 * M, 0, r.huge, &addr), r.ret);
    EXPECT_EQ(k.out().bug, r.bug);
    if (r.bug != BugId::none) {
      EXPECT_EQ(k.out().bug_addr, va(64 * K));
      EXPECT_EQ(translate(k, va(64 * K)).pa, kPa + 64 * M);
    }
    EXPECT_EQ(k.out().warns, r.warns);
    if (r.ret == 0) {
      EXPECT_EQ(addr, va(0));
      EXPECT_NE(translate(k, va(64 * K)).pa, kPa + 64 * M);
      EXPECT_FALSE(shapes(k).front().cont) << "the retry maps with plain PTEs";
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
