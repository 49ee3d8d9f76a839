// SPDX-License-Identifier: GPL-2.0-only
#include "reference/mmu_walker.h"

#include <algorithm>
#include <cstdio>

namespace vmapfuzz::reference {
namespace {

// arm64: the contiguous hint, bit 52 of page and block descriptors.
constexpr u64 kContBit = u64{1} << 52;
// x86-64: PS (bit 7) above the page level; PAT of a PS leaf (bit 12).
constexpr u64 kX86Ps = u64{1} << 7;
constexpr u64 kX86PatLarge = u64{1} << 12;
// x86-64: A and D, the bits pte_none() ignores.
constexpr u64 kX86KnlBits = 0x60;
// riscv64: R, W, X (bits 3:1); PBMT (62:61); bits that fault when set:
// N (63, no Svnapot mappings in our model) and 60:54.
constexpr u64 kRvRead = u64{1} << 1;
constexpr u64 kRvWrite = u64{1} << 2;
constexpr u64 kRvRwx = u64{7} << 1;
constexpr u64 kRvPbmt = u64{3} << 61;
constexpr u64 kRvReserved = (u64{1} << 63) | (u64{0x7f} << 54);

template <DescFormat F>
DescKind classify_as(const GeometryFacts& f, u64 d, unsigned level) {
  if (!(d & 1)) return DescKind::invalid;
  if constexpr (F == DescFormat::arm64) {
    const bool bit1 = d & 2;
    if (level == f.leaf_level) return bit1 ? DescKind::page : DescKind::reserved;
    if (bit1) return DescKind::table;
    return f.mmu_block[level] ? DescKind::block : DescKind::reserved;
  } else if constexpr (F == DescFormat::x86_64) {
    if (level == f.leaf_level) return DescKind::page;
    if (!(d & kX86Ps)) return DescKind::table;
    return f.mmu_block[level] ? DescKind::block : DescKind::reserved;
  } else {
    if (d & kRvReserved) return DescKind::reserved;
    if (!(d & kRvRwx)) {
      // A pointer to the next level: none below the page level, and no
      // memory type on a table.
      if (level == f.leaf_level || (d & kRvPbmt)) return DescKind::reserved;
      return DescKind::table;
    }
    if ((d & (kRvRead | kRvWrite)) == kRvWrite) return DescKind::reserved;
    if ((d & kRvPbmt) == kRvPbmt) return DescKind::reserved;
    if (level == f.leaf_level) return DescKind::page;
    return f.mmu_block[level] ? DescKind::block : DescKind::reserved;
  }
}

// The next table a table descriptor names.
template <DescFormat F>
u64 table_oa(const GeometryFacts& f, u64 d) {
  if constexpr (F == DescFormat::riscv64) {
    return f.oa(d);
  } else {
    return d & f.oa_mask;  // held in place (oa_shift 0)
  }
}

// The address field of a leaf at `level`: an x86-64 PS leaf's bit 12 is
// its PAT bit.
template <DescFormat F>
u64 leaf_field(const GeometryFacts& f, unsigned level) {
  if constexpr (F == DescFormat::x86_64) {
    if (level != f.leaf_level) return f.oa_mask & ~kX86PatLarge;
  }
  return f.oa_mask;
}

template <DescFormat F>
u64 leaf_oa(const GeometryFacts& f, u64 field, u64 d) {
  if constexpr (F == DescFormat::riscv64) {
    return (d & field) << f.oa_shift;
  } else {
    return d & field;
  }
}

template <DescFormat F>
Attrs leaf_attrs(const GeometryFacts& f, u64 d, unsigned level) {
  if constexpr (F == DescFormat::arm64) {
    return decode_attrs(d);
  } else {
    return decode_attrs(F, d, level != f.leaf_level);
  }
}

template <DescFormat F>
u64 output_address_as(const GeometryFacts& f, u64 d, unsigned level) {
  switch (classify_as<F>(f, d, level)) {
    case DescKind::table: return table_oa<F>(f, d);
    case DescKind::block:
    case DescKind::page: return leaf_oa<F>(f, leaf_field<F>(f, level), d);
    case DescKind::invalid:
    case DescKind::reserved: break;
  }
  return 0;
}

// The first index in [i, last) whose entry is not zero, or `last`. Most
// entries of every table are empty, and a scan has nothing to check in
// them: they are skipped eight at a time.
unsigned skip_empty(const u64* t, unsigned i, unsigned last) {
  while (i + 8 <= last &&
         (t[i] | t[i + 1] | t[i + 2] | t[i + 3] | t[i + 4] | t[i + 5] | t[i + 6] | t[i + 7]) == 0)
    i += 8;
  while (i < last && t[i] == 0) ++i;
  return i;
}

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

template <DescFormat F>
class Scanner {
 public:
  Scanner(const engine::TablePool& pool, const GeometryFacts& f) : pool_(pool), f_(f) {}

