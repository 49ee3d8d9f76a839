// SPDX-License-Identifier: GPL-2.0-only
#include "harness/runner.h"

#include <array>
#include <cstdio>
#include <cstring>

#include "engine/arch.h"
#include "engine/pageattr.h"
#include "engine/vmalloc.h"
#include "engine/vmap_pages.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
#include "harness/tlb.h"
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
  if (tlb_model_on()) tlb_of(k);  // watched from its first op on (harness/tlb.h)
  k.out().clear();
  const int ret = std::visit(
      Overloaded{
          [&](const IoremapOp& o) {
            engine::VmArea* area = engine::get_vm_area_at(k, {o.va}, o.size, engine::VM_IOREMAP);
            if (!area) return -engine::kENOMEM;
            const int r = engine::ioremap_page_range(k, {o.va}, VirtAddr{o.va} + o.size, {o.pa},
                                                     engine::prot_value(k.geo(), o.prot));
            if (r != 0 && !k.bugged()) engine::free_vm_area(k, k.find_vm_area({o.va}));
            return r;
          },
          [&](const IoremapPageRangeOp& o) {
            return engine::ioremap_page_range(k, {o.va}, VirtAddr{o.va} + o.size, {o.pa},
                                              engine::prot_value(k.geo(), o.prot));
          },
          [&](const VmapPageRangeOp& o) {
            return engine::vmap_page_range(k, {o.va}, VirtAddr{o.va} + o.size, {o.pa},
                                           engine::prot_value(k.geo(), o.prot));
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
            return engine::vmalloc(k, o.size, {o.va}, o.huge, engine::prot_value(k.geo(), o.prot),
                                   &addr);
          },
          [&](const VmapOp& o) {
            VirtAddr addr;
            const std::vector<u64> pages = o.pages();
            return engine::vmap(k, pages, {o.va}, engine::prot_value(k.geo(), o.prot), &addr);
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
          [&](const SetMemoryOp& o) {
            const VirtAddr addr{o.unaligned ? o.va + kSetMemoryUnalignedOffset : o.va};
            const int n = static_cast<int>(o.numpages);
            switch (o.mode) {
              case SetMemoryMode::ro: return engine::set_memory_ro(k, addr, n);
              case SetMemoryMode::rw: return engine::set_memory_rw(k, addr, n);
              case SetMemoryMode::x: return engine::set_memory_x(k, addr, n);
              case SetMemoryMode::nx: return engine::set_memory_nx(k, addr, n);
              case SetMemoryMode::rox: return engine::set_memory_rox(k, addr, n);
              case SetMemoryMode::valid: return engine::set_memory_valid(k, addr, n, 1);
              case SetMemoryMode::invalid: return engine::set_memory_valid(k, addr, n, 0);
            }
            return -engine::kEINVAL;
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
          [&](const SetMemoryOp& o) { return r.set_memory(o.va, o.numpages, o.mode, o.unaligned); },
      },
      op);
}

namespace {

std::string unreachable_reason(std::size_t i, const Op& op, engine::Variant v, u64 align) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "op %zu (%s) is unreachable: the area allocator of %s asks for 0x%llx "
                "alignment and the trace's VA lacks it",
                i + 1, std::string(op_name(op)).c_str(),
                std::string(engine::variant_name(v)).c_str(),
                static_cast<unsigned long long>(align));
  return buf;
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

// The bit-identical comparison of a backend with the engine variant of its
// era over [lo, hi).
std::optional<Mismatch> compare_backend(const Runner::Impl& era, const Runner::Impl& be, u64 lo,
                                        u64 hi) {
  auto diff = compare_tables(*era.kernel, *be.kernel, lo, hi);
  if (!diff) return std::nullopt;
  return Mismatch{"variants", "-", "tables",
                  era.name() + " (engine) and " + be.name() + " differ: " + *diff};
}

}  // namespace

std::string_view role_name(ImplRole r) {
  switch (r) {
    case ImplRole::variant: return "engine variant";
    case ImplRole::era_engine: return "engine variant of the backend's era";
    case ImplRole::backend: return "backend";
    case ImplRole::comparison: return "comparison";
  }
  return "?";
}

std::string_view status_name(VerdictStatus s) {
  switch (s) {
    case VerdictStatus::pass: return "PASS";
    case VerdictStatus::fail: return "FAIL";
    case VerdictStatus::not_judged: return "NOT-JUDGED";
    case VerdictStatus::not_run: return "NOT-RUN";
  }
  return "?";
}

bool RunResult::failed_with(std::string_view sig) const {
  for (const ImplVerdict& v : verdicts)
    if (v.failure && v.failure->signature == sig) return true;
  return false;
}

