// SPDX-License-Identifier: GPL-2.0-only
#include <gtest/gtest.h>

#include "reference/layout.h"

namespace vmapfuzz::reference {
namespace {

TEST(PlanPhysRange, AlignedTwoMegabytesIsOnePmdBlock) {
  const auto& g = engine::arm64_4k_48();
  const u64 va = g.vmalloc_start + (u64{1} << 21);
  const auto steps = plan_phys_range(g, engine::Variant::v4, va, va + (u64{1} << 21), u64{1} << 30, 63);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].kind, Step::pmd_block);
}

}  // namespace
}  // namespace vmapfuzz::reference
