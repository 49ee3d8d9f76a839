// SPDX-License-Identifier: GPL-2.0-only
// The arm64 helpers the series changes (docs/mapping-rules.md, docs/arm64.md):
// arch_vmap_pte_range_map_size, num_contig_ptes, arch_make_huge_pte,
// set_huge_pte_at, and the call counts they add up to; and the BUG points of
// the arm64 hooks that the generic code never reaches (direct calls).
#include "engine/arch_arm64.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::pte_t;
using engine::Variant;
using engine::WarnId;

constexpr unsigned kPageShift = 12;

struct MapSizeRow {
  const char* name;
  u64 addr_off, end_off, pa;
  unsigned max_shift;
  u64 expect;
};

void expect_map_sizes(Variant v, const std::vector<MapSizeRow>& rows) {
  Kernel k(geo(), v);
  for (const MapSizeRow& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(engine::arm64::arch_vmap_pte_range_map_size(k, va(r.addr_off), va(r.end_off),
                                                          r.pa >> kPageShift, r.max_shift),
              r.expect);
  }
}

// The early-outs every variant shares.
const std::vector<MapSizeRow> kSinglePageRows = {
    {"less than a group left", 0, 60 * K, kPa, 63, 4 * K},
    {"VA not CONT aligned", 4 * K, 2 * M, kPa + 4 * K, 63, 4 * K},
    {"PA not CONT aligned", 0, 2 * M, kPa + 4 * K, 63, 4 * K},
    {"max_page_shift below CONT_PTE_SHIFT", 0, 2 * M, kPa, 15, 4 * K},
    {"max_page_shift PAGE_SHIFT", 0, 2 * M, kPa, 12, 4 * K},
};

TEST(ArchVmapPteRangeMapSize, MainlineReturnsOneGroupOrOnePage) {
  expect_map_sizes(Variant::mainline, kSinglePageRows);
  expect_map_sizes(Variant::mainline,
                   {
                       {"whole table", 0, 2 * M, kPa, 63, 64 * K},
                       {"exactly one group", 0, 64 * K, kPa, 63, 64 * K},
                       {"max_page_shift CONT_PTE_SHIFT", 0, 2 * M, kPa, 16, 64 * K},
                       {"1M left, 1M aligned", 1 * M, 2 * M, kPa + 1 * M, 63, 64 * K},
                   });
}

TEST(ArchVmapPteRangeMapSize, V4ReturnsLargestPowerOfTwoBatch) {
  expect_map_sizes(Variant::v4, kSinglePageRows);
  expect_map_sizes(Variant::v4, {
                                    {"whole table: capped at PMD_SIZE/2", 0, 2 * M, kPa, 63, 1 * M},
                                    {"exactly 1M", 0, 1 * M, kPa, 63, 1 * M},
                                    {"768K rounds down to 512K", 0, 768 * K, kPa, 63, 512 * K},
                                    {"192K rounds down to 128K", 0, 192 * K, kPa, 63, 128 * K},
                                    {"exactly one group", 0, 64 * K, kPa, 63, 64 * K},
                                    {"capped by 2^max_page_shift 17", 0, 2 * M, kPa, 17, 128 * K},
                                    {"capped by 2^max_page_shift 16", 0, 2 * M, kPa, 16, 64 * K},
                                    {"capped by 2^max_page_shift 20", 0, 2 * M, kPa, 20, 1 * M},
                                    {"capped by the table end", 1536 * K, 2 * M, kPa, 63, 512 * K},
                                    {"VA only 64K aligned", 64 * K, 2 * M, kPa + 64 * K, 63, 1 * M},
                                    {"PA only 64K aligned", 0, 2 * M, kPa + 64 * K, 63, 1 * M},
                                    {"VA and PA only 64K aligned, 960K left", 1 * M + 64 * K, 2 * M,
                                     kPa + 64 * K, 63, 512 * K},
                                });
}

