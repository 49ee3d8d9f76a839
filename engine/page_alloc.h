// SPDX-License-Identifier: GPL-2.0-only
// The page allocator, as the environment of vmalloc (not code under test):
// alloc_pages(order) hands out naturally aligned physically contiguous
// blocks, bump-allocated upward from kBasePfn with one free page between
// any two blocks, so that separate allocations are never physically
// adjacent. Pages are never reused. It can fail the n-th allocation of at
// least a given order (fault injection). The reference model keeps a twin
// of this policy; it is part of the test's contract, stated here once:
//   pfn = ALIGN(next, 1 << order); next = pfn + (1 << order) + 1.
#pragma once

#include "engine/types.h"

namespace vmapfuzz::engine {

// A page array entry: the pfn of a struct page, or a NULL pointer.
inline constexpr u64 kNullPage = ~u64{0};

class PageAllocator {
 public:
  static constexpr u64 kBasePfn = 0x80000;       // 2 GiB
  static constexpr unsigned kMaxPageOrder = 10;  // MAX_PAGE_ORDER

  // First pfn of a 2^order block, or kNullPage if this allocation fails.
  u64 alloc_pages(unsigned order);
  // Fail the nth allocation from now whose order is >= min_order, and the
  // times - 1 such allocations after it (nth 0 disarms).
  void fail_nth(unsigned nth, unsigned min_order, unsigned times = 1) {
    fail_countdown_ = nth;
    fail_min_order_ = min_order;
    fail_times_ = times;
  }
  void reset() { *this = PageAllocator{}; }

 private:
  u64 next_pfn_ = kBasePfn;
  unsigned fail_countdown_ = 0;
  unsigned fail_min_order_ = 0;
  unsigned fail_times_ = 1;  // failures in a row once the countdown hits
};

}  // namespace vmapfuzz::engine
