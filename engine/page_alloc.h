// SPDX-License-Identifier: GPL-2.0-only
// The page allocator, as the environment of vmalloc (not code under test):
// alloc_pages(order) hands out naturally aligned physically contiguous
// blocks, bump-allocated upward from kBasePfn with one free page between
// any two blocks, so that separate allocations are never physically
// adjacent. Pages are never reused. It can fail the n-th allocation of at
// least a given order (fault injection). The policy is the test's contract,
// stated in common/page_alloc.h; the reference model keeps a twin of it.
#pragma once

#include "common/page_alloc.h"
#include "engine/types.h"

namespace vmapfuzz::engine {

// A page array entry: the pfn of a struct page, or a NULL pointer.
using common::kNullPage;

class PageAllocator {
 public:
  static constexpr u64 kBasePfn = common::kPageAllocBasePfn;
  static constexpr unsigned kMaxPageOrder = common::kMaxPageOrder;

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
