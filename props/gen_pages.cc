// SPDX-License-Identifier: GPL-2.0-only
// Generators for the page-array paths (docs/vmalloc.md, docs/vmap.md): page arrays
// shaped like the ones vmap()'s batching decides on, vmap VAs around CONT
// and PMD boundaries, vmalloc sizes around CONT/PMD multiples (64K/2M with
// 4K pages; the current geometry's, gen.h), and traces of any op set, aimed
// at live areas through the reference model.
#include <algorithm>

#include "harness/runner.h"
#include "harness/visit.h"
#include "props/gen.h"
#include "reference/model.h"

namespace vmapfuzz::props::gen {
namespace {

using harness::Op;
using harness::OpKind;
using harness::PageRun;
using harness::Trace;

u64 page() { return geo().page_size(); }
u64 cont() { return geo().cont_pte_size(); }  // 0 without a contiguous hint
u64 small() { return small_granule(); }
u64 pmd() { return geo().pmd_size(); }
u64 round_up(u64 x, u64 a) { return (x + a - 1) / a * a; }
u64 window_end() { return geo().vmalloc_start + geo().vmalloc_size; }
// pfns from here on have no memory behind them (pfn_valid() is false).
u64 memory_pfns() { return geo().phys_limit >> geo().page_shift; }

// rc::gen::inRange scales its range with the size; categorical choices
// (which op, which alignment) should not: they get the nominal size, and
// still shrink toward the low end.
template <class T>
T pick(T lo, T hi) {
  return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(lo, hi));
}

// vmap's pages start at 4 GiB, above the pages vmalloc's allocator hands
// out from 2 GiB on (overlap would be harmless; the distance reads better).
constexpr u64 kRunBasePfn = 0x100000;

// A naturally aligned 2^order block at or after *next, then at least one
// page of hole, as engine::PageAllocator places them: never adjacent.
PageRun aligned_block(u64* next, unsigned order) {
  const u64 n = u64{1} << order;
  const u64 pfn = round_up(*next, n);
  *next = pfn + n + *rc::gen::weightedElement<u64>({{4, 1}, {1, 16}, {1, 256}});
  return {pfn, n};
}

// A block of the PMD order or one more (9 or 10 with 4K pages).
unsigned pmd_order_or_more() { return *rc::gen::element(pmd_order(), pmd_order() + 1); }

// dma-buf heaps allocate order 8, then 4, then 0 (sometimes a PMD-order
// block first).
std::vector<PageRun> dmabuf_segment(u64* next) {
  std::vector<PageRun> runs;
  const unsigned hi = *rc::gen::weightedElement<unsigned>({{4, 0}, {1, 1}});
  for (unsigned i = 0; i < hi; ++i) runs.push_back(aligned_block(next, pmd_order_or_more()));
  for (unsigned order : {8u, 4u, 0u}) {
    const unsigned n = *rc::gen::inRange(0u, order == 8 ? 4u : 9u);
    for (unsigned i = 0; i < n; ++i) runs.push_back(aligned_block(next, order));
  }
  if (runs.empty()) runs.push_back(aligned_block(next, *rc::gen::element(0u, 4u, 8u)));
  return runs;
}

// Contiguous, aligned to exactly 2^k pages (an odd multiple of 2^k), k up
// to the PMD order and one more.
PageRun misaligned_run(u64* next) {
  const unsigned orders = pmd_order() + 2;  // 11 with 4K pages
  const unsigned k = pick(0u, orders);
  const u64 pfn = round_up(*next, u64{1} << (k + 1)) + (u64{1} << k);
  const unsigned j = pick(1u, orders);
  const u64 count = *rc::gen::weightedOneOf<u64>({
      {3, rc::gen::just(u64{1} << j)},
      {2, rc::gen::element((u64{1} << j) - 1, (u64{1} << j) + 1)},
      {1, rc::gen::inRange<u64>(1, (u64{2} << pmd_order()) + 1)},
  });
  *next = pfn + count + 1;
  return {pfn, count};
}

// Continues the previous run, misses it by a page, or repeats its last page.
PageRun follow_run(u64 prev_end, u64* next) {
  const u64 pfn = prev_end + 1 - *rc::gen::weightedElement<u64>({{3, 1}, {2, 0}, {1, 2}});
  const u64 count = u64{1} << pick(0u, pmd_order() + 1);
  *next = std::max(*next, pfn + count + 1);
  return {pfn, count};
}

PageRun bad_run() {
  if (*rc::gen::arbitrary<bool>()) return {engine::kNullPage, 1};
  return {memory_pfns() + *rc::gen::inRange<u64>(0, 64), *rc::gen::inRange<u64>(1, 5)};
}

// Keeps the first max_pages pages.
std::vector<PageRun> truncated(const std::vector<PageRun>& runs, u64 max_pages) {
  std::vector<PageRun> out;
  for (PageRun r : runs) {
    if (max_pages == 0) break;
    r.count = std::min(r.count, max_pages);
    max_pages -= r.count;
    out.push_back(r);
  }
  return out;
}

u64 start_pfn() { return kRunBasePfn + 16 * *rc::gen::inRange<u64>(0, 4096); }

// Pages a vmalloc may take (its size rounded up as a huge vmalloc does).
u64 vmalloc_pages(const harness::VmallocOp& o) {
  u64 a = page();
  if (o.huge && o.size >= pmd()) a = pmd();
  else if (o.huge && cont() && o.size >= cont()) a = cont();
  return round_up(o.size, a) / page();
}

}  // namespace

