// SPDX-License-Identifier: GPL-2.0-only
#include "props/checks.h"

#include <cstdio>

namespace vmapfuzz::props {

reference::TableScan scan(const engine::Kernel& k) {
  return reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v);
}

std::string structure_issues(const reference::TableScan& s) {
  const auto m = harness::check_structure(s);
  return m ? m->detail : std::string();
}

std::optional<harness::Mismatch> check_op(const reference::RefKernel& ref_after,
                                          const engine::Outcome& expected,
                                          const engine::Kernel& k,
                                          const engine::Outcome& actual) {
  std::optional<harness::Mismatch> m = harness::compare_outcomes(expected, actual);
  const reference::TableScan s = scan(k);
  if (!m) m = harness::check_structure(s);
  if (!m) m = harness::compare_leaves(ref_after.expected_runs(), s.runs);
  if (!m && k.pool().live_count() != ref_after.table_count())
    m = harness::Mismatch{"tables", "-", "live-count",
                          "expected " + std::to_string(ref_after.table_count()) +
                              " live tables, found " + std::to_string(k.pool().live_count())};
  return m;
}

std::string signature(const harness::Mismatch& m, engine::Variant v, const harness::Op& op) {
  return m.check + ":" + std::string(engine::variant_name(v)) + ":" +
         std::string(harness::op_name(op)) + ":" + m.level + ":" + m.what;
}

std::optional<std::string> pool_difference(const engine::Kernel& a, const engine::Kernel& b) {
  const auto ta = a.pool().live_tables(), tb = b.pool().live_tables();
  if (ta != tb) return "different sets of live tables";
  for (engine::PhysAddr t : ta) {
    const u64* x = a.pool().table(t);
    const u64* y = b.pool().table(t);
    for (unsigned i = 0; i < engine::TablePool::kEntries; ++i) {
      if (x[i] == y[i]) continue;
      char buf[160];
      std::snprintf(buf, sizeof buf, "table 0x%llx entry %u: 0x%016llx vs 0x%016llx",
                    static_cast<unsigned long long>(t.v), i, static_cast<unsigned long long>(x[i]),
                    static_cast<unsigned long long>(y[i]));
      return std::string(buf);
    }
  }
  return std::nullopt;
}

std::vector<reference::LeafRun> runs_in(const std::vector<reference::LeafRun>& runs, u64 va,
                                        u64 end) {
  std::vector<reference::LeafRun> out;
  for (const auto& r : runs)
    if (r.va < end && va < r.va + r.size) out.push_back(r);
  return out;
}

}  // namespace vmapfuzz::props
