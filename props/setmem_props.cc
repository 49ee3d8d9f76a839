// SPDX-License-Identifier: GPL-2.0-only
// Properties of the permission changes (set_memory_*, docs/pageattr.md),
// stated on the page tables the engine leaves, not on the reference:
// - a change applies exactly to the pages asked for, as its mode says;
// - every other page keeps its translation and attributes;
// - a change refused up front leaves the tables bit-identical;
// - after any sequence, no page is writable and executable unless some op
//   asked for that (a W+X prot, or set_memory_x/rw on its pages).
// On every arm64 geometry (with and without BBML2_NOABORT) and on x86-64
// (CPA), every variant. The bit-identical refusal is arm64's alone: x86's
// CPA refuses nothing up front, each of its failures comes part way.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "harness/runner.h"
#include "harness/variant_relation.h"
#include "harness/visit.h"
#include "props/checks.h"
#include "props/gen.h"

namespace vmapfuzz::props {
namespace {

using common::SetMemoryMode;
using engine::u64;
using reference::Attrs;
using reference::LeafRun;

bool arm64(const engine::Geometry& g) { return g.arch == engine::Arch::arm64; }

std::string hex_of(u64 v) {
  char b[24];
  std::snprintf(b, sizeof b, "%#llx", static_cast<unsigned long long>(v));
  return b;
}

// As in vmap_props.cc: areas go where the generator puts them.
engine::KernelConfig config(bool bbml2) {
  engine::KernelConfig c;
  c.placement_any = true;
  c.bbml2_noabort = bbml2;
  return c;
}

// The ops a setup draws from: areas of the three kinds and earlier changes.
const gen::OpWeights kSetupOps = [] {
  gen::OpWeights w{};
  w[static_cast<std::size_t>(harness::OpKind::vmalloc)] = 4;
  w[static_cast<std::size_t>(harness::OpKind::vmap)] = 3;
  w[static_cast<std::size_t>(harness::OpKind::ioremap)] = 2;
  w[static_cast<std::size_t>(harness::OpKind::set_memory)] = 2;
  return w;
}();

// One kernel under test and the reference beside it (only to aim ops at
// live areas: the properties judge the engine's tables themselves).
struct Setup {
  engine::Kernel k;
  reference::RefKernel ref;
  LiveAreas live;
  Setup(const engine::Geometry& g, engine::Variant v, engine::KernelConfig c)
      : k(g, v, c), ref(g, v, c) {}
};

bool valid_op(const engine::Geometry& g, engine::Variant v, const engine::KernelConfig& c,
              const harness::Op& op) {
  harness::Trace t;
  t.geo = &g;
  t.variant = v;
  t.config = c;
  t.ops = {op};
  return !harness::validate(t);
}

// Runs `op` on the kernel and moves the reference and the live areas.
engine::Outcome step(Setup& s, const harness::Op& op) {
  engine::Outcome out = harness::execute(s.k, op);
  s.live.after(s.ref, op, harness::predict(s.ref, op));
  return out;
}

// 0..3 ops of kSetupOps that stay in the contract and do not BUG.
void build(Setup& s, int max_ops) {
  const int n = *rc::gen::inRange(1, max_ops + 1);
  for (int i = 0; i < n; ++i) {
    harness::Op op = *gen::op_of(kSetupOps, s.live, 4096, s.k.config());
    harness::fit_set_memory_to_era(op, s.k.geo(), s.k.variant());
    if (!valid_op(s.k.geo(), s.k.variant(), s.k.config(), op) ||
        harness::maps_over_live_mapping(s.ref, op))
      continue;
    step(s, op);
    RC_PRE(!s.k.bugged());
  }
}

// What one page looks like to the MMU (and, when it translates nothing,
// what the entry still holds: raw low bits, as TableScan::invalid has them).
struct Page {
  bool mapped = false, invalid_entry = false;
  u64 pa = 0;
  Attrs attrs;
  std::uint8_t raw = 0;
};

std::vector<Page> pages_of(const engine::Kernel& k, u64 lo, u64 hi) {
  const engine::Geometry& g = k.geo();
  const u64 page = g.page_size();
  std::vector<Page> pages((hi - lo) / page);
  const reference::TableScan s = reference::scan_range(k.pool(), g, k.pgd_pa().v, lo, hi);
  auto fill = [&](const std::vector<LeafRun>& runs) {
    for (const LeafRun& r : runs)
      for (u64 va = std::max(r.va, lo); va < std::min(r.va + r.size, hi); va += page)
        pages[(va - lo) / page] = {r.mapped, !r.mapped, r.pa + (va - r.va), r.attrs, r.raw};
  };
  fill(s.runs);
  fill(s.invalid);
  return pages;
}

// The leaves outside [lo, hi), translating or not, with the block/CONT
// structure taken out (a BBML2 split may change it): what must not change.
std::vector<LeafRun> outside(const engine::Kernel& k, u64 lo, u64 hi) {
  const reference::TableScan s = scan(k);
  std::vector<LeafRun> out;
  for (const auto* runs : {&s.runs, &s.invalid})
    for (LeafRun r : *runs) {
      r.level = 0;
      r.cont = false;
      const u64 end = r.va + r.size;
      if (r.va < lo) {
        LeafRun a = r;
        a.size = std::min(end, lo) - r.va;
        reference::append_run(out, a);
      }
      if (end > hi) {
        LeafRun b = r;
        b.va = std::max(r.va, hi);
        b.pa = r.pa + (b.va - r.va);
        b.size = end - b.va;
        reference::append_run(out, b);
      }
    }
  std::stable_sort(out.begin(), out.end(),
                   [](const LeafRun& a, const LeafRun& b) { return a.va < b.va; });
  return out;
}

// A page after x86's `mode` did what it should (set_memory.c masks; 6.1's
// set_memory_ro leaves D). A page made not present loses G; one made
// present again translates with what its entry kept.
Page changed_x86(Page p, SetMemoryMode mode, engine::Variant v) {
  switch (mode) {
    case SetMemoryMode::ro:
      p.attrs.writable = false;
      if (v != engine::Variant::v6_1) p.attrs.dirty = false;
      break;
    case SetMemoryMode::rw: p.attrs.writable = true; break;
    case SetMemoryMode::x: p.attrs.exec = true; break;
    case SetMemoryMode::nx: p.attrs.exec = false; break;
    case SetMemoryMode::rox:
      p.attrs.writable = false;
      p.attrs.dirty = false;
      p.attrs.exec = true;
      break;
    case SetMemoryMode::invalid:
      if (p.mapped) {
        p.attrs.global = false;
        p = {false, true, p.pa, p.attrs, 0};
      }
      break;
    case SetMemoryMode::valid:
      if (p.invalid_entry) p = {true, false, p.pa, p.attrs, 0};
      break;
  }
  return p;
}

// A page after `mode` did what it should (arm64 pageattr.c masks).
Page changed(Page p, SetMemoryMode mode, const engine::Kernel& k) {
  if (k.geo().arch == engine::Arch::x86_64) return changed_x86(p, mode, k.variant());
  switch (mode) {
    case SetMemoryMode::ro:
      p.attrs.rdonly = true;
      p.attrs.dbm = false;
      break;
    case SetMemoryMode::rw:
      p.attrs.rdonly = false;
      p.attrs.dbm = true;
      break;
    case SetMemoryMode::x: p.attrs.pxn = false; break;
    case SetMemoryMode::nx: p.attrs.pxn = true; break;
    case SetMemoryMode::rox:
      p.attrs.rdonly = true;
      p.attrs.dbm = false;
      p.attrs.pxn = false;
      break;
    case SetMemoryMode::invalid:
      if (p.mapped) p = {false, true, p.pa, p.attrs, 2};  // a page: low bits 10
      break;
    case SetMemoryMode::valid:
      // A page made invalid (low bits 10) translates again. A block made
      // invalid (low bits 00) stays so: the 2026 walk passes over a
      // non-present leaf, a finding of docs/pageattr.md.
      if (p.invalid_entry && p.raw == 2) p = {true, false, p.pa, p.attrs, 0};
      break;
  }
  // Bits changed in an entry that translates nothing stay invisible to the
  // MMU (docs/pageattr.md: the guard page), so only mapped pages are judged
  // on their attributes.
  return p;
}

bool same_translation(const Page& a, const Page& b) {
  if (a.mapped != b.mapped) return false;
  return !a.mapped || (a.pa == b.pa && a.attrs == b.attrs);
}

std::string page_text(const Page& p) {
  if (!p.mapped) return p.invalid_entry ? "an invalid entry" : "nothing";
  return "pa " + hex_of(p.pa) + " " + reference::attrs_text(p.attrs);
}

// The tables as bytes: every live table and what it holds.
std::map<u64, std::vector<u64>> snapshot(const engine::Kernel& k) {
  std::map<u64, std::vector<u64>> m;
  for (engine::PhysAddr pa : k.pool().live_tables()) {
    const u64* t = k.pool().table(pa);
    m[pa.v] = std::vector<u64>(t, t + k.pool().entries());
  }
  return m;
}

harness::SetMemoryOp change_of(Setup& s) {
  harness::Op op = *gen::set_memory(s.live.targets());
  harness::fit_set_memory_to_era(op, s.k.geo(), s.k.variant());
  RC_PRE(valid_op(s.k.geo(), s.k.variant(), s.k.config(), op));
  return std::get<harness::SetMemoryOp>(op);
}

// --- SetMemoryChangesExactlyThePagesAskedFor -------------------------------

// After a few areas and changes, one more change: every page it names is
// changed as its mode says (all of them when it returns 0 without a WARN;
// each either changed or untouched when it WARNs part way), and every
// other page, translating or not, is as it was.
RC_GTEST_PROP(PropSetMemory, ChangesExactlyThePagesAskedFor, ()) {
  const engine::Geometry& g = **gen::geometry_where(harness::set_memory_modelled);
  Setup s(g, *gen::any_variant(), config(*rc::gen::weightedElement<bool>({{3, false}, {1, true}})));
  build(s, 3);
  const harness::SetMemoryOp op = change_of(s);
  const u64 page = g.page_size();
  const u64 lo = op.va, hi = op.va + u64{op.numpages} * page;
  const std::vector<Page> before = pages_of(s.k, lo, hi);
  const std::vector<LeafRun> others = outside(s.k, lo, hi);
  const engine::Outcome out = step(s, op);
  RC_PRE(!s.k.bugged());
  const std::vector<Page> after = pages_of(s.k, lo, hi);
  // x86's W^X and unaligned-address WARNs let the change through whole.
  const bool whole =
      out.ret == 0 &&
      (arm64(g) ? out.warns.empty()
                : std::all_of(out.warns.begin(), out.warns.end(), [](const engine::Warn& w) {
                    return w.id == engine::WarnId::cpa_wx_violation ||
                           w.id == engine::WarnId::cpa_unaligned;
                  }));
  for (std::size_t i = 0; i < before.size(); ++i) {
    const Page want = changed(before[i], op.mode, s.k);
    if (same_translation(after[i], want)) continue;
    if (!whole && same_translation(after[i], before[i])) continue;
    RC_LOG() << "page " << hex_of(lo + i * page) << ": was " << page_text(before[i])
             << ", should be " << page_text(want) << (whole ? "" : " or unchanged") << ", is "
             << page_text(after[i]) << " (ret " << out.ret << ", " << out.warns.size()
             << " WARNs)\n";
    RC_FAIL("a page asked for is not changed as asked");
  }
  RC_ASSERT(outside(s.k, lo, hi) == others);
  RC_ASSERT(tlb_issues(s.k) == "");
  RC_CLASSIFY(whole, "applied");
  RC_CLASSIFY(out.ret != 0, "refused or failed");
  RC_CLASSIFY(!out.warns.empty(), "WARN");
  RC_CLASSIFY(s.k.config().bbml2_noabort, "BBML2_NOABORT");
}

// --- RefusedChangeLeavesTablesBitIdentical ---------------------------------

// A change that fails without a WARN was refused before any walk (the area
// check, an unaligned split end): no entry and no table changes.
RC_GTEST_PROP(PropSetMemory, RefusedChangeLeavesTablesBitIdentical, ()) {
  const engine::Geometry& g = **gen::geometry_where(arm64);
  Setup s(g, *gen::any_variant(), config(*rc::gen::weightedElement<bool>({{3, false}, {1, true}})));
  build(s, 2);
  const harness::SetMemoryOp op = change_of(s);
  const auto tables = snapshot(s.k);
  const u64 stores = s.k.counters().descriptors_written;
  const engine::Outcome out = step(s, op);
  RC_PRE(!s.k.bugged());
  RC_CLASSIFY(out.ret != 0 && out.warns.empty(), "refused");
  if (out.ret == 0 || !out.warns.empty()) return;
  RC_ASSERT(s.k.counters().descriptors_written == stores);
  RC_ASSERT(snapshot(s.k) == tables);
  RC_ASSERT(out.tables_allocated == 0u);
}

// --- NoPageWritableAndExecutableUnlessAsked --------------------------------

// Pages some op asked to be writable and executable, as sorted disjoint
// [va, end) intervals.
class Allowed {
 public:
  void set(u64 lo, u64 hi, bool allowed) {
    std::vector<std::pair<u64, u64>> next;
    for (const auto& [a, b] : r_) {
      if (a < lo) next.emplace_back(a, std::min(b, lo));
      if (b > hi) next.emplace_back(std::max(a, hi), b);
    }
    if (allowed) next.emplace_back(lo, hi);
    std::sort(next.begin(), next.end());
    r_ = std::move(next);
  }
  bool covers(u64 lo, u64 hi) const {
    for (const auto& [a, b] : r_) {
      if (a > lo) return false;
      if (b > lo) lo = b;
      if (lo >= hi) return true;
    }
    return lo >= hi;
  }

