// SPDX-License-Identifier: GPL-2.0-only
#include "tools/behaviour.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "engine/kernel.h"
#include "harness/coverage.h"
#include "harness/oracle.h"
#include "harness/runner.h"
#include "harness/trace_io.h"
#include "harness/visit.h"
#include "tools/text.h"

namespace vmapfuzz::tools::behaviour {
namespace {

using engine::Geometry;
using engine::Variant;
using harness::Op;

u64 page(const Geometry& g) { return g.page_size(); }
u64 cont(const Geometry& g) { return g.cont_pte_size(); }
u64 block(const Geometry& g) { return g.pmd_size(); }

// Every area starts two PMD blocks into the window: aligned for every block
// and CONT size a vmap() may use, so that v4's area allocator (patch 6,
// docs/placement.md) could hand it out.
u64 area_va(const Geometry& g) { return g.vmalloc_start + 2 * block(g); }
// The physical run starts at 8 PMD blocks: aligned to a block, so that the
// series batches it as far as its size allows.
u64 base_pfn(const Geometry& g) { return (8 * block(g)) >> g.page_shift; }

// The area at area_va() of `size` bytes that `map` makes and `teardown` frees.
Area area_of(const Geometry& g, u64 size, const Op& map, const Op& teardown) {
  Area a;
  a.va = area_va(g);
  a.size = size;
  a.pages = size / page(g);
  a.map = map;
  a.teardown = teardown;
  return a;
}
Area vmap_area(const Geometry& g, u64 pages, u64 pfn_offset) {
  return area_of(g, pages * page(g),
                 harness::VmapOp{.va = area_va(g),
                                 .prot = engine::ProtName::normal,
                                 .runs = {harness::PageRun{base_pfn(g) + pfn_offset, pages}}},
                 harness::VunmapOp{area_va(g)});
}
Area vmalloc_area(const Geometry& g, u64 size) {
  return area_of(g, size, harness::VmallocOp{.va = area_va(g), .size = size, .huge = true},
                 harness::VfreeOp{area_va(g)});
}
Area ioremap_area(const Geometry& g, u64 size) {
  return area_of(
      g, size,
      harness::IoremapOp{.va = area_va(g), .size = size, .pa = base_pfn(g) << g.page_shift},
      harness::IounmapOp{area_va(g)});
}

u64 cont_pages(const Geometry& g) { return g.cont_ptes(); }
u64 block_pages(const Geometry& g) { return block(g) / page(g); }
// A block, two CONT groups and a page: every leaf size in one area.
u64 block_tail_pages(const Geometry& g) { return block_pages(g) + 2 * cont_pages(g) + 1; }

const SetupKind kSetups[] = {
    {"vmap-sub-cont", "vmap() of half a CONT group of contiguous pages", false,
     [](const Geometry& g) { return vmap_area(g, cont_pages(g) / 2, 0); }},
    {"vmap-one-cont", "vmap() of exactly one CONT group of contiguous pages", false,
     [](const Geometry& g) { return vmap_area(g, cont_pages(g), 0); }},
    {"vmap-4-cont", "vmap() of four CONT groups of contiguous pages", false,
     [](const Geometry& g) { return vmap_area(g, 4 * cont_pages(g), 0); }},
    {"vmap-block", "vmap() of one PMD block of contiguous pages", false,
     [](const Geometry& g) { return vmap_area(g, block_pages(g), 0); }},
    {"vmap-block-tail", "vmap() of a PMD block, two CONT groups and a page, contiguous", false,
     [](const Geometry& g) { return vmap_area(g, block_tail_pages(g), 0); }},
    {"vmap-block-pfn-cont-aligned",
     "vmap() of a PMD block of contiguous pages whose first pfn is aligned to a CONT group only",
     false, [](const Geometry& g) { return vmap_area(g, block_pages(g), cont_pages(g)); }},
    {"vmap-4-cont-pfn-unaligned",
     "vmap() of four CONT groups of contiguous pages from a pfn half a group off", false,
     [](const Geometry& g) { return vmap_area(g, 4 * cont_pages(g), cont_pages(g) / 2); }},
    {"vmalloc-huge-4-cont", "vmalloc_huge() of four CONT groups (control)", true,
     [](const Geometry& g) { return vmalloc_area(g, 4 * cont(g)); }},
    {"vmalloc-huge-block", "vmalloc_huge() of one PMD block (control)", true,
     [](const Geometry& g) { return vmalloc_area(g, block(g)); }},
    {"ioremap-4-cont", "ioremap() of four CONT groups (control)", true,
     [](const Geometry& g) { return ioremap_area(g, 4 * cont(g)); }},
    {"ioremap-block-tail", "ioremap() of a PMD block, two CONT groups and a page (control)", true,
     [](const Geometry& g) { return ioremap_area(g, block_tail_pages(g) * page(g)); }},
};

using Range = std::optional<std::pair<u64, u64>>;

const RangeKind kRanges[] = {
    {"first-page",
     [](const Geometry& g, u64) -> Range {
       return {{0, page(g)}};
     }},
    {"last-page",
     [](const Geometry& g, u64 s) -> Range {
       return {{s - page(g), page(g)}};
     }},
    {"middle-page",
     [](const Geometry& g, u64 s) -> Range {
       return {{(s / page(g) / 2) * page(g), page(g)}};
     }},
    {"first-cont-group",
     [](const Geometry& g, u64 s) -> Range {
       if (s < cont(g)) return std::nullopt;
       return {{0, cont(g)}};
     }},
    {"across-cont-boundary",
     [](const Geometry& g, u64 s) -> Range {
       if (s < cont(g) + page(g)) return std::nullopt;
       return {{cont(g) - page(g), 2 * page(g)}};
     }},
    {"across-block-boundary",
     [](const Geometry& g, u64 s) -> Range {
       if (s < block(g) + page(g)) return std::nullopt;
       return {{block(g) - page(g), 2 * page(g)}};
     }},
    {"half-block",
     [](const Geometry& g, u64 s) -> Range {
       if (s < block(g)) return std::nullopt;
       return {{0, block(g) / 2}};
     }},
};

// The leaves with [lo, hi) cut out: what an exact unmap leaves.
std::vector<LeafRun> cut_out(const std::vector<LeafRun>& before, u64 lo, u64 hi) {
  std::vector<LeafRun> out;
  for (const LeafRun& r : before) {
    const u64 end = r.va + r.size;
    if (end <= lo || r.va >= hi) {
      out.push_back(r);
      continue;
    }
    if (r.va < lo) {
      LeafRun a = r;
      a.size = lo - r.va;
      out.push_back(a);
    }
    if (end > hi) {
      LeafRun b = r;
      b.va = hi;
      b.pa = r.pa + (hi - r.va);
      b.size = end - hi;
      out.push_back(b);
    }
  }
  return out;
}

// The leaves with the pages of [lo, hi) made read-only (arm64: AP[2] set,
// the kernel's PTE_WRITE, DBM, clear; x86-64: R/W and D clear) and all
// else as it was: what an exact set_memory_ro() leaves.
std::vector<LeafRun> read_only(const std::vector<LeafRun>& before, u64 lo, u64 hi) {
  std::vector<LeafRun> out;
  for (const LeafRun& r : before) {
    const u64 end = r.va + r.size;
    const u64 a = std::max(r.va, lo), b = std::min(end, hi);
    if (a >= b) {
      out.push_back(r);
      continue;
    }
    auto piece = [&](u64 from, u64 to, bool ro) {
      if (from >= to) return;
      LeafRun x = r;
      x.va = from;
      x.pa = r.pa + (from - r.va);
      x.size = to - from;
      if (ro && x.attrs.format == reference::DescFormat::x86_64) {
        x.attrs.writable = false;  // set_memory_ro() clears R/W and D
        x.attrs.dirty = false;
      } else if (ro) {
        x.attrs.rdonly = true;
        x.attrs.dbm = false;
      }
      out.push_back(x);
    };
    piece(r.va, a, false);
    piece(a, b, true);
    piece(b, end, false);
  }
  return out;
}

// The kernel functions a vunmap_range result went through, in one line
// (docs/unmap.md).
std::string vunmap_path(const Result& r) {
  auto has = [&](std::string_view w) {
    return std::find(r.warns.begin(), r.warns.end(), w) != r.warns.end();
  };
  const bool pmd = has("vunmap_pmd_range:partial-block");
  const bool misaligned = has("vunmap_pte_range:cont-misaligned");
  const bool partial = has("vunmap_pte_range:cont-partial");
  std::string s =
      "vunmap_range() -> vunmap_range_noflush() -> __vunmap_range_noflush() -> "
      "vunmap_p4d_range() -> vunmap_pud_range() -> vunmap_pmd_range()";
  if (pmd)
    s += ": pmd_clear_huge() clears the whole PMD block the range starts or ends in, then "
         "WARN_ON(next - addr < PMD_SIZE)";
  if (misaligned || partial) {
    s += std::string(pmd ? "; for the rest" : "") +
         " -> vunmap_pte_range(): arch_vmap_pte_range_unmap_size() is CONT_PTE_SIZE for a valid "
         "CONT entry";
    if (misaligned)
      s += "; addr is inside the group: WARN_ON(!IS_ALIGNED(addr, size)), addr steps back to "
           "the group start";
    if (partial)
      s += "; the group reaches past end: WARN_ON(end - addr < size), the step is cut at end";
    s += "; huge_ptep_get_and_clear() clears the whole group";
  }
  if (!pmd && !misaligned && !partial)
    s += " -> vunmap_pte_range(): a plain PTE goes by ptep_get_and_clear(), a CONT group the "
         "range covers whole by one huge_ptep_get_and_clear(); nothing beyond the range";
  return s;
}

bool has_warn(const Result& r, std::string_view w) {
  return std::find(r.warns.begin(), r.warns.end(), w) != r.warns.end();
}

// The 2026 arm64 path of set_memory_valid(addr, n, 0) (docs/pageattr.md),
// with or without BBML2_NOABORT.
std::string invalid_path(const Result& r, bool bbml2) {
  std::string s =
      "set_memory_valid(addr, n, 0) -> __change_memory_common() with no vm area check -> "
      "update_range_prot()";
  s += bbml2 ? " -> split_kernel_leaf_mapping(): the CPUs have BBML2_NOABORT, so a PMD block or "
               "CONT group that an end of the range falls inside is first broken up (a block "
               "into a PTE table of CONT groups, a CONT group into plain PTEs)"
             : " (split_kernel_leaf_mapping() does nothing without BBML2_NOABORT)";
  s += " -> walk_kernel_page_table_range_lockless() -> pageattr_pud_entry()/pageattr_pmd_entry()";
  const bool partial_section = has_warn(r, "pageattr_pmd_entry:partial-block") ||
                               has_warn(r, "pageattr_pud_entry:partial-block");
  s += partial_section
           ? ": a section the range covers only in part is a WARN_ON_ONCE and the walk stops "
             "with -EINVAL; entries before it stay changed, the section itself is untouched"
           : ": a section the range covers whole has its valid bit cleared";
  s += "; pageattr_pte_entry() clears the valid bit of each PTE in range, one entry at a time";
  if (r.malformed)
    s += ", so a CONT group the range covers in part keeps the CONT bit on valid and invalid "
         "entries alike: the group is malformed (the MMU may use any entry's translation for "
         "the whole group)";
  s += " -> flush_tlb_kernel_range()";
  return s;
}

// The 2026 arm64 path of set_memory_ro() (docs/pageattr.md).
std::string ro_path(const Result& r) {
  std::string s =
      "set_memory_ro() -> change_memory_common() -> find_vm_area() on the address: the range "
      "must lie in one area that is VM_ALLOC and, in the 2026 tree, not VM_ALLOW_HUGE_VMAP";
  if (r.ret != 0)
    return s +
           "; a vmap(), ioremap() or vmalloc_huge() area is none of that: -EINVAL before "
           "any entry is touched";
  return s +
         " -> __change_memory_common() -> update_range_prot() -> "
         "walk_kernel_page_table_range_lockless() -> pageattr_pte_entry() sets PTE_RDONLY "
         "and clears PTE_WRITE on each PTE in range -> flush_tlb_kernel_range()";
}

// x86-64's path of set_memory_ro() and set_memory_np() (docs/pageattr.md,
// "x86-64"): no area check; a large page the range cuts is split first.
std::string cpa_path(const Result& r, std::string_view entry, std::string_view what) {
  std::string s = std::string(entry) +
                  "() -> change_page_attr_set_clr() with no vm area check -> "
                  "__change_page_attr_set_clr() -> __change_page_attr() for each page or large "
                  "page -> lookup_address()";
  if (r.tables > 0)
    s += " -> should_split_large_page(): the range covers a large page only in part -> "
         "split_large_page(): a new table of the next size with the page's bits, linked in, "
         "then flush_tlb_all(), and the page is looked up again";
  s += "; each 4K entry in range " + std::string(what) +
       ", a large page the range covers whole "
       "rewritten in place -> cpa_process_alias() for RAM -> cpa_flush(): flush_tlb_all() "
       "(alias, or more than 33 pages) or flush_tlb_one_kernel() per page";
  if (r.ret != 0) s += "; the error path flushes the whole TLB";
  return s;
}

bool on_arm64(const Geometry& g) { return g.arch == engine::Arch::arm64; }
bool on_x86(const Geometry& g) { return g.arch == engine::Arch::x86_64; }

Op set_memory(u64 va, u64 size, common::SetMemoryMode m, u64 page_size) {
  return harness::SetMemoryOp{
      .va = va, .numpages = static_cast<unsigned>(size / page_size), .mode = m};
}

// Every row's size is a whole number of pages: the ranges are.
const PartialKind kPartials[] = {
    {.name = "vunmap_range",
     .over = "over-unmap",
     .verb = "unmapped",
     .make = [](const Geometry&, u64 va, u64 size) -> Op {
       return harness::VunmapRangeOp{va, size};
     },
     .asked = cut_out,
     .kernel_path = vunmap_path},
    {.name = "set_memory_invalid",
     .over = "over-change",
     .verb = "made invalid",
     .make = [](const Geometry& g, u64 va, u64 size) -> Op {
       return set_memory(va, size, common::SetMemoryMode::invalid, page(g));
     },
     .asked = cut_out,
     .kernel_path = [](const Result& r) { return invalid_path(r, false); },
     .applies = on_arm64},
    {.name = "set_memory_invalid-bbml2",
     .over = "over-change",
     .verb = "made invalid",
     .make = [](const Geometry& g, u64 va, u64 size) -> Op {
       return set_memory(va, size, common::SetMemoryMode::invalid, page(g));
     },
     .asked = cut_out,
     .kernel_path = [](const Result& r) { return invalid_path(r, true); },
     .config = engine::KernelConfig{.bbml2_noabort = true},
     .applies = on_arm64},
    {.name = "set_memory_ro",
     .over = "over-change",
     .verb = "made read-only",
     .make = [](const Geometry& g, u64 va, u64 size) -> Op {
       return set_memory(va, size, common::SetMemoryMode::ro, page(g));
     },
     .asked = read_only,
     .kernel_path = ro_path,
     .applies = on_arm64},
    // x86-64's CPA: a row name of its own, so that its buckets stay apart
    // from arm64's pageattr.c.
    {.name = "cpa_set_memory_np",
     .over = "over-change",
     .verb = "made not present",
     .make = [](const Geometry& g, u64 va, u64 size) -> Op {
       return set_memory(va, size, common::SetMemoryMode::invalid, page(g));
     },
     .asked = cut_out,
     .kernel_path = [](const Result& r) { return cpa_path(r, "set_memory_np", "loses P (and G)"); },
     .applies = on_x86},
    {.name = "cpa_set_memory_ro",
     .over = "over-change",
     .verb = "made read-only",
     .make = [](const Geometry& g, u64 va, u64 size) -> Op {
       return set_memory(va, size, common::SetMemoryMode::ro, page(g));
     },
     .asked = read_only,
     .kernel_path = [](const Result& r) { return cpa_path(r, "set_memory_ro", "loses R/W and D"); },
     .applies = on_x86},
};

const Variant kVariants[] = {Variant::mainline, Variant::v4, Variant::v4_fixed};
// The variants a trace is replayed as (mainline runs beside each).
const Variant kTraceVariants[] = {Variant::v4, Variant::v4_fixed};

// Bytes a leaf of hardware level `level` maps (a CONT group for a CONT
// page); arm64 only, where every level resolves page_shift - 3 bits.
u64 leaf_granule(const Geometry& g, const LeafRun& r, unsigned leaf_level) {
  if (r.level == leaf_level) return r.cont ? cont(g) : page(g);
  return page(g) << ((leaf_level - r.level) * (g.page_shift - 3));
}

std::string leaf_kind(const LeafRun& r, unsigned leaf_level) {
  if (r.level == leaf_level) return r.cont ? "cont" : "pte";
  return harness::level_name(r.level, leaf_level);
}

// Whether [lo, hi) starts or ends strictly inside a leaf larger than a page.
bool cuts_a_leaf(const Geometry& g, const std::vector<LeafRun>& runs, u64 lo, u64 hi,
                 unsigned leaf_level) {
  for (const LeafRun& r : runs) {
    const u64 gran = leaf_granule(g, r, leaf_level);
    if (gran <= page(g)) continue;
    for (u64 b : {lo, hi})
      if (b > r.va && b < r.va + r.size && (b - r.va) % gran != 0) return true;
  }
  return false;
}

// The leaf kinds of `runs` over [lo, hi), in VA order, without repeats.
std::string kinds_over(const std::vector<LeafRun>& runs, u64 lo, u64 hi, unsigned leaf_level) {
  std::vector<std::string> kinds;
  for (const LeafRun& r : runs) {
    if (r.va + r.size <= lo || r.va >= hi) continue;
    const std::string k = leaf_kind(r, leaf_level);
    if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
  }
  std::string s;
  for (const std::string& k : kinds) s += (s.empty() ? "" : "+") + k;
  return s.empty() ? "none" : s;
}

struct PageEntry {
  u64 va, pa;
  reference::Attrs attrs;
  friend bool operator==(const PageEntry&, const PageEntry&) = default;
};
std::vector<PageEntry> pages_of(const Geometry& g, const std::vector<LeafRun>& runs) {
  std::vector<PageEntry> out;
  for (const LeafRun& r : runs)
    for (u64 off = 0; off < r.size; off += page(g))
      out.push_back({r.va + off, r.pa + off, r.attrs});
  return out;
}

// Pages whose translation differs between `a` and `b` (mapped in one only,
// or to another PA or with other attributes): {outside [lo, hi), inside}.
std::pair<u64, u64> differing_pages(const Geometry& g, const std::vector<LeafRun>& a,
                                    const std::vector<LeafRun>& b, u64 lo = 0, u64 hi = 0) {
  const auto pa = pages_of(g, a), pb = pages_of(g, b);
  u64 out = 0, in = 0;
  auto count = [&](u64 va) { (va >= lo && va < hi ? in : out) += 1; };
  std::size_t i = 0, j = 0;
  while (i < pa.size() || j < pb.size()) {
    if (j == pb.size() || (i < pa.size() && pa[i].va < pb[j].va)) {
      count(pa[i].va);
      ++i;
    } else if (i == pa.size() || pb[j].va < pa[i].va) {
      count(pb[j].va);
      ++j;
    } else {
      if (!(pa[i] == pb[j])) count(pa[i].va);
      ++i, ++j;
    }
  }
  return {out, in};
}

u64 mapped_pages(const Geometry& g, const std::vector<LeafRun>& runs) {
  u64 n = 0;
  for (const LeafRun& r : runs) n += r.size / page(g);
  return n;
}

std::vector<std::string> warn_names(const engine::Outcome& o) {
  std::vector<std::string> w;
  for (const engine::Warn& x : o.warns) {
    const std::string n(engine::warn_name(x.id));
    if (std::find(w.begin(), w.end(), n) == w.end()) w.push_back(n);
  }
  return w;
}

std::vector<LeafRun> scan(const engine::Kernel& k) {
  return reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v).runs;
}

u64 malformed_groups(const engine::Kernel& k) {
  const auto issues = reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v).issues;
  return static_cast<u64>(std::count_if(issues.begin(), issues.end(), [](const auto& i) {
    return i.kind == reference::Issue::malformed_cont;
  }));
}

