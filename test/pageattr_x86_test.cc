// SPDX-License-Identifier: GPL-2.0-only
// set_memory_* on x86-64 (docs/pageattr.md "x86-64", engine/pageattr_x86.cc),
// read back through the reference walker: the bits a change writes, the
// large page kept, rewritten or split, the none entry that ends the call,
// the flush a change needs (one per page, or the whole TLB), the W+X
// warning, the L1TF inversion of a not-present entry, the 2026 collapse
// after set_memory_rox, and the era differences.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/arch_x86.h"
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
namespace x86 = engine::x86;

constexpr u64 P = 4 * K;
constexpr u64 kRamPfn = 0x100000;    // 4 GiB, 1 GiB aligned: the page allocator's RAM
constexpr u64 kMmioPa = 0x10000000;  // 256 MiB: below the RAM, the model's MMIO hole

const engine::Geometry& x86g() { return *engine::find_geometry("x86-64-4l"); }
VirtAddr xva(u64 off) { return VirtAddr{x86g().vmalloc_start + off}; }

KernelConfig cfg() {
  KernelConfig c;
  c.placement_any = true;
  return c;
}

Op vmalloc_pages(u64 off, u64 size, bool huge = false) {
  return harness::VmallocOp{xva(off).v, size, huge};
}
Op vmap_contiguous(u64 off, u64 pages) {
  return harness::VmapOp{.va = xva(off).v, .runs = {harness::PageRun{kRamPfn, pages}}};
}
Op change(u64 off, unsigned pages, SetMemoryMode m) {
  return harness::SetMemoryOp{xva(off).v, pages, m};
}

Outcome run(Kernel& k, const Op& op) {
  Outcome o = harness::execute(k, op);
  EXPECT_EQ(o.bug, engine::BugId::none) << harness::show(op);
  return o;
}

std::size_t count(const Outcome& o, FlushKind kind) {
  return static_cast<std::size_t>(std::count_if(
      o.flushes.begin(), o.flushes.end(), [&](const engine::Flush& f) { return f.kind == kind; }));
}

// The last descriptor a walk of `off` reads, and its level.
reference::WalkStep last_step(const Kernel& k, u64 off) {
  const reference::Translation t = translate(k, xva(off));
  return t.steps.empty() ? reference::WalkStep{} : t.steps.back();
}

// ro clears R/W and D on exactly the pages named; RAM pages have a
// direct-map alias, so the whole TLB is flushed once.
TEST(SetMemoryX86, RoClearsWriteAndDirtyOnTheNamedPages) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, 4 * P)).ret, 0);
  const u64 before0 = last_step(k, 2 * M).desc;
  const Outcome o = run(k, change(2 * M + P, 2, SetMemoryMode::ro));
  EXPECT_EQ(o.ret, 0);
  EXPECT_TRUE(o.warns.empty());
  for (u64 i : {1, 2}) {
    const u64 d = last_step(k, 2 * M + i * P).desc;
    EXPECT_FALSE(d & x86::PAGE_RW);
    EXPECT_FALSE(d & x86::PAGE_DIRTY);
    EXPECT_TRUE(d & x86::PAGE_PRESENT);
  }
  EXPECT_EQ(last_step(k, 2 * M).desc, before0);
  EXPECT_TRUE(last_step(k, 2 * M + 3 * P).desc & x86::PAGE_RW);
  EXPECT_EQ(count(o, FlushKind::tlb_all), 1u);
  EXPECT_EQ(count(o, FlushKind::tlb_one_kernel), 0u);
}

// 6.1's set_memory_ro clears R/W only.
TEST(SetMemoryX86, RoKeepsDirtyIn61) {
  Kernel k(x86g(), Variant::v6_1, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, P)).ret, 0);
  EXPECT_EQ(run(k, change(2 * M, 1, SetMemoryMode::ro)).ret, 0);
  const u64 d = last_step(k, 2 * M).desc;
  EXPECT_FALSE(d & x86::PAGE_RW);
  EXPECT_TRUE(d & x86::PAGE_DIRTY);
}

// MMIO has no direct-map alias: each page is flushed on its own, up to 33
// pages; more, and the whole TLB. A change that changes nothing flushes
// nothing.
TEST(SetMemoryX86, MmioIsFlushedPageByPageUpToTheCeiling) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, harness::IoremapOp{xva(2 * M).v, 64 * P, kMmioPa}).ret, 0);
  Outcome o = run(k, change(2 * M, 33, SetMemoryMode::ro));
  EXPECT_EQ(count(o, FlushKind::tlb_one_kernel), 33u);
  EXPECT_EQ(count(o, FlushKind::tlb_all), 0u);
  EXPECT_EQ(o.flushes.back().start, xva(2 * M + 32 * P));
  o = run(k, change(2 * M, 34, SetMemoryMode::ro));
  EXPECT_EQ(o.flushes.size(), 1u);  // only the 34th page changed, but 34 > 33
  EXPECT_EQ(count(o, FlushKind::tlb_all), 1u);
  o = run(k, change(2 * M, 34, SetMemoryMode::ro));
  EXPECT_TRUE(o.flushes.empty());
}

