// SPDX-License-Identifier: GPL-2.0-only
#include "engine/page_alloc.h"

namespace vmapfuzz::engine {

u64 PageAllocator::alloc_pages(unsigned order) {
  if (fail_countdown_ != 0 && order >= fail_min_order_ && --fail_countdown_ == 0) {
    if (fail_times_ > 1) {
      --fail_times_;
      fail_countdown_ = 1;  // the next qualifying allocation fails too
    }
    return kNullPage;
  }
  const u64 n = u64{1} << order;
  const u64 pfn = (next_pfn_ + n - 1) & ~(n - 1);
  next_pfn_ = pfn + n + 1;
  return pfn;
}

}  // namespace vmapfuzz::engine
