// SPDX-License-Identifier: GPL-2.0-only
#include "harness/ops.h"

#include <cstdio>

#include "harness/op_desc.h"
#include "harness/visit.h"
#include "reference/geometry_facts.h"
#include "reference/layout.h"
#include "reference/model.h"

namespace vmapfuzz::harness {

bool set_memory_modelled(const engine::Geometry& g) {
  return g.arch == engine::Arch::arm64 || g.arch == engine::Arch::x86_64;
}

namespace {

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// What validate() learns from an op's fields, in field order.
struct Checked {
  std::string_view op;
  const engine::Geometry* g;
  std::optional<std::string> why;
  std::optional<u64> va;
  std::optional<u64> extent;  // bytes from va the op covers (a size, or its pages)
};

void check_field(Checked& c, FieldKind k, u64 v) {
  const u64 page = c.g->page_size();
  switch (k) {
    case FieldKind::va: c.va = v; return;
    case FieldKind::size:
    case FieldKind::size_any:
      if (v == 0) c.why = "size 0 (BUG_ON(addr >= end) is the caller's bug)";
      else if (v > kMaxOpSize) c.why = "size above the harness limit " + hex(kMaxOpSize);
      else if (k == FieldKind::size && v % page)
        c.why = std::string(c.op) + " size not page aligned";
      c.extent = v;
      return;
    case FieldKind::pa:
      if (v % page) c.why = "pa not page aligned";
      else if (v >= c.g->phys_limit || c.extent.value_or(page) > c.g->phys_limit - v)
        c.why = "pa range beyond the PA limit";
      return;
    default: return;
  }
}

void check_field(Checked& c, FieldKind k, unsigned v) {
  if (k == FieldKind::nth && v > 255) c.why = "nth above 255";
  if (k == FieldKind::min_order && v > 10) c.why = "min_order above 10";
  if (k == FieldKind::times && (v < 1 || v > 4)) c.why = "times outside 1..4";
  if (k == FieldKind::numpages) {
    if (v > kMaxSetMemoryPages)
      c.why = "numpages above the harness limit " + std::to_string(kMaxSetMemoryPages);
    c.extent = u64{v} * c.g->page_size();
  }
}

void check_field(Checked&, FieldKind, SetMemoryMode) {}

void check_field(Checked&, FieldKind, bool) {}
void check_field(Checked&, FieldKind, engine::ProtName) {}

void check_field(Checked& c, FieldKind, const std::vector<PageRun>& runs) {
  u64 n = 0;
  for (const PageRun& r : runs) {
    n += r.count;
    if (r.pfn != engine::kNullPage && r.pfn + r.count < r.pfn) c.why = "pfn run wraps";
  }
  if (n == 0) c.why = "no pages";
  else if (n > kMaxVmapPages) c.why = "more than " + std::to_string(kMaxVmapPages) + " pages";
  c.extent = n * c.g->page_size();
}

// Why op `o` is outside the contract, by its fields (OpDesc<O>), or nullopt.
template <class O>
std::optional<std::string> validate_op(const O& o, const engine::Geometry& g) {
  Checked c{OpDesc<O>::name, &g, std::nullopt, std::nullopt, std::nullopt};
  for_each_field<O>([&](const auto& fd) {
    if (!c.why) check_field(c, fd.kind, o.*fd.member);
  });
  if (c.why || !c.va) return c.why;
  const u64 va = *c.va, page = g.page_size();
  const u64 win_lo = g.vmalloc_start, win_hi = g.vmalloc_start + g.vmalloc_size;
  if (!c.extent) {  // the area containing va
    if (va % page || va < win_lo || va >= win_hi) return "va not a page in the window";
    return std::nullopt;
  }
  if (va % page) return "va not page aligned";
  if (va < win_lo || va >= win_hi || *c.extent > win_hi - va)
    return "range leaves the vmalloc window";
  return std::nullopt;
}

// What the trace as a whole rules out for a set_memory op: riscv64 (its
// pageattr.c is not modelled), an era without the function, an unaligned
// address where no caller passes one.
std::optional<std::string> set_memory_problem(const Trace& t, const Op& op) {
  return std::visit(
      [&]<class O>(const O& o) -> std::optional<std::string> {
        if constexpr (std::is_same_v<O, SetMemoryOp>) {
          const bool x86 = t.geo->arch == engine::Arch::x86_64;
          if (!set_memory_modelled(*t.geo))
            return "set_memory is modelled on arm64 and x86-64 only, not on " +
                   std::string(engine::arch_name(t.geo->arch)) +
                   " (docs/pageattr.md: riscv's pageattr.c is not modelled)";
          if (o.mode == SetMemoryMode::rox && t.variant == engine::Variant::v6_1)
            return "set_memory_rox does not exist in Linux 6.1 (added in 6.2)";
          if (x86 && o.mode == SetMemoryMode::valid && t.variant == engine::Variant::v6_1)
            return "x86-64's Linux 6.1 has no set_memory_p (mode=valid on x86-64)";
          if (o.unaligned && common::is_set_memory_valid(o.mode))
            return x86 ? "set_memory_p/np are given page addresses only here (unaligned=1 is "
                         "for ro, rw, x, nx and rox)"
                       : "set_memory_valid takes page addresses only (unaligned=1 is for the "
                         "change_memory_common modes)";
        }
        return std::nullopt;
      },
      op);
}

}  // namespace

std::vector<u64> VmapOp::pages() const {
  std::vector<u64> p;
  p.reserve(page_count());
  for (const PageRun& r : runs)
    for (u64 i = 0; i < r.count; ++i) p.push_back(r.pfn == engine::kNullPage ? r.pfn : r.pfn + i);
  return p;
}

u64 VmapOp::page_count() const {
  u64 n = 0;
  for (const PageRun& r : runs) n += r.count;
  return n;
}

std::optional<std::string> config_problem(const engine::Geometry& g,
                                          const engine::KernelConfig& cfg) {
  if (cfg.bbml2_noabort && g.arch != engine::Arch::arm64)
    return "config bbml2_noabort is an arm64 CPU feature, but geometry " + std::string(g.name) +
           " is " + engine::arch_name(g.arch);
  if (g.arch != engine::Arch::x86_64) {
    const char* key = cfg.nogbpages    ? "nogbpages"
                      : cfg.nopse      ? "nopse"
                      : cfg.mtrr_split ? "mtrr_split"
                                       : nullptr;
    if (key)
      return "config " + std::string(key) + " is an x86-64 boot option, but geometry " +
             std::string(g.name) + " is " + engine::arch_name(g.arch);
  }
  if (cfg.mtrr_split % g.page_size() || cfg.mtrr_split >= g.phys_limit)
    return "config mtrr_split=" + hex(cfg.mtrr_split) + " is not a page-aligned PA below " +
           hex(g.phys_limit) + " (geometry " + std::string(g.name) + ")";
  return std::nullopt;
}

void fit_set_memory_to_era(Op& op, const engine::Geometry& g, engine::Variant v) {
  std::visit(
      [&]<class O>(O& o) {
        if constexpr (std::is_same_v<O, SetMemoryOp>) {
          if (v != engine::Variant::v6_1) return;
          if (o.mode == common::SetMemoryMode::rox) o.mode = common::SetMemoryMode::ro;
          if (o.mode == common::SetMemoryMode::valid && g.arch == engine::Arch::x86_64)
            o.mode = common::SetMemoryMode::rw;
        }
      },
      op);
}

std::optional<std::string> validate(const Trace& t) {
  if (auto why = config_problem(*t.geo, t.config)) return why;
  // A geometry the engine has but the reference does not (yet) cannot be
  // judged: refuse it here rather than let the reference abort.
  if (!reference::find_geometry_facts(t.geo->name))
    return "the reference has no facts for geometry " + std::string(t.geo->name);
  if (t.ops.size() > kMaxOps) return "more than " + std::to_string(kMaxOps) + " ops";
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    if (auto why = std::visit([&](const auto& o) { return validate_op(o, *t.geo); }, op))
      return "op " + std::to_string(i + 1) + " (" + show(op) + "): " + *why;
    if (auto why = set_memory_problem(t, op))
      return "op " + std::to_string(i + 1) + " (" + show(op) + "): " + *why;
  }
  return std::nullopt;
}

