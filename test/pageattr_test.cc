// SPDX-License-Identifier: GPL-2.0-only
// set_memory_* on arm64 (docs/pageattr.md, engine/pageattr.cc), read back
// through the reference walker: which entries a change rewrites and with
// which bits, what it refuses and that a refusal writes nothing, the
// partly covered block, the BBML2_NOABORT splits, the flush rules, and the
// era differences (6.12's apply_to_page_range against the 2026 walk).
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/pgtable.h"
#include "harness/runner.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using common::SetMemoryMode;
using engine::FlushKind;
using engine::Kernel;
using engine::KernelConfig;
using engine::Outcome;
using engine::Variant;
using engine::WarnId;
using harness::Op;

constexpr u64 kPfn = 0x100000;  // 4 GiB, 1 GiB aligned
constexpr u64 P = 4 * K;

KernelConfig cfg(bool bbml2 = false) {
  KernelConfig c;
  c.placement_any = true;
  c.bbml2_noabort = bbml2;
  return c;
}

Op vmalloc_pages(u64 off, u64 size, bool huge = false) {
  return harness::VmallocOp{va(off).v, size, huge};
}
// vmap() of `pages` contiguous pages from a 1 GiB aligned pfn: v4 maps a
// PMD block (and CONT groups) where it can, mainline plain PTEs.
Op vmap_contiguous(u64 off, u64 pages) {
  return harness::VmapOp{.va = va(off).v, .runs = {harness::PageRun{kPfn, pages}}};
}
Op change(u64 off, unsigned pages, SetMemoryMode m) {
  return harness::SetMemoryOp{va(off).v, pages, m};
}

Outcome run(Kernel& k, const Op& op) {
  Outcome o = harness::execute(k, op);
  EXPECT_EQ(o.bug, engine::BugId::none) << harness::show(op);
  return o;
}

bool flushed(const Outcome& o, u64 lo, u64 hi) {
  return std::any_of(o.flushes.begin(), o.flushes.end(), [&](const engine::Flush& f) {
    return f.kind == FlushKind::tlb_kernel_range && f.start.v == lo && f.end.v == hi;
  });
}

// The raw PTE for `off`, mapped or not (0 when there is no PTE table).
u64 pte_at(const Kernel& k, u64 off) {
  const reference::Translation t = translate(k, va(off));
  if (t.steps.empty()) return 0;
  const reference::WalkStep& s = t.steps.back();
  return s.level == engine::kPteLevel ? s.desc : 0;
}

// The last descriptor a walk of `off` reads (a block's, or a PTE's).
u64 last_desc(const Kernel& k, u64 off) {
  const reference::Translation t = translate(k, va(off));
  return t.steps.empty() ? 0 : t.steps.back().desc;
}

constexpr Variant kAll[] = {Variant::mainline, Variant::v4, Variant::v4_fixed, Variant::v6_12,
                            Variant::v6_1};

// ro sets PTE_RDONLY and clears PTE_WRITE on exactly the pages named,
// nx sets PXN, x clears it; the range is flushed. Every era.
TEST(SetMemory, ChangesExactlyTheNamedPagesAndFlushes) {
  for (Variant v : kAll) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v, cfg());
    ASSERT_EQ(run(k, vmalloc_pages(2 * M, 4 * P)).ret, 0);
    const u64 before0 = pte_at(k, 2 * M), before3 = pte_at(k, 2 * M + 3 * P);
    const Outcome o = run(k, change(2 * M + P, 2, SetMemoryMode::ro));
    EXPECT_EQ(o.ret, 0);
    EXPECT_TRUE(o.warns.empty());
    for (u64 i : {1, 2}) {
      const u64 d = pte_at(k, 2 * M + i * P);
      EXPECT_TRUE(d & engine::PTE_RDONLY);
      EXPECT_FALSE(d & engine::PTE_WRITE);
      EXPECT_TRUE(d & engine::PTE_VALID);
    }
    EXPECT_EQ(pte_at(k, 2 * M), before0);
    EXPECT_EQ(pte_at(k, 2 * M + 3 * P), before3);
    EXPECT_TRUE(flushed(o, va(2 * M + P).v, va(2 * M + 3 * P).v));
    run(k, change(2 * M, 1, SetMemoryMode::x));
    EXPECT_FALSE(pte_at(k, 2 * M) & engine::PTE_PXN);
    run(k, change(2 * M, 1, SetMemoryMode::nx));
    EXPECT_TRUE(pte_at(k, 2 * M) & engine::PTE_PXN);
  }
}

