// SPDX-License-Identifier: GPL-2.0-only
// `vmapfuzz explain`: a trace run told in the page-table language kernel
// developers read — the numbered ops with every failing one marked, the
// verdict, one line per implementation (tools/verdicts.h), and for every
// failure (the first one first) its details, both walks of its divergent VA
// level by level (table index, raw descriptor, decoded fields), and a
// ptdump-style listing of expected vs actual leaves over the affected
// range, differing runs marked. The tables shown are those of the op the
// failure happened at (the trace is run again up to it when other
// implementations went on).
#pragma once

#include <string>

#include "harness/ops.h"

namespace vmapfuzz::tools {

enum class Verdict { pass, fail, rejected };

// Runs `t` and writes the explanation; returns the verdict.
Verdict explain(const harness::Trace& t, std::string* out);

}  // namespace vmapfuzz::tools
