// SPDX-License-Identifier: GPL-2.0-only
#include "reference/mmu_walker.h"

#include <cstdio>
#include <unordered_set>

namespace vmapfuzz::reference {
namespace {

// The contiguous hint, bit 52 of page and block descriptors.
constexpr u64 kContBit = u64{1} << 52;

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

class Scanner {
 public:
  Scanner(const engine::TablePool& pool, const GeometryFacts& f) : pool_(pool), f_(f) {}

  // Whole tree, plus the leak check that only a whole scan can make.
  TableScan run(u64 root_pa) {
    lo_ = 0;
    hi_ = ~u64{0};
    seen_.insert(root_pa);
    visit(root_pa, f_.root_level, 0);
    for (common::PhysAddr t : pool_.live_tables())
      if (!seen_.count(t.v))
        out_.issues.push_back({Issue::leaked_table, 0, 0, "table " + hex(t.v)});
    return std::move(out_);
  }

  // Only the entries that translate some VA in [lo, hi); runs are clipped.
  TableScan run_range(u64 root_pa, u64 lo, u64 hi) {
    lo_ = lo;
    hi_ = hi;
    seen_.insert(root_pa);
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
    for (unsigned i = first; i < last; ++i) {
      const u64 d = t[i];
      const u64 low = base_low + (u64{i} << shift);
      const u64 va = f_.sign_extend(low);
      switch (classify(f_, d, level)) {
        case DescKind::invalid:
          if (d != 0) out_.issues.push_back({Issue::garbage_desc, level, va, hex(d)});
          break;
        case DescKind::reserved:
          out_.issues.push_back({Issue::reserved_desc, level, va, hex(d)});
          break;
        case DescKind::table: {
          const u64 next = d & f_.oa_mask;
          if (!pool_.is_live(common::PhysAddr{next})) {
            out_.issues.push_back({Issue::dangling_table, level, va, "-> " + hex(next)});
          } else if (!seen_.insert(next).second) {
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
    const u64 pa = d & f_.oa_mask;
    const bool cont = d & kContBit;
    if (cont && level == f_.leaf_level) check_cont_group(t, i, va);
    // Fast path: an entry inside the range that continues the last run
    // with the very same attribute bits extends it without decoding.
    const u64 bits = d & ~f_.oa_mask;
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
    LeafRun r{va, size, pa & ~(size - 1), level, cont, decode_attrs(d)};
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

  // Checks the naturally aligned group holding entry i once, at its first
  // entry (or at the first CONT entry of a group that lacks it).
  void check_cont_group(const u64* t, unsigned i, u64 va) {
    const unsigned n = f_.cont_ptes;
    const unsigned leaf = f_.leaf_level;
    const unsigned first = i & ~(n - 1);
    if (i != first && (t[i - 1] & kContBit)) return;  // checked from an earlier entry
    const u64 gva = va - u64{i - first} * f_.page_size;
    const u64 d0 = t[first];
    std::string why;
    if (!(d0 & 1) || !(d0 & kContBit)) why = "first entry not a valid CONT entry";
    const u64 pa0 = d0 & f_.oa_mask;
    if (why.empty() && (pa0 & (f_.cont_pte_size - 1))) why = "output address not aligned";
    for (unsigned j = 1; j < n && why.empty(); ++j) {
      const u64 d = t[first + j];
      if (classify(f_, d, leaf) != DescKind::page || !(d & kContBit))
        why = "entry " + std::to_string(j) + " not a valid CONT page";
      else if ((d & f_.oa_mask) != pa0 + u64{j} * f_.page_size)
        why = "entry " + std::to_string(j) + " output address not consecutive";
      else if ((d & ~f_.oa_mask) != (d0 & ~f_.oa_mask))
        why = "entry " + std::to_string(j) + " attributes differ";
    }
    if (!why.empty()) out_.issues.push_back({Issue::malformed_cont, leaf, gva, why});
  }

  const engine::TablePool& pool_;
  const GeometryFacts& f_;
  std::unordered_set<u64> seen_;
  TableScan out_;
  u64 lo_ = 0, hi_ = ~u64{0};
  u64 last_bits_ = 0;  // attribute and type bits of the last leaf appended
  unsigned last_level_ = ~0u;
};

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
  if (!(d & 1)) return DescKind::invalid;
  const bool bit1 = d & 2;
  if (level == f.leaf_level) return bit1 ? DescKind::page : DescKind::reserved;
  if (bit1) return DescKind::table;
  return f.mmu_block[level] ? DescKind::block : DescKind::reserved;
}

Translation translate(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa,
                      u64 va) {
  const GeometryFacts& f = geometry_facts(g);
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
    const DescKind kind = classify(f, d, level);
    tr.steps.push_back({level, idx, table_pa, d, kind});
    if (kind == DescKind::invalid || kind == DescKind::reserved) {
      tr.fault = std::string(kind == DescKind::invalid ? "translation L" : "reserved L") +
                 std::to_string(level);
      return tr;
    }
    if (kind == DescKind::table) {
      table_pa = d & f.oa_mask;
      continue;
    }
    const u64 size = f.entry_size[level];
    tr.mapped = true;
    tr.level = level;
    tr.cont = d & kContBit;
    tr.attrs = decode_attrs(d);
    tr.pa = ((d & f.oa_mask) & ~(size - 1)) | (va & (size - 1));
    return tr;
  }
  tr.fault = "walk did not end";
  return tr;
}

void append_run(std::vector<LeafRun>& runs, const LeafRun& r) {
  if (!runs.empty()) {
    LeafRun& last = runs.back();
    if (last.va + last.size == r.va && last.pa + last.size == r.pa && last.level == r.level &&
        last.cont == r.cont && last.attrs == r.attrs) {
      last.size += r.size;
      return;
    }
  }
  runs.push_back(r);
}

TableScan scan_tables(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa) {
  return Scanner(pool, geometry_facts(g)).run(root_pa);
}

TableScan scan_range(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa,
                     u64 lo, u64 hi) {
  return Scanner(pool, geometry_facts(g)).run_range(root_pa, lo, hi);
}

}  // namespace vmapfuzz::reference