TEST(NumContigPtes, CountsEntriesPerVariant) {
  struct Row {
    Variant v;
    u64 size;
    unsigned ncontig;
    u64 pgsize;
    bool warns;
  };
  const Row rows[] = {
      {Variant::mainline, 64 * K, 16, 4 * K, false},
      {Variant::v4, 64 * K, 16, 4 * K, false},
      {Variant::mainline, 32 * M, 16, 2 * M, false},  // CONT_PMD_SIZE
      {Variant::v4, 32 * M, 16, 2 * M, false},
      {Variant::mainline, 2 * M, 1, 2 * M, false},
      // Finding num-contig-ptes-pmd-size: the 2026 tree bounds the
      // multi-group case by CONT_PMD_SIZE, so v4 counts PMD_SIZE as 512
      // page entries; v4-fixed keeps it one PMD entry.
      {Variant::v4, 2 * M, 512, 4 * K, false},
      {Variant::v4_fixed, 2 * M, 1, 2 * M, false},
      {Variant::v4, 4 * M, 1024, 4 * K, false},
      {Variant::v4_fixed, 4 * M, 1, 4 * M, true},
      {Variant::mainline, 1 * G, 1, 1 * G, false},
      {Variant::v4, 1 * G, 1, 1 * G, false},
      // v4 accepts any multiple of CONT_PTE_SIZE below PMD_SIZE...
      {Variant::v4, 128 * K, 32, 4 * K, false},
      {Variant::v4, 1 * M, 256, 4 * K, false},
      {Variant::v4, 768 * K, 192, 4 * K, false},
      {Variant::v4, 2 * M - 64 * K, 496, 4 * K, false},
      // ...where mainline warns and writes one entry of that size.
      {Variant::mainline, 128 * K, 1, 128 * K, true},
      {Variant::mainline, 1 * M, 1, 1 * M, true},
      {Variant::mainline, 768 * K, 1, 768 * K, true},
      // Invalid everywhere.
      {Variant::mainline, 4 * K, 1, 4 * K, true},
      {Variant::v4, 4 * K, 1, 4 * K, true},
      {Variant::v4, 96 * K, 1, 96 * K, true},
      {Variant::v4, 0, 1, 0, true},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(engine::variant_name(r.v)) + " size 0x" + std::to_string(r.size));
    Kernel k(geo(), r.v);
    u64 pgsize = 0;
    EXPECT_EQ(engine::arm64::num_contig_ptes(k, r.size, &pgsize), r.ncontig);
    EXPECT_EQ(pgsize, r.pgsize);
    const std::vector<WarnId> want =
        r.warns ? std::vector<WarnId>{WarnId::num_contig_ptes_bad_size} : std::vector<WarnId>{};
    EXPECT_EQ(warn_ids(k.out()), want);
  }
}

TEST(ArchMakeHugePte, EncodesContOrBlockBySize) {
  enum Want { cont, block, cont_block, unchanged_warn };
  struct Row {
    Variant v;
    unsigned shift;
    Want want;
  };
  const Row rows[] = {
      {Variant::mainline, 16, cont},
      {Variant::v4, 16, cont},
      {Variant::mainline, 21, block},
      {Variant::v4, 21, block},
      {Variant::mainline, 30, block},
      {Variant::v4, 30, block},
      {Variant::mainline, 25, cont_block},
      {Variant::v4, 25, cont_block},
      {Variant::v4, 17, cont},
      {Variant::v4, 20, cont},
      {Variant::mainline, 17, unchanged_warn},
      {Variant::mainline, 20, unchanged_warn},
      {Variant::v4, 12, unchanged_warn},
      {Variant::mainline, 12, unchanged_warn},
  };
  const pte_t entry = engine::pfn_pte(kPa >> kPageShift, kPageShift, engine::PAGE_KERNEL);
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(engine::variant_name(r.v)) + " shift " + std::to_string(r.shift));
    Kernel k(geo(), r.v);
    const pte_t got = engine::arm64::arch_make_huge_pte(k, entry, r.shift);
    switch (r.want) {
      case cont: EXPECT_EQ(got, entry | engine::PTE_CONT); break;
      case block: EXPECT_EQ(got, entry & ~engine::PTE_TABLE_BIT); break;
      case cont_block: EXPECT_EQ(got, (entry | engine::PTE_CONT) & ~engine::PTE_TABLE_BIT); break;
      case unchanged_warn: EXPECT_EQ(got, entry); break;
    }
    EXPECT_EQ(k.out().warns.empty(), r.want != unchanged_warn);
  }
}

// A fresh PTE table straight from the pool, for calling the PTE helpers.
pte_t* fresh_table(Kernel& k) { return k.pool().table(k.pool().alloc()); }

