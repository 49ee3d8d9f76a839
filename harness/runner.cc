// SPDX-License-Identifier: GPL-2.0-only
#include "harness/runner.h"

#include <cstring>

#include "engine/vmap_range.h"
#include "engine/vunmap.h"
#include "harness/oracle.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::harness {

using engine::Kernel;
using engine::Outcome;
using engine::PhysAddr;
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
  } else {
    k.pool().fail_nth(std::get<FailAllocOp>(op).nth);
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
  r.fail_alloc(std::get<FailAllocOp>(op).nth);
  return Outcome{};
}

namespace {

// Bit-identical tables: the same live tables at the same addresses with
// the same contents. Both kernels allocate in the same order when they do
// the same thing, so table addresses are comparable.
std::optional<std::string> compare_pools(const Kernel& a, const Kernel& b) {
  const auto ta = a.pool().live_tables(), tb = b.pool().live_tables();
  if (ta != tb) return "different sets of live tables";
  for (PhysAddr t : ta) {
    const engine::u64* x = a.pool().table(t);
    const engine::u64* y = b.pool().table(t);
    for (unsigned i = 0; i < engine::TablePool::kEntries; ++i)
      if (x[i] != y[i]) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "table 0x%llx entry %u: 0x%016llx vs 0x%016llx",
                      static_cast<unsigned long long>(t.v), i,
                      static_cast<unsigned long long>(x[i]), static_cast<unsigned long long>(y[i]));
        return std::string(buf);
      }
  }
  return std::nullopt;
}

Failure make_failure(const Mismatch& m, std::string_view impl, const Op& op, std::size_t i) {
  Failure f;
  f.signature = m.check + ":" + std::string(impl) + ":" + std::string(op_name(op)) + ":" + m.level +
                ":" + m.what;
  f.op_index = i;
  f.detail = "op " + std::to_string(i + 1) + ": " + show(op) + "\n" + m.detail;
  return f;
}

}  // namespace

Runner::Runner() = default;
Runner::~Runner() = default;

RunResult Runner::run(const Trace& t) {
  RunResult res;
  if (auto why = validate(t)) {
    res.rejected = *why;
    return res;
  }
  // mainline always runs: it is the baseline the series claims to match.
  std::vector<engine::Variant> variants = {engine::Variant::mainline};
  if (t.variant != engine::Variant::mainline) variants.push_back(t.variant);
  impls_.resize(variants.size());
  for (std::size_t i = 0; i < variants.size(); ++i) {
    Impl& im = impls_[i];
    if (!im.kernel || im.variant != variants[i] || &im.kernel->geo() != t.geo ||
        !(im.kernel->config() == t.config))
      im.kernel = std::make_unique<Kernel>(*t.geo, variants[i], t.config);
    else
      im.kernel->reset();
    im.variant = variants[i];
    im.ref = std::make_unique<reference::RefKernel>(*t.geo, variants[i], t.config);
  }

  bool variants_comparable = true;
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const Op& op = t.ops[i];
    if (maps_over_live_mapping(*impls_[0].ref, op)) variants_comparable = false;
    bool bugged = false;
    for (Impl& im : impls_) {
      const std::string_view name = engine::variant_name(im.variant);
      const Outcome expected = predict(*im.ref, op);
      const Outcome actual = execute(*im.kernel, op);
      std::optional<Mismatch> m = compare_outcomes(expected, actual);
      const auto scan = reference::scan_tables(im.kernel->pool(), *t.geo, im.kernel->pgd_pa().v);
      if (!m) m = check_structure(scan);
      if (!m) m = compare_leaves(im.ref->expected_runs(), scan.runs);
      if (!m && im.kernel->pool().live_count() != im.ref->table_count())
        m = Mismatch{"tables", "-", "live-count",
                     "expected " + std::to_string(im.ref->table_count()) + " live tables, found " +
                         std::to_string(im.kernel->pool().live_count())};
      if (m) {
        res.failure = make_failure(*m, name, op, i);
        res.ops_run = i + 1;
        return res;
      }
      bugged = bugged || actual.bug != engine::BugId::none;
    }
    if (variants_comparable && impls_.size() > 1 && !bugged) {
      if (auto diff = compare_pools(*impls_[0].kernel, *impls_[1].kernel)) {
        Mismatch m{"variants", "-", "tables-differ",
                   "mainline and " + std::string(engine::variant_name(impls_[1].variant)) +
                       " tables are not bit-identical: " + *diff};
        res.failure = make_failure(m, "mainline-vs-" + std::string(engine::variant_name(impls_[1].variant)), op, i);
        res.ops_run = i + 1;
        return res;
      }
    }
    res.ops_run = i + 1;
    if (bugged) {
      res.stopped_by_bug = true;
      break;
    }
  }
  return res;
}

}  // namespace vmapfuzz::harness