Result run_variant(const Case& c, Variant v) {
  Result r;
  engine::Kernel k(*c.geo, v, c.op->config);
  const engine::Outcome setup = harness::execute(k, c.area.map);
  if (setup.bug != engine::BugId::none) r.bug = std::string(engine::bug_name(setup.bug));
  if (setup.unreachable_align || setup.ret != 0) {
    r.bug = setup.unreachable_align ? "setup-unreachable" : fmt("setup-ret-%d", setup.ret);
    return r;
  }
  const auto before = scan(k);
  const engine::Outcome part = harness::execute(k, c.op->make(*c.geo, c.lo, c.hi - c.lo));
  const auto after = scan(k);
  r.ret = part.ret;
  r.warns = warn_names(part);
  if (part.bug != engine::BugId::none) r.bug = std::string(engine::bug_name(part.bug));
  const unsigned leaf = harness::leaf_level_of(*c.geo);
  r.verb = c.op->verb;
  const auto changed = differing_pages(*c.geo, before, after);
  r.pages_changed = changed.first + changed.second;
  std::tie(r.pages_over, r.pages_short) =
      differing_pages(*c.geo, c.op->asked(before, c.lo, c.hi), after, c.lo, c.hi);
  r.tables = part.tables_allocated;
  r.malformed = malformed_groups(k);
  r.split = cuts_a_leaf(*c.geo, before, c.lo, c.hi, leaf);
  r.leaf_before = kinds_over(before, c.lo, c.hi, leaf);
  if (!r.bug.empty()) return r;
  const engine::Outcome down = harness::execute(k, c.area.teardown);
  r.teardown_warns = warn_names(down);
  if (down.bug != engine::BugId::none) r.bug = std::string(engine::bug_name(down.bug));
  r.left_mapped = mapped_pages(*c.geo, scan(k));
  return r;
}

