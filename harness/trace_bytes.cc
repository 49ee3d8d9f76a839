// SPDX-License-Identifier: GPL-2.0-only
// Byte form of a trace:
//   u8 geometry index (mod the number of geometries: byte i is
//   engine::all_geometries()[i]; 'v', the first byte of a text trace, is
//   the default geometry), u8 boot options (bits 0-2 all set:
//   nohugeiomap; 3-5: nohugevmalloc; 6-7: `placement any`, else every
//   vmap() VA is moved down to the alignment its area would have), on
//   x86-64 geometries only one more byte of x86 boot options
//   (read_x86_config() below; other geometries have none, so their inputs
//   read as before there were x86 geometries), then ops until the input
//   ends:
//   u8 opcode (an index into the target's op kinds, mod their number), then
//   the op's fields in the order harness/op_desc.h lists them, by kind:
//   va, size, pa  a selector byte; selector 0 is followed by the exact value
//                 (8 bytes, little endian) and is what encode_bytes()
//                 writes; selectors 1..7 build a value from a boundary
//                 granule of the geometry (Granules below), an index and a
//                 signed page delta, so that mutations land on and next to
//                 CONT, PMD and PUD boundaries (64K, 2M and 1G with 4K
//                 pages);
//   nth           one byte;
//   prot, flag, min_order, times
//                 consecutive ones share one byte, in mixed radix (6, 2,
//                 11 and 4 values; a flag reads 1 from an even byte);
//   pages         a run count byte, then per run a selector and its values
//                 (read_runs() below; the orders scale with the geometry's
//                 PMD order).
#include <algorithm>
#include <array>
#include <numeric>

#include "harness/op_desc.h"
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

// The boundary granules of geometry `g`, by selector 1..7: CONT, PMD,
// PUD, PMD, CONT, PUD, page. "CONT" is CONT_PTE_SIZE; where the geometry has
// no contiguous hint (x86-64, riscv64) it is 16 pages, the 4K arm64 CONT
// size: it has no meaning for the page tables there, but keeps a sub-PMD
// granule of short PTE-level runs and PMD-misaligned offsets, and makes the
// same bytes decode to the same offsets and sizes as on arm64-4k-48 (half a
// PMD instead would turn every such size into hundreds of PTEs). "PUD" is
// g.pud_size(): where the PUD level is folded (arm64 with 16K/64K pages and
// fewer than 4 levels) that is the size of the level it folds into, the
// next table boundary above a PMD table's.
u64 granule(const engine::Geometry& g, unsigned sel) {
  const u64 cont = g.cont_pte_size() ? g.cont_pte_size() : g.page_size() << 4;
  switch (sel) {
    case 1:
    case 5: return cont;
    case 2:
    case 4: return g.pmd_size();
    case 3:
    case 6: return g.pud_size();
    default: return g.page_size();
  }
}

// An offset inside [0, window): exact, or granule * index + delta pages.
u64 read_offset(Reader& r, const engine::Geometry& g, u64 window) {
  const std::uint8_t sel = r.u8() & 7;
  if (sel == 0) return r.le(8);
  const u64 index = r.le(2);
  const auto delta = static_cast<std::int8_t>(r.u8());
  return (granule(g, sel) * index +
          static_cast<u64>(static_cast<std::int64_t>(delta)) * g.page_size()) &
         (window - 1);
}

// Biased sizes stay at most 3 GiB: large PTE-level ranges are slow and add
// little that a few blocks do not, and kMaxOpSize (4 GiB) caps every size.
inline constexpr u64 kMaxBiasedSize = u64{3} << 30;

// A size: exact, or granule * count + delta pages (so a block, a block and
// a page, a block less a page...).
u64 read_size(Reader& r, const engine::Geometry& g) {
  const std::uint8_t sel = r.u8() & 7;
  if (sel == 0) return r.le(8);
  // A PUD granule larger than 1 GiB (16K and 64K pages) is no block size
  // and beyond the limit: sizes then count GiBs of PMD blocks.
  const u64 gran = std::min(granule(g, sel), u64{1} << 30);
  // Up to 15 granules, or 3 where 15 would pass kMaxBiasedSize (1G with
  // 4K pages, the 512M PMD block with 64K pages).
  const u64 count = r.u8() & (gran * 15 <= kMaxBiasedSize ? 15 : 3);
  const auto delta = static_cast<std::int8_t>(r.u8());
  const u64 page = g.page_size();
  const std::int64_t pages = static_cast<std::int64_t>(gran * count / page) + delta;
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
  return fold_va(g, read_offset(r, g, g.vmalloc_size));
}

