// SPDX-License-Identifier: GPL-2.0-only
#include "tools/minimize.h"

#include <chrono>
#include <type_traits>

#include "harness/op_desc.h"
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

// Simpler values for one field, by its kind (harness/op_desc.h); `dflt`
// is the field's value in a default-constructed op.
std::vector<u64> simpler_values(harness::FieldKind k, u64 v, u64, const engine::Geometry& g) {
  switch (k) {
    case harness::FieldKind::size:
    case harness::FieldKind::size_any: return simpler_sizes(v, g.page_size());
    case harness::FieldKind::va: return simpler_addresses(v, g.vmalloc_start);
    case harness::FieldKind::pa: return simpler_addresses(v, 0);
    default: return {};
  }
}

std::vector<unsigned> simpler_values(harness::FieldKind k, unsigned v, unsigned dflt,
                                     const engine::Geometry&) {
  std::vector<unsigned> out;
  if (k == harness::FieldKind::nth)
    for (unsigned n = 1; n < v; ++n) out.push_back(n);
  else if (k == harness::FieldKind::numpages) {
    if (v > 1) out.push_back(v / 2);
    if (v > 1) out.push_back(1);
  } else if (v != dflt) out.push_back(dflt);
  return out;
}

template <class T>
requires std::is_same_v<T, bool> || std::is_same_v<T, engine::ProtName> ||
    std::is_same_v<T, harness::SetMemoryMode>
        std::vector<T> simpler_values(harness::FieldKind, T v, T dflt, const engine::Geometry&) {
  // Two plain returns, not `v == dflt ? std::vector<T>{} : std::vector<T>{dflt}`: clang-14's
  // coverage mapping crashes ("File exit not handled before popRegions") on a braced
  // std::vector<T>{x} after a branch in a function template, and the coverage preset
  // (cmake/VmapfuzzFlags.cmake, VMAPFUZZ_COVERAGE) compiles this file.
  if (v == dflt) return {};
  return {dflt};
}

// Fewer runs, shorter runs, more aligned pfns.
std::vector<std::vector<harness::PageRun>> simpler_values(harness::FieldKind,
                                                          const std::vector<harness::PageRun>& runs,
                                                          const std::vector<harness::PageRun>&,
                                                          const engine::Geometry& g) {
  std::vector<std::vector<harness::PageRun>> out;
  for (std::size_t r = 0; r < runs.size() && runs.size() > 1; ++r) {
    out.push_back(runs);
    out.back().erase(out.back().begin() + static_cast<std::ptrdiff_t>(r));
  }
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const harness::PageRun run = runs[r];
    if (run.count > 1) {
      out.push_back(runs);
      out.back()[r].count = run.count / 2;
    }
    if (run.pfn == engine::kNullPage) continue;
    for (u64 a : simpler_addresses(run.pfn << g.page_shift, 0)) {
      out.push_back(runs);
      out.back()[r].pfn = a >> g.page_shift;
    }
  }
  return out;
}

// The order fields are simplified in: page runs, sizes, addresses, output
// addresses, then the small fields, each group in field order.
int simplify_rank(harness::FieldKind k) {
  switch (k) {
    case harness::FieldKind::pages: return 0;
    case harness::FieldKind::size:
    case harness::FieldKind::size_any: return 1;
    case harness::FieldKind::va: return 2;
    case harness::FieldKind::pa: return 3;
    default: return 4;
  }
}

// Field-by-field simplifications of op i, tried one at a time.
std::vector<Op> simpler_ops(const Trace& t, std::size_t i) {
  std::vector<Op> out;
  std::visit(
      [&]<class O>(const O& o) {
        const O dflt{};
        for (int rank = 0; rank <= 4; ++rank)
          harness::for_each_field<O>([&](const auto& fd) {
            if (simplify_rank(fd.kind) != rank) return;
            for (const auto& v : simpler_values(fd.kind, o.*fd.member, dflt.*fd.member, *t.geo)) {
              O c = o;
              c.*fd.member = v;
              out.push_back(c);
            }
          });
      },
      t.ops[i]);
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

// Resets one boot option of the best trace to its default if the failure
// stays.
template <class T>
bool try_default(Minimizer& m, Trace& best, T engine::KernelConfig::*option) {
  if (best.config.*option == T{}) return false;
  Trace c = best;
  c.config.*option = T{};
  return m.try_keep(best, c);
}

bool simplify_config(Minimizer& m, Trace& best) {
  bool changed = false;
  changed |= try_default(m, best, &engine::KernelConfig::nohugeiomap);
  changed |= try_default(m, best, &engine::KernelConfig::nohugevmalloc);
  changed |= try_default(m, best, &engine::KernelConfig::nogbpages);
  changed |= try_default(m, best, &engine::KernelConfig::nopse);
  changed |= try_default(m, best, &engine::KernelConfig::mtrr_split);
  return changed;
}

}  // namespace

std::optional<MinimizeResult> minimize(const Trace& t, double seconds,
                                       const std::function<void(const std::string&)>& progress,
                                       MinimizeStatus* status, std::string* err) {
  harness::Runner runner;
  const auto first = runner.run(t);
  if (first.rejected) {
    *status = MinimizeStatus::rejected;
    *err = "the trace is outside the contract: " + *first.rejected;
    return std::nullopt;
  }
  if (!first.failure) {
    *status = MinimizeStatus::passes;
    *err = "the trace passes: nothing to minimize";
    return std::nullopt;
  }
  *status = MinimizeStatus::minimized;
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