TEST(SetHugePteAt, WritesEveryEntryWithAdvancingPfn) {
  struct Row {
    Variant v;
    u64 size;
    unsigned written;  // entries from ptep on
  };
  const Row rows[] = {
      {Variant::mainline, 64 * K, 16},
      {Variant::v4, 64 * K, 16},
      {Variant::v4, 128 * K, 32},
      {Variant::v4, 1 * M, 256},
      // mainline: num_contig_ptes warns and the 1M "page" is one entry.
      {Variant::mainline, 1 * M, 1},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(engine::variant_name(r.v)) + " size 0x" + std::to_string(r.size));
    Kernel k(geo(), r.v);
    pte_t* t = fresh_table(k);
    const pte_t entry =
        engine::pte_mkcont(engine::pfn_pte(kPa >> kPageShift, kPageShift, engine::PAGE_KERNEL));
    ASSERT_TRUE(engine::arm64::set_huge_pte_at(k, va(0), t, entry, r.size));
    const u64 step = r.written == 1 ? r.size : 4 * K;
    for (unsigned i = 0; i < r.written; ++i) {
      EXPECT_EQ(t[i] & engine::PTE_ADDR_MASK, kPa + i * step) << "entry " << i;
      EXPECT_EQ(t[i] & ~engine::PTE_ADDR_MASK, entry & ~engine::PTE_ADDR_MASK) << "entry " << i;
    }
    EXPECT_EQ(t[r.written], 0u);
    EXPECT_EQ(k.counters().set_huge_pte_at, 1u);
    EXPECT_EQ(k.counters().descriptors_written, r.written);
    EXPECT_TRUE(k.out().flushes.empty());
  }
}

TEST(SetHugePteAt, WritesNonPresentValueUnchangedToEveryEntry) {
  Kernel k(geo(), Variant::v4);
  pte_t* t = fresh_table(k);
  const pte_t swp = engine::pte_mkcont(kPa) | (u64{1} << 58);  // not valid
  ASSERT_TRUE(engine::arm64::set_huge_pte_at(k, va(0), t, swp, 128 * K));
  for (unsigned i = 0; i < 32; ++i) EXPECT_EQ(t[i], swp) << "entry " << i;
  EXPECT_EQ(t[32], 0u);
}

TEST(SetHugePteAt, BreaksBeforeMakeOnlyWhenFirstEntryValid) {
  for (bool first_valid : {false, true}) {
    SCOPED_TRACE(first_valid ? "first entry valid" : "first entry none");
    Kernel k(geo(), Variant::mainline);
    pte_t* t = fresh_table(k) + 16;
    const pte_t old = engine::pfn_pte((kPa >> kPageShift) + 99, kPageShift, engine::PAGE_KERNEL);
    if (first_valid) t[0] = old;
    const pte_t entry =
        engine::pte_mkcont(engine::pfn_pte(kPa >> kPageShift, kPageShift, engine::PAGE_KERNEL));
    ASSERT_TRUE(engine::arm64::set_huge_pte_at(k, va(64 * K), t, entry, 64 * K));
    std::vector<engine::Flush> want;
    if (first_valid) want.push_back({engine::FlushKind::tlb_range, va(64 * K), va(128 * K)});
    EXPECT_EQ(k.out().flushes, want);
    EXPECT_EQ(t[0], entry);
    EXPECT_EQ(t[15] & engine::PTE_ADDR_MASK, kPa + u64{15} * 4 * K);
  }
}

TEST(SetHugePteAt, StopsWithBugInsteadOfOverrunningTheTable) {
  Kernel k(geo(), Variant::v4);
  pte_t* t = fresh_table(k);
  const pte_t entry =
      engine::pte_mkcont(engine::pfn_pte(kPa >> kPageShift, kPageShift, engine::PAGE_KERNEL));
  EXPECT_FALSE(engine::arm64::set_huge_pte_at(k, va(u64{500} * 4 * K), t + 500, entry, 64 * K));
  EXPECT_EQ(k.out().bug, engine::BugId::pte_table_overrun);
  for (unsigned i = 500; i < 512; ++i) EXPECT_EQ(t[i], 0u) << "entry " << i;
}

TEST(HugePtepGetAndClear, StopsWithBugInsteadOfOverrunningTheTable) {
  Kernel k(geo(), Variant::v4);
  pte_t* t = fresh_table(k);
  const pte_t entry =
      engine::pte_mkcont(engine::pfn_pte(kPa >> kPageShift, kPageShift, engine::PAGE_KERNEL));
  for (unsigned i = 496; i < 512; ++i) t[i] = entry;
  EXPECT_EQ(engine::arm64::huge_ptep_get_and_clear(k, va(u64{500} * 4 * K), t + 500, 64 * K), 0u);
  EXPECT_EQ(k.out().bug, engine::BugId::pte_table_overrun);
  EXPECT_EQ(k.out().bug_addr, va(u64{500} * 4 * K));
  for (unsigned i = 496; i < 512; ++i) EXPECT_EQ(t[i], entry) << "entry " << i;
  EXPECT_EQ(k.counters().unmap_cont_groups, 0u);
}