const ImplVerdict* RunResult::backend_verdict() const {
  for (const ImplVerdict& v : verdicts)
    if (v.role == ImplRole::backend) return &v;
  return nullptr;
}

Runner::Runner() = default;
Runner::~Runner() = default;

std::string Runner::Impl::name() const {
  return backend ? std::string(backend->name()) : std::string(engine::variant_name(variant));
}

void Runner::prepare(Impl& im, const engine::Geometry& g, engine::Variant v,
                     const engine::KernelConfig& cfg) {
  auto fits = [&](const std::unique_ptr<Kernel>& k) {
    return k && k->variant() == v && &k->geo() == &g && k->config() == cfg;
  };
  if (!fits(im.kernel)) {
    if (im.kernel) spare_.push_back({std::move(im.kernel), std::move(im.ref), std::move(im.runs)});
    const auto it = std::find_if(spare_.begin(), spare_.end(),
                                 [&](const Spare& sp) { return fits(sp.kernel); });
    if (it != spare_.end()) {
      im.kernel = std::move(it->kernel);
      im.ref = std::move(it->ref);
      im.runs = std::move(it->runs);
      spare_.erase(it);
    } else {
      if (spare_.size() > kSpareKernels) spare_.erase(spare_.begin());  // least recently used
      im.kernel = std::make_unique<Kernel>(g, v, cfg);
      im.ref = std::make_unique<reference::RefKernel>(g, v, cfg);
      return;
    }
  }
  im.kernel->reset();
  im.ref->reset();
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
    ImplRole role;
  };
  std::array<Spec, 4> specs{};
  std::size_t nspecs = 0;
  specs[nspecs++] = {engine::Variant::mainline, nullptr, ImplRole::variant};
  if (t.variant != engine::Variant::mainline)
    specs[nspecs++] = {t.variant, nullptr, ImplRole::variant};
  // A backend (the kernel implementation) is checked against the reference
  // of its era and, bit for bit, against the engine variant of that era.
  std::size_t era_index = nspecs, backend_index = 0;
  Backend* const be = backend();
  if (be) {
    for (std::size_t i = 0; i < nspecs; ++i)
      if (specs[i].variant == be->era()) era_index = i;
    if (era_index == nspecs) specs[nspecs++] = {be->era(), nullptr, ImplRole::era_engine};
    backend_index = nspecs;
    specs[nspecs++] = {be->era(), be, ImplRole::backend};
  }
  for (std::size_t i = nspecs; i < impls_.size(); ++i)  // kept for a later input
    if (impls_[i].kernel)
      spare_.push_back(
          {std::move(impls_[i].kernel), std::move(impls_[i].ref), std::move(impls_[i].runs)});
  impls_.resize(nspecs);
  for (std::size_t i = 0; i < nspecs; ++i) {
    Impl& im = impls_[i];
    prepare(im, *t.geo, specs[i].variant, t.config);
    im.variant = specs[i].variant;
    im.backend = specs[i].backend;
    im.role = specs[i].role;
    im.retired = false;
    im.status = VerdictStatus::pass;
    im.ops_judged = 0;
    im.failure.reset();
    im.reason.clear();
    im.beyond_placement = false;
  }
  // The comparisons: mainline with the variant under test as VariantRelation
  // says, and the backend with the engine variant of its era bit for bit.
  pairs_.clear();
  auto add_pair = [&](std::size_t base, std::size_t other, bool bit_identical) {
    Pair& p = pairs_.emplace_back();
    p.base = base;
    p.other = other;
    p.bit_identical = bit_identical;
  };
  if (t.variant != engine::Variant::mainline) add_pair(0, 1, false);
  if (be) add_pair(era_index, backend_index, true);

  if (coverage_) coverage_->add_trace();
  // What mainline and the variant under test must share: bit-identical
  // tables (the series' claim for ioremap and vmalloc), the same
  // translations only (after a vmap(), which the series maps with blocks),
  // or nothing (see VariantRelation).
  VariantRelation relation = VariantRelation::identical;
  const bool has_variants_pair = !pairs_.empty() && !pairs_[0].bit_identical;
  // A failure retires what failed; the first one is also res.failure.
  auto fail = [&](std::optional<Failure>& slot, VerdictStatus& status, const Mismatch& m,
                  std::string_view impl, std::size_t i, std::size_t impl_index,
                  std::pair<u64, u64> range, std::size_t base_index) {
    slot = make_failure(m, impl, t.ops[i], i);
    // Only the walker's contract allows what came before: a distinct bucket.
    // (A comparison's second side has the stricter rule of the two.)
    if (impls_[impl_index].beyond_placement) slot->signature += ":placement-any";
    slot->impl_index = impl_index;
    slot->base_index = base_index;
    slot->range = range;
    status = VerdictStatus::fail;
    if (!res.failure) res.failure = slot;
  };
  auto pair_name = [&](const Pair& p) {
    const Impl& a = impls_[p.base];
    const Impl& b = impls_[p.other];
    const std::string_view an = a.backend ? a.backend->name() : engine::variant_name(a.variant);
    const std::string_view bn = b.backend ? b.backend->name() : engine::variant_name(b.variant);
    std::string n;
    n.reserve(an.size() + 4 + bn.size());
    n.append(an).append("-vs-").append(bn);
    return n;
  };
  // A comparison stops when either side stops.
  auto side_stopped = [&](Pair& p) {
    if (!impls_[p.base].retired && !impls_[p.other].retired) return false;
    const Impl& gone = impls_[p.base].retired ? impls_[p.base] : impls_[p.other];
    p.retired = true;
    p.status = p.ops_judged ? VerdictStatus::not_judged : VerdictStatus::not_run;
    p.reason =
        gone.name() + (gone.failure ? " failed at op " + std::to_string(gone.failure->op_index + 1)
                                    : " stopped: " + gone.reason);
    return true;
  };
  auto compare = [&](const Pair& p, u64 lo, u64 hi) {
    const Impl& a = impls_[p.base];
    const Impl& b = impls_[p.other];
    if (p.bit_identical) return compare_backend(a, b, lo, hi);
    // What the table checks of this op (or audit) scanned, if over [lo, hi).
    const std::pair<u64, u64> range{lo, hi};
    const bool scanned = a.runs_range == range && b.runs_range == range;
    return compare_variants(relation, *a.kernel, *b.kernel, lo, hi, scanned ? &a.runs : nullptr,
                            scanned ? &b.runs : nullptr);
  };
  // The whole tree of every implementation still running, after op `at`:
  // its structure and leak count, its leaves against its reference, and
  // each comparison over every VA. The per-op checks look only at what the
  // op touched; this is what catches a write anywhere else.
  auto audit = [&](std::size_t at) {
    constexpr std::pair<u64, u64> kAll{0, ~u64{0}};
    for (std::size_t k = 0; k < impls_.size(); ++k) {
      Impl& im = impls_[k];
      if (im.retired) continue;
      im.runs_range = {0, 0};
      std::optional<Mismatch> m =
          check_tables(*im.ref, *im.kernel, kAll.first, kAll.second, &im.runs);
      if (!m) m = check_tlb(*im.kernel, kAll.first, kAll.second, &im.runs);
      if (m) {
        fail(im.failure, im.status, *m, im.name(), at, k, kAll, 0);
        im.retired = true;
      } else {
        im.runs_range = kAll;
      }
    }
    for (Pair& p : pairs_) {
      if (p.retired || side_stopped(p) || res.stopped_by_bug) continue;
      if (auto m = compare(p, kAll.first, kAll.second)) {
        fail(p.failure, p.status, *m, pair_name(p), at, p.other, kAll, p.base);
        p.retired = true;
      }
    }
  };
  const std::size_t trace_variant_index = t.variant == engine::Variant::mainline ? 0 : 1;
  std::optional<std::string> trace_unreachable;
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    const OpKind kind = op_kind(op);
    if (has_variants_pair && !pairs_[0].retired)
      relation = next_relation(relation, *impls_[0].ref, op, t.variant);
    bool bugged = false, ran = false;
    for (std::size_t k = 0; k < impls_.size(); ++k) {
      Impl& im = impls_[k];
      if (im.retired) continue;
      if (im.backend && !im.backend->supports_geometry(*t.geo)) {
        im.retired = true;
        im.status = VerdictStatus::not_run;
        im.reason =
            "geometry " + std::string(t.geo->name) + " is not one this implementation is built for";
        res.backend_retired = true;
        res.notes.push_back(im.name() + ": " + im.reason);
        continue;
      }
      if (im.backend && !im.backend->supports(kind, *t.geo)) {
        im.retired = true;
        im.status = im.ops_judged ? VerdictStatus::not_judged : VerdictStatus::not_run;
        im.reason = "op " + std::to_string(i + 1) + " (" + std::string(op_name(op)) +
                    ") is not supported by this implementation";
        res.backend_retired = true;
        res.notes.push_back(im.name() + ": " + im.reason + "; it was compared up to op " +
                            std::to_string(i));
        continue;
      }
      ran = true;
      if (t.config.placement_any && !im.beyond_placement)
        im.beyond_placement = checked_placement(*t.geo, im.variant, t.config, op).beyond_rule();
      im.range = touched_range(*im.ref, op);
      // A caller bug's TLB state is not the code's to answer for.
      if (tlb_model_on()) tlb_of(*im.kernel).begin_op(maps_over_live_mapping(*im.ref, op));
      const auto [lo, hi] = im.range;
      const Outcome expected = predict(*im.ref, op);
      const engine::Counters before = im.kernel->counters();
      Outcome actual = im.backend ? im.backend->execute(*im.kernel, op) : execute(*im.kernel, op);
      if (im.backend)
        actual = backend_comparable(expected, actual, im.backend->ret_is_pointer(kind));
      if (coverage_ && !im.backend)
        coverage_->add(*t.geo, im.variant, op, actual, before, im.kernel->counters());
      im.ret = actual.ret;
      ++im.ops_judged;
      // A BUG the reference predicted ends the trace, as in the kernel.
      if (expected.bug != engine::BugId::none && actual.bug != engine::BugId::none) bugged = true;
      im.runs_range = {0, 0};
      if (const std::optional<Mismatch> m =
              check_op(*im.ref, expected, *im.kernel, actual, lo, hi, &im.runs)) {
        fail(im.failure, im.status, *m, im.name(), i, k, im.range, 0);
        im.retired = true;
      } else if (expected.unreachable_align) {
        // Agreed: the kernel would have placed this area elsewhere. What
        // follows in the trace is not something this implementation does.
        im.retired = true;
        im.status = im.ops_judged > 1 ? VerdictStatus::not_judged : VerdictStatus::not_run;
        im.reason = unreachable_reason(i, op, im.variant, expected.unreachable_align);
        if (im.backend) {
          res.backend_retired = true;
          res.notes.push_back(im.name() + ": " + im.reason);
        }
        if (k == trace_variant_index) trace_unreachable = im.reason;
      }
      // Passed: check_op scanned [lo, hi) and kept the runs.
      if (!im.retired && lo < hi) im.runs_range = im.range;
    }
    if (ran) res.ops_run = i + 1;
    for (Pair& p : pairs_) {
      if (p.retired) continue;
      // A backend and its era engine that fail the same op are still
      // compared there: whether the tree's code did bit for bit what the
      // engine did is what tells a modelling gap from a shared finding.
      const Impl& base = impls_[p.base];
      const Impl& other = impls_[p.other];
      const bool failed_together = p.bit_identical && base.failure && other.failure &&
                                   base.failure->op_index == i && other.failure->op_index == i;
      if (!failed_together && side_stopped(p)) continue;
      if (!p.bit_identical)
        relation = relation_after_returns(relation, base.ret, impls_[p.other].ret);
      ++p.ops_judged;
      const auto [lo, hi] = base.range;
      if (!bugged && lo < hi) {
        if (auto m = compare(p, lo, hi)) {
          fail(p.failure, p.status, *m, pair_name(p), i, p.other, base.range, p.base);
          p.retired = true;
        }
      }
      if (failed_together && !p.retired) {
        p.retired = true;
        p.reason = "both failed at op " + std::to_string(i + 1) + "; bit-identical there";
      }
    }
    if (bugged) {
      res.stopped_by_bug = true;
      break;
    }
    if (trace_unreachable) {
      res.unreachable = std::move(trace_unreachable);
      break;
    }
    if (!ran) break;  // every implementation has stopped
    if ((i + 1) % kAuditEvery == 0 && i + 1 < t.ops.size()) audit(i);
  }
  // The end-of-trace audit: the whole tree once more, for what the op-by-op
  // checks could not see (leaks, changes outside an op's range).
  if (res.ops_run > 0) audit(res.ops_run - 1);
  res.verdicts.reserve(impls_.size() + pairs_.size());
  auto add_verdict = [&](std::string name, ImplRole role, VerdictStatus status,
                         const std::optional<Failure>& failure, std::size_t ops_judged,
                         const std::string& reason) -> ImplVerdict& {
    ImplVerdict& v = res.verdicts.emplace_back();
    v.name = std::move(name);
    v.role = role;
    v.status = status;
    v.failure = failure;
    v.ops_judged = ops_judged;
    v.reason = reason;
    return v;
  };
  for (const Impl& im : impls_) {
    ImplVerdict& v =
        add_verdict(im.name(), im.role, im.status, im.failure, im.ops_judged, im.reason);
    if (im.backend) v.source = im.backend->source();
  }
  for (const Pair& p : pairs_)
    add_verdict(pair_name(p), ImplRole::comparison, p.status, p.failure, p.ops_judged, p.reason);
  return res;
}

}  // namespace vmapfuzz::harness
