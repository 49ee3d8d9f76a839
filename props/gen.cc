// SPDX-License-Identifier: GPL-2.0-only
#include "props/gen.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "harness/oracle.h"
#include "harness/runner.h"
#include "harness/trace_io.h"
#include "harness/variant_relation.h"
#include "reference/geometry_facts.h"
#include "reference/model.h"

namespace vmapfuzz::props {

namespace {
const engine::Geometry* current_geometry = nullptr;
}  // namespace

const engine::Geometry& geo() {
  return current_geometry ? *current_geometry : engine::arm64_4k_48();
}

void showValue(const Range& r, std::ostream& os) {
  os << std::hex << std::showbase << "[" << r.va << ", " << r.end() << ")" << std::dec
     << std::noshowbase;
}

namespace gen {
namespace {

using harness::Op;
using harness::Trace;

u64 page() { return geo().page_size(); }
u64 small() { return small_granule(); }
u64 pmd() { return geo().pmd_size(); }
// The table boundary above PMD tables (a PUD block where there are any).
u64 pud() { return geo().pud_size(); }
u64 top() { return largest_block(); }
u64 round_up(u64 x, u64 a) { return (x + a - 1) / a * a; }

// Pages to step off a boundary: mostly none, often one either way.
rc::Gen<std::int64_t> page_delta() {
  return rc::gen::weightedOneOf<std::int64_t>({
      {8, rc::gen::just<std::int64_t>(0)},
      {2, rc::gen::element<std::int64_t>(-1, 1)},
      {1, rc::gen::inRange<std::int64_t>(-16, 17)},
  });
}

// The boundary a VA sits on: CONT group (small granule) or PMD block
// often, PUD rarely.
rc::Gen<u64> granule() {
  return rc::gen::weightedElement<u64>({{4, small()}, {4, pmd()}, {1, pud()}});
}

// Just below an entry boundary of the highest level with more than one
// entry in the window (a PGD entry with 4K pages and 48 bits), at least two
// of the largest blocks into the window, so that a range can cross it.
u64 crossing_region() {
  const engine::Geometry& g = geo();
  u64 b = g.pmd_size();
  for (const u64 s : {g.pgdir_size(), g.p4d_size(), g.pud_size()})
    if (s < g.vmalloc_size) {
      b = s;
      break;
    }
  return (2 * top() / b + 1) * b - 2 * top();
}

// n whole blocks, or a page more or less.
rc::Gen<u64> blocks_and_a_page() {
  return rc::gen::exec([] {
    const u64 block = *rc::gen::element(small(), pmd());
    const u64 n = *rc::gen::inRange<u64>(1, 4);
    switch (*rc::gen::element(0, 1, 2)) {
      case 1: return n * block + page();
      case 2: return n * block - page();
      default: return n * block;
    }
  });
}

// A VA for `size` bytes: for a large block or so, as often on its boundary
// as not.
rc::Gen<u64> va_for(u64 size, const std::vector<Range>& earlier) {
  if (size < top() / 4) return va_near(earlier);
  return rc::gen::weightedOneOf<u64>({
      {1, va_near(earlier)},
      {1, rc::gen::map(rc::gen::inRange<u64>(0, 4),
                       [](u64 i) { return geo().vmalloc_start + top() * i; })},
  });
}

template <class R>
rc::Gen<R> range_op(const std::vector<Range>& earlier, const rc::Gen<u64>& sizes) {
  return rc::gen::exec([=] {
    R o;
    o.size = *sizes;
    o.va = *va_for(o.size, earlier);
    o.pa = *pa_for(o.va, o.size);
    o.prot = *prot();
    return o;
  });
}

// The next op of a trace, given the ranges of the earlier range ops and
// the subset of them made by ioremap. Called inside rc::gen::exec.
Op next_op(const std::vector<Range>& earlier, const std::vector<Range>& areas) {
  enum Kind {
    ioremap_k,
    ioremap_page_range_k,
    vmap_page_range_k,
    iounmap_k,
    vunmap_range_k,
    fail_k
  };
  const Kind kind =
      earlier.empty()
          ? *rc::gen::weightedElement<Kind>(
                {{6, ioremap_k}, {1, ioremap_page_range_k}, {3, vmap_page_range_k}, {1, fail_k}})
          : *rc::gen::weightedElement<Kind>({{5, ioremap_k},
                                             {2, ioremap_page_range_k},
                                             {3, vmap_page_range_k},
                                             {3, iounmap_k},
                                             {3, vunmap_range_k},
                                             {1, fail_k}});
  switch (kind) {
    case ioremap_k: return *range_op<harness::IoremapOp>(earlier, size());
    case ioremap_page_range_k:
      // Mostly the exact range of an earlier ioremap: a remap of its area.
      if (!areas.empty() && *rc::gen::weightedElement<bool>({{3, true}, {1, false}})) {
        const Range a = *rc::gen::elementOf(areas);
        return harness::IoremapPageRangeOp{a.va, a.size, *pa_for(a.va, a.size), *prot()};
      }
      return *range_op<harness::IoremapPageRangeOp>(earlier, size());
    case vmap_page_range_k: return *range_op<harness::VmapPageRangeOp>(earlier, byte_size());
    case iounmap_k: {
      if (*rc::gen::weightedElement<bool>({{1, false}, {6, true}})) {
        const Range r = *rc::gen::elementOf(earlier);
        const u64 pages = std::min<u64>(3, round_up(r.size, page()) / page());
        return harness::IounmapOp{r.va + page() * *rc::gen::inRange<u64>(0, pages)};
      }
      return harness::IounmapOp{*va()};
    }
    case vunmap_range_k: {
      const Range s = *subrange(*rc::gen::elementOf(earlier));
      return harness::VunmapRangeOp{s.va, s.size};
    }
    case fail_k: break;
  }
  return harness::FailAllocOp{*fail_nth()};
}

Trace without_op(Trace t, std::size_t i) {
  t.ops.erase(t.ops.begin() + static_cast<std::ptrdiff_t>(i));
  return t;
}

// Traces with one op fewer (never none).
rc::Seq<Trace> op_removals(const Trace& t) {
  const std::size_t n = t.ops.size() > 1 ? t.ops.size() : 0;
  return rc::seq::map(rc::seq::range<std::size_t>(0, n),
                      [t](std::size_t i) { return without_op(t, i); });
}

// Shrinks of the generated values first (rc::gen::exec's), then removal of
// single ops anywhere in the trace, so a counterexample keeps only the ops
// it needs, not only a prefix.
rc::Shrinkable<Trace> shrink_by_op_removal(rc::Shrinkable<Trace> s) {
  const Trace t = s.value();
  return rc::shrinkable::mapShrinks(std::move(s), [t](rc::Seq<rc::Shrinkable<Trace>>&& shrinks) {
    auto removals = rc::seq::map(op_removals(t), [](Trace&& u) {
      return rc::shrinkable::shrinkRecur(std::move(u), &op_removals);
    });
    return rc::seq::concat(rc::seq::map(std::move(shrinks), &shrink_by_op_removal),
                           std::move(removals));
  });
}

Trace inside_contract(Trace t) {
  reference::RefKernel ref(*t.geo, engine::Variant::mainline, t.config);
  std::vector<Op> kept;
  for (const Op& op : t.ops) {
    if (harness::maps_over_live_mapping(ref, op)) continue;
    harness::predict(ref, op);
    kept.push_back(op);
  }
  t.ops = std::move(kept);
  return t;
}

}  // namespace

rc::Gen<const engine::Geometry*> geometry_where(bool (*pred)(const engine::Geometry&)) {
  std::vector<const engine::Geometry*> known;
  for (const engine::Geometry* g : engine::all_geometries())
    if (reference::find_geometry_facts(g->name) && (!pred || pred(*g))) known.push_back(g);
  if (known.empty()) {
    std::fprintf(stderr, "props: no geometry the reference knows fits the property\n");
    std::abort();
  }
  // Uniform at every size (inRange scales with it), shrinking toward the
  // first (arm64-4k-48).
  return rc::gen::map(
      rc::gen::resize(rc::kNominalSize, rc::gen::inRange<std::size_t>(0, known.size())),
      [known](std::size_t i) {
        current_geometry = known[i];
        return known[i];
      });
}

rc::Gen<const engine::Geometry*> geometry() { return geometry_where(nullptr); }

u64 small_granule() {
  const engine::Geometry& g = geo();
  return g.cont_pte_size() ? g.cont_pte_size() : g.page_size() << 4;
}

u64 largest_block() {
  const engine::Geometry& g = geo();
  return g.pud_block ? g.pud_size() : g.pmd_size();
}

unsigned pmd_order() { return geo().pmd_shift() - geo().page_shift; }

u64 max_vmap_pages() { return std::max<u64>(4096, u64{4} << pmd_order()); }

rc::Gen<engine::KernelConfig> x86_config(engine::KernelConfig base) {
  return rc::gen::exec([base] {
    engine::KernelConfig c = base;
    if (geo().arch != engine::Arch::x86_64) return c;
    switch (*rc::gen::weightedElement<int>({{12, 0}, {1, 1}, {1, 2}, {2, 3}})) {
      case 1: c.nogbpages = true; break;
      case 2: c.nopse = true; break;
      case 3: {  // inside a block at the PAs pa_for() makes, or at its edge
        const u64 m = *rc::gen::element(pmd(), top());
        c.mtrr_split =
            m * *rc::gen::inRange<u64>(1, 64) + *rc::gen::element(page(), m / 2, m - page(), m);
        break;
      }
      default: break;
    }
    return c;
  });
}

rc::Gen<engine::Variant> variant() {
  return rc::gen::element(engine::Variant::mainline, engine::Variant::v4);
}

rc::Gen<engine::ProtName> prot() {
  return rc::gen::elementOf(
      std::vector<engine::ProtName>(std::begin(engine::kAllProts), std::end(engine::kAllProts)));
}

rc::Gen<u64> va() {
  return rc::gen::exec([] {
    const engine::Geometry& g = geo();
    // Now and then just below a table-entry boundary, so a range can cross it.
    const u64 region = *rc::gen::weightedElement<u64>({{9, 0}, {1, crossing_region()}});
    const u64 gr = *granule();
    // Boundaries inside the window only (four PUD-sized entries fill the
    // window of arm64-64k-48).
    const u64 slots = std::max<u64>(1, (g.vmalloc_size - region) / gr - 1);
    const u64 index = *rc::gen::inRange<u64>(0, std::min<u64>(slots, gr == pud()   ? 4
                                                                     : gr == pmd() ? 64
                                                                                   : 128));
    const std::int64_t delta = *page_delta();
    const u64 base = region + gr * index;
    const u64 step = static_cast<u64>(delta < 0 ? -delta : delta) * page();
    const u64 off = delta >= 0 || base < step ? base + step : base - step;
    return g.vmalloc_start + std::min(off, g.vmalloc_size - page());
  });
}

rc::Gen<u64> va_near(const std::vector<Range>& earlier) {
  if (earlier.empty()) return va();
  return rc::gen::weightedOneOf<u64>({
      {5, va()},
      {2, rc::gen::exec([earlier] {
         const Range r = *rc::gen::elementOf(earlier);
         const u64 end = round_up(r.end(), page());
         // Its start, right after it, or after its guard page.
         return *rc::gen::element(r.va, end, end + page());
       })},
  });
}

rc::Gen<u64> pa_for(u64 va, u64 size) {
  // Multiples of a granule below 64 of them: PAs under 64 of the largest
  // blocks (64 GiB with 4K pages).
  auto multiple = [](u64 a) { return a * *rc::gen::inRange<u64>(1, 64); };
  if (size >= top() / 4) {
    // Blocks only: a GiB of single PTEs would make the run slow.
    return rc::gen::exec([=] {
      const u64 m = *rc::gen::element(pmd(), top());
      return multiple(m) + va % m;
    });
  }
  return rc::gen::exec([=] {
    switch (*rc::gen::weightedElement<int>({{4, 0}, {3, 1}, {2, 2}})) {
      case 0: {  // congruent: VA and PA reach boundaries together
        const u64 m = *rc::gen::element(small(), pmd(), top());
        return multiple(m) + va % m;
      }
      case 1:  // aligned, whatever the VA
        return multiple(*rc::gen::element(page(), small(), pmd(), top()));
      default:  // congruent modulo a page only: never a CONT group or block
        return multiple(pmd()) + va % pmd() +
               *rc::gen::element(page(), 8 * page(), small() - page());
    }
  });
}

rc::Gen<u64> size() {
  return rc::gen::weightedOneOf<u64>({
      {6, rc::gen::map(rc::gen::inRange<u64>(1, 21), [](u64 n) { return n * page(); })},
      {6, rc::gen::map(rc::gen::inRange<u64>(1, 17), [](u64 n) { return n * small(); })},
      {8, blocks_and_a_page()},
      {1, rc::gen::map(rc::gen::element(u64{0}, page(), pmd()), [](u64 x) { return top() + x; })},
  });
}

rc::Gen<u64> byte_size() {
  return rc::gen::weightedOneOf<u64>({
      {9, size()},
      {1, rc::gen::map(size(), [](u64 s) { return s + page() / 2; })},
  });
}

rc::Gen<Range> subrange(Range r) {
  const u64 pages = std::max<u64>(1, round_up(r.size, page()) / page());
  const Range all{r.va, pages * page()};
  return rc::gen::weightedOneOf<Range>({
      {3, rc::gen::just(all)},
      {1, rc::gen::just(Range{r.va, page()})},
      {1, rc::gen::just(Range{all.end() - page(), page()})},
      {2, rc::gen::exec([all] {  // from a group or block boundary inside
         const u64 g = *rc::gen::element(small(), pmd());
         const u64 start = round_up(all.va, g);
         if (start >= all.end()) return all;
         const u64 whole = (all.end() - start) / g * g;
         return Range{start, whole ? whole : all.end() - start};
       })},
      {2, rc::gen::exec([all, pages] {
         const u64 first = *rc::gen::inRange<u64>(0, pages);
         const u64 n = *rc::gen::inRange<u64>(1, pages - first + 1);
         return Range{all.va + first * page(), n * page()};
       })},
  });
}

rc::Gen<unsigned> fail_nth() {
  return rc::gen::weightedOneOf<unsigned>({
      {4, rc::gen::just(1u)},
      {3, rc::gen::inRange(2u, 5u)},
      {1, rc::gen::just(0u)},
      {1, rc::gen::inRange(5u, 17u)},
  });
}

rc::Gen<harness::IoremapOp> ioremap() { return range_op<harness::IoremapOp>({}, size()); }

rc::Gen<harness::IoremapOp> ioremap_near(const std::vector<Range>& earlier) {
  return range_op<harness::IoremapOp>(earlier, size());
}

rc::Gen<harness::VmapPageRangeOp> vmap_page_range_near(const std::vector<Range>& earlier) {
  return range_op<harness::VmapPageRangeOp>(earlier, byte_size());
}

rc::Gen<Trace> trace() {
  const auto built = rc::gen::suchThat(
      rc::gen::exec([] {
        Trace t;
        t.geo = *geometry();
        t.variant = *variant();
        t.config.nohugeiomap = *rc::gen::weightedElement<bool>({{15, false}, {1, true}});
        t.config = *x86_config(t.config);
        const int n = *rc::gen::inRange(1, 13);
        std::vector<Range> earlier, areas;
        for (int i = 0; i < n; ++i) {
          Op op = next_op(earlier, areas);
          std::visit(
              [&](const auto& o) {
                using T = std::decay_t<decltype(o)>;
                if constexpr (requires { o.pa; }) earlier.push_back({o.va, o.size});
                if constexpr (std::is_same_v<T, harness::IoremapOp>)
                  areas.push_back({o.va, o.size});
              },
              op);
          t.ops.push_back(op);
        }
        return t;
      }),
      [](const Trace& t) { return !harness::validate(t); });
  return with_op_removal(built);
}

rc::Gen<Trace> with_op_removal(const rc::Gen<Trace>& g) {
  return [g](const rc::Random& random, int size) { return shrink_by_op_removal(g(random, size)); };
}

rc::Gen<Trace> contract_trace() { return rc::gen::map(trace(), &inside_contract); }

}  // namespace gen
}  // namespace vmapfuzz::props