// VM_BUG_ON(phys & ~PMD_MASK) and ~PUD_MASK: vmap_try_huge_pmd/pud check the
// alignment before they call, so only a direct call reaches it.
TEST(PxdSetHuge, BugsOnUnalignedOutputAddressAndWritesNothing) {
  for (bool pud : {false, true}) {
    SCOPED_TRACE(pud ? "pud_set_huge, PA 2M into a 1G block" : "pmd_set_huge, PA 4K into a block");
    Kernel k(geo(), Variant::v4);
    u64 entry = 0;
    const int ret =
        pud ? engine::arm64::pud_set_huge(k, &entry, va(1 * G), pa(2 * M), engine::PAGE_KERNEL)
            : engine::arm64::pmd_set_huge(k, &entry, va(2 * M), pa(4 * K), engine::PAGE_KERNEL);
    EXPECT_EQ(ret, 0);
    EXPECT_EQ(entry, 0u);
    EXPECT_EQ(k.out().bug, engine::BugId::set_huge_unaligned_phys);
    EXPECT_EQ(k.out().bug_addr, pud ? va(1 * G) : va(2 * M));
    EXPECT_EQ(k.counters().pmd_blocks + k.counters().pud_blocks, 0u);
  }
}

// A table descriptor naming memory that is no live table: the kernel would free the
// PTE tables it reads from a data page. The model stops with a BUG first.
TEST(PudFreePmdPage, BugsOnTableDescriptorToNoLiveTable) {
  Kernel k(geo(), Variant::v4);
  const u64 desc = kPa | engine::PMD_TYPE_TABLE;
  u64 pud = desc;
  EXPECT_EQ(engine::arm64::pud_free_pmd_page(k, &pud, va(1 * G)), 0);
  EXPECT_EQ(k.out().bug, engine::BugId::leaf_used_as_table);
  EXPECT_EQ(k.out().bug_addr, va(1 * G));
  EXPECT_EQ(pud, desc);
  EXPECT_TRUE(k.out().flushes.empty());
  EXPECT_EQ(k.pool().frees(), 0u);
}

// The series' claim: fewer calls, bit-identical tables.
TEST(IoremapPageRange, BatchesContGroupsIntoFewerCallsWithIdenticalDescriptors) {
  struct Row {
    const char* name;
    u64 off, size;
    u64 mainline_calls, v4_calls;
  };
  const Row rows[] = {
      {"1M, 64K aligned", 64 * K, 1 * M, 16, 1},
      {"768K", 1 * M, 768 * K, 12, 2},                            // 512K + 256K
      {"1.5M across a PMD boundary", 1536 * K, 1536 * K, 24, 2},  // 512K | 1M
      {"whole PTE table of 2M less 64K", 2 * M + 64 * K, 2 * M - 64 * K, 31, 5},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    std::vector<std::vector<u64>> descs;
    for (Variant v : engine::kAllVariants) {
      Kernel k(geo(), v);
      ASSERT_NE(engine::get_vm_area_at(k, va(r.off), r.size, engine::VM_IOREMAP), nullptr);
      ASSERT_EQ(engine::ioremap_page_range(k, va(r.off), va(r.off) + r.size, pa(r.off),
                                           engine::prot_value(engine::ProtName::device)),
                0);
      std::vector<u64> d;
      for (u64 o = 0; o < r.size; o += 4 * K) d.push_back(leaf_desc(k, va(r.off + o)));
      if (engine::before_cont_vmap(v)) {
        // Linux 6.12 and 6.1 write every page with set_pte_at: the same
        // descriptors without the Contiguous bit.
        EXPECT_EQ(k.counters().set_huge_pte_at, 0u);
        EXPECT_EQ(k.counters().set_pte_at, r.size / (4 * K));
        for (u64& x : d) {
          EXPECT_EQ(x & engine::PTE_CONT, 0u);
          x |= engine::PTE_CONT;
        }
      } else {
        EXPECT_EQ(k.counters().set_huge_pte_at,
                  v == Variant::mainline ? r.mainline_calls : r.v4_calls)
            << engine::variant_name(v);
        EXPECT_EQ(k.counters().set_pte_at, 0u);
      }
      descs.push_back(std::move(d));
    }
    for (std::size_t i = 1; i < descs.size(); ++i) EXPECT_EQ(descs[0], descs[i]) << "variant " << i;
    EXPECT_NE(descs[0].front() & engine::PTE_CONT, 0u);
  }
}

}  // namespace
}  // namespace vmapfuzz::test
