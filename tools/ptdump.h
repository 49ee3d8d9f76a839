// SPDX-License-Identifier: GPL-2.0-only
// The expected page tables in the format of arm64's ptdump
// (/sys/kernel/debug/kernel_page_tables, CONFIG_PTDUMP_DEBUGFS), so that a
// user can diff what vmapfuzz expects against a running kernel
// (`vmapfuzz explain --format=ptdump`; docs/kunit.md, "ptdump").
#pragma once

#include <string>

#include "harness/ops.h"
#include "reference/model.h"

namespace vmapfuzz::tools {

// The lines ptdump prints for [lo, hi) of `ref`'s tables: one per run of
// entries at the same level with the same attribute bits (output addresses
// are not shown, as in the kernel), holes included at the level where the
// walk finds nothing. arm64 geometries only.
std::string ptdump_arm64(const reference::RefKernel& ref, engine::u64 lo, engine::u64 hi);

// `t` replayed on the reference (up to a predicted BUG), then ptdump_arm64()
// over every area and mapping it leaves, under a marker line naming the
// trace. Empty when the geometry is not arm64.
std::string ptdump_of_trace(const harness::Trace& t);

}  // namespace vmapfuzz::tools
