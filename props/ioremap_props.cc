// SPDX-License-Identifier: GPL-2.0-only
// Properties of ioremap as a whole, on every geometry (gen::geometry()):
// whole traces against the reference through the Runner, block use for
// aligned requests, and the translation of sampled pages.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "harness/runner.h"
#include "props/checks.h"
#include "props/gen.h"
#include "props/rc_support.h"
#include "reference/geometry_facts.h"

namespace vmapfuzz::props {
namespace {

using engine::u64;

// --- IoremapTranslationMatchesReference ---------------------------------

// The Runner's checks (outcome, structure, every page's translation, level
// and CONT use, mainline == v4 inside the contract) hold for any trace.
RC_GTEST_PROP(PropIoremap, IoremapTranslationMatchesReference, (const harness::Trace& t)) {
  harness::Runner runner;
  const harness::RunResult res = runner.run(t);
  assert_passes(res);
  const engine::Counters& c = runner.impls().back().kernel->counters();
  RC_CLASSIFY(c.pud_set_huge > 0, "pud block");
  RC_CLASSIFY(c.pmd_set_huge > 0, "pmd block");
  RC_CLASSIFY(c.set_huge_pte_at > 0, "cont");
  RC_CLASSIFY(res.stopped_by_bug, "BUG");
  RC_CLASSIFY(c.set_huge_refused > 0, "x86 MTRR refusal");
  RC_TAG(std::string(t.geo->name));
}

// --- IoremapOfAlignedPmdUsesBlock / IoremapOfAlignedPudUsesBlock ---------

// What a kernel page-table leaf of `prot` (never executable) holds, in the
// current geometry's descriptor format.
reference::Attrs attrs_of(engine::ProtName prot) {
  return reference::expected_attrs(reference::geometry_facts(geo()).format, prot, /*nx=*/true);
}

// An ioremap of exactly one block, VA and PA aligned to it, in one of the
// first `slots` slots of the window (fewer where the window has fewer).
rc::Gen<harness::IoremapOp> aligned_block(u64 block, u64 slots) {
  return rc::gen::exec([=] {
    const u64 n = std::max<u64>(1, std::min(slots, geo().vmalloc_size / block - 1));
    const u64 va = geo().vmalloc_start + block * *rc::gen::inRange<u64>(0, n);
    return harness::IoremapOp{va, block, block * *rc::gen::inRange<u64>(1, 64), *gen::prot()};
  });
}

// Nothing, or a smaller mapping inside [slot, slot + block) and its unmap:
// what leaves empty page tables there for the block to replace.
rc::Gen<std::vector<harness::Op>> earlier_small_mapping(u64 slot, u64 block) {
  return rc::gen::exec([=] {
    if (!*rc::gen::arbitrary<bool>()) return std::vector<harness::Op>{};
    const u64 page = geo().page_size();
    const u64 off = page * *rc::gen::inRange<u64>(0, block / page);
    u64 size = std::min(*gen::size(), block - off);
    if (size == block) size = block / 2;
    const u64 va = slot + off;
    return std::vector<harness::Op>{
        harness::VmapPageRangeOp{va, size, *gen::pa_for(va, size), *gen::prot()},
        harness::VunmapRangeOp{va, size}};
  });
}

// The block replaces any empty table and is all there is: one leaf at
// the hardware level that holds the entries of kernel level `kl` (the
// reference's numbering: reference/geometry_facts.h), no table left over.
void check_aligned_block(u64 block, reference::KernelLevel kl, u64 slots) {
  const unsigned level = reference::geometry_facts(geo()).host_level(kl);
  const harness::IoremapOp op = *aligned_block(block, slots);
  const std::vector<harness::Op> before = *earlier_small_mapping(op.va, block);
  engine::Kernel k(geo(), *gen::variant());
  for (const harness::Op& b : before) RC_ASSERT(harness::execute(k, b).ret == 0);
  RC_ASSERT(harness::execute(k, op).ret == 0);
  const reference::TableScan s = scan(k);
  RC_ASSERT(structure_issues(s, geo()) == "");
  RC_ASSERT(s.runs.size() == 1u);
  const reference::LeafRun one{op.va, block, op.pa, level, false, attrs_of(op.prot)};
  RC_ASSERT(s.runs.front() == one);
  RC_ASSERT(tlb_issues(k) == "");
}

RC_GTEST_PROP(PropIoremap, IoremapOfAlignedPmdUsesBlock, ()) {
  const engine::Geometry& g =
      **gen::geometry_where([](const engine::Geometry& x) { return x.pmd_block; });
  check_aligned_block(g.pmd_size(), reference::KernelLevel::pmd, 1024);
}

// On the geometries with PUD blocks (arm64 4K, x86-64, riscv Sv48/Sv57).
RC_GTEST_PROP(PropIoremap, IoremapOfAlignedPudUsesBlock, ()) {
  const engine::Geometry& g =
      **gen::geometry_where([](const engine::Geometry& x) { return x.pud_block; });
  check_aligned_block(g.pud_size(), reference::KernelLevel::pud, 16);
}

// --- TranslateEveryPageOfIoremap -----------------------------------------

// First and last page, and both pages around every CONT, PMD and PUD
// boundary (64K/2M/1G with 4K pages) inside [va, va + size).
std::set<u64> sample_pages(u64 va, u64 size) {
  const u64 page = geo().page_size(), end = va + size;
  std::set<u64> pages = {va, end - page};
  for (u64 g : {geo().cont_pte_size(), geo().pmd_size(), geo().pud_size()})
    if (g != 0)
      for (u64 b = (va / g + 1) * g; b < end; b += g) pages.insert({b - page, b});
  return pages;
}

RC_GTEST_PROP(PropIoremap, TranslateEveryPageOfIoremap, ()) {
  const engine::Geometry& g = **gen::geometry();
  const harness::IoremapOp op = *gen::ioremap();
  engine::Kernel k(g, *gen::variant());
  RC_ASSERT(harness::execute(k, op).ret == 0);
  auto translate = [&](u64 va) { return reference::translate(k.pool(), g, k.pgd_pa().v, va); };
  const reference::Attrs attrs = attrs_of(op.prot);
  for (u64 va : sample_pages(op.va, op.size)) {
    const reference::Translation tr = translate(va);
    if (!tr.mapped) RC_LOG() << "va " << std::hex << va << std::dec << ": " << tr.fault << "\n";
    RC_ASSERT(tr.mapped);
    RC_ASSERT(tr.pa == op.pa + (va - op.va));
    RC_ASSERT(tr.attrs == attrs);
  }
  // Nothing around it: not the page before, not the guard page after.
  if (op.va > g.vmalloc_start) RC_ASSERT_FALSE(translate(op.va - g.page_size()).mapped);
  RC_ASSERT_FALSE(translate(op.va + op.size).mapped);
  RC_ASSERT(tlb_issues(k) == "");
}

}  // namespace
}  // namespace vmapfuzz::props
