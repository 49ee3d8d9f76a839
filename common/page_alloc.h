// SPDX-License-Identifier: GPL-2.0-only
// The page allocator is the environment of vmalloc, not code under test.
// Its policy is part of the test's contract, stated here once and modelled
// twice (engine::PageAllocator and the reference's twin):
//   pfn = ALIGN(next, 1 << order); next = pfn + (1 << order) + 1,
// starting from kPageAllocBasePfn, never reusing a page, so that separate
// allocations are never physically adjacent; orders above kMaxPageOrder
// are never asked for.
#pragma once

#include "common/types.h"

namespace vmapfuzz::common {

// A page array entry that is a NULL struct page pointer (any other entry
// is a pfn).
inline constexpr u64 kNullPage = ~u64{0};

inline constexpr u64 kPageAllocBasePfn = 0x80000;  // 2 GiB
inline constexpr unsigned kMaxPageOrder = 10;      // MAX_PAGE_ORDER

}  // namespace vmapfuzz::common