// Only a VM_ALLOC area that reaches the end of the range may change: a
// vmap() area or a range past the area is refused, and nothing is written.
TEST(SetMemory, RefusesWhatIsNotOneVmallocAreaAndWritesNothing) {
  for (Variant v : kAll) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v, cfg());
    ASSERT_EQ(run(k, vmap_contiguous(2 * M, 16)).ret, 0);
    ASSERT_EQ(run(k, vmalloc_pages(8 * M, 2 * P)).ret, 0);
    const u64 written = k.counters().descriptors_written;
    for (const Op& op : {change(2 * M, 1, SetMemoryMode::ro),    // vmap area
                         change(8 * M, 4, SetMemoryMode::nx),    // past the guard page
                         change(16 * M, 1, SetMemoryMode::rw)})  // no area
    {
      SCOPED_TRACE(harness::show(op));
      const Outcome o = run(k, op);
      EXPECT_EQ(o.ret, -common::kEINVAL);
      EXPECT_TRUE(o.warns.empty());
      EXPECT_TRUE(o.flushes.empty());
    }
    EXPECT_EQ(k.counters().descriptors_written, written);
  }
}

// The guard page counts as part of the area, so a range may end on it:
// its empty PTE gets the set mask (ro: PTE_RDONLY alone, neither none nor
// present), and vfree() WARNs on it later.
TEST(SetMemory, GuardPageEntryGetsTheSetMask) {
  Kernel k(geo(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, P)).ret, 0);
  EXPECT_EQ(run(k, change(2 * M, 2, SetMemoryMode::ro)).ret, 0);
  EXPECT_EQ(pte_at(k, 2 * M + P), engine::PTE_RDONLY);
  EXPECT_TRUE(warned(run(k, harness::VfreeOp{va(2 * M).v}), WarnId::vunmap_pte_not_present));
}

// vmalloc_huge() areas: the 2026 tree refuses them (VM_ALLOW_HUGE_VMAP),
// 6.12 changes their pages.
TEST(SetMemory, HugeVmallocAreaRefusedIn2026ChangedIn612) {
  for (Variant v : {Variant::mainline, Variant::v6_12}) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v, cfg());
    ASSERT_EQ(run(k, vmalloc_pages(2 * M, 64 * K, true)).ret, 0);
    const Outcome o = run(k, change(2 * M, 16, SetMemoryMode::ro));
    if (v == Variant::mainline) {
      EXPECT_EQ(o.ret, -common::kEINVAL);
      EXPECT_FALSE(pte_at(k, 2 * M) & engine::PTE_RDONLY);
    } else {
      EXPECT_EQ(o.ret, 0);
      EXPECT_TRUE(pte_at(k, 2 * M) & engine::PTE_RDONLY);
    }
  }
}

// set_memory_valid() has no area check. On v4's PMD block for a vmap() of
// 512 contiguous pages, one page: the PMD handler WARNs once and fails,
// the block stays as it was, and the range is flushed all the same. With
// BBML2_NOABORT the block is first split at both ends of the range (a
// table of CONT pages, the group at each end without CONT), and only that
// page changes.
TEST(SetMemory, PartlyCoveredBlockWarnsWithoutBbml2AndSplitsWithIt) {
  {
    Kernel k(geo(), Variant::v4, cfg());
    ASSERT_EQ(run(k, vmap_contiguous(2 * M, 512)).ret, 0);
    ASSERT_EQ(translate(k, va(2 * M)).level, engine::kPmdLevel);
    const Outcome o = run(k, change(2 * M + P, 1, SetMemoryMode::invalid));
    EXPECT_EQ(o.ret, -common::kEINVAL);
    EXPECT_TRUE(warned(o, WarnId::pageattr_pmd_entry_partial));
    EXPECT_TRUE(translate(k, va(2 * M + P)).mapped);
    EXPECT_EQ(translate(k, va(2 * M)).level, engine::kPmdLevel);
    EXPECT_TRUE(flushed(o, va(2 * M + P).v, va(2 * M + 2 * P).v));
  }
  Kernel k(geo(), Variant::v4, cfg(true));
  ASSERT_EQ(run(k, vmap_contiguous(2 * M, 512)).ret, 0);
  const Outcome o = run(k, change(2 * M + P, 1, SetMemoryMode::invalid));
  EXPECT_EQ(o.ret, 0);
  EXPECT_TRUE(o.warns.empty());
  EXPECT_FALSE(translate(k, va(2 * M + P)).mapped);
  for (u64 i : {0, 2, 15, 16, 511}) {
    SCOPED_TRACE(i);
    const reference::Translation t = translate(k, va(2 * M + i * P));
    ASSERT_TRUE(t.mapped);
    EXPECT_EQ(t.pa, (kPfn << 12) + i * P);
    EXPECT_EQ(t.level, engine::kPteLevel);
    EXPECT_EQ(t.cont, i >= 16);  // the split group loses CONT, the others keep it
  }
  EXPECT_TRUE(scan(k).issues.empty());
}