// A none entry in the range (the guard page): WARN, -EFAULT, the pages
// before it changed and the whole TLB flushed (cpa_flush_all on error).
TEST(SetMemoryX86, NoneEntryWarnsAndFailsWithEfault) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, 2 * P)).ret, 0);
  const Outcome o = run(k, change(2 * M, 3, SetMemoryMode::nx));
  EXPECT_EQ(o.ret, -common::kEFAULT);
  ASSERT_EQ(o.warns.size(), 1u);
  EXPECT_EQ(o.warns[0].id, WarnId::cpa_zero_pte);
  EXPECT_EQ(o.warns[0].addr, xva(2 * M + 2 * P));
}

// 6.1 changes XD without the alias check, and then passes over holes.
TEST(SetMemoryX86, ExecChangePassesOverHolesIn61) {
  Kernel k(x86g(), Variant::v6_1, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, 2 * P)).ret, 0);
  const Outcome o = run(k, change(2 * M, 3, SetMemoryMode::x));
  EXPECT_EQ(o.ret, 0);
  EXPECT_FALSE(warned(o, WarnId::cpa_zero_pte));
  EXPECT_FALSE(warned(o, WarnId::cpa_wx_violation));  // the check is dead (below)
  EXPECT_FALSE(last_step(k, 2 * M + P).desc & x86::PAGE_NX);
  // No alias: the RAM pages are flushed one by one.
  EXPECT_EQ(count(o, FlushKind::tlb_one_kernel), 3u);
  EXPECT_EQ(count(o, FlushKind::tlb_all), 0u);
}

// One page of a 2M large page: split into a PTE table with the large
// page's bits (flush_tlb_all), then that PTE alone changes. The whole 2M:
// rewritten in place. The same protection: left alone.
TEST(SetMemoryX86, LargePageSplitRewrittenOrKept) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, 2 * M, true)).ret, 0);
  ASSERT_EQ(last_step(k, 2 * M).level, engine::kPmdLevel);
  Outcome o = run(k, change(0, 1, SetMemoryMode::nx));  // a hole: not this area
  EXPECT_EQ(o.ret, -common::kEFAULT);
  o = run(k, change(2 * M, 512, SetMemoryMode::nx));  // already NX
  EXPECT_EQ(o.ret, 0);
  EXPECT_TRUE(o.flushes.empty());
  EXPECT_EQ(o.tables_allocated, 0u);
  o = run(k, change(2 * M, 512, SetMemoryMode::ro));
  EXPECT_EQ(o.tables_allocated, 0u);
  EXPECT_EQ(last_step(k, 2 * M).level, engine::kPmdLevel);
  EXPECT_FALSE(last_step(k, 2 * M + 7 * P).desc & x86::PAGE_RW);
  o = run(k, change(2 * M + P, 1, SetMemoryMode::rw));
  EXPECT_EQ(o.ret, 0);
  EXPECT_EQ(o.tables_allocated, 1u);
  EXPECT_EQ(count(o, FlushKind::tlb_all), 2u);  // the split's, and the change's
  EXPECT_EQ(last_step(k, 2 * M).level, engine::kPteLevel);
  EXPECT_TRUE(last_step(k, 2 * M + P).desc & x86::PAGE_RW);
  EXPECT_FALSE(last_step(k, 2 * M).desc & x86::PAGE_RW);
  EXPECT_FALSE(last_step(k, 2 * M).desc & x86::PAGE_PSE);  // bit 7 is PAT in a PTE
  EXPECT_TRUE(scan(k).issues.empty());
}

// A split that cannot get its table: -ENOMEM, nothing changed, and the
// error path flushes nothing (no entry was changed yet).
TEST(SetMemoryX86, SplitWithoutATableFailsWithEnomem) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, 2 * M, true)).ret, 0);
  run(k, harness::FailAllocOp{1});
  const Outcome o = run(k, change(2 * M + P, 1, SetMemoryMode::ro));
  EXPECT_EQ(o.ret, -common::kENOMEM);
  EXPECT_TRUE(o.flushes.empty());
  EXPECT_EQ(last_step(k, 2 * M).level, engine::kPmdLevel);
}

