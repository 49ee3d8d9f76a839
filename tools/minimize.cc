// SPDX-License-Identifier: GPL-2.0-only
#include "tools/minimize.h"

#include <chrono>

#include "harness/runner.h"
#include "harness/trace_io.h"

namespace vmapfuzz::tools {
namespace {

using engine::u64;
using harness::Op;
using harness::Trace;

class Minimizer {
 public:
  Minimizer(std::string signature, double seconds,
            const std::function<void(const std::string&)>& progress)
      : sig_(std::move(signature)),
        deadline_(std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<long long>(seconds * 1000))),
        progress_(progress) {}

  // Keeps `c` if it still fails the same way; true if kept.
  bool try_keep(Trace& best, const Trace& c) {
    if (out_of_time()) return false;
    ++runs_;
    if (harness::validate(c)) return false;
    const auto r = runner_.run(c);
    if (!r.failure || r.failure->signature != sig_) return false;
    best = c;
    // Ops after the failing one never matter.
    best.ops.resize(std::min(best.ops.size(), r.failure->op_index + 1));
    if (progress_)
      progress_(std::to_string(best.ops.size()) + " ops, " +
                std::to_string(harness::to_text(best).size()) + " bytes");
    return true;
  }
  bool out_of_time() const { return std::chrono::steady_clock::now() > deadline_; }
  std::size_t runs() const { return runs_; }

