// SPDX-License-Identifier: GPL-2.0-only
#include "harness/runner.h"

#include <cstring>

#include "engine/vmalloc.h"
#include "engine/vmap_pages.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::harness {

using engine::Kernel;
using engine::Outcome;
using engine::PhysAddr;
using engine::u64;
using engine::VirtAddr;

Outcome execute(Kernel& k, const Op& op) {
  k.out().clear();
  int ret = 0;
  if (auto* o = std::get_if<IoremapOp>(&op)) {
    engine::VmArea* area = engine::get_vm_area_at(k, {o->va}, o->size, engine::VM_IOREMAP);
    if (!area) {
      ret = -engine::kENOMEM;
    } else {
      ret = engine::ioremap_page_range(k, {o->va}, VirtAddr{o->va} + o->size, {o->pa},
                                       engine::prot_value(o->prot));
      if (ret != 0 && !k.bugged()) engine::free_vm_area(k, k.find_vm_area({o->va}));
    }
  } else if (auto* o = std::get_if<IoremapPageRangeOp>(&op)) {
    ret = engine::ioremap_page_range(k, {o->va}, VirtAddr{o->va} + o->size, {o->pa},
                                     engine::prot_value(o->prot));
  } else if (auto* o = std::get_if<VmapPageRangeOp>(&op)) {
    ret = engine::vmap_page_range(k, {o->va}, VirtAddr{o->va} + o->size, {o->pa},
                                  engine::prot_value(o->prot));
  } else if (auto* o = std::get_if<IounmapOp>(&op)) {
    engine::vunmap(k, {o->va});
  } else if (auto* o = std::get_if<VunmapRangeOp>(&op)) {
    engine::vunmap_range(k, {o->va}, VirtAddr{o->va} + o->size);
  } else if (auto* o = std::get_if<FailAllocOp>(&op)) {
    k.pool().fail_nth(o->nth);
  } else if (auto* o = std::get_if<VmallocOp>(&op)) {
    VirtAddr addr;
    ret = engine::vmalloc(k, o->size, {o->va}, o->huge, engine::prot_value(o->prot), &addr);
  } else if (auto* o = std::get_if<VmapOp>(&op)) {
    VirtAddr addr;
    const std::vector<u64> pages = o->pages();
    ret = engine::vmap(k, pages, {o->va}, engine::prot_value(o->prot), &addr);
  } else if (auto* o = std::get_if<VfreeOp>(&op)) {
    engine::vfree(k, {o->va});
  } else if (auto* o = std::get_if<VunmapOp>(&op)) {
    engine::vunmap(k, {o->va});
  } else {
    const auto& f = std::get<FailPageAllocOp>(op);
    k.page_allocator().fail_nth(f.nth, f.min_order, f.times);
  }
  if (k.bugged()) ret = -engine::kBUGGED;
  k.out().ret = ret;
  return k.out();
}

Outcome predict(reference::RefKernel& r, const Op& op) {
  if (auto* o = std::get_if<IoremapOp>(&op)) return r.ioremap(o->va, o->size, o->pa, o->prot);
  if (auto* o = std::get_if<IoremapPageRangeOp>(&op))
    return r.ioremap_page_range(o->va, o->size, o->pa, o->prot);
  if (auto* o = std::get_if<VmapPageRangeOp>(&op))
    return r.vmap_page_range(o->va, o->size, o->pa, o->prot);
  if (auto* o = std::get_if<IounmapOp>(&op)) return r.iounmap(o->va);
  if (auto* o = std::get_if<VunmapRangeOp>(&op)) return r.vunmap_range(o->va, o->size);
  if (auto* o = std::get_if<VmallocOp>(&op)) return r.vmalloc(o->va, o->size, o->huge, o->prot);
  if (auto* o = std::get_if<VmapOp>(&op)) return r.vmap(o->va, o->pages(), o->prot);
  if (auto* o = std::get_if<VfreeOp>(&op)) return r.vfree(o->va);
  if (auto* o = std::get_if<VunmapOp>(&op)) return r.vunmap(o->va);
  if (auto* o = std::get_if<FailAllocOp>(&op)) r.fail_alloc(o->nth);
  if (auto* o = std::get_if<FailPageAllocOp>(&op))
    r.fail_page_alloc(o->nth, o->min_order, o->times);
  return Outcome{};
}

