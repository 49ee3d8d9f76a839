// SPDX-License-Identifier: GPL-2.0-only
#include "harness/ops.h"

#include <cstdio>

#include "reference/layout.h"

namespace vmapfuzz::harness {
namespace {

std::string hex(u64 v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

template <class R>
std::string show_range(std::string_view name, const R& r) {
  return std::string(name) + " va=" + hex(r.va) + " size=" + hex(r.size) + " pa=" + hex(r.pa) +
         " prot=" + std::string(engine::prot_name(r.prot));
}

struct Namer {
  std::string_view operator()(const IoremapOp&) const { return "ioremap"; }
  std::string_view operator()(const IoremapPageRangeOp&) const { return "ioremap_page_range"; }
  std::string_view operator()(const VmapPageRangeOp&) const { return "vmap_page_range"; }
  std::string_view operator()(const IounmapOp&) const { return "iounmap"; }
  std::string_view operator()(const VunmapRangeOp&) const { return "vunmap_range"; }
  std::string_view operator()(const FailAllocOp&) const { return "fail_alloc"; }
  std::string_view operator()(const VmallocOp&) const { return "vmalloc"; }
  std::string_view operator()(const VmapOp&) const { return "vmap"; }
  std::string_view operator()(const VfreeOp&) const { return "vfree"; }
  std::string_view operator()(const VunmapOp&) const { return "vunmap"; }
  std::string_view operator()(const FailPageAllocOp&) const { return "fail_page_alloc"; }
};

std::string runs_text(const std::vector<PageRun>& runs) {
  std::string s;
  for (const PageRun& r : runs) {
    if (!s.empty()) s += ',';
    s += r.pfn == engine::kNullPage ? "null" : hex(r.pfn);
    if (r.count != 1) s += "+" + std::to_string(r.count);
  }
  return s;
}

}  // namespace

std::string_view op_name(const Op& op) { return std::visit(Namer{}, op); }

std::string show(const Op& op) {
  const std::string_view name = op_name(op);
  if (auto* o = std::get_if<IoremapOp>(&op)) return show_range(name, *o);
  if (auto* o = std::get_if<IoremapPageRangeOp>(&op)) return show_range(name, *o);
  if (auto* o = std::get_if<VmapPageRangeOp>(&op)) return show_range(name, *o);
  if (auto* o = std::get_if<IounmapOp>(&op)) return std::string(name) + " va=" + hex(o->va);
  if (auto* o = std::get_if<VunmapRangeOp>(&op))
    return std::string(name) + " va=" + hex(o->va) + " size=" + hex(o->size);
  if (auto* o = std::get_if<FailAllocOp>(&op))
    return std::string(name) + " nth=" + std::to_string(o->nth);
  if (auto* o = std::get_if<VmallocOp>(&op))
    return std::string(name) + " va=" + hex(o->va) + " size=" + hex(o->size) +
           " huge=" + (o->huge ? "1" : "0") + " prot=" + std::string(engine::prot_name(o->prot));
  if (auto* o = std::get_if<VmapOp>(&op))
    return std::string(name) + " va=" + hex(o->va) +
           " prot=" + std::string(engine::prot_name(o->prot)) + " pages=" + runs_text(o->runs);
  if (auto* o = std::get_if<VfreeOp>(&op)) return std::string(name) + " va=" + hex(o->va);
  if (auto* o = std::get_if<VunmapOp>(&op)) return std::string(name) + " va=" + hex(o->va);
  const auto& f = std::get<FailPageAllocOp>(op);
  return std::string(name) + " nth=" + std::to_string(f.nth) +
         " min_order=" + std::to_string(f.min_order) +
         (f.times != 1 ? " times=" + std::to_string(f.times) : std::string());
}

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

std::optional<std::string> validate(const Trace& t) {
  const engine::Geometry& g = *t.geo;
  if (t.ops.size() > kMaxOps) return "more than " + std::to_string(kMaxOps) + " ops";
  const u64 page = g.page_size();
  const u64 win_lo = g.vmalloc_start, win_hi = g.vmalloc_start + g.vmalloc_size;
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    const std::string at = "op " + std::to_string(i + 1) + " (" + show(op) + "): ";
    auto check_va = [&](u64 va, u64 size) -> std::optional<std::string> {
      if (va % page) return at + "va not page aligned";
      if (size == 0) return at + "size 0 (BUG_ON(addr >= end) is the caller's bug)";
      if (size > kMaxOpSize) return at + "size above the harness limit " + hex(kMaxOpSize);
      if (va < win_lo || va >= win_hi || size > win_hi - va)
        return at + "range leaves the vmalloc window";
      return std::nullopt;
    };
    auto check_pa = [&](u64 pa, u64 size) -> std::optional<std::string> {
      if (pa % page) return at + "pa not page aligned";
      if (pa >= g.phys_limit || size > g.phys_limit - pa)
        return at + "pa range beyond the PA limit";
      return std::nullopt;
    };
    std::optional<std::string> why;
    if (auto* o = std::get_if<IoremapOp>(&op)) {
      why = check_va(o->va, o->size);
      if (!why) why = check_pa(o->pa, o->size);
      if (!why && o->size % page) why = at + "ioremap size not page aligned";
    } else if (auto* o = std::get_if<IoremapPageRangeOp>(&op)) {
      why = check_va(o->va, o->size);
      if (!why) why = check_pa(o->pa, o->size);
    } else if (auto* o = std::get_if<VmapPageRangeOp>(&op)) {
      why = check_va(o->va, o->size);
      if (!why) why = check_pa(o->pa, o->size);
    } else if (auto* o = std::get_if<IounmapOp>(&op)) {
      if (o->va % page || o->va < win_lo || o->va >= win_hi)
        why = at + "va not a page in the window";
    } else if (auto* o = std::get_if<VunmapRangeOp>(&op)) {
      why = check_va(o->va, o->size);
      // An unaligned end makes vunmap_pte_range's `addr != end` loop run away.
      if (!why && o->size % page) why = at + "vunmap_range size not page aligned";
    } else if (auto* o = std::get_if<FailAllocOp>(&op)) {
      if (o->nth > 255) why = at + "nth above 255";
    } else if (auto* o = std::get_if<VmallocOp>(&op)) {
      why = check_va(o->va, o->size);
    } else if (auto* o = std::get_if<VmapOp>(&op)) {
      const u64 n = o->page_count();
      if (n == 0) why = at + "no pages";
      else if (n > kMaxVmapPages)
        why = at + "more than " + std::to_string(kMaxVmapPages) + " pages";
      else why = check_va(o->va, n * page);
      for (const PageRun& r : o->runs)
        if (!why && r.pfn != engine::kNullPage && r.pfn + r.count < r.pfn)
          why = at + "pfn run wraps";
    } else if (auto* o = std::get_if<VfreeOp>(&op)) {
      if (o->va % page || o->va < win_lo || o->va >= win_hi)
        why = at + "va not a page in the window";
    } else if (auto* o = std::get_if<VunmapOp>(&op)) {
      if (o->va % page || o->va < win_lo || o->va >= win_hi)
        why = at + "va not a page in the window";
    } else if (auto* o = std::get_if<FailPageAllocOp>(&op)) {
      if (o->nth > 255 || o->min_order > 10) why = at + "nth above 255 or min_order above 10";
      else if (o->times < 1 || o->times > 4) why = at + "times outside 1..4";
    }
    if (why) return why;
  }
  return std::nullopt;
}

u64 pte_level_pages(const Trace& t) {
  const engine::Geometry& g = *t.geo;
  const unsigned max_shift = t.config.nohugeiomap ? g.page_shift : 63;
  u64 n = 0;
  for (const Op& op : t.ops)
    std::visit(
        [&](const auto& o) {
          if constexpr (requires { o.huge; }) n += o.size / g.page_size();
          if constexpr (requires { o.runs; }) n += o.page_count();
          if constexpr (requires { o.pa; }) {
            for (const auto& s : reference::plan_phys_range(g, engine::Variant::mainline, o.va,
                                                            o.va + o.size, o.pa, max_shift))
              if (s.kind == reference::Step::pte || s.kind == reference::Step::cont_batch)
                n += s.bytes() / g.page_size();
          }
        },
        op);
  return n;
}

}  // namespace vmapfuzz::harness