 private:
  std::string sig_;
  std::chrono::steady_clock::time_point deadline_;
  const std::function<void(const std::string&)>& progress_;
  harness::Runner runner_;
  std::size_t runs_ = 0;
};

// Delta debugging over the op list: remove chunks of halving size.
bool drop_ops(Minimizer& m, Trace& best) {
  bool changed = false;
  for (std::size_t chunk = std::max<std::size_t>(1, best.ops.size() / 2); chunk >= 1; chunk /= 2) {
    for (std::size_t start = 0; start < best.ops.size() && !m.out_of_time();) {
      Trace c = best;
      const std::size_t n = std::min(chunk, c.ops.size() - start);
      c.ops.erase(c.ops.begin() + static_cast<std::ptrdiff_t>(start),
                  c.ops.begin() + static_cast<std::ptrdiff_t>(start + n));
      if (!c.ops.empty() && m.try_keep(best, c)) changed = true;
      else start += n;
    }
    if (chunk == 1) break;
  }
  return changed;
}

// Simpler values for a number: fewer set bits and more alignment first.
std::vector<u64> simpler_sizes(u64 v, u64 page) {
  std::vector<u64> out;
  for (const u64 unit : {u64{1} << 30, u64{2} << 20, u64{1} << 20, u64{64} << 10, page}) {
    if (unit < v) out.push_back(unit);
    const u64 down = v / unit * unit;
    if (down != 0 && down != v) out.push_back(down);
  }
  return out;
}

std::vector<u64> simpler_addresses(u64 v, u64 floor) {
  std::vector<u64> out;
  for (const u64 unit : {u64{1} << 30, u64{2} << 20, u64{64} << 10}) {
    const u64 down = v / unit * unit;
    if (down != v && down >= floor) out.push_back(down);
  }
  return out;
}

// Field-by-field simplifications of op i, tried one at a time.
std::vector<Op> simpler_ops(const Trace& t, std::size_t i) {
  const u64 page = t.geo->page_size();
  std::vector<Op> out;
  const Op& op = t.ops[i];
  auto range_variants = [&](auto o) {
    for (u64 s : simpler_sizes(o.size, page)) {
      auto c = o;
      c.size = s;
      out.push_back(c);
    }
    for (u64 a : simpler_addresses(o.va, t.geo->vmalloc_start)) {
      auto c = o;
      c.va = a;
      out.push_back(c);
    }
    for (u64 a : simpler_addresses(o.pa, 0)) {
      auto c = o;
      c.pa = a;
      out.push_back(c);
    }
    if (o.prot != engine::ProtName::device) {
      auto c = o;
      c.prot = engine::ProtName::device;
      out.push_back(c);
    }
  };
  if (auto* o = std::get_if<harness::IoremapOp>(&op)) range_variants(*o);
  else if (auto* o = std::get_if<harness::IoremapPageRangeOp>(&op)) range_variants(*o);
  else if (auto* o = std::get_if<harness::VmapPageRangeOp>(&op)) range_variants(*o);
  else if (auto* o = std::get_if<harness::VunmapRangeOp>(&op)) {
    for (u64 s : simpler_sizes(o->size, page)) {
      auto c = *o;
      c.size = s;
      out.push_back(c);
    }
    for (u64 a : simpler_addresses(o->va, t.geo->vmalloc_start)) {
      auto c = *o;
      c.va = a;
      out.push_back(c);
    }
  } else if (auto* o = std::get_if<harness::VmallocOp>(&op)) {
    for (u64 s : simpler_sizes(o->size, page)) {
      auto c = *o;
      c.size = s;
      out.push_back(c);
    }
    for (u64 a : simpler_addresses(o->va, t.geo->vmalloc_start)) {
      auto c = *o;
      c.va = a;
      out.push_back(c);
    }
    if (o->prot != engine::ProtName::normal) {
      auto c = *o;
      c.prot = engine::ProtName::normal;
      out.push_back(c);
    }
  } else if (auto* o = std::get_if<harness::VmapOp>(&op)) {
    for (std::size_t r = 0; r < o->runs.size() && o->runs.size() > 1; ++r) {
      auto c = *o;
      c.runs.erase(c.runs.begin() + static_cast<std::ptrdiff_t>(r));
      out.push_back(c);
    }
    for (std::size_t r = 0; r < o->runs.size(); ++r) {
      const harness::PageRun run = o->runs[r];
      if (run.count > 1) {
        auto c = *o;
        c.runs[r].count = run.count / 2;
        out.push_back(c);
      }
      if (run.pfn != engine::kNullPage)
        for (u64 a : simpler_addresses(run.pfn << 12, 0)) {
          auto c = *o;
          c.runs[r].pfn = a >> 12;
          out.push_back(c);
        }
    }
    for (u64 a : simpler_addresses(o->va, t.geo->vmalloc_start)) {
      auto c = *o;
      c.va = a;
      out.push_back(c);
    }
    if (o->prot != engine::ProtName::normal) {
      auto c = *o;
      c.prot = engine::ProtName::normal;
      out.push_back(c);
    }
  } else if (auto* o = std::get_if<harness::FailAllocOp>(&op)) {
    for (unsigned n = 1; n < o->nth; ++n) out.push_back(harness::FailAllocOp{n});
  } else if (auto* o = std::get_if<harness::FailPageAllocOp>(&op)) {
    for (unsigned n = 1; n < o->nth; ++n)
      out.push_back(harness::FailPageAllocOp{n, o->min_order, o->times});
    if (o->min_order) out.push_back(harness::FailPageAllocOp{o->nth, 0, o->times});
    if (o->times > 1) out.push_back(harness::FailPageAllocOp{o->nth, o->min_order, 1});
  }
  return out;
}

bool simplify_fields(Minimizer& m, Trace& best) {
  bool changed = false;
  for (std::size_t i = 0; i < best.ops.size() && !m.out_of_time(); ++i) {
    for (bool again = true; again && !m.out_of_time();) {
      again = false;
      for (const Op& op : simpler_ops(best, i)) {
        Trace c = best;
        c.ops[i] = op;
        if (m.try_keep(best, c)) {
          changed = again = true;
          break;
        }
      }
      if (i >= best.ops.size()) break;
    }
  }
  return changed;
}

bool simplify_config(Minimizer& m, Trace& best) {
  bool changed = false;
  if (best.config.nohugeiomap) {
    Trace c = best;
    c.config.nohugeiomap = false;
    changed |= m.try_keep(best, c);
  }
  if (best.config.nohugevmalloc) {
    Trace c = best;
    c.config.nohugevmalloc = false;
    changed |= m.try_keep(best, c);
  }
  return changed;
}

}  // namespace

std::optional<MinimizeResult> minimize(const Trace& t, double seconds,
                                       const std::function<void(const std::string&)>& progress,
                                       std::string* err) {
  harness::Runner runner;
  const auto first = runner.run(t);
  if (first.rejected) {
    *err = "the trace is outside the contract: " + *first.rejected;
    return std::nullopt;
  }
  if (!first.failure) {
    *err = "the trace passes: nothing to minimize";
    return std::nullopt;
  }
  MinimizeResult res;
  res.signature = first.failure->signature;
  res.ops_before = t.ops.size();
  res.text_before = harness::to_text(t).size();
  Trace best = t;
  best.comments.clear();
  best.ops.resize(first.failure->op_index + 1);
  Minimizer m(res.signature, seconds, progress);
  for (bool changed = true; changed && !m.out_of_time();) {
    changed = drop_ops(m, best);
    changed |= simplify_fields(m, best);
    changed |= simplify_config(m, best);
  }
  res.trace = best;
  res.ops_after = best.ops.size();
  res.text_after = harness::to_text(best).size();
  res.runs = m.runs();
  res.timed_out = m.out_of_time();
  return res;
}

}  // namespace vmapfuzz::tools