namespace vmapfuzz::common {

void showValue(Variant v, std::ostream& os) { os << variant_name(v); }
void showValue(ProtName p, std::ostream& os) { os << prot_name(p); }

}  // namespace vmapfuzz::common

namespace vmapfuzz::harness {

void showValue(const Trace& t, std::ostream& os) { os << "\n" << to_text(t); }
void showValue(const Op& op, std::ostream& os) { os << show(op); }
void showValue(const IoremapOp& op, std::ostream& os) { os << show(Op{op}); }
void showValue(const VmapPageRangeOp& op, std::ostream& os) { os << show(Op{op}); }
void showValue(const VmallocOp& op, std::ostream& os) { os << show(Op{op}); }
void showValue(const VmapOp& op, std::ostream& os) { os << show(Op{op}); }
void showValue(const PageRun& r, std::ostream& os) {
  if (r.pfn == engine::kNullPage) os << "null";
  else os << std::hex << std::showbase << r.pfn << std::dec << std::noshowbase;
  if (r.count != 1) os << "+" << r.count;
}

}  // namespace vmapfuzz::harness

namespace vmapfuzz::reference {

void showValue(const LeafRun& r, std::ostream& os) {
  os << std::hex << std::showbase << "[" << r.va << ", " << r.va + r.size << ") -> " << r.pa
     << std::dec << std::noshowbase << " "
     << harness::level_name(r.level, harness::leaf_level_of(props::geo()))
     << (r.cont ? " CONT " : " ") << attrs_text(r.attrs);
}

void showValue(const Attrs& a, std::ostream& os) { os << attrs_text(a); }

}  // namespace vmapfuzz::reference