u64 pte_pages(const Op& op, const engine::KernelConfig& cfg) {
  return std::visit(harness::Overloaded{
                        [](const harness::VmallocOp& o) { return vmalloc_pages(o); },
                        [](const harness::VmapOp& o) { return o.page_count(); },
                        // The rest as the fuzz targets count them (an
                        // exhaustive visit itself).
                        [&](const auto&) {
                          Trace t;
                          t.geo = &geo();
                          t.config = cfg;
                          t.ops = {op};
                          return harness::pte_level_pages(t);
                        },
                    },
                    op);
}

namespace {

OpWeights weights(std::initializer_list<std::pair<OpKind, int>> l) {
  OpWeights w{};
  for (auto [k, n] : l) w[static_cast<std::size_t>(k)] = n;
  return w;
}

// An address in `r` a free may name: mostly its start, else a page inside.
u64 address_in(const Range& r) {
  const u64 pages = std::max<u64>(1, r.size / page());
  return r.va + page() * *rc::gen::weightedOneOf<u64>(
                             {{4, rc::gen::just(u64{0})}, {1, rc::gen::inRange<u64>(0, pages)}});
}

// A free aimed at the areas of its own kind, else at any area, else anywhere.
u64 free_target(const std::vector<Range>& own, const std::vector<Range>& any) {
  if (!own.empty() && *rc::gen::weightedElement<bool>({{6, true}, {1, false}}))
    return address_in(*rc::gen::elementOf(own));
  if (!any.empty() && *rc::gen::weightedElement<bool>({{3, true}, {1, false}}))
    return address_in(*rc::gen::elementOf(any));
  return *va();
}

}  // namespace

rc::Gen<engine::Variant> vmap_variant() {
  return rc::gen::element(engine::Variant::mainline, engine::Variant::v4_fixed,
                          engine::Variant::v6_12, engine::Variant::v6_1);
}

rc::Gen<engine::Variant> any_variant() {
  return rc::gen::element(engine::Variant::mainline, engine::Variant::v4, engine::Variant::v4_fixed,
                          engine::Variant::v6_12, engine::Variant::v6_1);
}

rc::Gen<std::vector<PageRun>> page_runs(u64 max_pages) {
  return rc::gen::exec([max_pages] {
    u64 next = start_pfn();
    std::vector<PageRun> runs;
    const int segments = *rc::gen::inRange(1, 5);
    for (int s = 0; s < segments; ++s) {
      const int kind = runs.empty()
                           ? *rc::gen::weightedElement<int>({{4, 0}, {1, 1}, {2, 2}})
                           : *rc::gen::weightedElement<int>({{3, 0}, {1, 1}, {2, 2}, {3, 3}});
      switch (kind) {
        case 0: {
          const auto d = dmabuf_segment(&next);
          runs.insert(runs.end(), d.begin(), d.end());
          break;
        }
        case 1:
          for (int i = *rc::gen::inRange(0, 2); i >= 0; --i)
            runs.push_back(aligned_block(&next, pmd_order_or_more()));
          break;
        case 2: runs.push_back(misaligned_run(&next)); break;
        default: runs.push_back(follow_run(runs.back().pfn + runs.back().count, &next)); break;
      }
    }
    runs = truncated(runs, max_pages);
    // Now and then a NULL entry or a pfn without memory, anywhere.
    if (*rc::gen::weightedElement<bool>({{7, false}, {1, true}})) {
      const std::size_t at = *rc::gen::inRange<std::size_t>(0, runs.size() + 1);
      runs.insert(runs.begin() + static_cast<std::ptrdiff_t>(at), bad_run());
      runs = truncated(runs, max_pages);
    }
    return runs;
  });
}