u64 pte_level_pages(const Trace& t) {
  const engine::Geometry& g = *t.geo;
  const unsigned max_shift = t.config.nohugeiomap ? g.page_shift : 63;
  auto planned = [&](u64 va, u64 size, u64 pa) {
    u64 n = 0;
    for (const auto& s :
         reference::plan_phys_range(g, engine::Variant::mainline, va, va + size, pa, max_shift))
      if (s.kind == reference::Step::pte || s.kind == reference::Step::cont_batch)
        n += s.bytes() / g.page_size();
    return n;
  };
  u64 n = 0;
  for (const Op& op : t.ops)
    n += std::visit(Overloaded{
                        [&](const IoremapOp& o) { return planned(o.va, o.size, o.pa); },
                        [&](const IoremapPageRangeOp& o) { return planned(o.va, o.size, o.pa); },
                        [&](const VmapPageRangeOp& o) { return planned(o.va, o.size, o.pa); },
                        [&](const VmallocOp& o) { return o.size / g.page_size(); },
                        [&](const VmapOp& o) { return o.page_count(); },
                        [](const IounmapOp&) { return u64{0}; },
                        [](const VunmapRangeOp&) { return u64{0}; },
                        [](const FailAllocOp&) { return u64{0}; },
                        [](const VfreeOp&) { return u64{0}; },
                        [](const VunmapOp&) { return u64{0}; },
                        [](const FailPageAllocOp&) { return u64{0}; },
                        // 6.12's and 6.1's walk writes every PTE of the range.
                        [](const SetMemoryOp& o) { return u64{o.numpages}; },
                    },
                    op);
  return n;
}

Placement checked_placement(const engine::Geometry& g, engine::Variant v,
                            const engine::KernelConfig& cfg, const Op& op) {
  return std::visit(
      [&]<class O>(const O& o) {
        if constexpr (std::is_same_v<O, VmapOp>)
          return Placement{o.va,
                           reference::vmap_area_align(g, v, o.page_count() << g.page_shift, cfg)};
        else return Placement{};
      },
      op);
}

}  // namespace vmapfuzz::harness
