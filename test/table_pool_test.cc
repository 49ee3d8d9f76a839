// SPDX-License-Identifier: GPL-2.0-only
// engine::TablePool, the page-table pages of every implementation: zeroed tables named by
// addresses in a window of their own, freed tables reused last first, the modelled double
// free, the failure injection, the lookup from host memory back to a table, and reset.
#include "engine/table_pool.h"

#include <gtest/gtest.h>

#include <vector>

namespace vmapfuzz::test {
namespace {

using common::PhysAddr;
using common::u64;
using engine::TablePool;

// 4 KiB tables, the pool's default.
constexpr u64 kTable = 4096;

std::vector<u64> pas(const std::vector<PhysAddr>& v) {
  std::vector<u64> out;
  out.reserve(v.size());
  for (PhysAddr p : v) out.push_back(p.v);
  return out;
}

TEST(TablePool, HandsOutZeroedTablesAndReusesTheLastFreedFirst) {
  TablePool pool(12);
  EXPECT_EQ(pool.entries(), 512u);
  EXPECT_EQ(pool.table_bytes(), kTable);
  const PhysAddr a = pool.alloc(), b = pool.alloc(), c = pool.alloc();
  EXPECT_EQ(a.v, TablePool::kBasePa);
  EXPECT_EQ(b.v, TablePool::kBasePa + kTable);
  EXPECT_EQ(c.v, TablePool::kBasePa + 2 * kTable);
  u64* t = pool.table(b);
  ASSERT_NE(t, nullptr);
  for (unsigned i = 0; i < pool.entries(); ++i) ASSERT_EQ(t[i], 0u) << "entry " << i;
  t[7] = 0x1234;
  EXPECT_EQ(pool.table_end_of(t + 7), t + pool.entries());
  EXPECT_EQ(pool.pa_of(t).v, b.v);
  EXPECT_EQ(pool.pa_of(t + 1).v, 0u) << "not the first entry of a table";

  pool.free(a);
  pool.free(b);
  EXPECT_FALSE(pool.is_live(b));
  EXPECT_EQ(pool.table(b), nullptr);
  EXPECT_EQ(pool.pa_of(t).v, 0u) << "a freed table";
  EXPECT_EQ(pool.live_count(), 1u);
  EXPECT_EQ(pas(pool.live_tables()), std::vector<u64>{c.v});

  EXPECT_EQ(pool.alloc().v, b.v);
  EXPECT_EQ(pool.table(b)[7], 0u) << "zeroed again";
  EXPECT_EQ(pool.alloc().v, a.v);
  EXPECT_EQ(pool.alloc().v, TablePool::kBasePa + 3 * kTable);
  EXPECT_EQ(pool.allocs(), 6u);
  EXPECT_EQ(pool.frees(), 2u);
  EXPECT_EQ(pool.double_frees(), 0u);
}

TEST(TablePool, CountsAFreeOfWhatIsNoLiveTableAndIgnoresIt) {
  TablePool pool(12);
  const PhysAddr a = pool.alloc(), b = pool.alloc();
  pool.free(a);
  pool.free(a);                                      // freed already
  pool.free(PhysAddr{TablePool::kBasePa + 0x800});   // inside a table
  pool.free(PhysAddr{TablePool::kBasePa + 0x4000});  // past the last table handed out
  pool.free(PhysAddr{0x1000});                       // outside the window
  EXPECT_EQ(pool.frees(), 1u);
  EXPECT_EQ(pool.double_frees(), 4u);
  EXPECT_TRUE(pool.is_live(b));
  EXPECT_EQ(pool.live_count(), 1u);
  EXPECT_EQ(pool.alloc().v, a.v) << "the free list holds a once";
  EXPECT_EQ(pool.alloc().v, TablePool::kBasePa + 2 * kTable);
}

TEST(TablePool, FailsTheNthAllocationFromNowOnce) {
  TablePool pool(12);
  pool.fail_nth(2);
  EXPECT_EQ(pool.fail_countdown(), 2u);
  EXPECT_NE(pool.alloc().v, 0u);
  EXPECT_EQ(pool.fail_countdown(), 1u);
  EXPECT_EQ(pool.alloc().v, 0u);
  EXPECT_EQ(pool.fail_countdown(), 0u);
  EXPECT_NE(pool.alloc().v, 0u) << "disarmed once it fired";
  pool.fail_nth(1);
  pool.fail_nth(0);
  EXPECT_NE(pool.alloc().v, 0u) << "0 disarms";
  EXPECT_EQ(pool.failures(), 1u);
  EXPECT_EQ(pool.allocs(), 3u);
  EXPECT_EQ(pool.live_count(), 3u);
}

TEST(TablePool, FindsNoTableForHostMemoryOutsideIt) {
  TablePool pool(12);
  pool.alloc();
  u64 elsewhere[2] = {};
  EXPECT_EQ(pool.pa_of(elsewhere).v, 0u);
  EXPECT_EQ(pool.table(PhysAddr{TablePool::kBasePa + kTable}), nullptr) << "never handed out";
}

// Tables of one 16 KiB page; after reset() the pool hands out the same addresses as a
// new one, lowest first.
TEST(TablePool, ResetAllocatesLikeANewPool) {
  TablePool pool(14);
  EXPECT_EQ(pool.entries(), 2048u);
  const PhysAddr a = pool.alloc(), b = pool.alloc();
  EXPECT_EQ(b.v, a.v + 0x4000);
  pool.table(a)[2047] = 1;
  pool.free(b);
  pool.fail_nth(3);
  pool.reset();
  EXPECT_EQ(pool.allocs(), 0u);
  EXPECT_EQ(pool.frees(), 0u);
  EXPECT_EQ(pool.fail_countdown(), 0u);
  EXPECT_TRUE(pool.live_tables().empty());
  EXPECT_FALSE(pool.is_live(a));
  EXPECT_EQ(pool.alloc().v, a.v);
  EXPECT_EQ(pool.table(a)[2047], 0u);
  EXPECT_EQ(pool.alloc().v, b.v);
  EXPECT_EQ(pool.alloc().v, b.v + 0x4000);
}

}  // namespace
}  // namespace vmapfuzz::test