// 2026: set_memory_valid(0) sets PTE_PRESENT_INVALID (nG) as it clears the
// valid bit, so a block made invalid is still pmd_leaf() and the next
// set_memory_valid(1) over all of it rewrites it: the block comes back,
// and the teardown does not WARN on invalid pages. 6.12 only clears the
// valid bit: the entry is not present (its vunmap WARNs).
TEST(SetMemory, InvalidEntriesStayPresentIn2026) {
  Kernel k(geo(), Variant::v4, cfg());
  ASSERT_EQ(run(k, vmap_contiguous(2 * M, 512)).ret, 0);
  EXPECT_EQ(run(k, change(2 * M, 512, SetMemoryMode::invalid)).ret, 0);
  EXPECT_FALSE(translate(k, va(2 * M)).mapped);
  constexpr u64 kBits = engine::PTE_VALID | engine::PTE_NG;
  EXPECT_EQ(last_desc(k, 2 * M) & kBits, engine::PTE_NG);
  EXPECT_EQ(run(k, change(2 * M, 512, SetMemoryMode::valid)).ret, 0);
  EXPECT_TRUE(translate(k, va(2 * M)).mapped);
  EXPECT_EQ(last_desc(k, 2 * M) & kBits, engine::PTE_VALID);
  // Pages: present-invalid, and the vfree of their area does not WARN.
  for (const Variant v : {Variant::mainline, Variant::v6_12}) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel m(geo(), v, cfg());
    ASSERT_EQ(run(m, vmalloc_pages(2 * M, 4 * P)).ret, 0);
    run(m, change(2 * M, 4, SetMemoryMode::invalid));
    EXPECT_FALSE(translate(m, va(2 * M)).mapped);
    EXPECT_EQ((pte_at(m, 2 * M) & engine::PTE_NG) != 0, v == Variant::mainline);
    const Outcome o = run(m, harness::VfreeOp{va(2 * M).v});
    EXPECT_EQ(o.warns.empty(), v == Variant::mainline);
  }
}

// Making entries valid and nothing else needs no TLB invalidation in the
// 2026 tree; 6.12 flushes after every change.
TEST(SetMemory, ValidOnlyIsNotFlushedIn2026) {
  for (Variant v : {Variant::mainline, Variant::v6_12}) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v, cfg());
    ASSERT_EQ(run(k, vmalloc_pages(2 * M, 4 * P)).ret, 0);
    run(k, change(2 * M, 4, SetMemoryMode::invalid));
    const Outcome o = run(k, change(2 * M, 4, SetMemoryMode::valid));
    EXPECT_EQ(o.ret, 0);
    EXPECT_EQ(flushed(o, va(2 * M).v, va(2 * M + 4 * P).v), v == Variant::v6_12);
  }
}

// Over VAs with no tables, 6.12's apply_to_page_range() allocates them and
// sets the bit in every PTE (an entry of 0x1 translates nothing at the
// PTE level); the 2026 walk skips empty upper entries and writes nothing.
TEST(SetMemory, ValidOverNothingAllocatesTablesOnlyIn612) {
  for (Variant v : {Variant::mainline, Variant::v6_12}) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(geo(), v, cfg());
    const u64 tables = k.pool().live_count();
    const Outcome o = run(k, change(64 * M, 2, SetMemoryMode::valid));
    EXPECT_EQ(o.ret, 0);
    if (v == Variant::v6_12) {
      EXPECT_GT(o.tables_allocated, 0u);
      EXPECT_EQ(pte_at(k, 64 * M + P), engine::PTE_VALID);
      EXPECT_FALSE(translate(k, va(64 * M)).mapped);
    } else {
      EXPECT_EQ(k.pool().live_count(), tables);
    }
  }
}

// rox is ro then x; an unaligned address WARNs once and is aligned down.
TEST(SetMemory, RoxAndUnalignedAddress) {
  Kernel k(geo(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, 2 * P)).ret, 0);
  EXPECT_EQ(run(k, change(2 * M, 1, SetMemoryMode::rox)).ret, 0);
  const u64 d = pte_at(k, 2 * M);
  EXPECT_TRUE(d & engine::PTE_RDONLY);
  EXPECT_FALSE(d & (engine::PTE_WRITE | engine::PTE_PXN));
  const Outcome o = run(k, harness::SetMemoryOp{va(2 * M + P).v, 1, SetMemoryMode::nx, true});
  EXPECT_EQ(o.ret, 0);
  EXPECT_TRUE(warned(o, WarnId::change_memory_common_unaligned));
  EXPECT_TRUE(pte_at(k, 2 * M + P) & engine::PTE_PXN);
}

}  // namespace
}  // namespace vmapfuzz::test
