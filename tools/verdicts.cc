// SPDX-License-Identifier: GPL-2.0-only
#include "tools/verdicts.h"

#include <algorithm>

namespace vmapfuzz::tools {

std::string verdict_text(const harness::ImplVerdict& v) {
  std::string s(harness::status_name(v.status));
  switch (v.status) {
    case harness::VerdictStatus::pass:
      if (!v.reason.empty()) s += " (" + v.reason + ")";
      break;
    case harness::VerdictStatus::fail:
      if (v.failure)
        s += " " + v.failure->signature + " (op " + std::to_string(v.failure->op_index + 1) + ")";
      break;
    case harness::VerdictStatus::not_judged:
      s += " after op " + std::to_string(v.ops_judged) + ": " + v.reason;
      break;
    case harness::VerdictStatus::not_run: s += ": " + v.reason; break;
  }
  return s;
}

std::string verdict_lines(const harness::RunResult& r, std::string_view indent) {
  std::size_t width = 0;
  for (const harness::ImplVerdict& v : r.verdicts) width = std::max(width, v.name.size());
  std::string s;
  for (const harness::ImplVerdict& v : r.verdicts) {
    s += indent;
    s += v.name;
    s.append(width - v.name.size() + 2, ' ');
    s += verdict_text(v) + "\n";
  }
  return s;
}

}  // namespace vmapfuzz::tools
