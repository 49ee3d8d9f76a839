// SPDX-License-Identifier: GPL-2.0-only
// The per-implementation verdicts of a run (harness::RunResult::verdicts)
// as text, shared by `vmapfuzz replay`, every <target>_replay and
// `vmapfuzz explain`: one line per implementation and comparison, names in
// one column, e.g.
//   mainline         PASS
//   v4               FAIL translation:v4:vmap:pte:pa-mismatch (op 1)
//   kernel           NOT-JUDGED after op 2: op 3 (vmalloc) is not supported by ...
//   mainline-vs-v4   NOT-RUN: v4 failed at op 1
//   v6.12-vs-kernel  PASS
#pragma once

#include <string>
#include <string_view>

#include "harness/runner.h"

namespace vmapfuzz::tools {

// "PASS", "FAIL SIGNATURE (op N)", "NOT-JUDGED after op N: REASON",
// "NOT-RUN: REASON".
std::string verdict_text(const harness::ImplVerdict& v);

// One line per entry of r.verdicts, each starting with `indent`.
std::string verdict_lines(const harness::RunResult& r, std::string_view indent);

}  // namespace vmapfuzz::tools
