// SPDX-License-Identifier: GPL-2.0-only
// Byte form of a trace:
//   u8 geometry index, u8 boot options, then ops until the input ends:
//   u8 opcode (mod kOpKinds), then the op's fields in declaration order.
// Each address or size field starts with a selector byte; selector 0 is
// followed by the exact value (8 bytes, little endian) and is what
// encode_bytes() writes; selectors 1..7 build a value from a boundary
// granule, an index and a signed page delta, so that mutations land on and
// next to 64K, 2M and 1G boundaries.
#include <algorithm>
#include <array>

#include "harness/trace_io.h"

namespace vmapfuzz::harness {
namespace {

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  bool empty() const { return pos_ >= d_.size(); }
  std::uint8_t u8() { return pos_ < d_.size() ? d_[pos_++] : 0; }
  u64 le(unsigned bytes) {
    u64 v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= u64{u8()} << (8 * i);
    return v;
  }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t pos_ = 0;
};

class Writer {
 public:
  void u8(std::uint8_t b) { out.push_back(b); }
  void le(u64 v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void exact(u64 v) {
    u8(0);
    le(v, 8);
  }
  std::vector<std::uint8_t> out;
};

constexpr std::array<u64, 7> kGranules = {u64{1} << 16, u64{1} << 21, u64{1} << 30, u64{1} << 21,
                                          u64{1} << 16, u64{1} << 30, u64{1} << 12};

// An offset inside [0, window): exact, or granule * index + delta pages.
u64 read_offset(Reader& r, u64 window, u64 page) {
  const std::uint8_t sel = r.u8() & 7;
  if (sel == 0) return r.le(8);
  const u64 granule = kGranules[sel - 1];
  const u64 index = r.le(2);
  const auto delta = static_cast<std::int8_t>(r.u8());
  return (granule * index + static_cast<u64>(static_cast<std::int64_t>(delta)) * page) &
         (window - 1);
}

// A size: exact, or granule * count + delta pages (so a block, a block and
// a page, a block less a page...).
u64 read_size(Reader& r, u64 page) {
  const std::uint8_t sel = r.u8() & 7;
  if (sel == 0) return r.le(8);
  const u64 granule = kGranules[sel - 1];
  // Up to 15 blocks, but at most 3 GiB: large PTE-level ranges are slow
  // and add little that a few blocks do not.
  const u64 count = r.u8() & (granule >= (u64{1} << 30) ? 3 : 15);
  const auto delta = static_cast<std::int8_t>(r.u8());
  const std::int64_t pages = static_cast<std::int64_t>(granule * count / page) + delta;
  // A block less some pages, or (when that is not positive) a few pages.
  return static_cast<u64>(pages > 0 ? pages : -pages + 1) * page;
}

// Values are folded into the contract so that almost every input runs:
// exact values that are already valid (all encode_bytes() writes) decode
// unchanged; anything else is wrapped into the window, page aligned and
// clipped, as FuzzedDataProvider's ConsumeIntegralInRange would.
u64 fold_va(const engine::Geometry& g, u64 v) {
  const u64 page_mask = g.page_size() - 1;
  if (v >= g.vmalloc_start && v - g.vmalloc_start < g.vmalloc_size) return v & ~page_mask;
  return g.vmalloc_start + (v & (g.vmalloc_size - 1) & ~page_mask);
}

u64 fold_size(const engine::Geometry& g, u64 size, u64 va, bool page_aligned) {
  const u64 page = g.page_size();
  if (size == 0 || size > kMaxOpSize) size = (size & (kMaxOpSize - 1)) | page;
  if (page_aligned) size = (size + page - 1) & ~(page - 1);
  const u64 room = g.vmalloc_start + g.vmalloc_size - va;
  return size > room ? room : size;
}

u64 fold_pa(const engine::Geometry& g, u64 pa, u64 size) {
  pa &= (g.phys_limit - 1) & ~(g.page_size() - 1);
  if (size > g.phys_limit - pa) pa = (g.phys_limit - size) & ~(g.page_size() - 1);
  return pa;
}

u64 read_va(Reader& r, const engine::Geometry& g) {
  // The biased form yields an offset below vmalloc_size; fold_va() adds
  // the window base to it. The exact form carries the VA itself.
  return fold_va(g, read_offset(r, g.vmalloc_size, g.page_size()));
}

template <class R>
R read_range(Reader& r, const engine::Geometry& g, bool page_aligned_size) {
  R o;
  o.va = read_va(r, g);
  o.size = fold_size(g, read_size(r, g.page_size()), o.va, page_aligned_size);
  o.pa = fold_pa(g, read_offset(r, g.phys_limit, g.page_size()), o.size);
  o.prot = engine::kAllProts[r.u8() % std::size(engine::kAllProts)];
  return o;
}

// A page array built from runs so that every contiguity pattern is common:
// aligned blocks of order 0..10 (dma-buf heaps use 8/4/0), contiguous but
// misaligned runs, runs that continue the previous one physically or miss
// it by a page, NULL entries and pfns outside memory; selector 7 is the
// exact form (pfn, count).
constexpr u64 kRunBasePfn = 0x100000;  // 4 GiB, above the vmalloc allocator's pages
std::vector<PageRun> read_runs(Reader& r, const engine::Geometry& g) {
  std::vector<PageRun> runs;
  const unsigned n = r.u8() % 16 + 1;
  u64 total = 0;
  u64 prev_end = kRunBasePfn;
  for (unsigned k = 0; k < n; ++k) {
    PageRun run;
    const std::uint8_t sel = r.u8() & 7;
    const std::uint8_t b = r.u8();
    switch (sel) {
      case 0:
      case 1: {  // naturally aligned block; sel 1 picks dma-buf orders
        const unsigned order = sel == 0 ? b % 11 : (b % 3 == 0 ? 8 : b % 3 == 1 ? 4 : 0);
        run.count = u64{1} << order;
        run.pfn = kRunBasePfn + r.le(2) * run.count;
        break;
      }
      case 2: {  // contiguous, aligned to 2^k, then shifted by a few pages
        const unsigned k2 = b % 11;
        const auto delta = static_cast<std::int8_t>(r.u8());
        run.pfn =
            kRunBasePfn + (r.le(2) << k2) + static_cast<u64>(static_cast<std::int64_t>(delta));
        run.count = r.le(2) % 1024 + 1;
        break;
      }
      case 3:  // physically continues the previous run
        run.pfn = prev_end;
        run.count = u64{1} << (b % 10);
        break;
      case 4:  // one page past (or before) where the previous run ended
        run.pfn = (b & 1) ? prev_end + 1 : prev_end - 1;
        run.count = u64{1} << (b % 10);
        break;
      case 5:
        run.pfn = engine::kNullPage;
        run.count = 1;
        break;
      case 6:  // no memory behind it: pfn_valid() is false
        run.pfn = (g.phys_limit >> g.page_shift) + b;
        run.count = 1 + (b & 3);
        break;
      default:  // exact
        run.pfn = r.le(8);
        run.count = r.le(4);
        if (run.count == 0) run.count = 1;
        break;
    }
    if (run.pfn != engine::kNullPage && run.pfn + run.count < run.pfn) run.pfn = kRunBasePfn;
    run.count = std::min<u64>(run.count, kMaxVmapPages - total);
    if (run.count == 0) break;
    total += run.count;
    if (run.pfn != engine::kNullPage) prev_end = run.pfn + run.count;
    runs.push_back(run);
  }
  return runs;
}

template <class R>
void write_range(Writer& w, const R& o) {
  w.exact(o.va);
  w.exact(o.size);
  w.exact(o.pa);
  w.u8(static_cast<std::uint8_t>(o.prot));
}

}  // namespace

std::span<const OpKind> all_op_kinds() {
  static constexpr OpKind kAll[] = {OpKind::ioremap,         OpKind::ioremap_page_range,
                                    OpKind::vmap_page_range, OpKind::iounmap,
                                    OpKind::vunmap_range,    OpKind::fail_alloc,
                                    OpKind::vmalloc,         OpKind::vmap,
                                    OpKind::vfree,           OpKind::vunmap,
                                    OpKind::fail_page_alloc};
  static_assert(std::size(kAll) == kOpKinds);
  return kAll;
}

Trace decode_bytes(std::span<const std::uint8_t> data, engine::Variant variant,
                   std::span<const OpKind> kinds) {
  Reader r(data);
  Trace t;
  t.variant = variant;
  const auto geos = engine::all_geometries();
  t.geo = geos[r.u8() % geos.size()];
  const std::uint8_t cfg = r.u8();
  // Rare on purpose: either option turns off most of what there is to test.
  t.config.nohugeiomap = (cfg & 0x07) == 0x07;
  t.config.nohugevmalloc = (cfg & 0x38) == 0x38;
  const engine::Geometry& g = *t.geo;
  while (!r.empty() && t.ops.size() < kMaxOps) {
    switch (kinds[r.u8() % kinds.size()]) {
      case OpKind::ioremap: t.ops.push_back(read_range<IoremapOp>(r, g, true)); break;
      case OpKind::ioremap_page_range:
        t.ops.push_back(read_range<IoremapPageRangeOp>(r, g, false));
        break;
      case OpKind::vmap_page_range:
        t.ops.push_back(read_range<VmapPageRangeOp>(r, g, false));
        break;
      case OpKind::iounmap: t.ops.push_back(IounmapOp{read_va(r, g)}); break;
      case OpKind::vunmap_range: {
        VunmapRangeOp o;
        o.va = read_va(r, g);
        o.size = fold_size(g, read_size(r, g.page_size()), o.va, true);
        t.ops.push_back(o);
        break;
      }
      case OpKind::fail_alloc: t.ops.push_back(FailAllocOp{r.u8()}); break;
      case OpKind::vmalloc: {
        VmallocOp o;
        o.va = read_va(r, g);
        const std::uint8_t flags = r.u8();
        o.huge = (flags & 1) == 0;  // mostly huge: that is what changed
        o.size = fold_size(g, read_size(r, g.page_size()), o.va, false);
        o.prot = engine::kAllProts[(flags >> 1) % std::size(engine::kAllProts)];
        t.ops.push_back(o);
        break;
      }
      case OpKind::vmap: {
        VmapOp o;
        o.va = read_va(r, g);
        o.prot = engine::kAllProts[r.u8() % std::size(engine::kAllProts)];
        o.runs = read_runs(r, g);
        // Keep the whole area inside the window.
        const u64 bytes = o.page_count() * g.page_size();
        const u64 win_end = g.vmalloc_start + g.vmalloc_size;
        if (bytes > win_end - o.va) o.va = win_end - bytes;
        t.ops.push_back(std::move(o));
        break;
      }
      case OpKind::vfree: t.ops.push_back(VfreeOp{read_va(r, g)}); break;
      case OpKind::vunmap: t.ops.push_back(VunmapOp{read_va(r, g)}); break;
      case OpKind::fail_page_alloc: {
        const unsigned nth = r.u8();
        const unsigned b = r.u8();  // min_order + 11 * (times - 1)
        t.ops.push_back(FailPageAllocOp{nth, b % 11u, 1 + (b / 11u) % 4u});
        break;
      }
    }
  }
  return t;
}

std::optional<std::vector<std::uint8_t>> encode_bytes(const Trace& t,
                                                      std::span<const OpKind> kinds) {
  Writer w;
  const auto geos = engine::all_geometries();
  std::uint8_t gi = 0;
  for (std::size_t i = 0; i < geos.size(); ++i)
    if (geos[i] == t.geo) gi = static_cast<std::uint8_t>(i);
  w.u8(gi);
  w.u8(static_cast<std::uint8_t>((t.config.nohugeiomap ? 0x07 : 0) |
                                 (t.config.nohugevmalloc ? 0x38 : 0)));
  for (const Op& op : t.ops) {
    const auto kind = static_cast<OpKind>(op.index());
    const auto it = std::find(kinds.begin(), kinds.end(), kind);
    if (it == kinds.end()) return std::nullopt;
    w.u8(static_cast<std::uint8_t>(it - kinds.begin()));
    if (auto* o = std::get_if<IoremapOp>(&op)) write_range(w, *o);
    else if (auto* o = std::get_if<IoremapPageRangeOp>(&op)) write_range(w, *o);
    else if (auto* o = std::get_if<VmapPageRangeOp>(&op)) write_range(w, *o);
    else if (auto* o = std::get_if<IounmapOp>(&op)) w.exact(o->va);
    else if (auto* o = std::get_if<VunmapRangeOp>(&op)) {
      w.exact(o->va);
      w.exact(o->size);
    } else if (auto* o = std::get_if<FailAllocOp>(&op)) {
      w.u8(static_cast<std::uint8_t>(o->nth));
    } else if (auto* o = std::get_if<VmallocOp>(&op)) {
      w.exact(o->va);
      w.u8(static_cast<std::uint8_t>((o->huge ? 0 : 1) | (static_cast<unsigned>(o->prot) << 1)));
      w.exact(o->size);
    } else if (auto* o = std::get_if<VmapOp>(&op)) {
      w.exact(o->va);
      w.u8(static_cast<std::uint8_t>(o->prot));
      // The exact form of a run list: count byte, then selector 7 per run.
      if (o->runs.empty() || o->runs.size() > 16) return std::nullopt;
      w.u8(static_cast<std::uint8_t>(o->runs.size() - 1));
      for (const PageRun& run : o->runs) {
        if (run.count > 0xffffffffu) return std::nullopt;
        w.u8(7);
        w.u8(0);
        w.le(run.pfn, 8);
        w.le(run.count, 4);
      }
    } else if (auto* o = std::get_if<VfreeOp>(&op)) {
      w.exact(o->va);
    } else if (auto* o = std::get_if<VunmapOp>(&op)) {
      w.exact(o->va);
    } else {
      const auto& f = std::get<FailPageAllocOp>(op);
      w.u8(static_cast<std::uint8_t>(f.nth));
      w.u8(static_cast<std::uint8_t>(f.min_order + 11 * (f.times - 1)));
    }
  }
  return std::move(w.out);
}

}  // namespace vmapfuzz::harness