std::string verdict_of(const harness::RunResult& r) {
  if (r.rejected) return "REJECT " + *r.rejected;
  if (r.unreachable) return "UNREACHABLE " + *r.unreachable;
  if (r.failure) return r.failure->signature;
  return "PASS";
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::string slug(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (keep) out += ch;
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

std::span<const SetupKind> setups() { return kSetups; }
std::span<const RangeKind> ranges() { return kRanges; }
std::span<const PartialKind> partial_ops() { return kPartials; }
std::span<const Variant> variants() { return kVariants; }

std::string Result::text() const {
  std::vector<std::string> parts;
  if (!bug.empty()) parts.push_back("BUG " + bug);
  if (ret != 0) parts.push_back(fmt("ret %d", ret));
  if (!warns.empty()) parts.push_back("WARN " + join(warns, ","));
  std::string changed =
      fmt("%llu ", static_cast<unsigned long long>(pages_changed)) + std::string(verb);
  if (pages_over != 0)
    changed += fmt(" (%llu more than asked)", static_cast<unsigned long long>(pages_over));
  parts.push_back(changed);
  if (pages_short != 0)
    parts.push_back(fmt("%llu of the range not ", static_cast<unsigned long long>(pages_short)) +
                    std::string(verb));
  if (malformed != 0)
    parts.push_back(fmt("%llu malformed CONT group%s", static_cast<unsigned long long>(malformed),
                        malformed == 1 ? "" : "s"));
  if (split) parts.push_back("split");
  if (tables != 0)
    parts.push_back(
        fmt("%llu new table%s", static_cast<unsigned long long>(tables), tables == 1 ? "" : "s"));
  if (!teardown_warns.empty()) parts.push_back("teardown WARN " + join(teardown_warns, ","));
  if (left_mapped != 0)
    parts.push_back(fmt("%llu left mapped", static_cast<unsigned long long>(left_mapped)));
  return join(parts, "; ");
}

std::string classify(const PartialKind& op, const Result& base, const Result& r) {
  std::vector<std::string> t;
  if (r.bug != base.bug) t.push_back("bug");
  if (r.ret != base.ret) t.push_back("error");
  if (r.warns != base.warns) t.push_back(r.warns.empty() ? "no-warn" : "warn");
  if (r.pages_over > base.pages_over) t.push_back(std::string(op.over));
  if (r.pages_over < base.pages_over) t.push_back("fewer-pages");
  if (r.pages_short != base.pages_short) t.push_back(r.pages_short ? "short" : "no-short");
  if (r.malformed != base.malformed) t.push_back(r.malformed ? "malformed" : "no-malformed");
  if (r.split != base.split) t.push_back(r.split ? "split" : "no-split");
  if (r.teardown_warns != base.teardown_warns) {
    // "teardown-warn": the variant's teardown WARNs one the baseline's does not.
    const bool more =
        std::any_of(r.teardown_warns.begin(), r.teardown_warns.end(), [&](const std::string& w) {
          return std::find(base.teardown_warns.begin(), base.teardown_warns.end(), w) ==
                 base.teardown_warns.end();
        });
    t.push_back(more ? "teardown-warn" : "no-teardown-warn");
  }
  if (r.left_mapped != base.left_mapped) t.push_back("left-mapped");
  if (t.empty()) return "same";
  std::string s = join(t, "+");
  if (r.warns != base.warns && !r.warns.empty()) s += "[" + join(r.warns, ",") + "]";
  return s;
}

std::string bucket(const PartialKind& op, const std::string& cls) {
  return "behaviour:" + std::string(op.name) + ":" + cls;
}

harness::Trace Case::trace(Variant v) const {
  harness::Trace t;
  t.geo = geo;
  t.variant = v;
  t.config = op->config;
  t.ops = {area.map, op->make(*geo, lo, hi - lo), area.teardown};
  return t;
}

std::string Case::id() const {
  return std::string(geo->name) + "/" + std::string(setup->name) + "/" + std::string(range->name) +
         "/" + std::string(op->name);
}

std::vector<Case> run_cases(const Filter& f) {
  std::vector<const Geometry*> geos = f.geos;
  if (geos.empty())
    for (const Geometry* g : engine::all_geometries())
      if (g->arch == engine::Arch::arm64 || g->name == std::string_view("x86-64-4l"))
        geos.push_back(g);
  // Setups and ranges named after CONT groups mean nothing where there are
  // none (x86-64).
  auto cont_only = [](const Geometry& g, std::string_view name) {
    return g.cont_ptes() <= 1 && name.find("cont") != std::string_view::npos;
  };
  auto wanted = [](const std::vector<std::string>& names, std::string_view n) {
    return names.empty() || std::find(names.begin(), names.end(), n) != names.end();
  };
  std::vector<Case> cases;
  harness::Runner runner;
  for (const Geometry* g : geos)
    for (const SetupKind& s : kSetups) {
      if (!wanted(f.setups, s.name) || cont_only(*g, s.name)) continue;
      const Area area = s.make(*g);
      for (const RangeKind& rk : kRanges) {
        if (!wanted(f.ranges, rk.name) || cont_only(*g, rk.name)) continue;
        const Range range = rk.pick(*g, area.size);
        if (!range) continue;
        for (const PartialKind& op : kPartials) {
          if (!wanted(f.ops, op.name) || (op.applies && !op.applies(*g))) continue;
          Case c;
          c.geo = g;
          c.setup = &s;
          c.range = &rk;
          c.op = &op;
          c.area = area;
          c.lo = area.va + range->first;
          c.hi = c.lo + range->second;
          for (Variant v : kVariants) c.results.push_back(run_variant(c, v));
          for (const Result& r : c.results) c.classes.push_back(classify(op, c.results[0], r));
          for (Variant v : kTraceVariants) c.verdicts.push_back(verdict_of(runner.run(c.trace(v))));
          cases.push_back(std::move(c));
        }
      }
    }
  return cases;
}

std::size_t replay_failures(const std::vector<Case>& cases) {
  std::size_t n = 0;
  for (const Case& c : cases)
    for (const std::string& v : c.verdicts) n += v != "PASS";
  return n;
}

std::vector<Reproducer> reproducers(const std::vector<Case>& cases, std::string_view command) {
  // Per bucket, the case with the fewest pages (then the first), and the
  // first variant (after the baseline) that shows it.
  struct Pick {
    const Case* c;
    std::size_t vi;
  };
  std::map<std::string, Pick> picks;
  std::vector<std::string> order;
  for (const Case& c : cases)
    for (std::size_t vi = 1; vi < c.classes.size(); ++vi) {
      const std::string b = bucket(*c.op, c.classes[vi]);
      auto it = picks.find(b);
      if (it == picks.end()) {
        picks.emplace(b, Pick{&c, vi});
        order.push_back(b);
      } else if (c.area.pages < it->second.c->area.pages) {
        it->second = {&c, vi};
      }
    }
  std::vector<Reproducer> out;
  for (const std::string& b : order) {
    const Pick& p = picks.at(b);
    const Case& c = *p.c;
    const Variant v = kVariants[p.vi];
    harness::Trace t = c.trace(v);
    std::vector<std::string> head = {b};
    if (c.classes[p.vi] == "same")
      head.push_back(
          "No caller-visible change: every variant does what mainline does (measured by "
          "`vmapfuzz behaviour`, docs/behaviour-changes.md).");
    else if (c.classes[p.vi] == "split")
      head.push_back(
          "Only the layout differs (measured by `vmapfuzz behaviour`, docs/behaviour-changes.md): "
          "the range cuts a CONT group or block this variant mapped, so doing exactly what was "
          "asked needs a split, yet the caller sees what it sees on mainline (the op is refused "
          "on every variant, or the kernel splits first). Replay passes.");
    else
      head.push_back(
          "A caller-visible behaviour change measured by `vmapfuzz behaviour`, not a failure: "
          "each variant matches its own reference, so replay passes (after a " +
          std::string(harness::op_name(c.op->make(*c.geo, c.lo, c.hi - c.lo))) +
          " once a vmap() made the layouts differ, mainline and the series are compared with "
          "their references only: harness/variant_relation.cc, docs/behaviour-changes.md).");
    head.push_back("Setup " + std::string(c.setup->name) + " on " + std::string(c.geo->name) +
                   ": " + std::string(c.setup->what) + "; then " + std::string(c.op->name) +
                   " of [" + hex(c.lo - c.area.va) + ", " + hex(c.hi - c.area.va) +
                   ") of the area (" + std::string(c.range->name) + "); then its teardown.");
    for (std::size_t i = 0; i < c.results.size(); ++i)
      head.push_back(std::string(engine::variant_name(kVariants[i])) + ": " + c.results[i].text() +
                     " (leaves over the range before: " + c.results[i].leaf_before + ")" +
                     (i ? "; class " + c.classes[i] : std::string()));
    head.push_back("Kernel path (" + std::string(engine::variant_name(v)) +
                   "): " + c.op->kernel_path(c.results[p.vi]) + ".");
    head.push_back("Written by: " + std::string(command));
    for (const std::string& line : head) {
      // Wrap long comment lines at spaces, near 96 columns.
      std::string rest = line;
      while (rest.size() > 96) {
        std::size_t cut = rest.rfind(' ', 96);
        if (cut == std::string::npos || cut == 0) break;
        t.comments.emplace_back(0, rest.substr(0, cut));
        rest = "  " + rest.substr(cut + 1);
      }
      t.comments.emplace_back(0, rest);
    }
    t.comments.emplace_back(1, "the partial op: " + std::string(c.range->name));
    t.comments.emplace_back(2, "the caller's teardown of the area");
    out.push_back(
        {std::string(c.op->name) + "-" + slug(c.classes[p.vi]) + ".trace", b, harness::to_text(t)});
  }
  return out;
}

std::string markdown(const std::vector<Case>& cases, bool per_case, std::string_view repro_dir) {
  std::string md;
  std::vector<std::string> geos;
  for (const Case& c : cases)
    if (std::find(geos.begin(), geos.end(), c.geo->name) == geos.end())
      geos.emplace_back(c.geo->name);
  md +=
      fmt("%zu cases (setup x partial range x op) on %zu geometries (", cases.size(), geos.size());
  md += join(geos, ", ") + "), each on ";
  std::vector<std::string> vnames;
  for (Variant v : kVariants) vnames.emplace_back(engine::variant_name(v));
  md += join(vnames, ", ") + ".\n\n";

  // Classes relative to mainline, per variant.
  std::map<std::string, std::vector<std::size_t>> counts;
  std::vector<std::string> order;
  for (const Case& c : cases)
    for (std::size_t vi = 1; vi < c.classes.size(); ++vi) {
      const std::string b = bucket(*c.op, c.classes[vi]);
      auto [it, added] = counts.try_emplace(b, std::vector<std::size_t>(std::size(kVariants), 0));
      if (added) order.push_back(b);
      ++it->second[vi];
    }
  std::sort(order.begin(), order.end());
  const auto reps = reproducers(cases, "");
  md += "### Classes relative to mainline\n\n| bucket |";
  for (std::size_t vi = 1; vi < std::size(kVariants); ++vi) md += " " + vnames[vi] + " |";
  md += repro_dir.empty() ? "\n|---|" : " reproducer |\n|---|";
  for (std::size_t vi = 1; vi < std::size(kVariants); ++vi) md += "---:|";
  md += repro_dir.empty() ? "\n" : "---|\n";
  for (const std::string& b : order) {
    md += "| `" + b + "` |";
    for (std::size_t vi = 1; vi < std::size(kVariants); ++vi)
      md += " " + std::to_string(counts[b][vi]) + " |";
    if (!repro_dir.empty()) {
      for (const Reproducer& r : reps)
        if (r.bucket == b) md += " `" + std::string(repro_dir) + "/" + r.file + "` |";
    }
    md += "\n";
  }

  // What each variant does, against "exactly what was asked".
  const Result exact;
  std::map<std::string, std::vector<std::size_t>> abs;
  for (const Case& c : cases)
    for (std::size_t vi = 0; vi < c.results.size(); ++vi) {
      std::string k = classify(*c.op, exact, c.results[vi]);
      if (k == "same") k = "exact";
      k.insert(0, std::string(c.op->name) + ": ");
      auto [it, added] = abs.try_emplace(k, std::vector<std::size_t>(std::size(kVariants), 0));
      ++it->second[vi];
    }
  md += "\n### What each variant does, against exactly the asked range\n\n| result |";
  for (const std::string& n : vnames) md += " " + n + " |";
  md += "\n|---|";
  for (std::size_t vi = 0; vi < std::size(kVariants); ++vi) md += "---:|";
  md += "\n";
  for (const auto& [k, n] : abs) {
    md += "| `" + k + "` |";
    for (std::size_t x : n) md += " " + std::to_string(x) + " |";
    md += "\n";
  }

  // Per setup and op: how many of its cases changed on each variant.
  md += "\n### Cases that change, per setup and op\n\n| setup | op | cases |";
  for (std::size_t vi = 1; vi < std::size(kVariants); ++vi) md += " " + vnames[vi] + " |";
  md += "\n|---|---|---:|";
  for (std::size_t vi = 1; vi < std::size(kVariants); ++vi) md += "---:|";
  md += "\n";
  for (const SetupKind& s : kSetups)
    for (const PartialKind& op : kPartials) {
      std::size_t total = 0;
      std::vector<std::size_t> changed(std::size(kVariants), 0);
      for (const Case& c : cases) {
        if (c.setup != &s || c.op != &op) continue;
        ++total;
        for (std::size_t vi = 1; vi < c.classes.size(); ++vi)
          changed[vi] += c.classes[vi] != "same";
      }
      if (!total) continue;
      md += "| " + std::string(s.name) + (s.control ? " (control)" : "") + " | " +
            std::string(op.name) + " | " + std::to_string(total) + " |";
      for (std::size_t vi = 1; vi < std::size(kVariants); ++vi)
        md += " " + std::to_string(changed[vi]) + " |";
      md += "\n";
    }

  const std::size_t fails = replay_failures(cases);
  md += fmt("\nReplay (harness::Runner, each variant against its reference): %s.\n",
            fails ? fmt("%zu FAILED, see the cases below", fails).c_str()
                  : "every case passes on v4 and v4-fixed");

  if (per_case) {
    md += "\n### Cases\n\n| geometry | setup | range | op |";
    for (const std::string& n : vnames) md += " " + n + " |";
    md += " class v4 | class v4-fixed | replay |\n|---|---|---|---|";
    for (std::size_t vi = 0; vi < std::size(kVariants) + 3; ++vi) md += "---|";
    md += "\n";
    for (const Case& c : cases) {
      md += "| " + std::string(c.geo->name) + " | " + std::string(c.setup->name) + " | " +
            std::string(c.range->name) + " | " + std::string(c.op->name) + " |";
      for (const Result& r : c.results) md += " " + r.leaf_before + ": " + r.text() + " |";
      for (std::size_t vi = 1; vi < c.classes.size(); ++vi) md += " `" + c.classes[vi] + "` |";
      md += " " + join(c.verdicts, ", ") + " |\n";
    }
  }
  return md;
}

std::string tsv(const std::vector<Case>& cases) {
  std::string s = "geometry\tsetup\trange\top\tvariant\tleaves\tresult\tclass\treplay\n";
  for (const Case& c : cases)
    for (std::size_t vi = 0; vi < c.results.size(); ++vi) {
      const std::string replay = vi == 0 ? "-" : c.verdicts[vi - 1];
      s += std::string(c.geo->name) + "\t" + std::string(c.setup->name) + "\t" +
           std::string(c.range->name) + "\t" + std::string(c.op->name) + "\t" +
           std::string(engine::variant_name(kVariants[vi])) + "\t" + c.results[vi].leaf_before +
           "\t" + c.results[vi].text() + "\t" + c.classes[vi] + "\t" + replay + "\n";
    }
  return s;
}

}  // namespace vmapfuzz::tools::behaviour