namespace {

std::string variants_name(engine::Variant v) {
  return "mainline-vs-" + std::string(engine::variant_name(v));
}

Failure make_failure(const Mismatch& m, std::string_view impl, const Op& op, std::size_t i) {
  Failure f;
  f.impl = std::string(impl);
  f.va = m.va;
  f.signature = m.check + ":" + std::string(impl) + ":" + std::string(op_name(op)) + ":" + m.level +
                ":" + m.what;
  f.op_index = i;
  f.detail = "op " + std::to_string(i + 1) + ": " + show(op) + "\n" + m.detail;
  return f;
}

}  // namespace

Runner::Runner() = default;
Runner::~Runner() = default;

std::string Runner::Impl::name() const {
  return backend ? std::string(backend->name()) : std::string(engine::variant_name(variant));
}

RunResult Runner::run(const Trace& t) {
  RunResult res;
  if (auto why = validate(t)) {
    res.rejected = *why;
    return res;
  }
  // mainline always runs: it is the baseline the series claims to match.
  struct Spec {
    engine::Variant variant;
    Backend* backend;
  };
  std::vector<Spec> specs = {{engine::Variant::mainline, nullptr}};
  if (t.variant != engine::Variant::mainline) specs.push_back({t.variant, nullptr});
  // A backend (the kernel implementation) is checked against the reference
  // of its era and, bit for bit, against the engine variant of that era.
  std::size_t era_index = 0, backend_index = 0;
  Backend* const be = backend();
  if (be) {
    era_index = specs.size();
    for (std::size_t i = 0; i < specs.size(); ++i)
      if (specs[i].variant == be->era()) era_index = i;
    if (era_index == specs.size()) specs.push_back({be->era(), nullptr});
    backend_index = specs.size();
    specs.push_back({be->era(), be});
  }
  impls_.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    Impl& im = impls_[i];
    if (!im.kernel || im.variant != specs[i].variant || &im.kernel->geo() != t.geo ||
        !(im.kernel->config() == t.config))
      im.kernel = std::make_unique<Kernel>(*t.geo, specs[i].variant, t.config);
    else im.kernel->reset();
    im.variant = specs[i].variant;
    im.backend = specs[i].backend;
    im.retired = false;
    im.ref = std::make_unique<reference::RefKernel>(*t.geo, specs[i].variant, t.config);
  }
  const bool has_series_impl = t.variant != engine::Variant::mainline;

  if (coverage_) coverage_->add_trace();
  // What mainline and the variant under test must share: bit-identical
  // tables (the series' claim for ioremap and vmalloc), the same
  // translations only (after a vmap(), which the series maps with blocks),
  // or nothing (see VariantRelation).
  VariantRelation relation = VariantRelation::identical;
  auto fail = [&](const Mismatch& m, std::string_view impl, std::size_t i, std::size_t impl_index,
                  std::pair<u64, u64> range, std::size_t base_index = 0) {
    res.failure = make_failure(m, impl, t.ops[i], i);
    res.failure->impl_index = impl_index;
    res.failure->base_index = base_index;
    res.failure->range = range;
    res.ops_run = i + 1;
    return res;
  };
  // The backend and the engine variant of its era: bit-identical tables.
  auto compare_backend = [&](u64 lo, u64 hi) -> std::optional<Mismatch> {
    if (!be || impls_[backend_index].retired) return std::nullopt;
    auto diff = compare_tables(*impls_[era_index].kernel, *impls_[backend_index].kernel, lo, hi);
    if (!diff) return std::nullopt;
    return Mismatch{"variants", "-", "tables",
                    std::string(engine::variant_name(be->era())) + " (engine) and " +
                        std::string(be->name()) + " differ: " + *diff};
  };
  auto backend_pair_name = [&] {
    return std::string(engine::variant_name(be->era())) + "-vs-" + std::string(be->name());
  };
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    relation = next_relation(relation, *impls_[0].ref, op, t.variant);
    const auto [lo, hi] = touched_range(*impls_[0].ref, op);
    bool bugged = false;
    std::vector<int> rets;
    for (std::size_t k = 0; k < impls_.size(); ++k) {
      Impl& im = impls_[k];
      if (im.retired) continue;
      const auto kind = static_cast<OpKind>(op.index());
      if (im.backend && !im.backend->supports(kind)) {
        im.retired = true;
        res.notes.push_back(im.name() + ": op " + std::to_string(i + 1) + " (" +
                            std::string(op_name(op)) +
                            ") is not supported by this implementation; it was compared up to op " +
                            std::to_string(i));
        continue;
      }
      const std::string name = im.name();
      const auto [rlo, rhi] = im.ref.get() == impls_[0].ref.get() ? std::pair<u64, u64>{lo, hi}
                                                                  : touched_range(*im.ref, op);
      const Outcome expected = predict(*im.ref, op);
      const engine::Counters before = im.kernel->counters();
      Outcome actual = im.backend ? im.backend->execute(*im.kernel, op) : execute(*im.kernel, op);
      if (im.backend) {
        // vmap()/vmalloc() return a pointer: NULL stands for any error.
        if (im.backend->ret_is_pointer(kind) && expected.ret < 0 && actual.ret < 0 &&
            actual.bug == engine::BugId::none)
          actual.ret = expected.ret;
        // A BUG unwinds the kernel frames, and with them the walker's local
        // pgtbl_mod_mask: there is nothing to compare.
        if (actual.bug != engine::BugId::none) actual.mod_mask = expected.mod_mask;
      }
      if (coverage_ && !im.backend)
        coverage_->add(*t.geo, im.variant, op, actual, before, im.kernel->counters());
      std::optional<Mismatch> m = compare_outcomes(expected, actual);
      if (!m && rlo < rhi) {
        const auto scan =
            reference::scan_range(im.kernel->pool(), *t.geo, im.kernel->pgd_pa().v, rlo, rhi);
        m = check_structure(scan);
        if (!m) m = compare_leaves(im.ref->expected_runs(rlo, rhi), scan.runs);
      }
      if (!m && im.kernel->pool().live_count() != im.ref->table_count())
        m = Mismatch{"tables", "-", "live-count",
                     "expected " + std::to_string(im.ref->table_count()) + " live tables, found " +
                         std::to_string(im.kernel->pool().live_count())};
      if (m) return fail(*m, name, i, k, {rlo, rhi});
      bugged = bugged || actual.bug != engine::BugId::none;
      if (k < 2) rets.push_back(actual.ret);
    }
    // Injected table allocation failures land on different ops once the
    // series needs fewer tables (vmap with blocks): a different return
    // code is then expected, and the states part ways (likewise for v6.12
    // once the layouts or page frames differ).
    if (relation != VariantRelation::identical && rets.size() > 1 && rets[0] != rets[1])
      relation = VariantRelation::none;
    if (has_series_impl && !bugged && lo < hi) {
      if (auto m = compare_variants(relation, *impls_[0].kernel, *impls_[1].kernel, lo, hi))
        return fail(*m, variants_name(impls_[1].variant), i, 1, {lo, hi});
    }
    if (!bugged && lo < hi) {
      if (auto m = compare_backend(lo, hi))
        return fail(*m, backend_pair_name(), i, backend_index, {lo, hi}, era_index);
    }
    res.ops_run = i + 1;
    if (bugged) {
      res.stopped_by_bug = true;
      break;
    }
  }
  // The whole tree once more: what the op-by-op checks could not see
  // (leaks, changes outside an op's range).
  if (res.ops_run == 0) return res;
  const std::size_t last = res.ops_run - 1;
  for (std::size_t k = 0; k < impls_.size(); ++k) {
    Impl& im = impls_[k];
    if (im.retired) continue;
    const auto scan = reference::scan_tables(im.kernel->pool(), *t.geo, im.kernel->pgd_pa().v);
    std::optional<Mismatch> m = check_structure(scan);
    if (!m) m = compare_leaves(im.ref->expected_runs(), scan.runs);
    if (m) return fail(*m, im.name(), last, k, {0, ~u64{0}});
  }
  if (has_series_impl && !res.stopped_by_bug) {
    if (auto m = compare_variants(relation, *impls_[0].kernel, *impls_[1].kernel, 0, ~u64{0}))
      return fail(*m, variants_name(impls_[1].variant), last, 1, {0, ~u64{0}});
  }
  if (!res.stopped_by_bug) {
    if (auto m = compare_backend(0, ~u64{0}))
      return fail(*m, backend_pair_name(), last, backend_index, {0, ~u64{0}}, era_index);
  }
  return res;
}

}  // namespace vmapfuzz::harness
