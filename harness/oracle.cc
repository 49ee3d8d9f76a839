// SPDX-License-Identifier: GPL-2.0-only
#include "harness/oracle.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "engine/arch.h"
#include "harness/tlb.h"
#include "harness/visit.h"

namespace vmapfuzz::harness {

using engine::BugId;
using engine::Outcome;
using engine::u64;
using reference::LeafRun;

namespace {

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string errno_name(int ret) {
  switch (-ret) {
    case 0: return "ok";
    case engine::kENOMEM: return "enomem";
    case engine::kEBUSY: return "ebusy";
    case engine::kEFAULT: return "efault";
    case engine::kEINVAL: return "einval";
    case engine::kERANGE: return "erange";
    case engine::kBUGGED: return "bug";
  }
  return "e" + std::to_string(-ret);
}

std::string warns_text(const std::vector<engine::Warn>& w) {
  std::string s = w.empty() ? "(none)" : "";
  for (const auto& x : w) s += std::string(engine::warn_name(x.id)) + "@" + hex(x.addr.v) + " ";
  return s;
}

std::string flushes_text(const std::vector<engine::Flush>& f) {
  std::string s = f.empty() ? "(none)" : "";
  for (const auto& x : f)
    s += std::string(engine::flush_name(x.kind)) + "(" + hex(x.start.v) + "," + hex(x.end.v) + ") ";
  return s;
}

std::string run_text(const LeafRun* r, unsigned leaf) {
  if (!r) return "unmapped";
  return "[" + hex(r->va) + "," + hex(r->va + r->size) + ") -> " + hex(r->pa) + " " +
         level_name(r->level, leaf) + (r->cont ? " CONT " : " ") + reference::attrs_text(r->attrs);
}

}  // namespace

const char* level_name(unsigned level, unsigned leaf_level) {
  static const char* const kNames[] = {"pte", "pmd", "pud", "p4d", "pgd"};
  if (level > leaf_level) return "?";
  const unsigned d = leaf_level - level;
  // The root of a 4-level geometry (p4d folded into it) is the pgd.
  if (d == 3 && leaf_level == 3) return "pgd";
  return d < 5 ? kNames[d] : "?";
}

std::optional<Mismatch> compare_outcomes(const Outcome& e, const Outcome& a) {
  if (e.unreachable_align != a.unreachable_align) {
    // The placement rule itself: which alignment the area was asked for.
    return Mismatch{
        "placement", "-", e.unreachable_align ? "missed-unreachable" : "unexpected-unreachable",
        "expected the area allocator to be asked for alignment " + hex(e.unreachable_align) +
            " the VA lacks (0: none), got " + hex(a.unreachable_align)};
  }
  if (e.bug != a.bug) {
    return Mismatch{
        "bug", "-",
        std::string(engine::bug_name(e.bug)) + "-vs-" + std::string(engine::bug_name(a.bug)),
        "expected BUG " + std::string(engine::bug_name(e.bug)) + ", got " +
            std::string(engine::bug_name(a.bug)) + " at " + hex(a.bug_addr.v)};
  }
  if (e.bug != BugId::none && e.bug_addr != a.bug_addr) {
    return Mismatch{"bug", "-", "addr",
                    "BUG " + std::string(engine::bug_name(e.bug)) + " expected at " +
                        hex(e.bug_addr.v) + ", raised at " + hex(a.bug_addr.v)};
  }
  if (e.ret != a.ret) {
    return Mismatch{"ret", "-", errno_name(e.ret) + "-vs-" + errno_name(a.ret),
                    "expected return " + std::to_string(e.ret) + ", got " + std::to_string(a.ret)};
  }
  if (e.warns != a.warns) {
    // Name the first WARN that differs.
    std::size_t i = 0;
    while (i < e.warns.size() && i < a.warns.size() && e.warns[i] == a.warns[i]) ++i;
    const std::string what = i < a.warns.size()
                                 ? "unexpected-" + std::string(engine::warn_name(a.warns[i].id))
                                 : "missing-" + std::string(engine::warn_name(e.warns[i].id));
    return Mismatch{
        "warn", "-", what,
        "expected WARNs: " + warns_text(e.warns) + "\nactual WARNs:   " + warns_text(a.warns)};
  }
  if (e.tables_allocated != a.tables_allocated || e.tables_freed != a.tables_freed) {
    return Mismatch{"tables", "-",
                    e.tables_allocated != a.tables_allocated ? "alloc-count" : "free-count",
                    "expected tables allocated/freed " + std::to_string(e.tables_allocated) + "/" +
                        std::to_string(e.tables_freed) + ", got " +
                        std::to_string(a.tables_allocated) + "/" + std::to_string(a.tables_freed)};
  }
  if (e.flushes != a.flushes) {
    return Mismatch{"flush", "-", "sequence",
                    "expected flushes: " + flushes_text(e.flushes) +
                        "\nactual flushes:   " + flushes_text(a.flushes)};
  }
  if (e.mod_mask != a.mod_mask) {
    return Mismatch{"mask", "-", "pgtbl-mod-mask",
                    "expected pgtbl_mod_mask " + hex(e.mod_mask) + ", got " + hex(a.mod_mask)};
  }
  return std::nullopt;
}

std::optional<Mismatch> check_structure(const reference::TableScan& scan, unsigned leaf) {
  if (scan.issues.empty()) return std::nullopt;
  const reference::Issue& i = scan.issues.front();
  std::ostringstream d;
  d << reference::issue_kind_name(i.kind) << " at " << hex(i.va) << " (level " << i.level
    << "): " << i.detail;
  if (scan.issues.size() > 1) d << " (+" << scan.issues.size() - 1 << " more)";
  const bool table_issue = i.kind == reference::Issue::leaked_table ||
                           i.kind == reference::Issue::dangling_table ||
                           i.kind == reference::Issue::shared_table;
  return Mismatch{"structure", table_issue ? "-" : level_name(i.level, leaf),
                  reference::issue_kind_name(i.kind), d.str(),
                  table_issue ? std::nullopt : std::optional<u64>(i.va)};
}

const LeafRun* run_at(const std::vector<LeafRun>& runs, u64 va) {
  auto it = std::upper_bound(runs.begin(), runs.end(), va,
                             [](u64 v, const LeafRun& r) { return v < r.va; });
  if (it == runs.begin()) return nullptr;
  --it;
  return va - it->va < it->size ? &*it : nullptr;
}

std::optional<u64> first_divergence(const std::vector<LeafRun>& a, const std::vector<LeafRun>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] == b[i]) continue;
    if (a[i].va != b[i].va) return std::min(a[i].va, b[i].va);
    if (a[i].pa != b[i].pa || a[i].level != b[i].level || a[i].cont != b[i].cont ||
        !(a[i].attrs == b[i].attrs))
      return a[i].va;
    return std::min(a[i].va + a[i].size, b[i].va + b[i].size);
  }
  if (a.size() != b.size()) return a.size() > n ? a[n].va : b[n].va;
  return std::nullopt;
}