// A page array built from runs so that every contiguity pattern is common:
// aligned blocks of order 0..PMD order + 1 (dma-buf heaps use 8/4/0),
// contiguous but misaligned runs, runs that continue the previous one
// physically or miss it by a page, NULL entries, pfns outside memory and
// pfns with large alignments near the top of memory; selector 7 is the
// exact form (pfn, count). The orders scale with the geometry, so runs make
// PMD blocks on every granule: 0..10 with 4K pages (PMD order 9), 0..12
// with 16K (11), 0..14 with 64K (13).
constexpr u64 kRunBasePfn = 0x100000;  // 4 GiB with 4K pages, above the vmalloc allocator's pages
std::vector<PageRun> read_runs(Reader& r, const engine::Geometry& g) {
  // Orders 0..max_order; runs that continue or miss their predecessor go up
  // to the PMD order.
  const unsigned pmd_order = g.pmd_shift() - g.page_shift;
  const unsigned orders = pmd_order + 2;
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
        const unsigned order = sel == 0 ? b % orders : (b % 3 == 0 ? 8 : b % 3 == 1 ? 4 : 0);
        run.count = u64{1} << order;
        run.pfn = kRunBasePfn + r.le(2) * run.count;
        break;
      }
      case 2: {  // contiguous, aligned to 2^k, then shifted by a few pages
        const unsigned k2 = b % orders;
        const auto delta = static_cast<std::int8_t>(r.u8());
        run.pfn =
            kRunBasePfn + (r.le(2) << k2) + static_cast<u64>(static_cast<std::int64_t>(delta));
        // Up to two PMD blocks' worth of pages (1024 with 4K pages).
        run.count = r.le(2) % (u64{1} << (pmd_order + 1)) + 1;
        break;
      }
      case 3:  // physically continues the previous run
        run.pfn = prev_end;
        run.count = u64{1} << (b % (pmd_order + 1));
        break;
      case 4:  // one page past (or before) where the previous run ended
        run.pfn = (b & 1) ? prev_end + 1 : prev_end - 1;
        run.count = u64{1} << (b % (pmd_order + 1));
        break;
      case 5:
        run.pfn = engine::kNullPage;
        run.count = 1;
        break;
      case 6:
        if (b & 0x80) {
          // Memory high up: a pfn aligned to 2^(top - 1 - j) pages, below
          // the physical limit, where C code that keeps pfn alignments or
          // page counts in 32 bits goes wrong (2^32 pages is 16 TiB with
          // 4K pages); a count at, or a page off, a power of two.
          const u64 top = g.phys_limit >> g.page_shift;
          run.pfn = top >> (1 + ((b >> 4) & 7));
          const std::uint8_t c = r.u8();
          run.count =
              (u64{1} << (c % orders)) + (c & 0x40 ? 1 : 0) - (c & 0x80 && c % orders ? 1 : 0);
        } else {  // no memory behind it: pfn_valid() is false
          run.pfn = (g.phys_limit >> g.page_shift) + b;
          run.count = 1 + (b & 3);
        }
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

void write_runs(Writer& w, const std::vector<PageRun>& runs, bool* ok) {
  // The exact form of a run list: count byte, then selector 7 per run.
  if (runs.empty() || runs.size() > 16) {
    *ok = false;
    return;
  }
  w.u8(static_cast<std::uint8_t>(runs.size() - 1));
  for (const PageRun& run : runs) {
    if (run.count > 0xffffffffu) *ok = false;
    w.u8(7);
    w.u8(0);
    w.le(run.pfn, 8);
    w.le(run.count, 4);
  }
}