// A 1G ioremap() of RAM is one 1G page: one page of it goes through two
// splits, 1G -> 2M pages -> PTEs.
TEST(SetMemoryX86, OnePageOfAGigabytePageSplitsTwice) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, harness::IoremapOp{xva(1 * G).v, 1 * G, kRamPfn << 12}).ret, 0);
  ASSERT_EQ(translate(k, xva(1 * G)).level, engine::kPudLevel);  // a PDPT entry: 1G
  const Outcome o = run(k, change(1 * G + P, 1, SetMemoryMode::ro));
  EXPECT_EQ(o.ret, 0);
  EXPECT_EQ(o.tables_allocated, 2u);
  EXPECT_EQ(count(o, FlushKind::tlb_all), 3u);  // two splits, then the change (RAM: alias)
  EXPECT_EQ(last_step(k, 1 * G).level, engine::kPteLevel);
  EXPECT_EQ(last_step(k, 1 * G + 2 * M).level, engine::kPmdLevel);
  EXPECT_FALSE(last_step(k, 1 * G + P).desc & x86::PAGE_RW);
  EXPECT_TRUE(last_step(k, 1 * G).desc & x86::PAGE_RW);
  EXPECT_TRUE(scan(k).issues.empty());
}

// Not CPA, but x86's pgtable.c beside it: vmap_page_range() over a live 2M
// page onto a range the MTRRs split reaches pmd_free_pte_page() with the
// leaf. 6.12 and 6.1 read the "table" with pmd_page_vaddr() first and the
// model stops there, nothing changed; the 2026 trees (mainline, v4,
// v4-fixed) clear the entry and flush one page, and stop where the data
// page would be freed as a table.
TEST(PgtableX86, FreeingALeafAsAPteTableStopsBeforeOrAfterTheClear) {
  for (const Variant v : {Variant::v6_12, Variant::v6_1, Variant::mainline, Variant::v4}) {
    SCOPED_TRACE(engine::variant_name(v));
    KernelConfig c = cfg();
    c.mtrr_split = (kRamPfn << 12) + M;
    Kernel k(x86g(), v, c);
    ASSERT_EQ(run(k, harness::IoremapOp{xva(2 * M).v, 2 * M, 2 * kRamPfn << 12}).ret, 0);
    ASSERT_EQ(translate(k, xva(2 * M)).level, engine::kPmdLevel);
    const Outcome o = harness::execute(
        k, harness::VmapPageRangeOp{xva(2 * M).v, 2 * M, kRamPfn << 12, common::ProtName::device});
    EXPECT_EQ(o.bug, engine::BugId::leaf_used_as_table);
    const bool clears_first = !engine::before_cont_vmap(v);
    EXPECT_EQ(count(o, FlushKind::tlb_kernel_range), clears_first ? 1u : 0u);
    EXPECT_EQ(last_step(k, 2 * M).desc == 0, clears_first);  // the 2M page's PMD entry
  }
}

// set_memory_x of writable pages makes them W+X, and verify_rwx() lets the
// change through without a WARN in every era: lookup_address_in_pgd_attr()
// computes the tables' R/W with `*rw &= flags & _PAGE_RW`, which is false
// whatever the tables hold (docs/pageattr.md, "x86-64"; the trees' own code
// behaves so under --kernel-tree).
TEST(SetMemoryX86, WritableAndExecutableNeverWarns) {
  for (const Variant v :
       {Variant::v6_1, Variant::v6_12, Variant::mainline, Variant::v4, Variant::v4_fixed}) {
    Kernel k(x86g(), v, cfg());
    ASSERT_EQ(run(k, vmalloc_pages(2 * M, 2 * P)).ret, 0);
    ASSERT_TRUE(last_step(k, 2 * M).desc & x86::PAGE_RW);
    const Outcome o = run(k, change(2 * M, 2, SetMemoryMode::x));
    EXPECT_EQ(o.ret, 0);
    EXPECT_TRUE(o.warns.empty()) << engine::variant_name(v);
    EXPECT_FALSE(last_step(k, 2 * M).desc & x86::PAGE_NX);
    EXPECT_TRUE(last_step(k, 2 * M + P).desc & x86::PAGE_RW);
  }
}

