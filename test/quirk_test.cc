// SPDX-License-Identifier: GPL-2.0-only
// Odd-but-real kernel behaviour the engine must keep (Hafnium-style
// `_quirk` tests). Each pins something a "fix" in the model would break.
#include <gtest/gtest.h>

#include <string>

#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::BugId;
using engine::Kernel;
using engine::Variant;
using engine::WarnId;

int map(Kernel& k, u64 off, u64 size, u64 pa_off) {
  return engine::vmap_page_range(k, va(off), va(off) + size, pa(pa_off), engine::PAGE_KERNEL);
}

// arm64's pXd_bad() is "not a table", which is true for an empty entry
// too, so vunmap reports levels modified where nothing was there.
TEST(VunmapRange, MarksEmptyEntriesModified_quirk) {
  struct Row {
    const char* name;
    bool map_first;  // map then unmap 4K at 0: PUD, PMD and PTE tables for slot 0
    u64 off, size;
    engine::u32 mask;
  };
  const Row rows[] = {
      {"empty pgd entry", false, 0, 4 * K, engine::PGTBL_P4D_MODIFIED},
      {"empty pud entry", true, 1 * G, 4 * K, engine::PGTBL_PUD_MODIFIED},
      {"empty pmd entry", true, 2 * M, 4 * K, engine::PGTBL_PMD_MODIFIED},
      {"empty pte in a live table", true, 0, 4 * K, engine::PGTBL_PTE_MODIFIED},
      {"pte table and the empty pmd after it", true, 0, 4 * M,
       engine::PGTBL_PMD_MODIFIED | engine::PGTBL_PTE_MODIFIED},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    if (r.map_first) {
      ASSERT_EQ(map(k, 0, 4 * K, 0), 0);
      engine::vunmap_range(k, va(0), va(4 * K));
    }
    k.out().clear();
    engine::vunmap_range(k, va(r.off), va(r.off) + r.size);
    EXPECT_EQ(k.out().mod_mask, r.mask);
    EXPECT_TRUE(k.out().warns.empty());
  }
}

// Only the first PTE of each set_huge_pte_at batch is checked for
// pte_none. mainline's batches are 64K, v4's up to 1M, so a live PTE at the
// start of the second 64K group BUGs on mainline and is silently
// overwritten on v4. A live PTE inside a group is overwritten on both.
TEST(VmapPteRange, ChecksOnlyFirstPteOfEachBatch_quirk) {
  struct Row {
    const char* name;
    Variant v;
    u64 live_off;
    BugId bug;
  };
  const Row rows[] = {
      {"group start, mainline", Variant::mainline, 64 * K, BugId::vmap_pte_range_remap},
      {"group start, v4", Variant::v4, 64 * K, BugId::none},
      {"inside a group, mainline", Variant::mainline, 68 * K, BugId::none},
      {"inside a group, v4", Variant::v4, 68 * K, BugId::none},
      {"batch start, mainline", Variant::mainline, 0, BugId::vmap_pte_range_remap},
      {"batch start, v4", Variant::v4, 0, BugId::vmap_pte_range_remap},
  };
  const u64 old_pa = kPa + 64 * M;
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), r.v);
    ASSERT_EQ(map(k, r.live_off, 4 * K, 64 * M), 0);
    k.out().clear();
    const int ret = map(k, 0, 1 * M, 0);
    EXPECT_EQ(k.out().bug, r.bug);
    if (r.bug != BugId::none) {
      EXPECT_EQ(ret, -engine::kBUGGED);
      EXPECT_EQ(k.out().bug_addr, va(r.live_off));
      EXPECT_EQ(translate(k, va(r.live_off)).pa, old_pa);
    } else {
      EXPECT_EQ(ret, 0);
      EXPECT_EQ(translate(k, va(r.live_off)).pa, kPa + r.live_off);
      EXPECT_EQ(shapes(k), std::vector<Shape>{cont_run(0, 1 * M, kPa)});
    }
    EXPECT_TRUE(k.out().warns.empty());
  }
}