// The small fields that share a byte, as a digit of `radix` values.
bool is_small(FieldKind k) {
  return k == FieldKind::prot || k == FieldKind::flag || k == FieldKind::min_order ||
         k == FieldKind::times || k == FieldKind::mode;
}
unsigned radix(FieldKind k) {
  switch (k) {
    case FieldKind::prot: return std::size(engine::kAllProts);
    case FieldKind::flag: return 2;
    case FieldKind::min_order: return 11;
    case FieldKind::times: return 4;
    case FieldKind::mode: return std::size(common::kAllSetMemoryModes);
    default: return 1;
  }
}
// Digit -> value and back; digit() is nullopt for a value the form cannot hold.
void from_digit(FieldKind, unsigned d, engine::ProtName* v) { *v = engine::kAllProts[d]; }
void from_digit(FieldKind, unsigned d, bool* v) { *v = d == 0; }  // mostly true: huge vmalloc
void from_digit(FieldKind k, unsigned d, unsigned* v) { *v = k == FieldKind::times ? d + 1 : d; }
void from_digit(FieldKind, unsigned d, SetMemoryMode* v) { *v = common::kAllSetMemoryModes[d]; }
template <class T>
void from_digit(FieldKind, unsigned, T*) {}
std::optional<unsigned> digit(FieldKind, engine::ProtName v) { return static_cast<unsigned>(v); }
std::optional<unsigned> digit(FieldKind, bool v) { return v ? 0 : 1; }
std::optional<unsigned> digit(FieldKind, SetMemoryMode v) { return static_cast<unsigned>(v); }
std::optional<unsigned> digit(FieldKind k, unsigned v) {
  const unsigned d = k == FieldKind::times ? v - 1 : v;
  return d < radix(k) ? std::optional<unsigned>(d) : std::nullopt;
}
template <class T>
std::optional<unsigned> digit(FieldKind, const T&) {
  return std::nullopt;
}

// Decoding state of one op: the shared byte of the small fields, and the
// values later fields are folded against.
struct OpReader {
  Reader& r;
  const engine::Geometry& g;
  unsigned small = 0;  // what is left of the shared byte
  bool in_small = false;
  u64 va = 0, size = 0;

  void read(FieldKind k, u64* v) {
    switch (k) {
      case FieldKind::va: *v = va = read_va(r, g); break;
      case FieldKind::size:
      case FieldKind::size_any:
        *v = size = fold_size(g, read_size(r, g), va, k == FieldKind::size);
        break;
      case FieldKind::pa: *v = fold_pa(g, read_offset(r, g, g.phys_limit), size); break;
      default: break;
    }
  }
  void read(FieldKind k, unsigned* v) {
    if (k == FieldKind::nth) *v = r.u8();
    else if (k == FieldKind::numpages) *v = static_cast<unsigned>(r.le(2));
    else read_small(k, v);
  }
  void read(FieldKind k, SetMemoryMode* v) { read_small(k, v); }
  void read(FieldKind k, bool* v) { read_small(k, v); }
  void read(FieldKind k, engine::ProtName* v) { read_small(k, v); }
  void read(FieldKind, std::vector<PageRun>* v) {
    *v = read_runs(r, g);
    size = std::accumulate(v->begin(), v->end(), u64{0},
                           [](u64 n, const PageRun& run) { return n + run.count; }) *
           g.page_size();
  }
  template <class T>
  void read_small(FieldKind k, T* v) {
    if (!in_small) small = r.u8();
    in_small = true;
    from_digit(k, small % radix(k), v);
    small /= radix(k);
  }
};

struct OpWriter {
  Writer& w;
  bool ok = true;
  unsigned small = 0, scale = 1;  // the shared byte being built
  bool in_small = false;

  void flush_small() {
    if (in_small) w.u8(static_cast<std::uint8_t>(small));
    in_small = false;
    small = 0;
    scale = 1;
  }
  void write(FieldKind k, u64 v) {
    flush_small();
    (void)k;
    w.exact(v);
  }
  void write(FieldKind k, unsigned v) {
    if (k == FieldKind::numpages) {
      flush_small();
      if (v > 0xffff) ok = false;
      w.le(v, 2);
      return;
    }
    if (k != FieldKind::nth) return write_small(k, v);
    flush_small();
    if (v > 0xff) ok = false;
    w.u8(static_cast<std::uint8_t>(v));
  }
  void write(FieldKind k, bool v) { write_small(k, v); }
  void write(FieldKind k, engine::ProtName v) { write_small(k, v); }
  void write(FieldKind k, SetMemoryMode v) { write_small(k, v); }
  void write(FieldKind, const std::vector<PageRun>& v) {
    flush_small();
    write_runs(w, v, &ok);
  }
  template <class T>
  void write_small(FieldKind k, const T& v) {
    const auto d = digit(k, v);
    if (!d) ok = false;
    in_small = true;
    small += d.value_or(0) * scale;
    scale *= radix(k);
  }
};

template <class O>
O read_op(Reader& r, const engine::Geometry& g) {
  O o{};
  OpReader in{r, g};
  for_each_field<O>([&](const auto& fd) {
    if (!is_small(fd.kind)) in.in_small = false;
    in.read(fd.kind, &(o.*fd.member));
  });
  // An area given by its pages starts low enough to stay inside the window
  // (a size is folded to fit already).
  if constexpr (has_field_kind<O>(FieldKind::pages)) {
    const u64 win_end = g.vmalloc_start + g.vmalloc_size;
    if (in.size > win_end - o.va) o.va = win_end - in.size;
  }
  return o;
}

