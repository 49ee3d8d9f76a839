// SPDX-License-Identifier: GPL-2.0-only
// Page-table pages. Tables live in contiguous chunks of host memory and are
// named by a physical address in a window no data mapping uses, so table
// descriptors carry real output addresses and a walker can follow them.
// The pool counts allocations and frees, remembers which tables are live,
// and can be told to fail the n-th allocation from now.
#pragma once

#include <memory>
#include <vector>

#include "common/events.h"
#include "common/types.h"

namespace vmapfuzz::engine {

// Only the shared vocabulary, not engine/types.h: the reference's MMU
// walker reads table memory through this class and must see no engine
// decision through it.
using common::PhysAddr;
using common::u64;

// Sees every descriptor store, table free and TLB/cache flush of one
// kernel, in program order (harness/tlb.h keeps a TLB model with it). The
// engine's descriptor writes all go through TablePool::store(); the kernel
// implementation's through the same call (kernel/bridge.cc).
class PoolObserver {
 public:
  virtual ~PoolObserver() = default;
  // Before `*entry` changes from `old` to `now`.
  virtual void on_store(const u64* entry, u64 old, u64 now) = 0;
  // Before the live table at `pa` goes back to the page allocator.
  virtual void on_free(PhysAddr pa) = 0;
  virtual void on_flush(const common::Flush& f) = 0;
  // The kernel went back to its boot state.
  virtual void on_reset() = 0;
};

class TablePool {
 public:
  static constexpr u64 kBasePa = 0xf000'0000'0000ull;

  // Tables of 2^table_shift bytes (one page of the geometry) holding
  // 8-byte entries.
  explicit TablePool(unsigned table_shift = 12);

  unsigned entries() const { return entries_; }
  u64 table_bytes() const { return u64{1} << table_shift_; }
  // Host-memory end of the table that holds `entry` (tables are aligned to
  // their size in host memory).
  const u64* table_end_of(const u64* entry) const {
    const auto base = reinterpret_cast<std::uintptr_t>(entry) & ~(table_bytes() - 1);
    return reinterpret_cast<const u64*>(base) + entries_;
  }

  // Writes descriptor `v` to `entry` (an entry of a live table): every
  // page-table write of the engine and the kernel implementation.
  void store(u64* entry, u64 v) {
    if (observer_) observer_->on_store(entry, *entry, v);
    *entry = v;
  }
  void set_observer(PoolObserver* o) { observer_ = o; }
  PoolObserver* observer() const { return observer_; }

  // A zeroed table, or {0} when this allocation was told to fail.
  PhysAddr alloc();
  // Returns a live table to the pool. Freeing a table that is not live is a
  // modelled double free: counted in double_frees(), otherwise ignored.
  void free(PhysAddr pa);
  // The entries of the live table at `pa`, or nullptr if `pa` does not name
  // a live table.
  u64* table(PhysAddr pa);
  const u64* table(PhysAddr pa) const;
  bool is_live(PhysAddr pa) const;
  // The PA of the live table whose entries start at host address `p`, or
  // {0} (reverse of table(); for code that frees a table by pointer).
  PhysAddr pa_of(const u64* p) const;
  bool in_window(PhysAddr pa) const;

  // Fail the n-th allocation from now (1 = the next one); 0 disarms.
  void fail_nth(unsigned n) { fail_countdown_ = n; }
  unsigned fail_countdown() const { return fail_countdown_; }

  u64 allocs() const { return allocs_; }
  u64 frees() const { return frees_; }
  u64 failures() const { return failures_; }
  u64 double_frees() const { return double_frees_; }
  u64 live_count() const { return allocs_ - frees_; }
  // Every live table, in address order.
  std::vector<PhysAddr> live_tables() const;

  // Forget everything (keeps the host memory for reuse).
  void reset();

 private:
  static constexpr unsigned kChunkTables = 64;
  u64* slot(u64 index) const;

  struct AlignedDelete {
    u64 align;
    void operator()(u64* p) const;
  };
  // Chunks are aligned to the table size, so the end of the table holding
  // an entry can be computed from the entry's host address.
  PoolObserver* observer_ = nullptr;
  unsigned table_shift_;
  unsigned entries_;
  std::vector<std::unique_ptr<u64[], AlignedDelete>> chunks_;
  std::vector<std::uint8_t> live_;  // per slot index
  std::vector<u64> free_list_;      // slot indices, reused LIFO
  u64 next_index_ = 0;              // first never-used slot
  unsigned fail_countdown_ = 0;
  u64 allocs_ = 0, frees_ = 0, failures_ = 0, double_frees_ = 0;
};

}  // namespace vmapfuzz::engine
