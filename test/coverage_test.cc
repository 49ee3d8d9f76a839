// SPDX-License-Identifier: GPL-2.0-only
// Semantic coverage (harness/coverage.cc): event names per geometry.
#include "harness/coverage.h"

#include <gtest/gtest.h>

#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

std::vector<std::string> batch_names(std::string_view geometry) {
  const engine::Geometry* g = engine::find_geometry(geometry);
  EXPECT_NE(g, nullptr) << geometry;
  std::vector<std::string> names;
  if (!g) return names;
  for (unsigned i = 0; i < engine::kContBatchBuckets; ++i)
    names.push_back(harness::cont_batch_name(*g, i));
  return names;
}

TEST(Coverage, NamesSizes) {
  EXPECT_EQ(harness::size_text(0), "0");
  EXPECT_EQ(harness::size_text(4 * K), "4K");
  EXPECT_EQ(harness::size_text(2 * M), "2M");
  EXPECT_EQ(harness::size_text(512 * M), "512M");
  EXPECT_EQ(harness::size_text(2 * G), "2G");
  EXPECT_EQ(harness::size_text(u64{1} << 42), "4T");
  EXPECT_EQ(harness::size_text(1 * M + 4 * K), "1028K");
  EXPECT_EQ(harness::size_text(1000), "1000");
}

// Bucket i of Counters::cont_batches is a batch of CONT_PTE_SIZE << i; the
// last also counts larger ones. The 4K names are the ones reports and
// ci/lib/testdata/nightly have always used.
TEST(Coverage, NamesTheContBatchBucketsOfEachGeometry) {
  const std::vector<std::string> k4 = {"64K", "128K", "256K", "512K", "1M",
                                       "2M",  "4M",   "8M",   "16M+"};
  EXPECT_EQ(batch_names("arm64-4k-48"), k4);
  EXPECT_EQ(batch_names("arm64-4k-39"), k4);
  const std::vector<std::string> big = {"2M",  "4M",   "8M",   "16M",  "32M",
                                        "64M", "128M", "256M", "512M+"};
  for (const char* g : {"arm64-16k-47", "arm64-16k-48", "arm64-64k-42", "arm64-64k-48"})
    EXPECT_EQ(batch_names(g), big) << g;
  // No contiguous hint, no batches (every offered geometry without CONT).
  for (const engine::Geometry* g : engine::all_geometries()) {
    if (!g->cont_pte_shift) {
      EXPECT_EQ(batch_names(g->name), std::vector<std::string>(engine::kContBatchBuckets))
          << g->name;
    }
  }
}

// One 1M ioremap: sixteen 64K groups on mainline, one 1M batch on v4, in
// the rows of their geometry and variant.
TEST(Coverage, CountsContBatchesByName) {
  harness::Trace t;
  t.variant = engine::Variant::v4;
  t.ops = {harness::IoremapOp{va(1 * M).v, 1 * M, kPa + 1 * M, engine::ProtName::device}};
  harness::SemanticCoverage cov;
  harness::Runner runner;
  runner.set_coverage(&cov);
  const harness::RunResult r = runner.run(t);
  ASSERT_FALSE(r.failure) << r.failure->signature;
  EXPECT_EQ(cov.hits("arm64-4k-48 v4", "leaf ioremap cont-1M"), 1u);
  EXPECT_EQ(cov.hits("arm64-4k-48 v4", "leaf ioremap cont-64K"), 0u);
  EXPECT_EQ(cov.hits("arm64-4k-48 mainline", "leaf ioremap cont-64K"), 16u);
  EXPECT_NE(cov.table().find("leaf ioremap cont-1M"), std::string::npos);
}

}  // namespace
}  // namespace vmapfuzz::test