template <class O>
bool write_op(Writer& w, const O& o) {
  OpWriter out{w};
  for_each_field<O>([&](const auto& fd) { out.write(fd.kind, o.*fd.member); });
  out.flush_small();
  return out.ok;
}

// The x86-64 boot options byte (x86-64 geometries only):
//   bits 0-3: 0xf nogbpages, 0xe nopse, 0xd both (rare on purpose, as
//             nohugeiomap: each turns off a block size), else neither;
//   bits 4-5: where a biased MTRR split goes (below);
//   bits 6-7: 0 or 1 no MTRR split, 2 a biased split, 3 an exact split: 8
//             bytes little endian follow, folded to a page-aligned PA below
//             the PA limit (0: no split). encode_bytes() writes this form.
// The biased splits sit in the second PUD-sized range of memory, where the
// biased PAs of read_offset() with index 1 land, at or next to a PMD or PUD
// boundary: inside a PMD block (PUD + PMD/2), a page past a boundary
// (PUD + page), a page before one (2 PUD - page), and on a PMD boundary
// inside a PUD block (PUD + PMD), where PMD blocks map on either side and
// only the PUD block is refused.
void read_x86_config(Reader& r, const engine::Geometry& g, engine::KernelConfig* cfg) {
  const std::uint8_t x = r.u8();
  const unsigned opts = x & 0x0f;
  cfg->nogbpages = opts == 0x0f || opts == 0x0d;
  cfg->nopse = opts == 0x0e || opts == 0x0d;
  const u64 pud = g.pud_size(), pmd = g.pmd_size(), page = g.page_size();
  switch (x >> 6) {
    case 2: {
      const u64 at[] = {pud + pmd / 2, pud + page, 2 * pud - page, pud + pmd};
      cfg->mtrr_split = at[(x >> 4) & 3];
      break;
    }
    case 3: cfg->mtrr_split = r.le(8) & (g.phys_limit - 1) & ~(page - 1); break;
    default: cfg->mtrr_split = 0; break;
  }
}

void write_x86_config(Writer& w, const engine::KernelConfig& cfg) {
  const unsigned opts = cfg.nogbpages && cfg.nopse ? 0x0d
                        : cfg.nogbpages            ? 0x0f
                        : cfg.nopse                ? 0x0e
                                                   : 0;
  w.u8(static_cast<std::uint8_t>(opts | (cfg.mtrr_split ? 0xc0 : 0)));
  if (cfg.mtrr_split) w.le(cfg.mtrr_split, 8);
}

// A set_memory op as validate() takes it (harness/ops.cc): dropped where
// it is not modelled (riscv64), aligned for set_memory_valid (set_memory_p/np on x86-64), cut
// at the window's end, fitted to the era (fit_set_memory_to_era), so that
// the bytes spend no input on it.
void keep_set_memory_in_contract(Trace& t) {
  std::visit(
      [&]<class O>(O& o) {
        if constexpr (std::is_same_v<O, SetMemoryOp>) {
          if (!set_memory_modelled(*t.geo)) return t.ops.pop_back();
          if (common::is_set_memory_valid(o.mode)) o.unaligned = false;
          // The range ends at the window's end at the latest.
          const engine::Geometry& g = *t.geo;
          const u64 win_hi = g.vmalloc_start + g.vmalloc_size;
          if (o.va >= g.vmalloc_start && o.va < win_hi) {
            const u64 room = (win_hi - o.va) / g.page_size();
            if (o.numpages > room) o.numpages = static_cast<unsigned>(room);
          }
        }
      },
      t.ops.back());
  if (!t.ops.empty()) fit_set_memory_to_era(t.ops.back(), *t.geo, t.variant);
}

// Moves every vmap() down to the alignment its variant's area allocator
// asks for (reference::vmap_area_align), so that the trace is one the
// kernel can produce. Other ops place their areas from a hint (vmalloc)
// or without an alignment rule the harness checks.
void make_placements_reachable(Trace& t) {
  for (Op& op : t.ops) {
    const Placement p = checked_placement(*t.geo, t.variant, t.config, op);
    if (!p.beyond_rule()) continue;
    std::visit(
        [&](auto& o) {
          if constexpr (requires { o.va; }) o.va = p.va & ~(p.align - 1);
        },
        op);
  }
}

}  // namespace