std::optional<Mismatch> compare_leaves(const std::vector<LeafRun>& expected,
                                       const std::vector<LeafRun>& actual, unsigned leaf) {
  const auto va = first_divergence(expected, actual);
  if (!va) return std::nullopt;
  const LeafRun* e = run_at(expected, *va);
  const LeafRun* a = run_at(actual, *va);
  const std::string detail = "first divergent VA " + hex(*va) +
                             "\n  expected: " + run_text(e, leaf) +
                             "\n  actual:   " + run_text(a, leaf);
  auto with_va = [&](Mismatch m) {
    m.va = *va;
    return m;
  };
  if (!e)
    return with_va(
        Mismatch{"translation", level_name(a->level, leaf), "unexpected-mapping", detail});
  if (!a)
    return with_va(Mismatch{"translation", level_name(e->level, leaf), "missing-mapping", detail});
  const u64 epa = e->pa + (*va - e->va), apa = a->pa + (*va - a->va);
  if (epa != apa)
    return with_va(Mismatch{"translation", level_name(e->level, leaf), "pa-mismatch", detail});
  if (!(e->attrs == a->attrs))
    return with_va(Mismatch{"translation", level_name(e->level, leaf), "attrs-mismatch", detail});
  if (e->level != a->level)
    return with_va(Mismatch{
        "layout", level_name(e->level, leaf),
        std::string(level_name(e->level, leaf)) + "-vs-" + level_name(a->level, leaf), detail});
  if (e->cont != a->cont)
    return with_va(Mismatch{"layout", level_name(e->level, leaf),
                            e->cont ? "cont-missing" : "cont-unexpected", detail});
  // Same leaf at va but the runs end differently: the difference is where
  // one of them ends; report it there.
  const u64 end = std::min(e->va + e->size, a->va + a->size);
  return with_va(Mismatch{"translation", level_name(e->level, leaf),
                          run_at(expected, end) ? "missing-mapping" : "unexpected-mapping",
                          detail + "\n  (runs differ from " + hex(end) + ")"});
}

