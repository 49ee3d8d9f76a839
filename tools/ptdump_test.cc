// SPDX-License-Identifier: GPL-2.0-only
// `explain --format=ptdump` (tools/ptdump.h): the columns of arm64's
// ptdump, pinned on a sample with a CONT group one entry of which was made
// invalid, a PUD block, holes at the level where the walk stops, and the
// level names of a 3-level tree (the folded pud reads PGD).
#include "tools/ptdump.h"

#include <gtest/gtest.h>

#include "harness/trace_io.h"

namespace vmapfuzz::tools {
namespace {

harness::Trace parse(const std::string& text) {
  harness::Trace t;
  harness::ParseError err;
  EXPECT_TRUE(harness::parse_text(text, &t, &err)) << err.message;
  return t;
}

std::string sample(const std::string& geo, const std::string& va_prefix) {
  return "vmapfuzz-trace 1\ngeometry " + geo +
         "\nvariant v4\nconfig nohugeiomap=0 nohugevmalloc=0\n"
         "vmap va=" +
         va_prefix +
         "00400000 prot=normal pages=0x1000+16\n"
         "set_memory va=" +
         va_prefix +
         "00400000 numpages=1 mode=invalid\n"
         "ioremap va=" +
         va_prefix + "40000000 size=0x40000000 pa=0x80000000 prot=kernel_ro\n";
}

TEST(Ptdump, Arm64ColumnsOnASample) {
  const std::string want =
      "---[ vmapfuzz: expected tables, arm64-4k-48, v4 ]---\n"
      "0xffff800000400000-0xffff800000401000           4K PTE F     RW NX SHD AF NG CON     UXN  "
      "  MEM/NORMAL\n"
      "0xffff800000401000-0xffff800000410000          60K PTE       RW NX SHD AF    CON     UXN  "
      "  MEM/NORMAL\n"
      "0xffff800000410000-0xffff800000600000        1984K PTE\n"
      "0xffff800000600000-0xffff800040000000        1018M PMD\n"
      "0xffff800040000000-0xffff800080000000           1G PUD       ro NX SHD AF        BLK UXN  "
      "  MEM/NORMAL\n"
      "0xffff800080000000-0xffff800080001000           4K PUD\n";
  EXPECT_EQ(ptdump_of_trace(parse(sample("arm64-4k-48", "0xffff8000"))), want);
}

TEST(Ptdump, RootOfAThreeLevelTreeIsPgd) {
  const std::string s = ptdump_of_trace(parse(sample("arm64-4k-39", "0xffffffc0")));
  EXPECT_NE(s.find("0xffffffc040000000-0xffffffc080000000           1G PGD       ro NX SHD AF"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("0xffffffc080000000-0xffffffc080001000           4K PGD\n"), std::string::npos)
      << s;
}

TEST(Ptdump, NotArm64IsEmpty) {
  const harness::Trace t = parse(
      "vmapfuzz-trace 1\ngeometry x86-64-4l\nvariant v4\nconfig nohugeiomap=0 nohugevmalloc=0\n"
      "ioremap va=0xffffc90000200000 size=0x200000 pa=0x40200000 prot=device\n");
  EXPECT_EQ(ptdump_of_trace(t), "");
}

}  // namespace
}  // namespace vmapfuzz::tools
