// SPDX-License-Identifier: GPL-2.0-only
#include "harness/runner.h"

#include <cstring>

#include "engine/vmalloc.h"
#include "engine/vmap_pages.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
#include "harness/variant_relation.h"
#include "harness/visit.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::harness {

using engine::Kernel;
using engine::Outcome;
using engine::PhysAddr;
using engine::u64;
using engine::VirtAddr;

Outcome execute(Kernel& k, const Op& op) {
  k.out().clear();
  const int ret = std::visit(
      Overloaded{
          [&](const IoremapOp& o) {
            engine::VmArea* area = engine::get_vm_area_at(k, {o.va}, o.size, engine::VM_IOREMAP);
            if (!area) return -engine::kENOMEM;
            const int r = engine::ioremap_page_range(k, {o.va}, VirtAddr{o.va} + o.size, {o.pa},
                                                     engine::prot_value(o.prot));
            if (r != 0 && !k.bugged()) engine::free_vm_area(k, k.find_vm_area({o.va}));
            return r;
          },
          [&](const IoremapPageRangeOp& o) {
            return engine::ioremap_page_range(k, {o.va}, VirtAddr{o.va} + o.size, {o.pa},
                                              engine::prot_value(o.prot));
          },
          [&](const VmapPageRangeOp& o) {
            return engine::vmap_page_range(k, {o.va}, VirtAddr{o.va} + o.size, {o.pa},
                                           engine::prot_value(o.prot));
          },
          [&](const IounmapOp& o) {
            engine::vunmap(k, {o.va});
            return 0;
          },
          [&](const VunmapRangeOp& o) {
            engine::vunmap_range(k, {o.va}, VirtAddr{o.va} + o.size);
            return 0;
          },
          [&](const FailAllocOp& o) {
            k.pool().fail_nth(o.nth);
            return 0;
          },
          [&](const VmallocOp& o) {
            VirtAddr addr;
            return engine::vmalloc(k, o.size, {o.va}, o.huge, engine::prot_value(o.prot), &addr);
          },
          [&](const VmapOp& o) {
            VirtAddr addr;
            const std::vector<u64> pages = o.pages();
            return engine::vmap(k, pages, {o.va}, engine::prot_value(o.prot), &addr);
          },
          [&](const VfreeOp& o) {
            engine::vfree(k, {o.va});
            return 0;
          },
          [&](const VunmapOp& o) {
            engine::vunmap(k, {o.va});
            return 0;
          },
          [&](const FailPageAllocOp& o) {
            k.page_allocator().fail_nth(o.nth, o.min_order, o.times);
            return 0;
          },
      },
      op);
  k.out().ret = k.bugged() ? -engine::kBUGGED : ret;
  return k.out();
}

Outcome predict(reference::RefKernel& r, const Op& op) {
  return std::visit(
      Overloaded{
          [&](const IoremapOp& o) { return r.ioremap(o.va, o.size, o.pa, o.prot); },
          [&](const IoremapPageRangeOp& o) {
            return r.ioremap_page_range(o.va, o.size, o.pa, o.prot);
          },
          [&](const VmapPageRangeOp& o) { return r.vmap_page_range(o.va, o.size, o.pa, o.prot); },
          [&](const IounmapOp& o) { return r.iounmap(o.va); },
          [&](const VunmapRangeOp& o) { return r.vunmap_range(o.va, o.size); },
          [&](const VmallocOp& o) { return r.vmalloc(o.va, o.size, o.huge, o.prot); },
          [&](const VmapOp& o) { return r.vmap(o.va, o.pages(), o.prot); },
          [&](const VfreeOp& o) { return r.vfree(o.va); },
          [&](const VunmapOp& o) { return r.vunmap(o.va); },
          [&](const FailAllocOp& o) {
            r.fail_alloc(o.nth);
            return Outcome{};
          },
          [&](const FailPageAllocOp& o) {
            r.fail_page_alloc(o.nth, o.min_order, o.times);
            return Outcome{};
          },
      },
      op);
}

namespace {

std::string variants_name(engine::Variant v) {
  return "mainline-vs-" + std::string(engine::variant_name(v));
}

Failure make_failure(const Mismatch& m, std::string_view impl, const Op& op, std::size_t i) {
  Failure f;
  f.impl = std::string(impl);
  f.va = m.va;
  f.signature = signature(m, impl, op);
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
      const OpKind kind = op_kind(op);
      if (im.backend && !im.backend->supports(kind)) {
        im.retired = true;
        res.backend_retired = true;
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
      if (im.backend)
        actual = backend_comparable(expected, actual, im.backend->ret_is_pointer(kind));
      if (coverage_ && !im.backend)
        coverage_->add(*t.geo, im.variant, op, actual, before, im.kernel->counters());
      const std::optional<Mismatch> m = check_op(*im.ref, expected, *im.kernel, actual, rlo, rhi);
      if (m) return fail(*m, name, i, k, {rlo, rhi});
      bugged = bugged || actual.bug != engine::BugId::none;
      if (k < 2) rets.push_back(actual.ret);
    }
    if (rets.size() > 1) relation = relation_after_returns(relation, rets[0], rets[1]);
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
    if (auto m = check_tables(*im.ref, *im.kernel, 0, ~u64{0}))
      return fail(*m, im.name(), last, k, {0, ~u64{0}});
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