std::pair<u64, u64> touched_range(const reference::RefKernel& ref, const Op& op) {
  const u64 page = engine::geometry_of(ref.geo()).page_size();
  // An area's whole leaves: an unmap clears the blocks and CONT groups
  // that reach beyond the area too.
  auto area = [&](u64 va) {
    const auto [a, b] = ref.area_extent(va);
    return a == b ? std::pair<u64, u64>{va, va + page} : ref.leaf_extent(a, b);
  };
  using Range = std::pair<u64, u64>;
  return std::visit(
      Overloaded{
          // ioremap's area has a guard page after it.
          [&](const IoremapOp& o) {
            return Range{o.va, o.va + o.size + page};
          },
          [&](const IoremapPageRangeOp& o) {
            return Range{o.va, o.va + o.size};
          },
          [&](const VmapPageRangeOp& o) {
            return Range{o.va, o.va + o.size};
          },
          [&](const IounmapOp& o) { return area(o.va); },
          [&](const VfreeOp& o) { return area(o.va); },
          [&](const VunmapOp& o) { return area(o.va); },
          [&](const VunmapRangeOp& o) { return ref.leaf_extent(o.va, o.va + o.size); },
          [&](const VmallocOp& o) {
            // The area goes at the hint aligned to at most PMD_SIZE, its
            // size rounded up to at most PMD_SIZE, plus the guard page.
            const u64 pmd = engine::geometry_of(ref.geo()).pmd_size();
            return Range{o.va, o.va + pmd + (o.size + pmd - 1) / pmd * pmd + page};
          },
          [&](const VmapOp& o) {
            return Range{o.va, o.va + (o.page_count() + 1) * page};
          },
          [](const FailAllocOp&) {
            return Range{0, 0};
          },
          [](const FailPageAllocOp&) {
            return Range{0, 0};
          },
          // The range, widened to whole PUD entries: a BBML2 split at either
          // end rewrites the block or CONT group it falls in.
          [&](const SetMemoryOp& o) {
            const auto& f = ref.facts();
            const u64 unit = f.entry_size[f.host_level(reference::KernelLevel::pud)];
            const u64 lo = o.va & ~(unit - 1);
            const u64 end = o.va + u64{o.numpages} * page + (o.unaligned ? page : 0);
            const u64 hi = end - 1 + unit < end ? ~u64{0} : ((end + unit - 1) & ~(unit - 1));
            return Range{lo, hi};
          },
      },
      op);
}