// Since "mm: vmalloc: WARN_ON if mapping size is not PAGE_SIZE aligned"
// (2025) the error of vmap_pte_range travels up unchanged; before, every
// level turned a failure below into -ENOMEM.
TEST(VmapRangeNoflush, PropagatesEinvalUnchangedFromPteLevel_quirk) {
  for (Variant v : engine::kAllVariants) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v);
    // The last PMD slot of one PUD is a whole block; the tail, in the next
    // PUD, is not page aligned and fails three levels further down.
    if (engine::before_cont_vmap(v)) {
      // 6.12 and 6.1 have no -EINVAL there: the tail's page is mapped and the PTE
      // loop steps over the end (modelled BUG).
      EXPECT_EQ(map(k, 1 * G - 2 * M, 2 * M + 0x800, 0), -engine::kBUGGED);
      EXPECT_EQ(k.out().bug, engine::BugId::walk_ran_past_end);
      EXPECT_EQ(k.out().bug_addr, va(1 * G + 4 * K));
      EXPECT_TRUE(k.out().warns.empty());
      EXPECT_EQ(shapes(k), (std::vector<Shape>{pmd_run(1 * G - 2 * M, 2 * M, kPa),
                                               pte_run(1 * G, 4 * K, kPa + 2 * M)}));
      continue;
    }
    EXPECT_EQ(map(k, 1 * G - 2 * M, 2 * M + 0x800, 0), -engine::kEINVAL);
    EXPECT_EQ(warn_ids(k.out()), std::vector<WarnId>{WarnId::vmap_pte_range_size_unaligned});
    // The block before the bad tail stays mapped.
    EXPECT_EQ(shapes(k), std::vector<Shape>{pmd_run(1 * G - 2 * M, 2 * M, kPa)});
  }
}

// vunmap proceeds 64K group by 64K group even where v4 wrote a 1M batch
// with one set_huge_pte_at: unmapping one group of it is clean.
TEST(VunmapRange, ClearsV4BatchGroupByGroup_quirk) {
  Kernel k(geo(), Variant::v4);
  ASSERT_EQ(map(k, 0, 1 * M, 0), 0);
  ASSERT_EQ(k.counters().set_huge_pte_at, 1u);
  k.out().clear();
  engine::vunmap_range(k, va(128 * K), va(192 * K));
  EXPECT_TRUE(k.out().warns.empty());
  const std::vector<Shape> want = {cont_run(0, 128 * K, kPa),
                                   cont_run(192 * K, 1 * M - 192 * K, kPa + 192 * K)};
  EXPECT_EQ(shapes(k), want);
  EXPECT_TRUE(scan(k).issues.empty());
}

// pmd_free_pte_page() does not look inside the table: a block mapped over
// a slot whose PTE table still holds live entries frees it silently.
TEST(VmapTryHugePmd, FreesPteTableStillHoldingLiveEntries_quirk) {
  Kernel k(geo(), Variant::v4);
  ASSERT_EQ(map(k, 2 * M, 4 * K, 64 * M), 0);
  k.out().clear();
  EXPECT_EQ(map(k, 2 * M, 2 * M, 2 * M), 0);
  EXPECT_EQ(k.out().tables_freed, 1u);
  EXPECT_TRUE(k.out().warns.empty());
  EXPECT_EQ(shapes(k), std::vector<Shape>{pmd_run(2 * M, 2 * M, kPa + 2 * M)});
}

// A live block may be rewritten in place when pgattr_change_is_safe()
// allows it (same output, permission bits only); pmd_free_pte_page() warns
// that the slot is not a table but returns 1. Any other change is refused
// and the walker then descends into the block as if it were a table.
TEST(VmapTryHugePmd, RewritesLiveBlockOnlyWithSameOutput_quirk) {
  struct Row {
    const char* name;
    u64 pa_off;
    engine::pgprot_t prot;
    BugId bug;
  };
  const Row rows[] = {
      {"same PA, same prot", 0, engine::PAGE_KERNEL, BugId::none},
      {"same PA, read-only", 0, engine::PAGE_KERNEL_RO, BugId::none},
      {"other PA", 2 * M, engine::PAGE_KERNEL, BugId::leaf_used_as_table},
      {"same PA, device memory", 0, engine::prot_value(engine::ProtName::device),
       BugId::leaf_used_as_table},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Kernel k(geo(), Variant::v4);
    ASSERT_EQ(map(k, 2 * M, 2 * M, 0), 0);
    k.out().clear();
    const int ret = engine::vmap_page_range(k, va(2 * M), va(4 * M), pa(r.pa_off), r.prot);
    EXPECT_EQ(ret, r.bug == BugId::none ? 0 : -engine::kBUGGED);
    EXPECT_EQ(k.out().bug, r.bug);
    EXPECT_EQ(warn_ids(k.out()), std::vector<WarnId>{WarnId::pmd_free_pte_page_not_table});
    EXPECT_EQ(translate(k, va(2 * M)).pa, kPa + (r.bug == BugId::none ? r.pa_off : 0));
    EXPECT_EQ(translate(k, va(2 * M)).attrs.rdonly,
              r.bug == BugId::none && r.prot == engine::PAGE_KERNEL_RO);
  }
}

}  // namespace
}  // namespace vmapfuzz::test