rc::Gen<std::vector<PageRun>> dmabuf_runs(u64 max_pages) {
  return rc::gen::exec([max_pages] {
    u64 next = start_pfn();
    return truncated(dmabuf_segment(&next), max_pages);
  });
}

rc::Gen<u64> vmap_va(u64 pages, const std::vector<Range>& earlier) {
  const u64 bytes = pages * page();
  auto fit = [bytes](u64 va) {  // the area and its guard page inside the window
    return std::min(va, (window_end() - bytes - page()) / page() * page());
  };
  const auto on_grid = rc::gen::exec([] {
    const u64 slot = geo().vmalloc_start + pmd() * *rc::gen::inRange<u64>(1, 257);
    return *rc::gen::weightedOneOf<u64>({
        {3, rc::gen::just(slot)},
        {3,
         rc::gen::map(rc::gen::inRange<u64>(1, 32), [slot](u64 n) { return slot + n * small(); })},
        {2,
         rc::gen::map(rc::gen::inRange<u64>(1, 4), [slot](u64 n) { return slot - n * small(); })},
        {1, rc::gen::element(slot - page(), slot + page())},
        {1,
         rc::gen::map(rc::gen::inRange<u64>(0, 512), [slot](u64 n) { return slot + n * page(); })},
    });
  });
  if (earlier.empty()) return rc::gen::map(on_grid, fit);
  return rc::gen::map(
      rc::gen::weightedOneOf<u64>({
          {4, on_grid},
          {1, rc::gen::exec([earlier] {
             const Range r = *rc::gen::elementOf(earlier);
             const u64 end = round_up(r.end(), page());
             // Its start and its end are taken while it is a live area
             // (its guard page): sometimes, to test that.
             return *rc::gen::weightedElement<u64>({{1, r.va}, {1, end}, {4, end + page()}});
           })},
      }),
      fit);
}

rc::Gen<harness::VmapOp> vmap(const std::vector<Range>& earlier, u64 max_pages) {
  return rc::gen::exec([earlier, max_pages] {
    harness::VmapOp o;
    o.runs = *rc::gen::weightedOneOf<std::vector<PageRun>>(
        {{4, page_runs(max_pages)}, {1, dmabuf_runs(max_pages)}});
    o.va = *vmap_va(o.page_count(), earlier);
    o.prot = *rc::gen::weightedOneOf<engine::ProtName>(
        {{3, rc::gen::just(engine::ProtName::normal)}, {1, prot()}});
    return o;
  });
}

rc::Gen<u64> vmalloc_size() {
  auto off_by_a_page = [](u64 s) {
    return rc::gen::map(rc::gen::weightedElement<int>({{3, 0}, {1, 1}, {1, -1}}), [s](int d) {
      return d > 0 ? s + page() : d < 0 ? s - page() : s;
    });
  };
  return rc::gen::weightedOneOf<u64>({
      {3, rc::gen::mapcat(rc::gen::inRange<u64>(1, 32),
                          [=](u64 n) { return off_by_a_page(n * small()); })},
      {3, rc::gen::mapcat(rc::gen::inRange<u64>(1, 5),
                          [=](u64 n) { return off_by_a_page(n * pmd()); })},
      {2, rc::gen::map(rc::gen::inRange<u64>(1, 21), [](u64 n) { return n * page(); })},
      {1, rc::gen::map(rc::gen::inRange<u64>(1, 64 * page()), [](u64 n) { return n; })},
  });
}