std::span<const OpKind> all_op_kinds() {
  static constexpr auto kAll = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<OpKind, kOpKinds>{static_cast<OpKind>(I)...};
  }
  (std::make_index_sequence<kOpKinds>{});
  return kAll;
}

Trace decode_bytes(std::span<const std::uint8_t> data, engine::Variant variant,
                   std::span<const OpKind> kinds) {
  Reader r(data);
  Trace t;
  t.variant = variant;
  const auto geos = engine::all_geometries();
  // A text trace starts with 'v' ("vmapfuzz-trace"), so a text seed the
  // fuzzer has mutated until it no longer parses arrives here with that
  // byte. Those inputs stay on the default geometry, as every input did
  // before there were other rows, instead of all landing on the row 'v'
  // names modulo the row count (riscv64-sv39 of eleven). The encoder never
  // writes 'v' (it writes the row's index).
  const std::uint8_t geo_byte = r.u8();
  t.geo = geos[geo_byte == static_cast<std::uint8_t>(kTraceMagic[0]) ? 0 : geo_byte % geos.size()];
  const std::uint8_t cfg = r.u8();
  // Rare on purpose: either option turns off most of what there is to test.
  t.config.nohugeiomap = (cfg & 0x07) == 0x07;
  t.config.nohugevmalloc = (cfg & 0x38) == 0x38;
  // A quarter of the inputs fuzz the walker's own contract with VAs the
  // area allocator cannot produce; the rest stay reachable (below).
  t.config.placement_any = (cfg & 0xc0) == 0xc0;
  const engine::Geometry& g = *t.geo;
  if (g.arch == engine::Arch::x86_64) read_x86_config(r, g, &t.config);
  // arm64's BBML2_NOABORT: one pattern of the nohugeiomap bits that is not
  // nohugeiomap (it matters to set_memory ops only).
  if (g.arch == engine::Arch::arm64) t.config.bbml2_noabort = (cfg & 0x07) == 0x06;
  // Decoders by op kind, in OpKind order.
  using ReadFn = Op (*)(Reader&, const engine::Geometry&);
  static constexpr auto kReaders = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<ReadFn, kOpKinds>{[](Reader& r, const engine::Geometry& geo) -> Op {
      return read_op<std::variant_alternative_t<I, Op>>(r, geo);
    }...};
  }
  (std::make_index_sequence<kOpKinds>{});
  while (!r.empty() && t.ops.size() < kMaxOps) {
    const OpKind kind = kinds[r.u8() % kinds.size()];
    t.ops.push_back(kReaders[static_cast<std::size_t>(kind)](r, g));
    keep_set_memory_in_contract(t);
  }
  if (!t.config.placement_any) make_placements_reachable(t);
  return t;
}

std::optional<std::vector<std::uint8_t>> encode_bytes(const Trace& t,
                                                      std::span<const OpKind> kinds) {
  Writer w;
  const auto geos = engine::all_geometries();
  const auto it = std::find(geos.begin(), geos.end(), t.geo);
  if (it == geos.end()) return std::nullopt;  // not a geometry the byte can name
  w.u8(static_cast<std::uint8_t>(it - geos.begin()));
  if (t.config.bbml2_noabort && (t.config.nohugeiomap || t.geo->arch != engine::Arch::arm64))
    return std::nullopt;  // the byte form holds bbml2_noabort without nohugeiomap, on arm64
  w.u8(static_cast<std::uint8_t>(
      (t.config.nohugeiomap ? 0x07 : 0) | (t.config.bbml2_noabort ? 0x06 : 0) |
      (t.config.nohugevmalloc ? 0x38 : 0) | (t.config.placement_any ? 0xc0 : 0)));
  if (t.geo->arch == engine::Arch::x86_64) write_x86_config(w, t.config);
  else if (t.config.nogbpages || t.config.nopse || t.config.mtrr_split)
    return std::nullopt;  // no byte form: the options exist on x86-64 only
  for (const Op& op : t.ops) {
    const auto kind = static_cast<OpKind>(op.index());
    const auto it = std::find(kinds.begin(), kinds.end(), kind);
    if (it == kinds.end()) return std::nullopt;
    w.u8(static_cast<std::uint8_t>(it - kinds.begin()));
    if (!std::visit([&](const auto& o) { return write_op(w, o); }, op)) return std::nullopt;
  }
  return std::move(w.out);
}

}  // namespace vmapfuzz::harness