 private:
  std::vector<std::pair<u64, u64>> r_;
};

// The range a mapping op asked for (after it ran: `now` has its area).
std::optional<Range> asked_range(const harness::Op& op, const LiveAreas& before,
                                 const LiveAreas& now, u64 page) {
  const auto up = [page](u64 x) { return (x + page - 1) / page * page; };
  return std::visit(harness::Overloaded{
                        [&](const harness::IoremapOp& o) -> std::optional<Range> {
                          return Range{o.va, o.size};
                        },
                        [&](const harness::IoremapPageRangeOp& o) -> std::optional<Range> {
                          return Range{o.va, o.size};
                        },
                        [&](const harness::VmapPageRangeOp& o) -> std::optional<Range> {
                          return Range{o.va, up(o.size)};
                        },
                        [&](const harness::VmapOp& o) -> std::optional<Range> {
                          return Range{o.va, o.page_count() * page};
                        },
                        [&](const harness::VmallocOp&) -> std::optional<Range> {
                          for (const Range& r : now.vmalloc)
                            if (std::find(before.vmalloc.begin(), before.vmalloc.end(), r) ==
                                before.vmalloc.end())
                              return r;
                          return std::nullopt;
                        },
                        [](const auto&) -> std::optional<Range> { return std::nullopt; },
                    },
                    op);
}

std::optional<common::ProtName> prot_of(const harness::Op& op) {
  return std::visit(
      harness::Overloaded{
          [](const harness::IoremapOp& o) -> std::optional<common::ProtName> { return o.prot; },
          [](const harness::IoremapPageRangeOp& o) -> std::optional<common::ProtName> {
            return o.prot;
          },
          [](const harness::VmapPageRangeOp& o) -> std::optional<common::ProtName> {
            return o.prot;
          },
          [](const harness::VmallocOp& o) -> std::optional<common::ProtName> { return o.prot; },
          [](const harness::VmapOp& o) -> std::optional<common::ProtName> { return o.prot; },
          [](const auto&) -> std::optional<common::ProtName> { return std::nullopt; },
      },
      op);
}

// arm64 at EL1: writable with AP[2] clear or with DBM (the kernel's
// PTE_WRITE: a write makes it dirty and writable), executable without PXN.
// x86-64: R/W set and XD clear (the tables above allow both).
bool writable_and_executable(const Attrs& a) {
  if (a.format == reference::DescFormat::x86_64) return a.writable && a.exec;
  return (!a.rdonly || a.dbm) && !a.pxn;
}

// 1..8 ops (areas of any prot, frees, changes of any mode): afterwards,
// every writable and executable page is one that was asked to be: mapped
// with PAGE_KERNEL_EXEC, or named by a set_memory_x or set_memory_rw since
// its last set_memory_ro/nx/rox that applied. The TLB holds nothing stale.
RC_GTEST_PROP(PropSetMemory, NoPageWritableAndExecutableUnlessAsked, ()) {
  const engine::Geometry& g = **gen::geometry_where(harness::set_memory_modelled);
  Setup s(g, *gen::any_variant(), config(*rc::gen::weightedElement<bool>({{3, false}, {1, true}})));
  gen::OpWeights w = kSetupOps;
  w[static_cast<std::size_t>(harness::OpKind::vfree)] = 1;
  w[static_cast<std::size_t>(harness::OpKind::vunmap)] = 1;
  w[static_cast<std::size_t>(harness::OpKind::iounmap)] = 1;
  w[static_cast<std::size_t>(harness::OpKind::set_memory)] = 4;
  const u64 page = g.page_size();
  Allowed allowed;
  const int n = *rc::gen::inRange(1, 9);
  for (int i = 0; i < n; ++i) {
    harness::Op op = *gen::op_of(w, s.live, 4096, s.k.config());
    harness::fit_set_memory_to_era(op, s.k.geo(), s.k.variant());
    if (!valid_op(g, s.k.variant(), s.k.config(), op) || harness::maps_over_live_mapping(s.ref, op))
      continue;
    const LiveAreas before = s.live;
    const engine::Outcome out = step(s, op);
    RC_PRE(!s.k.bugged());
    const bool applied = out.ret == 0 && out.warns.empty();
    std::visit(harness::Overloaded{
                   [&](const harness::SetMemoryOp& c) {
                     const u64 lo = c.va, hi = c.va + u64{c.numpages} * page;
                     if (c.mode == SetMemoryMode::x || c.mode == SetMemoryMode::rw)
                       allowed.set(lo, hi, true);
                     const bool denies = c.mode == SetMemoryMode::ro ||
                                         c.mode == SetMemoryMode::nx ||
                                         c.mode == SetMemoryMode::rox;
                     if (denies && applied) allowed.set(lo, hi, false);
                   },
                   [&](const auto&) {
                     const auto prot = prot_of(op);
                     if (!prot) return;
                     const bool wx = *prot == common::ProtName::kernel_exec;
                     const auto r = asked_range(op, before, s.live, page);
                     if (r && (wx || out.ret == 0)) allowed.set(r->va, r->end(), wx);
                   },
               },
               op);
    RC_ASSERT(tlb_issues(s.k) == "");
  }
  bool any_wx = false;
  for (const LeafRun& r : scan(s.k).runs) {
    if (!writable_and_executable(r.attrs)) continue;
    any_wx = true;
    if (allowed.covers(r.va, r.va + r.size)) continue;
    RC_LOG() << "writable and executable, never asked: " << hex_of(r.va) << " + " << hex_of(r.size)
             << " " << reference::attrs_text(r.attrs) << "\n";
    RC_FAIL("a page is writable and executable that no op asked to be");
  }
  RC_CLASSIFY(any_wx, "W+X asked for");
}

}  // namespace
}  // namespace vmapfuzz::props
