// SPDX-License-Identifier: GPL-2.0-only
#include "tools/explain.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include "harness/oracle.h"
#include "harness/runner.h"
#include "reference/mmu_walker.h"
#include "tools/text.h"
#include "tools/verdicts.h"

namespace vmapfuzz::tools {
namespace {

using engine::u64;
using reference::LeafRun;

std::string size_text(u64 s) {
  if (s % (u64{1} << 30) == 0) return std::to_string(s >> 30) + "G";
  if (s % (u64{1} << 20) == 0) return std::to_string(s >> 20) + "M";
  if (s % (u64{1} << 10) == 0) return std::to_string(s >> 10) + "K";
  return std::to_string(s);
}

// The kernel's name of hardware level `l` (harness::level_name), upper case.
std::string level_upper(unsigned l, unsigned leaf) {
  std::string n = harness::level_name(l, leaf);
  for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return n;
}

// One ptdump line: start-end size level attrs, plus the output address.
std::string ptdump_line(const LeafRun& r, unsigned leaf) {
  const u64 end = r.va + r.size;
  return fmt("0x%016llx-0x%016llx %6s %s %s %s-> 0x%llx", static_cast<unsigned long long>(r.va),
             static_cast<unsigned long long>(end), size_text(r.size).c_str(),
             level_upper(r.level, leaf).c_str(), reference::attrs_text(r.attrs).c_str(),
             r.cont ? "CON " : "", static_cast<unsigned long long>(r.pa));
}

// Expected and actual runs in VA order, "-" for expected only, "+" for
// actual only, " " for both.
std::string ptdump_diff(const std::vector<LeafRun>& exp, const std::vector<LeafRun>& act,
                        unsigned leaf) {
  std::string s;
  std::size_t i = 0, j = 0;
  while (i < exp.size() || j < act.size()) {
    if (i < exp.size() && j < act.size() && exp[i] == act[j]) {
      s += "  " + ptdump_line(exp[i++], leaf) + "\n";
      ++j;
    } else if (j >= act.size() || (i < exp.size() && exp[i].va <= act[j].va)) {
      s += "- " + ptdump_line(exp[i++], leaf) + "\n";
    } else {
      s += "+ " + ptdump_line(act[j++], leaf) + "\n";
    }
  }
  return s.empty() ? "  (nothing mapped)\n" : s;
}

std::string walk_text(const engine::Kernel& k, u64 va) {
  const reference::GeometryFacts& f = reference::geometry_facts(k.geo());
  const auto tr = reference::translate(k.pool(), k.geo(), k.pgd_pa().v, va);
  std::string s;
  for (const auto& st : tr.steps) {
    s += fmt("    L%u %s  table 0x%llx [%3u]  desc 0x%016llx  %s", st.level,
             level_upper(st.level, f.leaf_level).c_str(),
             static_cast<unsigned long long>(st.table_pa), st.index,
             static_cast<unsigned long long>(st.desc), reference::desc_kind_name(st.kind));
    if (st.kind == reference::DescKind::table)
      s += fmt(" -> 0x%llx", static_cast<unsigned long long>(st.oa));
    if (st.kind == reference::DescKind::block || st.kind == reference::DescKind::page) {
      const auto a = reference::decode_attrs(f.format, st.desc, st.level != f.leaf_level);
      const bool cont = f.format == reference::DescFormat::arm64 && ((st.desc >> 52) & 1);
      s += fmt(" oa 0x%llx %s%s", static_cast<unsigned long long>(st.oa), cont ? "CONT " : "",
               reference::attrs_text(a).c_str());
    }
    s += "\n";
  }
  s += tr.mapped ? fmt("    => PA 0x%llx\n", static_cast<unsigned long long>(tr.pa))
                 : "    => fault: " + tr.fault + "\n";
  return s;
}

// The range to list: what the failing check looked at, narrowed around
// the divergent VA when that range is large.
std::pair<u64, u64> listing_range(const harness::Failure& f) {
  auto [lo, hi] = f.range;
  constexpr u64 kMax = u64{64} << 20, kPmd = u64{2} << 20;
  if (hi - lo > kMax || lo >= hi) {
    if (!f.va) return {lo, lo};
    lo = (*f.va & ~(kPmd - 1)) - kPmd;
    hi = lo + 3 * kPmd;
  }
  return {lo, hi};
}

// The walks of the failure's VA and the ptdump listing of its range, from
// `runner` holding the state of the op it failed at.
std::string failure_views(const harness::Trace& t, const harness::Runner& runner,
                          const harness::Failure& f) {
  std::string s;
  const unsigned leaf = harness::leaf_level_of(*t.geo);
  const auto& impls = runner.impls();
  const auto& im = impls[std::min(f.impl_index, impls.size() - 1)];
  const bool variants = f.impl.find("-vs-") != std::string::npos;
  // For a comparison of two implementations: the base one and the other.
  const auto& base = impls[std::min(f.base_index, impls.size() - 1)];
  const auto& other = im;
  if (f.va) {
    s += fmt("== walks of VA 0x%llx\n", static_cast<unsigned long long>(*f.va));
    if (variants) {
      s += "  " + base.name() + ":\n" + walk_text(*base.kernel, *f.va);
      s += "  " + other.name() + ":\n" + walk_text(*other.kernel, *f.va);
    } else {
      // The whole expected leaf run holding the VA, not a one-page cut of it.
      const auto around = im.ref->expected_runs(
          *f.va & ~(t.geo->pud_size() - 1), (*f.va & ~(t.geo->pud_size() - 1)) + t.geo->pud_size());
      const reference::LeafRun* e = harness::run_at(around, *f.va);
      s +=
          "  expected (reference): " + (e ? ptdump_line(*e, leaf) : std::string("unmapped")) + "\n";
      s += "  actual (" + im.name() + "):\n" + walk_text(*im.kernel, *f.va);
    }
  }
  const auto [lo, hi] = listing_range(f);
  if (lo < hi) {
    const auto& g = *t.geo;
    if (variants) {
      s +=
          fmt("== ptdump [0x%llx, 0x%llx): %s (-) vs %s (+)\n", static_cast<unsigned long long>(lo),
              static_cast<unsigned long long>(hi), base.name().c_str(), other.name().c_str());
      s += ptdump_diff(
          reference::scan_range(base.kernel->pool(), g, base.kernel->pgd_pa().v, lo, hi).runs,
          reference::scan_range(other.kernel->pool(), g, other.kernel->pgd_pa().v, lo, hi).runs,
          leaf);
    } else {
      s += fmt("== ptdump [0x%llx, 0x%llx): expected (-) vs actual %s (+)\n",
               static_cast<unsigned long long>(lo), static_cast<unsigned long long>(hi),
               im.name().c_str());
      s += ptdump_diff(
          im.ref->expected_runs(lo, hi),
          reference::scan_range(im.kernel->pool(), g, im.kernel->pgd_pa().v, lo, hi).runs, leaf);
    }
  }
  return s;
}

// The implementations, one line each, and the tree a backend came from.
std::string implementations(const harness::RunResult& r) {
  std::string s = "== implementations\n" + verdict_lines(r, "  ");
  for (const harness::ImplVerdict& v : r.verdicts)
    if (v.role == harness::ImplRole::backend)
      s += "  (" + v.name + ": built from " + v.source + ")\n";
  return s;
}

}  // namespace

Verdict explain(const harness::Trace& t, std::string* out) {
  harness::Runner runner;
  const harness::RunResult r = runner.run(t);
  std::string& s = *out;
  s += fmt("== trace (%s, %s%s%s%s%s", std::string(t.geo->name).c_str(),
           std::string(engine::variant_name(t.variant)).c_str(),
           t.config.nohugeiomap ? ", nohugeiomap" : "",
           t.config.nohugevmalloc ? ", nohugevmalloc" : "", t.config.nogbpages ? ", nogbpages" : "",
           t.config.nopse ? ", nopse" : "");
  if (t.config.mtrr_split) s += fmt(", mtrr_split=0x%llx", t.config.mtrr_split);
  s += ")\n";
  // Every failure, first one first (RunResult::failure), then in the order
  // of the implementations.
  std::vector<const harness::Failure*> failures;
  if (r.failure) failures.push_back(&*r.failure);
  for (const harness::ImplVerdict& v : r.verdicts)
    if (v.failure && v.failure->impl != r.failure->impl) failures.push_back(&*v.failure);
  for (std::size_t i = 0; i < t.ops.size(); ++i) {
    const bool failed = std::any_of(failures.begin(), failures.end(),
                                    [&](const harness::Failure* f) { return f->op_index == i; });
    s += fmt("%s%3zu  %s\n", failed ? ">>" : "  ", i + 1, harness::show(t.ops[i]).c_str());
  }
  if (r.rejected) {
    s += "== verdict: REJECT (outside the kernel's contract): " + *r.rejected + "\n";
    return Verdict::rejected;
  }
  if (!r.failure && r.unreachable) {
    s += "== verdict: UNREACHABLE (a placement the kernel cannot produce; `placement any` "
         "runs it): " +
         *r.unreachable + "\n";
    s += implementations(r);
    return Verdict::rejected;
  }
  if (!r.failure) {
    s += "== verdict: PASS (" + std::to_string(r.ops_run) + " ops" +
         (r.stopped_by_bug ? ", stopped by the predicted BUG" : "") + ")\n";
    for (const std::string& n : r.notes) s += "== note: " + n + "\n";
    s += implementations(r);
    const auto& im = runner.impls().back();
    s += "== final mappings (" + im.name() + ")\n";
    s += ptdump_diff(im.ref->expected_runs(), im.ref->expected_runs(), im.ref->facts().leaf_level);
    return Verdict::pass;
  }
  s += "== verdict: FAIL " + r.failure->signature + "\n" + r.failure->detail + "\n";
  for (const std::string& n : r.notes) s += "== note: " + n + "\n";
  s += implementations(r);
  for (std::size_t n = 0; n < failures.size(); ++n) {
    const harness::Failure& f = *failures[n];
    if (n > 0)
      s += fmt("== failure %zu of %zu: %s\n", n + 1, failures.size(), f.signature.c_str()) +
           f.detail + "\n";
    // The implementations that went on after this failure hold later
    // state: run the trace up to its op again to show the tables then.
    if (f.op_index + 1 >= r.ops_run) {
      s += failure_views(t, runner, f);
    } else {
      harness::Trace upto = t;
      upto.ops.resize(f.op_index + 1);
      harness::Runner again;
      again.run(upto);
      s += failure_views(t, again, f);
    }
  }
  return Verdict::fail;
}

}  // namespace vmapfuzz::tools