rc::Gen<harness::VmallocOp> vmalloc(const std::vector<Range>& earlier) {
  return rc::gen::exec([earlier] {
    harness::VmallocOp o;
    o.size = *vmalloc_size();
    o.va = *rc::gen::weightedOneOf<u64>({{2, va()}, {3, vmap_va(o.size / page() + 1, earlier)}});
    o.huge = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
    o.prot = *rc::gen::weightedOneOf<engine::ProtName>(
        {{3, rc::gen::just(engine::ProtName::normal)}, {1, prot()}});
    return o;
  });
}

rc::Gen<harness::FailPageAllocOp> fail_page_alloc() {
  return rc::gen::exec([] {
    // The orders that matter: 0, a CONT group's, the PMD order (at most 10,
    // the text form's limit, which still fails every larger allocation).
    const unsigned cont_order = cont() ? geo().cont_pte_shift - geo().page_shift : 4;
    const unsigned pmd_ord = std::min(pmd_order(), 10u);
    return harness::FailPageAllocOp{
        *fail_nth(), *rc::gen::weightedOneOf<unsigned>(
                         {{2, rc::gen::element(0u, std::min(cont_order, 10u), pmd_ord, 10u)},
                          {1, rc::gen::inRange(0u, 11u)}})};
  });
}

rc::Gen<harness::SetMemoryOp> set_memory(const std::vector<Range>& earlier) {
  return rc::gen::exec([earlier] {
    harness::SetMemoryOp o;
    Range r = earlier.empty() ? Range{*va(), *size()} : *subrange(*rc::gen::elementOf(earlier));
    if (!earlier.empty() && *rc::gen::weightedElement<bool>({{7, false}, {1, true}}))
      r.size += page();  // into the guard page (docs/pageattr.md)
    o.va = r.va;
    o.numpages = static_cast<unsigned>(
        std::min<u64>(std::max<u64>(r.size / page(), 1), harness::kMaxSetMemoryPages));
    o.mode = *rc::gen::elementOf(std::vector<common::SetMemoryMode>(
        std::begin(common::kAllSetMemoryModes), std::end(common::kAllSetMemoryModes)));
    const bool page_addr =
        o.mode == common::SetMemoryMode::valid || o.mode == common::SetMemoryMode::invalid;
    o.unaligned = !page_addr && *rc::gen::weightedElement<bool>({{11, false}, {1, true}});
    return o;
  });
}

const OpWeights kVmallocOps = weights({{OpKind::vmalloc, 6},
                                       {OpKind::vfree, 3},
                                       {OpKind::vunmap_range, 1},
                                       {OpKind::fail_alloc, 1},
                                       {OpKind::fail_page_alloc, 2},
                                       {OpKind::set_memory, 2}});
const OpWeights kVmallocAllocOps =
    weights({{OpKind::vmalloc, 6}, {OpKind::vfree, 3}, {OpKind::fail_page_alloc, 2}});
const OpWeights kVmapOps = weights({{OpKind::vmap, 6},
                                    {OpKind::vunmap, 3},
                                    {OpKind::vunmap_range, 1},
                                    {OpKind::fail_alloc, 1},
                                    {OpKind::set_memory, 1}});
const OpWeights kMixedOps = weights({{OpKind::ioremap, 3},
                                     {OpKind::ioremap_page_range, 1},
                                     {OpKind::vmap_page_range, 2},
                                     {OpKind::iounmap, 2},
                                     {OpKind::vunmap_range, 2},
                                     {OpKind::fail_alloc, 1},
                                     {OpKind::vmalloc, 4},
                                     {OpKind::vmap, 4},
                                     {OpKind::vfree, 2},
                                     {OpKind::vunmap, 2},
                                     {OpKind::fail_page_alloc, 1},
                                     {OpKind::set_memory, 2}});

