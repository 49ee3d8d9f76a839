// SPDX-License-Identifier: GPL-2.0-only
#include "engine/table_pool.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace vmapfuzz::engine {

void TablePool::AlignedDelete::operator()(u64* p) const {
  ::operator delete[](p, std::align_val_t{align});
}

TablePool::TablePool(unsigned table_shift)
    : table_shift_(table_shift), entries_(1u << (table_shift - 3)) {}

u64* TablePool::slot(u64 index) const {
  return chunks_[index / kChunkTables].get() + (index % kChunkTables) * entries_;
}

PhysAddr TablePool::alloc() {
  if (fail_countdown_ != 0 && --fail_countdown_ == 0) {
    ++failures_;
    return {0};
  }
  u64 index;
  if (!free_list_.empty()) {
    index = free_list_.back();
    free_list_.pop_back();
  } else {
    index = next_index_++;
    if (index / kChunkTables >= chunks_.size()) {
      // One zero entry after the last table: a kernel tree that reads the
      // entry after a table's last one before any check (6.1's
      // vmap_pte_range reads *pte so) reads it, not past the allocation.
      chunks_.emplace_back(
          static_cast<u64*>(::operator new[]((u64{kChunkTables} * entries_ + 1) * sizeof(u64),
                                             std::align_val_t{table_bytes()})),
          AlignedDelete{table_bytes()});
      chunks_.back()[u64{kChunkTables} * entries_] = 0;
    }
    live_.push_back(0);
  }
  std::memset(slot(index), 0, table_bytes());
  live_[index] = 1;
  ++allocs_;
  return {kBasePa + (index << table_shift_)};
}

bool TablePool::in_window(PhysAddr pa) const {
  return pa.v >= kBasePa && ((pa.v - kBasePa) & (table_bytes() - 1)) == 0 &&
         ((pa.v - kBasePa) >> table_shift_) < next_index_;
}

bool TablePool::is_live(PhysAddr pa) const {
  return in_window(pa) && live_[((pa.v - kBasePa) >> table_shift_)];
}

void TablePool::free(PhysAddr pa) {
  if (!is_live(pa)) {
    ++double_frees_;
    return;
  }
  if (observer_) observer_->on_free(pa);
  const u64 index = ((pa.v - kBasePa) >> table_shift_);
  live_[index] = 0;
  free_list_.push_back(index);
  ++frees_;
}

u64* TablePool::table(PhysAddr pa) {
  return is_live(pa) ? slot(((pa.v - kBasePa) >> table_shift_)) : nullptr;
}

const u64* TablePool::table(PhysAddr pa) const {
  return is_live(pa) ? slot(((pa.v - kBasePa) >> table_shift_)) : nullptr;
}

PhysAddr TablePool::pa_of(const u64* p) const {
  const auto addr = reinterpret_cast<std::uintptr_t>(p);
  const u64 kTableBytes = table_bytes();
  for (std::size_t c = 0; c < chunks_.size(); ++c) {
    const auto base = reinterpret_cast<std::uintptr_t>(chunks_[c].get());
    if (addr < base || addr >= base + kChunkTables * kTableBytes) continue;
    if ((addr - base) % kTableBytes != 0) return {0};
    const u64 index = c * kChunkTables + (addr - base) / kTableBytes;
    return index < next_index_ && live_[index] ? PhysAddr{kBasePa + index * kTableBytes}
                                               : PhysAddr{0};
  }
  return {0};
}

std::vector<PhysAddr> TablePool::live_tables() const {
  std::vector<PhysAddr> out;
  for (u64 i = 0; i < next_index_; ++i)
    if (live_[i]) out.push_back({kBasePa + (i << table_shift_)});
  return out;
}

void TablePool::reset() {
  std::fill(live_.begin(), live_.end(), 0);
  free_list_.clear();
  free_list_.reserve(next_index_);  // at once, not as it refills
  // Reuse slots lowest first so a reset pool allocates like a new one.
  for (u64 i = next_index_; i-- > 0;) free_list_.push_back(i);
  fail_countdown_ = 0;
  allocs_ = frees_ = failures_ = double_frees_ = 0;
}

}  // namespace vmapfuzz::engine
