// SPDX-License-Identifier: GPL-2.0-only
#include "harness/oracle.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

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

std::string run_text(const LeafRun* r) {
  if (!r) return "unmapped";
  return "[" + hex(r->va) + "," + hex(r->va + r->size) + ") -> " + hex(r->pa) + " " +
         level_name(r->level) + (r->cont ? " CONT " : " ") + reference::attrs_text(r->attrs);
}

}  // namespace

const char* level_name(unsigned level) {
  switch (level) {
    case engine::kPgdLevel: return "pgd";
    case engine::kPudLevel: return "pud";
    case engine::kPmdLevel: return "pmd";
    case engine::kPteLevel: return "pte";
  }
  return "?";
}

std::optional<Mismatch> compare_outcomes(const Outcome& e, const Outcome& a) {
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

std::optional<Mismatch> check_structure(const reference::TableScan& scan) {
  if (scan.issues.empty()) return std::nullopt;
  const reference::Issue& i = scan.issues.front();
  std::ostringstream d;
  d << reference::issue_kind_name(i.kind) << " at " << hex(i.va) << " (level " << i.level
    << "): " << i.detail;
  if (scan.issues.size() > 1) d << " (+" << scan.issues.size() - 1 << " more)";
  const bool table_issue = i.kind == reference::Issue::leaked_table ||
                           i.kind == reference::Issue::dangling_table ||
                           i.kind == reference::Issue::shared_table;
  return Mismatch{"structure", table_issue ? "-" : level_name(i.level),
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
                                       const std::vector<LeafRun>& actual) {
  const auto va = first_divergence(expected, actual);
  if (!va) return std::nullopt;
  const LeafRun* e = run_at(expected, *va);
  const LeafRun* a = run_at(actual, *va);
  const std::string detail = "first divergent VA " + hex(*va) + "\n  expected: " + run_text(e) +
                             "\n  actual:   " + run_text(a);
  auto with_va = [&](Mismatch m) {
    m.va = *va;
    return m;
  };
  if (!e)
    return with_va(Mismatch{"translation", level_name(a->level), "unexpected-mapping", detail});
  if (!a) return with_va(Mismatch{"translation", level_name(e->level), "missing-mapping", detail});
  const u64 epa = e->pa + (*va - e->va), apa = a->pa + (*va - a->va);
  if (epa != apa)
    return with_va(Mismatch{"translation", level_name(e->level), "pa-mismatch", detail});
  if (!(e->attrs == a->attrs))
    return with_va(Mismatch{"translation", level_name(e->level), "attrs-mismatch", detail});
  if (e->level != a->level)
    return with_va(Mismatch{"layout", level_name(e->level),
                            std::string(level_name(e->level)) + "-vs-" + level_name(a->level),
                            detail});
  if (e->cont != a->cont)
    return with_va(Mismatch{"layout", level_name(e->level),
                            e->cont ? "cont-missing" : "cont-unexpected", detail});
  // Same leaf at va but the runs end differently: the difference is where
  // one of them ends; report it there.
  const u64 end = std::min(e->va + e->size, a->va + a->size);
  return with_va(Mismatch{"translation", level_name(e->level),
                          run_at(expected, end) ? "missing-mapping" : "unexpected-mapping",
                          detail + "\n  (runs differ from " + hex(end) + ")"});
}

std::pair<u64, u64> touched_range(const reference::RefKernel& ref, const Op& op) {
  const u64 page = engine::geometry_of(ref.geo()).page_size();
  if (auto* o = std::get_if<IoremapOp>(&op)) return {o->va, o->va + o->size + page};
  if (auto* o = std::get_if<IoremapPageRangeOp>(&op)) return {o->va, o->va + o->size};
  if (auto* o = std::get_if<VmapPageRangeOp>(&op)) return {o->va, o->va + o->size};
  if (auto* o = std::get_if<IounmapOp>(&op)) {
    const auto [a, b] = ref.area_extent(o->va);
    return a == b ? std::pair<u64, u64>{o->va, o->va + page} : ref.leaf_extent(a, b);
  }
  if (auto* o = std::get_if<VunmapRangeOp>(&op)) return ref.leaf_extent(o->va, o->va + o->size);
  if (auto* o = std::get_if<VmallocOp>(&op)) {
    // The area goes at the hint aligned to at most PMD_SIZE, its size
    // rounded up to at most PMD_SIZE, plus the guard page.
    const u64 pmd = engine::geometry_of(ref.geo()).pmd_size();
    return {o->va, o->va + pmd + (o->size + pmd - 1) / pmd * pmd + page};
  }
  if (auto* o = std::get_if<VmapOp>(&op)) return {o->va, o->va + (o->page_count() + 1) * page};
  const u64* va = nullptr;
  if (auto* o = std::get_if<VfreeOp>(&op)) va = &o->va;
  if (auto* o = std::get_if<VunmapOp>(&op)) va = &o->va;
  if (va) {
    const auto [a, b] = ref.area_extent(*va);
    return a == b ? std::pair<u64, u64>{*va, *va + page} : ref.leaf_extent(a, b);
  }
  return {0, 0};
}

namespace {

std::optional<std::string> compare_table_range(const engine::Kernel& a, const engine::Kernel& b,
                                               u64 pa_a, u64 pa_b, unsigned level, u64 base, u64 lo,
                                               u64 hi) {
  const engine::Geometry& g = a.geo();
  const u64* ta = a.pool().table({pa_a});
  const u64* tb = b.pool().table({pa_b});
  if (!ta || !tb) return "table " + hex(pa_a) + "/" + hex(pa_b) + " not live";
  const unsigned shift = g.level_shift(level);
  for (unsigned i = 0; i < g.ptrs_per_table(); ++i) {
    const u64 s = base + (u64{i} << shift), e = s + ((u64{1} << shift) - 1);
    if (e < lo || s >= hi) continue;
    if (ta[i] != tb[i]) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "VA 0x%llx level %u entry %u: 0x%016llx vs 0x%016llx",
                    static_cast<unsigned long long>(s), level, i,
                    static_cast<unsigned long long>(ta[i]), static_cast<unsigned long long>(tb[i]));
      return std::string(buf);
    }
    if (level < engine::kPteLevel && engine::pmd_table(ta[i])) {
      if (auto d = compare_table_range(a, b, engine::desc_table_pa(ta[i]).v,
                                       engine::desc_table_pa(tb[i]).v, level + 1, s, lo, hi))
        return d;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> compare_tables(const engine::Kernel& a, const engine::Kernel& b, u64 lo,
                                          u64 hi) {
  const u64 base = ~((u64{1} << a.geo().va_bits) - 1);
  return compare_table_range(a, b, a.pgd_pa().v, b.pgd_pa().v, engine::kPgdLevel, base, lo, hi);
}

namespace {

// The weaker of two relations.
VariantRelation weaker(VariantRelation a, VariantRelation b) { return std::max(a, b); }

// mainline vs v6.12 (see VariantRelation in oracle.h).
VariantRelation next_relation_6_12(VariantRelation r, const reference::RefKernel& ref,
                                   const Op& op) {
  const engine::Geometry& g = engine::geometry_of(ref.geo());
  if (std::holds_alternative<IoremapOp>(op) || std::holds_alternative<IoremapPageRangeOp>(op) ||
      std::holds_alternative<VmapPageRangeOp>(op))
    return weaker(r, VariantRelation::translation);
  if (auto* o = std::get_if<VmallocOp>(&op)) {
    if (ref.page_alloc_failure_armed()) return VariantRelation::none;
    const u64 page = g.page_size();
    const u64 real_size = (o->size + page - 1) / page * page;
    const bool pmd_shift = g.pmd_block && real_size >= g.pmd_size();
    if (o->huge && !ref.config().nohugevmalloc && !pmd_shift && g.cont_pte_shift &&
        real_size >= g.cont_pte_size() &&
        (o->va % g.cont_pte_size() != 0 || real_size % g.cont_pte_size() != 0))
      return VariantRelation::none;
    return weaker(r, VariantRelation::mapped);
  }
  if (r != VariantRelation::identical && std::holds_alternative<VunmapRangeOp>(op))
    return VariantRelation::none;
  // Freeing an area that covers part of a leaf beyond it (a CONT group that
  // a vmap_page_range over the area's edge wrote in mainline): mainline
  // clears the whole group, 6.12 only the area's single pages.
  const u64* area_va = nullptr;
  if (auto* o = std::get_if<IounmapOp>(&op)) area_va = &o->va;
  if (auto* o = std::get_if<VfreeOp>(&op)) area_va = &o->va;
  if (auto* o = std::get_if<VunmapOp>(&op)) area_va = &o->va;
  if (area_va && r != VariantRelation::identical) {
    const auto [a, b] = ref.area_extent(*area_va);
    if (a != b && ref.leaf_extent(a, b) != std::pair<u64, u64>{a, b}) return VariantRelation::none;
  }
  return r;  // vmap(): plain PTEs in both; frees: the same unmap walk
}

}  // namespace

VariantRelation next_relation(VariantRelation r, const reference::RefKernel& ref, const Op& op,
                              engine::Variant variant) {
  if (r == VariantRelation::none || maps_over_live_mapping(ref, op)) return VariantRelation::none;
  // Once the two may hold different tables (a vmap() mapped with blocks in
  // one of them, and left no PTE table behind after its vunmap()), an
  // injected table allocation failure hits them at different points of the
  // same op: both return -ENOMEM with different parts mapped.
  if (r != VariantRelation::identical && ref.table_alloc_failure_armed())
    return VariantRelation::none;
  if (variant == engine::Variant::v6_12) return next_relation_6_12(r, ref, op);
  if (std::holds_alternative<VmapOp>(op)) return VariantRelation::translation;
  if (r == VariantRelation::translation && std::holds_alternative<VunmapRangeOp>(op))
    return VariantRelation::none;
  return r;
}

namespace {

// Runs with level and CONT use forgotten: the translation alone.
std::vector<LeafRun> translation_only(const std::vector<LeafRun>& runs) {
  std::vector<LeafRun> out;
  for (LeafRun r : runs) {
    r.level = 0;
    r.cont = false;
    reference::append_run(out, r);
  }
  return out;
}

// Runs with CONT use forgotten (levels kept); with `keep_pa` false the
// output address too (every run then maps onto its own VA).
std::vector<LeafRun> without_cont(const std::vector<LeafRun>& runs, bool keep_pa) {
  std::vector<LeafRun> out;
  for (LeafRun r : runs) {
    r.cont = false;
    if (!keep_pa) r.pa = r.va;
    reference::append_run(out, r);
  }
  return out;
}

u64 huge_bytes(const std::vector<LeafRun>& runs) {
  u64 n = 0;
  for (const LeafRun& r : runs)
    if (r.level != engine::kPteLevel || r.cont) n += r.size;
  return n;
}

}  // namespace

std::optional<Mismatch> compare_variants(VariantRelation r, const engine::Kernel& base,
                                         const engine::Kernel& series, u64 lo, u64 hi) {
  if (r == VariantRelation::none) return std::nullopt;
  if (r == VariantRelation::identical) {
    if (auto diff = compare_tables(base, series, lo, hi))
      return Mismatch{"variants", "-", "tables-differ",
                      "mainline and " + std::string(engine::variant_name(series.variant())) +
                          " tables are not bit-identical: " + *diff};
    return std::nullopt;
  }
  const auto& g = base.geo();
  const auto a = reference::scan_range(base.pool(), g, base.pgd_pa().v, lo, hi).runs;
  const auto b = reference::scan_range(series.pool(), g, series.pgd_pa().v, lo, hi).runs;
  if (series.variant() == engine::Variant::v6_12) {
    // The same leaves CONT bits aside (translation), and the output
    // addresses too unless `mapped`.
    const bool keep_pa = r == VariantRelation::translation;
    if (auto m = compare_leaves(without_cont(a, keep_pa), without_cont(b, keep_pa))) {
      m->what = std::string(keep_pa ? "translation-" : "mapped-") + m->check + "-" + m->what;
      m->check = "variants";
      m->level = "-";
      m->detail = "mainline (expected) vs v6.12 (actual), CONT bits aside" +
                  std::string(keep_pa ? "" : " and output addresses") + ": " + m->detail;
      return m;
    }
    return std::nullopt;
  }
  if (auto m = compare_leaves(translation_only(a), translation_only(b))) {
    m->check = "variants";
    m->level = "-";
    m->what = "translation-" + m->what;
    m->detail = "mainline (expected) vs " + std::string(engine::variant_name(series.variant())) +
                " (actual): " + m->detail;
    return m;
  }
  if (huge_bytes(b) < huge_bytes(a))
    return Mismatch{"variants", "-", "fewer-blocks",
                    "the series maps " + std::to_string(huge_bytes(b)) +
                        " bytes with blocks or CONT, mainline " + std::to_string(huge_bytes(a))};
  return std::nullopt;
}

bool maps_over_live_mapping(const reference::RefKernel& ref, const Op& op) {
  auto over = [&](u64 va, u64 size) { return ref.overlaps_mapping(va, va + size); };
  if (auto* o = std::get_if<IoremapOp>(&op)) return over(o->va, o->size);
  if (auto* o = std::get_if<IoremapPageRangeOp>(&op)) return over(o->va, o->size);
  if (auto* o = std::get_if<VmapPageRangeOp>(&op)) return over(o->va, o->size);
  // vmalloc/vmap areas avoid live areas, but not raw vmap_page_range
  // mappings outside any area.
  if (std::holds_alternative<VmallocOp>(op)) {
    const auto [a, b] = touched_range(ref, op);
    return over(a, b - a);
  }
  if (auto* o = std::get_if<VmapOp>(&op))
    return over(o->va, o->page_count() * engine::geometry_of(ref.geo()).page_size());
  return false;
}

}  // namespace vmapfuzz::harness