  // Whole tree, plus the leak check that only a whole scan can make.
  TableScan run(u64 root_pa) {
    lo_ = 0;
    hi_ = ~u64{0};
    mark_seen(root_pa);
    visit(root_pa, f_.root_level, 0);
    for (common::PhysAddr t : pool_.live_tables())
      if (!std::binary_search(seen_.begin(), seen_.end(), t.v))
        out_.issues.push_back({Issue::leaked_table, 0, 0, "table " + hex(t.v)});
    return std::move(out_);
  }

  // Only the entries that translate some VA in [lo, hi); runs are clipped.
  TableScan run_range(u64 root_pa, u64 lo, u64 hi) {
    lo_ = lo;
    hi_ = hi;
    mark_seen(root_pa);
    visit(root_pa, f_.root_level, 0);
    return std::move(out_);
  }

 private:
  void visit(u64 table_pa, unsigned level, u64 base_low) {
    const u64* t = pool_.table(common::PhysAddr{table_pa});
    const unsigned shift = f_.shift[level];
    const u64 span = f_.entry_size[level];
    unsigned first = 0, last = f_.entries[level];
    if (lo_ != 0 || hi_ != ~u64{0}) {
      // Entries of this table whose span meets [lo_, hi_).
      const u64 tbase = f_.sign_extend(base_low), tspan = span * f_.entries[level];
      if (hi_ <= tbase || lo_ > tbase + (tspan - 1)) return;
      if (lo_ > tbase) first = static_cast<unsigned>((lo_ - tbase) >> shift);
      if (hi_ - 1 < tbase + (tspan - 1))
        last = static_cast<unsigned>((hi_ - 1 - tbase) >> shift) + 1;
    }
    for (unsigned i = skip_empty(t, first, last); i < last; i = skip_empty(t, i + 1, last)) {
      const u64 d = t[i];
      const u64 low = base_low + (u64{i} << shift);
      const u64 va = f_.sign_extend(low);
      switch (classify_as<F>(f_, d, level)) {
        case DescKind::invalid:
          // x86-64: an entry with nothing but A and D is none to the kernel
          // (the Knights Landing erratum) but no op of the model writes one.
          if (F == DescFormat::riscv64 || (F == DescFormat::x86_64 && !(d & ~kX86KnlBits)))
            out_.issues.push_back({Issue::garbage_desc, level, va, hex(d)});  // d != 0
          else not_translating(level, va, d);
          break;
        case DescKind::reserved:
          // arm64: a page-level entry with the valid bit and not the page
          // bit is what set_memory_valid(1) makes of an empty PTE.
          if constexpr (F == DescFormat::arm64) {
            if (level == f_.leaf_level && (d & 3) == 1) {
              not_translating(level, va, d);
              break;
            }
          }
          out_.issues.push_back({Issue::reserved_desc, level, va, hex(d)});
          break;
        case DescKind::table: {
          const u64 next = table_oa<F>(f_, d);
          if (!pool_.is_live(common::PhysAddr{next})) {
            out_.issues.push_back({Issue::dangling_table, level, va, "-> " + hex(next)});
          } else if (!mark_seen(next)) {
            out_.issues.push_back({Issue::shared_table, level, va, "-> " + hex(next)});
          } else {
            visit(next, level + 1, low);
          }
          break;
        }
        case DescKind::block:
        case DescKind::page: leaf(t, i, level, va, d); break;
      }
    }
  }

  void leaf(const u64* t, unsigned i, unsigned level, u64 va, u64 d) {
    const u64 size = f_.entry_size[level];
    u64 pa, bits;  // output address; every other bit (type, attributes, CONT)
    bool cont = false;
    if constexpr (F == DescFormat::arm64) {
      pa = d & f_.oa_mask;
      cont = d & kContBit;
      if (cont && level == f_.leaf_level) check_cont_group(t, i, va);
      bits = d & ~f_.oa_mask;
    } else {
      const u64 field = leaf_field<F>(f_, level);
      pa = leaf_oa<F>(f_, field, d);
      bits = d & ~field;
    }
    // Fast path: an entry inside the range that continues the last run
    // with the very same attribute bits extends it without decoding.
    if (!out_.runs.empty() && bits == last_bits_ && level == last_level_ && va >= lo_ &&
        hi_ - va >= size) {
      LeafRun& last = out_.runs.back();
      if (last.va + last.size == va && last.pa + last.size == pa) {
        last.size += size;
        return;
      }
    }
    if (pa & (size - 1)) {
      out_.issues.push_back({Issue::misaligned_block, level, va, "oa " + hex(pa)});
    }
    LeafRun r{va, size, pa & ~(size - 1), level, cont, leaf_attrs<F>(f_, d, level)};
    if (r.va < lo_) {
      r.pa += lo_ - r.va;
      r.size -= lo_ - r.va;
      r.va = lo_;
    }
    if (hi_ - r.va < r.size) r.size = hi_ - r.va;
    append_run(out_.runs, r);
    last_bits_ = bits;
    last_level_ = level;
  }

