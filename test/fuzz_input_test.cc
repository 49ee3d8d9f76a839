// SPDX-License-Identifier: GPL-2.0-only
// fuzz::run_input, the body of every fuzz target, on inputs it must refuse
// before it does any work for them.
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>

#include "fuzz/target.h"
#include "harness/targets.h"

namespace vmapfuzz::test {
namespace {

fuzz::InputResult run_text(harness::Runner& runner, const std::string& text) {
  const std::span<const std::uint8_t> bytes{reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size()};
  return fuzz::run_input(runner, bytes, *harness::find_target("ioremap"), engine::Variant::v4);
}

std::string trace_with(const std::string& op) {
  return "vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4\n" + op + "\n";
}

// A text input found by the ioremap fuzzer: 64 TiB at a PA that allows no
// block. The PTE-page budget used to plan it before the contract check
// refused it, one step per PTE table: 2.5 GiB, and libFuzzer's
// out-of-memory. It is refused for its size, without planning it.
TEST(FuzzInput, ARangeAboveTheSizeLimitIsRefusedBeforeTheBudgetPlansIt) {
  harness::Runner runner;
  const fuzz::InputResult r = run_text(
      runner,
      trace_with("ioremap va=0xffff800040000000 size=0x400040000000 pa=0x8000 prot=device"));
  EXPECT_EQ(r.status, fuzz::InputStatus::rejected);
  ASSERT_TRUE(r.run.rejected);
  EXPECT_NE(r.run.rejected->find("size above the harness limit"), std::string::npos)
      << *r.run.rejected;
}

// Inside the size limit, 4 GiB of single pages is still over the budget.
TEST(FuzzInput, PtePagesOverTheBudgetAreRefused) {
  harness::Runner runner;
  const fuzz::InputResult r = run_text(
      runner, trace_with("ioremap va=0xffff800040000000 size=0x100000000 pa=0x8000 prot=device"));
  EXPECT_EQ(r.status, fuzz::InputStatus::rejected);
  ASSERT_TRUE(r.run.rejected);
  EXPECT_NE(r.run.rejected->find("over the fuzzing budget"), std::string::npos) << *r.run.rejected;
}

TEST(FuzzInput, AnInputWithinBothRuns) {
  harness::Runner runner;
  const fuzz::InputResult r = run_text(
      runner, trace_with("ioremap va=0xffff800040000000 size=0x10000 pa=0x8000 prot=device"));
  EXPECT_EQ(r.status, fuzz::InputStatus::pass) << r.run.rejected.value_or("");
}

}  // namespace
}  // namespace vmapfuzz::test
