// SPDX-License-Identifier: GPL-2.0-only
#include "harness/coverage.h"

#include <cstdio>
#include <iterator>

namespace vmapfuzz::harness {
namespace {

std::string errno_text(int ret) {
  switch (-ret) {
    case engine::kENOMEM: return "-ENOMEM";
    case engine::kEBUSY: return "-EBUSY";
    case engine::kEFAULT: return "-EFAULT";
    case engine::kEINVAL: return "-EINVAL";
    case engine::kERANGE: return "-ERANGE";
  }
  return std::to_string(ret);
}

}  // namespace

std::string size_text(u64 bytes) {
  const char* const kUnits[] = {"", "K", "M", "G", "T", "P"};
  unsigned u = 0;
  while (u + 1 < std::size(kUnits) && bytes >= 1024 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + kUnits[u];
}

std::string cont_batch_name(const engine::Geometry& g, unsigned bucket) {
  if (!g.cont_pte_size() || bucket >= engine::kContBatchBuckets) return {};
  return size_text(g.cont_pte_size() << bucket) +
         (bucket + 1 == engine::kContBatchBuckets ? "+" : "");
}

void SemanticCoverage::add(const engine::Geometry& g, engine::Variant v, const Op& op,
                           const engine::Outcome& out, const engine::Counters& b,
                           const engine::Counters& a) {
  auto& row = hits_[std::string(g.name) + " " + std::string(engine::variant_name(v))];
  const std::string path(op_name(op));
  auto bump = [&](const std::string& event, std::uint64_t n) {
    if (n) row[event] += n;
  };
  bump("op " + path, 1);
  bump("leaf " + path + " pud-block", a.pud_blocks - b.pud_blocks);
  bump("leaf " + path + " pmd-block", a.pmd_blocks - b.pmd_blocks);
  for (unsigned i = 0; i < engine::kContBatchBuckets; ++i)
    if (a.cont_batches[i] != b.cont_batches[i])
      bump("leaf " + path + " cont-" + cont_batch_name(g, i),
           a.cont_batches[i] - b.cont_batches[i]);
  bump("leaf " + path + " pte", a.set_pte_at - b.set_pte_at);
  bump("table-replaced pte-table", a.pte_tables_freed - b.pte_tables_freed);
  bump("table-replaced pmd-table", a.pmd_tables_freed - b.pmd_tables_freed);
  bump("unmap block", a.unmap_blocks - b.unmap_blocks);
  bump("unmap cont-group", a.unmap_cont_groups - b.unmap_cont_groups);
  bump("unmap pte", a.unmap_ptes - b.unmap_ptes);
  for (const engine::Warn& w : out.warns) bump("warn " + std::string(engine::warn_name(w.id)), 1);
  if (out.bug != engine::BugId::none) bump("bug " + std::string(engine::bug_name(out.bug)), 1);
  else if (out.ret != 0) bump("error " + path + " " + errno_text(out.ret), 1);
}

std::uint64_t SemanticCoverage::hits(const std::string& config, const std::string& event) const {
  const auto row = hits_.find(config);
  if (row == hits_.end()) return 0;
  const auto it = row->second.find(event);
  return it == row->second.end() ? 0 : it->second;
}

std::string SemanticCoverage::table() const {
  std::string s = "semantic coverage over " + std::to_string(traces_) + " traces\n";
  for (const auto& [config, row] : hits_) {
    s += "== " + config + "\n";
    for (const auto& [event, n] : row) {
      char line[160];
      std::snprintf(line, sizeof line, "  %-52s %10llu\n", event.c_str(),
                    static_cast<unsigned long long>(n));
      s += line;
    }
  }
  return s;
}

}  // namespace vmapfuzz::harness