  // A non-zero entry that translates nothing, as one entry's run. arm64:
  // `raw` keeps its two low bits. x86-64: the kernel stores the address
  // field of a non-present entry inverted (L1TF, asm/pgtable-invert.h); it
  // is inverted back before decoding, as pte_pfn() does, and `raw` is 0.
  void not_translating(unsigned level, u64 va, u64 d) {
    const u64 size = f_.entry_size[level];
    u64 pa = d & f_.oa_mask;
    bool cont = false;
    std::uint8_t raw = 0;
    if constexpr (F == DescFormat::arm64) {
      cont = (d & kContBit) != 0;
      raw = static_cast<std::uint8_t>(d & 3);
    } else {
      d ^= f_.oa_mask;
      pa = leaf_oa<F>(f_, leaf_field<F>(f_, level), d);
    }
    LeafRun r{va, size, pa, level, cont, leaf_attrs<F>(f_, d, level), false, raw};
    if (r.va < lo_) {
      r.pa += lo_ - r.va;
      r.size -= lo_ - r.va;
      r.va = lo_;
    }
    if (hi_ - r.va < r.size) r.size = hi_ - r.va;
    append_run(out_.invalid, r);
  }

  // arm64: checks the naturally aligned group holding entry i once, at its
  // first valid CONT entry.
  void check_cont_group(const u64* t, unsigned i, u64 va) {
    const unsigned n = f_.cont_ptes;
    const unsigned leaf = f_.leaf_level;
    const unsigned first = i & ~(n - 1);
    for (unsigned j = first; j < i; ++j)
      if ((t[j] & 3) == 3 && (t[j] & kContBit)) return;  // checked from an earlier entry
    const u64 gva = va - u64{i - first} * f_.page_size;
    const u64 d0 = t[first];
    std::string why;
    if (!(d0 & 1) || !(d0 & kContBit)) why = "first entry not a valid CONT entry";
    const u64 pa0 = d0 & f_.oa_mask;
    if (why.empty() && (pa0 & (f_.cont_pte_size - 1))) why = "output address not aligned";
    for (unsigned j = 1; j < n && why.empty(); ++j) {
      const u64 d = t[first + j];
      if (classify_as<F>(f_, d, leaf) != DescKind::page || !(d & kContBit))
        why = "entry " + std::to_string(j) + " not a valid CONT page";
      else if ((d & f_.oa_mask) != pa0 + u64{j} * f_.page_size)
        why = "entry " + std::to_string(j) + " output address not consecutive";
      else if ((d & ~f_.oa_mask) != (d0 & ~f_.oa_mask))
        why = "entry " + std::to_string(j) + " attributes differ";
    }
    if (!why.empty()) out_.issues.push_back({Issue::malformed_cont, leaf, gva, why});
  }

  // Records a table as reached; false if it was reached before.
  bool mark_seen(u64 table_pa) {
    const auto at = std::lower_bound(seen_.begin(), seen_.end(), table_pa);
    if (at != seen_.end() && *at == table_pa) return false;
    seen_.insert(at, table_pa);
    return true;
  }