namespace {

std::optional<std::string> compare_table_range(const engine::Kernel& a, const engine::Kernel& b,
                                               u64 pa_a, u64 pa_b, engine::PgLevel level, u64 base,
                                               u64 lo, u64 hi) {
  const engine::Geometry& g = a.geo();
  const u64* ta = a.pool().table({pa_a});
  const u64* tb = b.pool().table({pa_b});
  if (!ta || !tb) return "table " + hex(pa_a) + "/" + hex(pa_b) + " not live";
  const unsigned shift = g.level_shift(level);
  // The next level that has tables of its own (none below the pte level).
  engine::PgLevel next = level;
  while (next != engine::PgLevel::pte) {
    next = engine::level_below(next);
    if (!g.is_folded(next)) break;
  }
  // The entries of this table whose VAs meet [lo, hi).
  const unsigned n = g.ptrs[engine::idx(level)];
  const u64 table_last = base + ((u64{n} << shift) - 1);  // no overflow at the root
  if (hi <= base || lo > table_last) return std::nullopt;
  const unsigned first = lo > base ? static_cast<unsigned>((lo - base) >> shift) : 0;
  const unsigned last =
      hi - 1 < table_last ? static_cast<unsigned>((hi - 1 - base) >> shift) + 1 : n;
  // Equal leaf entries need no look; at the pte level that is all of them.
  if (level == engine::PgLevel::pte &&
      std::memcmp(ta + first, tb + first, (last - first) * sizeof(u64)) == 0)
    return std::nullopt;
  for (unsigned i = first; i < last; ++i) {
    const u64 s = base + (u64{i} << shift);
    if (ta[i] != tb[i]) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "VA 0x%llx level %s entry %u: 0x%016llx vs 0x%016llx",
                    static_cast<unsigned long long>(s),
                    std::string(engine::level_text(level)).c_str(), i,
                    static_cast<unsigned long long>(ta[i]), static_cast<unsigned long long>(tb[i]));
      return std::string(buf);
    }
    if (ta[i] != 0 && level != engine::PgLevel::pte && engine::pxd_table(g, ta[i])) {
      if (auto d = compare_table_range(a, b, engine::pxd_table_pa(g, ta[i]).v,
                                       engine::pxd_table_pa(g, tb[i]).v, next, s, lo, hi))
        return d;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> compare_tables(const engine::Kernel& a, const engine::Kernel& b, u64 lo,
                                          u64 hi) {
  const u64 base = ~((u64{1} << a.geo().va_bits) - 1);
  return compare_table_range(a, b, a.pgd_pa().v, b.pgd_pa().v, engine::PgLevel::pgd, base, lo, hi);
}

unsigned leaf_level_of(const common::GeometryConfig& g) {
  return reference::geometry_facts(g).leaf_level;
}

u64 huge_bytes(const std::vector<LeafRun>& runs, unsigned leaf_level) {
  u64 n = 0;
  for (const LeafRun& r : runs)
    if (r.level != leaf_level || r.cont) n += r.size;
  return n;
}

std::string signature(const Mismatch& m, std::string_view impl, const Op& op) {
  return m.check + ":" + std::string(impl) + ":" + std::string(op_name(op)) + ":" + m.level + ":" +
         m.what;
}

std::optional<Mismatch> check_tables(const reference::RefKernel& ref, const engine::Kernel& k,
                                     u64 lo, u64 hi, std::vector<LeafRun>* runs) {
  const bool whole = lo == 0 && hi == ~u64{0};
  auto scan = whole ? reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v)
                    : reference::scan_range(k.pool(), k.geo(), k.pgd_pa().v, lo, hi);
  const unsigned leaf = ref.facts().leaf_level;
  if (ref.unlinked_tables() != 0) {
    // Tables a BUG unlinked without freeing them (x86's and riscv's
    // pud_free_pmd_page stopped at a PMD leaf): exactly that many leaks are
    // expected; any other count is reported as usual.
    const auto leaked = [](const reference::Issue& i) {
      return i.kind == reference::Issue::leaked_table;
    };
    const auto n = static_cast<u64>(std::count_if(scan.issues.begin(), scan.issues.end(), leaked));
    if (n == ref.unlinked_tables())
      scan.issues.erase(std::remove_if(scan.issues.begin(), scan.issues.end(), leaked),
                        scan.issues.end());
  }
  // CONT groups a set_memory op changed in part: the reference says which
  // (docs/pageattr.md); the walker reports each once.
  if (const auto groups = ref.expected_malformed_cont(lo, hi); !groups.empty()) {
    const auto expected = [&](const reference::Issue& i) {
      return i.kind == reference::Issue::malformed_cont &&
             std::find(groups.begin(), groups.end(), i.va) != groups.end();
    };
    scan.issues.erase(std::remove_if(scan.issues.begin(), scan.issues.end(), expected),
                      scan.issues.end());
  }
  if (auto m = check_structure(scan, leaf)) return m;
  if (auto m =
          compare_leaves(whole ? ref.expected_runs() : ref.expected_runs(lo, hi), scan.runs, leaf))
    return m;
  // Entries that translate nothing but are not zero (set_memory's).
  if (const auto inv = ref.expected_invalid(lo, hi); !(inv == scan.invalid)) {
    std::size_t i = 0;
    while (i < inv.size() && i < scan.invalid.size() && inv[i] == scan.invalid[i]) ++i;
    const LeafRun* e = i < inv.size() ? &inv[i] : nullptr;
    const LeafRun* a = i < scan.invalid.size() ? &scan.invalid[i] : nullptr;
    const LeafRun& r = e ? *e : *a;
    std::ostringstream d;
    d << "non-translating entries differ at " << hex(r.va) << ": expected "
      << (e ? hex(e->size) + " bytes, pa " + hex(e->pa) + ", low bits " + std::to_string(e->raw) +
                  ", " + reference::attrs_text(e->attrs)
            : std::string("none"))
      << "; found "
      << (a ? hex(a->size) + " bytes, pa " + hex(a->pa) + ", low bits " + std::to_string(a->raw) +
                  ", " + reference::attrs_text(a->attrs)
            : std::string("none"));
    return Mismatch{"translation", level_name(r.level, leaf), "invalid-entry-mismatch", d.str(),
                    std::optional<u64>(r.va)};
  }
  if (runs) runs->assign(scan.runs.begin(), scan.runs.end());  // into its storage
  return std::nullopt;
}

std::optional<Mismatch> check_op(const reference::RefKernel& ref_after, const Outcome& expected,
                                 const engine::Kernel& k, const Outcome& actual, u64 lo, u64 hi,
                                 std::vector<LeafRun>* runs) {
  if (auto m = compare_outcomes(expected, actual)) return m;
  if (lo < hi) {
    if (auto m = check_tables(ref_after, k, lo, hi, runs)) return m;
  }
  if (k.pool().live_count() != ref_after.table_count())
    return Mismatch{"tables", "-", "live-count",
                    "expected " + std::to_string(ref_after.table_count()) + " live tables, found " +
                        std::to_string(k.pool().live_count())};
  return check_tlb(k, lo, hi, runs);
}

std::optional<Mismatch> check_tlb(const engine::Kernel& k, u64 lo, u64 hi,
                                  const std::vector<LeafRun>* runs) {
  TlbModel* tlb = find_tlb(k);
  if (!tlb) return std::nullopt;
  if (tlb->lenient()) {
    // The op broke the caller's contract over [lo, hi): the model takes
    // what the tables hold there. It checks as usual from here on (the
    // Runner's audit after this op): everywhere else the op changed
    // nothing (check_tables), so what is cached there was cached before it,
    // and a whole-tree resync would forget the entries the lazy purge
    // still owes.
    tlb->resync(lo, hi);
    tlb->begin_op(false);
    return std::nullopt;
  }
  if (auto m = tlb->take_violation()) return m;
  if (lo >= hi) return std::nullopt;
  if (runs) return tlb->check_stale(*runs, lo, hi);
  const reference::TableScan scan = reference::scan_range(k.pool(), k.geo(), k.pgd_pa().v, lo, hi);
  return tlb->check_stale(scan.runs, lo, hi);
}

}  // namespace vmapfuzz::harness
