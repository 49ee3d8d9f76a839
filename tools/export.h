// SPDX-License-Identifier: GPL-2.0-only
// `vmapfuzz export`: a trace as a ready test.
//   --gtest: a self-contained GoogleTest case that builds the trace through
//            the harness API and runs it on the engine and reference; it
//            passes or fails exactly as the trace does (a finding with an
//            "# expect:" line checks that signature instead).
//   --kunit: tools/kunit_export.h.
#pragma once

#include <string>

#include "harness/ops.h"

namespace vmapfuzz::tools {

// A C identifier from a file name: "pud-block.trace" -> "pud_block".
std::string test_name(const std::string& path);

// The includes a file of exported GoogleTest cases starts with.
std::string gtest_prologue();
std::string export_gtest(const harness::Trace& t, const std::string& name);

}  // namespace vmapfuzz::tools