  const engine::TablePool& pool_;
  const GeometryFacts& f_;
  std::vector<u64> seen_;  // tables reached so far, sorted
  TableScan out_;
  u64 lo_ = 0, hi_ = ~u64{0};
  u64 last_bits_ = 0;  // attribute and type bits of the last leaf appended
  unsigned last_level_ = ~0u;
};

template <DescFormat F>
Translation translate_as(const engine::TablePool& pool, const GeometryFacts& f, u64 root_pa,
                         u64 va) {
  Translation tr;
  u64 table_pa = root_pa;
  for (unsigned level = f.root_level; level <= f.leaf_level; ++level) {
    const u64* t = pool.table(common::PhysAddr{table_pa});
    if (!t) {
      tr.fault = "table not live L" + std::to_string(level);
      return tr;
    }
    const unsigned idx = f.index(va, level);
    const u64 d = t[idx];
    const DescKind kind = classify_as<F>(f, d, level);
    tr.steps.push_back({level, idx, table_pa, d, kind, output_address_as<F>(f, d, level)});
    if (kind == DescKind::invalid || kind == DescKind::reserved) {
      tr.fault = std::string(kind == DescKind::invalid ? "translation L" : "reserved L") +
                 std::to_string(level);
      return tr;
    }
    if (kind == DescKind::table) {
      table_pa = tr.steps.back().oa;
      continue;
    }
    const u64 size = f.entry_size[level];
    tr.mapped = true;
    tr.level = level;
    if constexpr (F == DescFormat::arm64) tr.cont = d & kContBit;
    tr.attrs = leaf_attrs<F>(f, d, level);
    tr.pa = (tr.steps.back().oa & ~(size - 1)) | (va & (size - 1));
    return tr;
  }
  tr.fault = "walk did not end";
  return tr;
}

}  // namespace

const char* desc_kind_name(DescKind k) {
  switch (k) {
    case DescKind::invalid: return "invalid";
    case DescKind::table: return "table";
    case DescKind::block: return "block";
    case DescKind::page: return "page";
    case DescKind::reserved: return "reserved";
  }
  return "?";
}

const char* issue_kind_name(Issue::Kind k) {
  switch (k) {
    case Issue::dangling_table: return "dangling-table";
    case Issue::shared_table: return "shared-table";
    case Issue::leaked_table: return "leaked-table";
    case Issue::reserved_desc: return "reserved-descriptor";
    case Issue::garbage_desc: return "garbage-descriptor";
    case Issue::misaligned_block: return "misaligned-block";
    case Issue::malformed_cont: return "malformed-cont";
  }
  return "?";
}

DescKind classify(const GeometryFacts& f, u64 d, unsigned level) {
  switch (f.format) {
    case DescFormat::arm64: return classify_as<DescFormat::arm64>(f, d, level);
    case DescFormat::x86_64: return classify_as<DescFormat::x86_64>(f, d, level);
    case DescFormat::riscv64: return classify_as<DescFormat::riscv64>(f, d, level);
  }
  return DescKind::reserved;
}

u64 output_address(const GeometryFacts& f, u64 d, unsigned level) {
  switch (f.format) {
    case DescFormat::arm64: return output_address_as<DescFormat::arm64>(f, d, level);
    case DescFormat::x86_64: return output_address_as<DescFormat::x86_64>(f, d, level);
    case DescFormat::riscv64: return output_address_as<DescFormat::riscv64>(f, d, level);
  }
  return 0;
}

Translation translate(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa,
                      u64 va) {
  const GeometryFacts& f = geometry_facts(g);
  switch (f.format) {
    case DescFormat::arm64: return translate_as<DescFormat::arm64>(pool, f, root_pa, va);
    case DescFormat::x86_64: return translate_as<DescFormat::x86_64>(pool, f, root_pa, va);
    case DescFormat::riscv64: return translate_as<DescFormat::riscv64>(pool, f, root_pa, va);
  }
  return {};
}

void append_run(std::vector<LeafRun>& runs, const LeafRun& r) {
  if (!runs.empty()) {
    LeafRun& last = runs.back();
    if (last.va + last.size == r.va && last.pa + last.size == r.pa && last.level == r.level &&
        last.cont == r.cont && last.attrs == r.attrs && last.mapped == r.mapped &&
        last.raw == r.raw) {
      last.size += r.size;
      return;
    }
  }
  runs.push_back(r);
}

TableScan scan_tables(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa) {
  const GeometryFacts& f = geometry_facts(g);
  switch (f.format) {
    case DescFormat::arm64: return Scanner<DescFormat::arm64>(pool, f).run(root_pa);
    case DescFormat::x86_64: return Scanner<DescFormat::x86_64>(pool, f).run(root_pa);
    case DescFormat::riscv64: return Scanner<DescFormat::riscv64>(pool, f).run(root_pa);
  }
  return {};
}

TableScan scan_range(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa,
                     u64 lo, u64 hi) {
  const GeometryFacts& f = geometry_facts(g);
  switch (f.format) {
    case DescFormat::arm64: return Scanner<DescFormat::arm64>(pool, f).run_range(root_pa, lo, hi);
    case DescFormat::x86_64: return Scanner<DescFormat::x86_64>(pool, f).run_range(root_pa, lo, hi);
    case DescFormat::riscv64:
      return Scanner<DescFormat::riscv64>(pool, f).run_range(root_pa, lo, hi);
  }
  return {};
}

}  // namespace vmapfuzz::reference