// set_memory_np keeps the entry with P and G clear and its address field
// inverted (L1TF); set_memory_p gives P back, not G.
TEST(SetMemoryX86, NotPresentInvertsTheAddressAndLosesGlobal) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmap_contiguous(2 * M, 4)).ret, 0);
  const u64 before = last_step(k, 2 * M).desc;
  ASSERT_TRUE(before & x86::PAGE_GLOBAL);
  EXPECT_EQ(run(k, change(2 * M, 4, SetMemoryMode::invalid)).ret, 0);
  const u64 gone = last_step(k, 2 * M).desc;
  EXPECT_EQ(gone & ~x86::PTE_PFN_MASK,
            before & ~x86::PTE_PFN_MASK & ~(x86::PAGE_PRESENT | x86::PAGE_GLOBAL));
  EXPECT_EQ(gone & x86::PTE_PFN_MASK, ~(before & x86::PTE_PFN_MASK) & x86::PTE_PFN_MASK);
  const reference::TableScan s = scan(k);
  ASSERT_EQ(s.invalid.size(), 1u);
  EXPECT_EQ(s.invalid[0].pa, kRamPfn << 12);  // read back through the inversion
  EXPECT_EQ(run(k, change(2 * M, 4, SetMemoryMode::valid)).ret, 0);
  EXPECT_EQ(last_step(k, 2 * M).desc, before & ~x86::PAGE_GLOBAL);
}

// 2026 set_memory_rox: a PTE table that maps an aligned 2M of contiguous
// pages with one protection collapses into a 2M page; 6.12 leaves it.
TEST(SetMemoryX86, RoxCollapsesUniformPteTablesIn2026) {
  for (Variant v : {Variant::mainline, Variant::v6_12}) {
    SCOPED_TRACE(engine::variant_name(v));
    Kernel k(x86g(), v, cfg());
    ASSERT_EQ(run(k, vmap_contiguous(2 * M, 512)).ret, 0);
    ASSERT_EQ(last_step(k, 2 * M).level, engine::kPteLevel);
    const Outcome o = run(k, change(2 * M, 512, SetMemoryMode::rox));
    EXPECT_EQ(o.ret, 0);
    const bool collapsed = v == Variant::mainline;
    EXPECT_EQ(last_step(k, 2 * M).level, collapsed ? engine::kPmdLevel : engine::kPteLevel);
    EXPECT_EQ(o.tables_freed, collapsed ? 1u : 0u);
    EXPECT_EQ(count(o, FlushKind::tlb_all), collapsed ? 2u : 1u);
    const reference::Translation t = translate(k, xva(2 * M + 5 * P));
    ASSERT_TRUE(t.mapped);
    EXPECT_EQ(t.pa, (kRamPfn << 12) + 5 * P);
    EXPECT_TRUE(scan(k).issues.empty());
  }
}

// The collapse looks at the whole 2M slot the range starts in, and the
// whole 1G slot of each 2M page it makes: rox in five calls over 1G of
// contiguous pages ends with one 1G page (numpages is at most 65535 here).
TEST(SetMemoryX86, RoxInPiecesCollapsesToAGigabytePage) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmap_contiguous(1 * G, 262144)).ret, 0);
  ASSERT_EQ(last_step(k, 1 * G).level, engine::kPteLevel);
  u64 done = 0;
  unsigned freed = 0;
  while (done < 262144) {
    const auto n = static_cast<unsigned>(std::min<u64>(65535, 262144 - done));
    const Outcome o = run(k, change(1 * G + done * P, n, SetMemoryMode::rox));
    ASSERT_EQ(o.ret, 0);
    freed += o.tables_freed;
    done += n;
    if (done < 262144) {
      EXPECT_EQ(last_step(k, 1 * G).level, engine::kPmdLevel);
    }
  }
  EXPECT_EQ(freed, 513u);  // 512 PTE tables and the PMD table
  EXPECT_EQ(last_step(k, 1 * G).level, engine::kPudLevel);
  const reference::Translation t = translate(k, xva(1 * G + 300 * M + 5 * P));
  ASSERT_TRUE(t.mapped);
  EXPECT_EQ(t.pa, (kRamPfn << 12) + 300 * M + 5 * P);
  EXPECT_TRUE(scan(k).issues.empty());
}

// An unaligned address WARNs once and is aligned down.
TEST(SetMemoryX86, UnalignedAddressWarnsAndIsAlignedDown) {
  Kernel k(x86g(), Variant::mainline, cfg());
  ASSERT_EQ(run(k, vmalloc_pages(2 * M, P)).ret, 0);
  const Outcome o = run(k, harness::SetMemoryOp{xva(2 * M).v, 1, SetMemoryMode::ro, true});
  EXPECT_EQ(o.ret, 0);
  ASSERT_EQ(o.warns.size(), 1u);
  EXPECT_EQ(o.warns[0].id, WarnId::cpa_unaligned);
  EXPECT_EQ(o.warns[0].addr, xva(2 * M));
  EXPECT_FALSE(last_step(k, 2 * M).desc & x86::PAGE_RW);
}

}  // namespace
}  // namespace vmapfuzz::test