rc::Gen<Op> op_of(const OpWeights& w, const LiveAreas& live, u64 max_pages,
                  engine::KernelConfig cfg) {
  return rc::gen::exec([w, live, max_pages, cfg]() -> Op {
    // Range ops: at most max_pages pages at the PTE level (a smaller size
    // if need be, so a nohugeiomap GiB stays cheap).
    auto budgeted = [&](auto o) -> Op {
      if (pte_pages(o, cfg) > max_pages) o.size = max_pages * page();
      return o;
    };
    OpWeights allowed = w;
    if (max_pages == 0)
      for (OpKind k : {OpKind::ioremap, OpKind::ioremap_page_range, OpKind::vmap_page_range,
                       OpKind::vmalloc, OpKind::vmap})
        allowed[static_cast<std::size_t>(k)] = 0;
    if (live.areas().empty())  // a free with nothing to free only WARNs: now and then
      for (OpKind k : {OpKind::iounmap, OpKind::vfree, OpKind::vunmap})
        allowed[static_cast<std::size_t>(k)] = std::min(allowed[static_cast<std::size_t>(k)], 1);
    if (!harness::set_memory_modelled(geo()))  // riscv64
      allowed[static_cast<std::size_t>(OpKind::set_memory)] = 0;
    int total = 0;
    for (int n : allowed) total += n;
    if (total == 0) return harness::FailAllocOp{*fail_nth()};
    std::size_t kind = 0;
    for (int p = pick(0, total); p >= allowed[kind];) p -= allowed[kind++];
    const std::vector<Range> targets = live.targets(), areas = live.areas();
    switch (static_cast<OpKind>(kind)) {
      case OpKind::ioremap: return budgeted(*ioremap_near(targets));
      case OpKind::ioremap_page_range: {
        if (!live.ioremap.empty() && *rc::gen::weightedElement<bool>({{3, true}, {1, false}})) {
          const Range a = *rc::gen::elementOf(live.ioremap);  // remap an area
          return budgeted(
              harness::IoremapPageRangeOp{a.va, a.size, *pa_for(a.va, a.size), *prot()});
        }
        const harness::IoremapOp o = *ioremap_near(targets);
        return budgeted(harness::IoremapPageRangeOp{o.va, o.size, o.pa, o.prot});
      }
      case OpKind::vmap_page_range: return budgeted(*vmap_page_range_near(targets));
      case OpKind::iounmap: return harness::IounmapOp{free_target(live.ioremap, areas)};
      case OpKind::vunmap_range: {
        const Range r =
            targets.empty() ? Range{*va(), *size()} : *subrange(*rc::gen::elementOf(targets));
        return harness::VunmapRangeOp{r.va, r.size};
      }
      case OpKind::fail_alloc: return harness::FailAllocOp{*fail_nth()};
      case OpKind::vmalloc: {
        harness::VmallocOp o = *vmalloc(targets);
        if (vmalloc_pages(o) > max_pages) o.size = max_pages * page();
        if (vmalloc_pages(o) > max_pages) o.huge = false;
        return o;
      }
      case OpKind::vmap: return *vmap(targets, std::min<u64>(max_pages, max_vmap_pages()));
      case OpKind::vfree: return harness::VfreeOp{free_target(live.vmalloc, areas)};
      case OpKind::vunmap: return harness::VunmapOp{free_target(live.vmap, areas)};
      case OpKind::fail_page_alloc: return *fail_page_alloc();
      case OpKind::set_memory: return *set_memory(targets);
    }
    return harness::FailAllocOp{0};
  });
}

rc::Gen<Trace> trace_of(const OpWeights& w, const rc::Gen<engine::Variant>& variants) {
  const bool ioremap_ops = w[static_cast<std::size_t>(OpKind::ioremap)] != 0;
  const auto built = rc::gen::suchThat(
      rc::gen::exec([w, variants, ioremap_ops] {
        Trace t;
        t.geo = *geometry();
        t.variant = *variants;
        t.config.nohugevmalloc = *rc::gen::weightedElement<bool>({{15, false}, {1, true}});
        if (ioremap_ops) {
          t.config.nohugeiomap = *rc::gen::weightedElement<bool>({{15, false}, {1, true}});
          t.config = *x86_config(t.config);
        }
        reference::RefKernel ref(*t.geo, t.variant, t.config);
        LiveAreas live;
        u64 budget = kTracePages;
        const int n = *rc::gen::inRange(1, 13);
        for (int i = 0; i < n; ++i) {
          Op op = *op_of(w, live, budget, t.config);
          harness::fit_set_memory_to_era(op, *t.geo, t.variant);
          budget -= std::min(budget, pte_pages(op, t.config));
          live.after(ref, op, harness::predict(ref, op));
          t.ops.push_back(std::move(op));
        }
        return t;
      }),
      [](const Trace& t) { return !harness::validate(t); });
  return with_op_removal(built);
}

}  // namespace vmapfuzz::props::gen
