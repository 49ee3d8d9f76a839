// SPDX-License-Identifier: GPL-2.0-only
// The two trace forms (text and fuzzer bytes) and validate().
#include "harness/trace_io.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "reference/model.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::ProtName;
using engine::Variant;
using harness::FailAllocOp;
using harness::IoremapOp;
using harness::IoremapPageRangeOp;
using harness::IounmapOp;
using harness::Trace;
using harness::VmapPageRangeOp;
using harness::VunmapRangeOp;

u64 v(u64 off) { return va(off).v; }

// Traces covering every op kind, both variants and both boot options.
std::vector<Trace> sample_traces() {
  std::vector<Trace> ts(4);
  ts[0].variant = Variant::v4;
  ts[0].ops = {IoremapOp{v(2 * M), 2 * M, kPa, ProtName::device}};
  ts[1].variant = Variant::mainline;
  ts[1].config.nohugeiomap = true;
  ts[1].ops = {IoremapPageRangeOp{v(0), 4 * K, kPa + 4 * K, ProtName::device_nE},
               VmapPageRangeOp{v(1 * G), 0x1800, 0, ProtName::kernel_exec}, IounmapOp{v(4 * K)},
               VunmapRangeOp{v(1 * G), 2 * M}, FailAllocOp{255}};
  ts[1].comments = {{0, "before everything"}, {2, "between ops"}, {5, "at the end"}};
  ts[2].config = {.nohugeiomap = true, .nohugevmalloc = true, .placement_any = true};
  ts[2].ops = {IoremapOp{v(0), 1 * G, 0, ProtName::normal_nc},
               IoremapOp{v(2 * G), 64 * K, 64 * K, ProtName::kernel_ro},
               IoremapOp{v(3 * G), 64 * K, 64 * K, ProtName::normal}, FailAllocOp{0}};
  ts[3].config.nohugevmalloc = true;  // no ops at all
  ts[3].comments = {{0, ""}, {0, "  indented"}};
  return ts;
}

TEST(TraceText, RoundTripsTraces) {
  for (const Trace& t : sample_traces()) {
    const std::string text = harness::to_text(t);
    SCOPED_TRACE(text);
    Trace back;
    harness::ParseError err;
    ASSERT_TRUE(harness::parse_text(text, &back, &err)) << err.line << ": " << err.message;
    EXPECT_TRUE(back == t);
  }
}

TEST(TraceText, RoundTripsCanonicalText) {
  const std::string s =
      "vmapfuzz-trace 1\n"
      "# a reproducer\n"
      "geometry arm64-4k-48\n"
      "variant mainline\n"
      "config nohugeiomap=0 nohugevmalloc=1\n"
      "ioremap va=0xffff800000200000 size=0x200000 pa=0x40200000 prot=device\n"
      "# the partial unmap\n"
      "vunmap_range va=0xffff800000300000 size=0x1000\n"
      "fail_alloc nth=2\n"
      "vmap_page_range va=0xffff800040000000 size=0x1800 pa=0x0 prot=kernel_exec\n"
      "iounmap va=0xffff800000200000\n"
      "# done\n";
  Trace t;
  harness::ParseError err;
  ASSERT_TRUE(harness::parse_text(s, &t, &err)) << err.line << ": " << err.message;
  EXPECT_EQ(t.ops.size(), 5u);
  EXPECT_EQ(harness::to_text(t), s);
}

// The x86-64 boot options: written only when set, read back exactly.
TEST(TraceText, RoundTripsX86Options) {
  const engine::Geometry* x86 = engine::find_geometry("x86-64-4l");
  ASSERT_NE(x86, nullptr);
  std::vector<Trace> ts(4);
  for (Trace& t : ts) t.geo = x86;
  ts[0].config.nogbpages = true;
  ts[1].config.nopse = true;
  ts[2].config = {.nohugeiomap = true, .nogbpages = true, .nopse = true, .mtrr_split = 1 * G};
  ts[3].config.mtrr_split = 0x4020'0000'0000;
  ts[3].geo = engine::find_geometry("x86-64-5l");
  for (const Trace& t : ts) {
    const std::string text = harness::to_text(t);
    SCOPED_TRACE(text);
    Trace back;
    harness::ParseError err;
    ASSERT_TRUE(harness::parse_text(text, &back, &err)) << err.line << ": " << err.message;
    EXPECT_TRUE(back == t);
    EXPECT_EQ(harness::to_text(back), text);
    EXPECT_FALSE(harness::validate(t));
  }
  EXPECT_NE(harness::to_text(ts[2]).find(
                "config nohugeiomap=1 nohugevmalloc=0 nogbpages=1 nopse=1 mtrr_split=0x40000000\n"),
            std::string::npos);
  // Unset, they are not written: an x86 trace without them reads like any other.
  Trace plain;
  plain.geo = x86;
  EXPECT_NE(harness::to_text(plain).find("config nohugeiomap=0 nohugevmalloc=0\n"),
            std::string::npos);
}

TEST(TraceText, RoundTripsCanonicalX86Text) {
  const std::string s =
      "vmapfuzz-trace 1\n"
      "geometry x86-64-4l\n"
      "variant v4\n"
      "config nohugeiomap=0 nohugevmalloc=0 nopse=1 mtrr_split=0x40100000\n"
      "ioremap va=0xffffc00000200000 size=0x200000 pa=0x40000000 prot=device\n";
  Trace t;
  harness::ParseError err;
  ASSERT_TRUE(harness::parse_text(s, &t, &err)) << err.line << ": " << err.message;
  EXPECT_FALSE(t.config.nogbpages);
  EXPECT_TRUE(t.config.nopse);
  EXPECT_EQ(t.config.mtrr_split, 0x40100000u);
  EXPECT_EQ(harness::to_text(t), s);
  // The options may come before the geometry line, and the split in any
  // number form; explicit zeros are the defaults.
  const std::string early =
      "vmapfuzz-trace 1\n"
      "variant v4\n"
      "config nogbpages=0 nopse=1 mtrr_split=1G nohugevmalloc=1\n"
      "geometry x86-64-5l\n";
  ASSERT_TRUE(harness::parse_text(early, &t, &err)) << err.line << ": " << err.message;
  EXPECT_EQ(t.config,
            (engine::KernelConfig{.nohugevmalloc = true, .nopse = true, .mtrr_split = 1 * G}));
}

TEST(TraceText, AcceptsDecimalSuffixesAndCrlf) {
  const std::string s =
      "vmapfuzz-trace 1\r\n"
      "geometry arm64-4k-48\r\n"
      "variant v4\r\n"
      "\r\n"
      "ioremap  va=0xffff800000200000\tsize=2M pa=1073741824 prot=normal\r\n"
      "vunmap_range va=0xFFFF800000200000 size=64k\r\n";
  Trace t;
  harness::ParseError err;
  ASSERT_TRUE(harness::parse_text(s, &t, &err)) << err.line << ": " << err.message;
  ASSERT_EQ(t.ops.size(), 2u);
  const auto& io = std::get<IoremapOp>(t.ops[0]);
  EXPECT_EQ(io.size, 2 * M);
  EXPECT_EQ(io.pa, 1 * G);
  EXPECT_EQ(io.prot, ProtName::normal);
  EXPECT_EQ(std::get<VunmapRangeOp>(t.ops[1]).size, 64 * K);
  EXPECT_EQ(t.config, engine::KernelConfig{});
}

TEST(TraceText, ReportsTheLineOfEachParseError) {
  const std::string head = "vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v4\n";
  const std::string x86 = "vmapfuzz-trace 1\ngeometry x86-64-4l\nvariant v4\n";
  struct Row {
    const char* name;
    std::string text;
    std::size_t line;
    const char* message;  // a substring of the error
  };
  const Row rows[] = {
      {"bad magic", "vmapfuzz-trace 2\n", 1, "first line"},
      {"unknown op", head + "iounmap va=0x1000\nfrobnicate va=0x1000\n", 5, "unknown op"},
      {"missing key", head + "vunmap_range va=0x1000\n", 4, "missing size="},
      {"duplicate key", head + "iounmap va=0x1000 va=0x2000\n", 4, "duplicate key"},
      {"unknown key", head + "iounmap va=0x1000 foo=1\n", 4, "unknown key 'foo'"},
      {"word without '='", head + "iounmap va\n", 4, "key=value"},
      {"bad hex number", head + "iounmap va=0xfffz\n", 4, "bad number for va"},
      {"negative number", head + "iounmap va=-1\n", 4, "bad number for va"},
      {"number overflow", head + "iounmap va=0x10000000000000000\n", 4, "bad number"},
      {"suffix overflow", head + "iounmap va=0x100000000000G\n", 4, "bad number"},
      {"empty number", head + "vunmap_range va= size=4K\n", 4, "bad number for va"},
      {"unknown prot", head + "ioremap va=0 size=4K pa=0 prot=cached\n", 4, "unknown prot"},
      {"nth too large", head + "fail_alloc nth=65536\n", 4, "nth too large"},
      {"unknown geometry", "vmapfuzz-trace 1\n# c\ngeometry riscv-sv39\n", 3, "unknown geometry"},
      {"unknown variant", "vmapfuzz-trace 1\ngeometry arm64-4k-48\nvariant v2\n", 3,
       "unknown variant"},
      {"geometry twice", head + "geometry arm64-4k-48\n", 4, "geometry must come once"},
      {"config after ops", head + "iounmap va=0x1000\nconfig nohugeiomap=1\n", 5,
       "config must come once"},
      {"bad config value", head + "config nohugeiomap=yes\n", 4, "0 or 1"},
      {"unknown config", head + "config hugevmap=1\n", 4, "unknown config"},
      {"missing variant", "vmapfuzz-trace 1\ngeometry arm64-4k-48\n", 2, "missing 'variant'"},
      {"placement twice", head + "placement any\nplacement kernel\n", 5,
       "placement must come once"},
      {"unknown placement", head + "placement anywhere\n", 4, "usage: placement kernel|any"},
      {"placement after ops", head + "iounmap va=0x1000\nplacement any\n", 5,
       "placement must come once"},
      {"duplicate config", head + "config nohugeiomap=1 nohugeiomap=0\n", 4,
       "duplicate config 'nohugeiomap'"},
      {"config without value", head + "config nopse\n", 4, "unknown config 'nopse'"},
      {"nogbpages on arm64", head + "config nohugeiomap=0 nogbpages=1\n", 4,
       "config nogbpages is an x86-64 boot option, but geometry arm64-4k-48 is arm64"},
      {"nopse=0 on arm64", head + "config nopse=0\n", 4,
       "config nopse is an x86-64 boot option, but geometry arm64-4k-48"},
      {"mtrr_split before a riscv geometry",
       "vmapfuzz-trace 1\nvariant v4\nconfig mtrr_split=0x40000000\ngeometry riscv64-sv39\n"
       "iounmap va=0x1000\n",
       3, "config mtrr_split is an x86-64 boot option, but geometry riscv64-sv39 is riscv64"},
      {"bad nopse value", x86 + "config nopse=2\n", 4, "0 or 1 (nopse=2)"},
      {"bad mtrr_split", x86 + "config mtrr_split=0xq\n", 4, "bad number for mtrr_split"},
      {"unaligned mtrr_split", x86 + "config mtrr_split=0x40000800\n", 4,
       "mtrr_split=0x40000800 is not a page-aligned PA"},
      {"mtrr_split past the PA limit", x86 + "config mtrr_split=0x10000000000000\n", 4,
       "below 0x10000000000000"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Trace t;
    harness::ParseError err;
    ASSERT_FALSE(harness::parse_text(r.text, &t, &err));
    EXPECT_EQ(err.line, r.line) << err.message;
    EXPECT_NE(err.message.find(r.message), std::string::npos) << err.message;
  }
}

TEST(TraceText, RecognisesTheMagic) {
  const std::string text = "vmapfuzz-trace 1\n";
  const std::vector<std::uint8_t> yes(text.begin(), text.end());
  const std::vector<std::uint8_t> no = {0, 1, 2, 3};
  EXPECT_TRUE(harness::looks_like_text(yes));
  EXPECT_FALSE(harness::looks_like_text(no));
  EXPECT_FALSE(harness::looks_like_text({}));
}

Trace without_comments(Trace t) {
  t.comments.clear();
  return t;
}

TEST(TraceBytes, RoundTripsTracesWithoutComments) {
  for (const Trace& t : sample_traces()) {
    SCOPED_TRACE(harness::to_text(t));
    const auto bytes = harness::encode_bytes(t);
    ASSERT_TRUE(bytes);
    EXPECT_TRUE(harness::decode_bytes(*bytes, t.variant) == without_comments(t));
  }
}

// The ops of the phys-range path (the ioremap fuzz target's).
constexpr harness::OpKind kIoremapKinds[] = {
    harness::OpKind::ioremap, harness::OpKind::ioremap_page_range, harness::OpKind::vmap_page_range,
    harness::OpKind::iounmap, harness::OpKind::vunmap_range,       harness::OpKind::fail_alloc};

std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng) {
  std::vector<std::uint8_t> b(rng() % 400);
  for (std::uint8_t& x : b) x = static_cast<std::uint8_t>(rng());
  return b;
}

TEST(TraceBytes, DecodesRandomBytesDeterministicallyIntoValidPrintableTraces) {
  std::mt19937_64 rng(20260618);
  for (int i = 0; i < 3000; ++i) {
    const std::vector<std::uint8_t> b = random_bytes(rng);
    const Variant variant = i % 2 ? Variant::v4 : Variant::mainline;
    const Trace t = harness::decode_bytes(b, variant);
    ASSERT_TRUE(harness::decode_bytes(b, variant) == t) << "input " << i;
    ASSERT_EQ(t.variant, variant);
    ASSERT_NE(t.geo, nullptr);
    ASSERT_LE(t.ops.size(), harness::kMaxOps + 1);
    // The decoder folds the values of the phys-range ops into the
    // contract (trace_bytes.cc): all of them run.
    const Trace io = harness::decode_bytes(b, variant, kIoremapKinds);
    if (io.ops.size() <= harness::kMaxOps) {
      const auto why = harness::validate(io);
      ASSERT_FALSE(why) << "input " << i << ": " << *why;
    }
    // Whatever the bytes decode to has a text form that reads back the same.
    Trace back;
    harness::ParseError err;
    ASSERT_TRUE(harness::parse_text(harness::to_text(t), &back, &err))
        << "input " << i << " line " << err.line << ": " << err.message;
    ASSERT_TRUE(back == t) << "input " << i;
  }
}

// Fuzzer bytes give vmap() VAs its area allocator can produce
// (docs/placement.md), except for inputs whose boot-option byte asks for
// `placement any`: those keep the VA they decode to.
TEST(TraceBytes, DecodesReachableVmapPlacementsUnlessPlacementAny) {
  std::mt19937_64 rng(20261206);
  constexpr harness::OpKind kVmapOnly[] = {harness::OpKind::vmap};
  std::size_t any = 0, strict = 0, unaligned_any = 0, aligned_up = 0;
  for (int i = 0; i < 4000; ++i) {
    std::vector<std::uint8_t> b = random_bytes(rng);
    if (b.size() < 2) continue;
    for (const Variant variant : {Variant::v4, Variant::mainline}) {
      const Trace t = harness::decode_bytes(b, variant, kVmapOnly);
      ASSERT_EQ(t.config.placement_any, (b[1] & 0xc0) == 0xc0) << "input " << i;
      (t.config.placement_any ? any : strict) += 1;
      for (const harness::Op& op : t.ops) {
        const auto& o = std::get<harness::VmapOp>(op);
        const u64 align =
            reference::vmap_area_align(*t.geo, variant, o.page_count() << t.geo->page_shift);
        if (!t.config.placement_any) {
          ASSERT_EQ(o.va % align, 0u) << "input " << i << ": " << harness::show(op);
          if (align > t.geo->page_size()) ++aligned_up;
        } else if (o.va % align) {
          ++unaligned_any;
        }
      }
    }
  }
  EXPECT_GT(any, 0u);
  EXPECT_GT(strict, 3 * any / 2);  // a quarter of the inputs, roughly
  EXPECT_GT(unaligned_any, 0u);    // the walker's contract is still fuzzed
  EXPECT_GT(aligned_up, 0u);       // and the rule was exercised
}

TEST(TraceBytes, DecodesEmptyInputToEmptyTrace) {
  const Trace t = harness::decode_bytes({}, Variant::v4);
  EXPECT_TRUE(t.ops.empty());
  EXPECT_EQ(t.geo, &geo());
  EXPECT_EQ(t.config, engine::KernelConfig{});
}

// A long fuzzer input is cut to kMaxOps ops, not thrown away whole (the
// decoder once returned kMaxOps + 1 ops, which validate() rejected).
TEST(TraceBytes, DecodesAtMostMaxOps) {
  const std::vector<std::uint8_t> b(2 + 2 * (harness::kMaxOps + 10), 5);  // fail_alloc nth=5 ...
  const Trace t = harness::decode_bytes(b, Variant::v4);
  EXPECT_LE(t.ops.size(), harness::kMaxOps);
  EXPECT_FALSE(harness::validate(t));
}

TEST(Validate, RejectsOpsOutsideTheContract) {
  const u64 top = geo().vmalloc_start + geo().vmalloc_size;
  struct Row {
    const char* name;
    harness::Op op;
    const char* why;  // substring, or nullptr if the op is valid
  };
  const Row rows[] = {
      {"valid ioremap", IoremapOp{v(0), 2 * M, kPa}, nullptr},
      {"zero size", IoremapOp{v(0), 0, kPa}, "size 0"},
      {"zero size vunmap_range", VunmapRangeOp{v(0), 0}, "size 0"},
      {"unaligned va", IoremapOp{v(0x800), 4 * K, kPa}, "va not page aligned"},
      {"unaligned pa", IoremapPageRangeOp{v(0), 4 * K, kPa + 0x800}, "pa not page aligned"},
      {"va below the window", VmapPageRangeOp{geo().vmalloc_start - 4 * K, 4 * K, kPa},
       "leaves the vmalloc window"},
      {"range past the window", IoremapOp{top - 4 * K, 8 * K, kPa}, "leaves the vmalloc window"},
      {"last page of the window", IoremapOp{top - 4 * K, 4 * K, kPa}, nullptr},
      {"size above the limit", IoremapOp{v(0), harness::kMaxOpSize + 4 * K, kPa}, "harness limit"},
      {"pa range past the PA limit", IoremapOp{v(0), 8 * K, geo().phys_limit - 4 * K}, "PA limit"},
      {"unaligned vunmap_range size", VunmapRangeOp{v(0), 6 * K}, "vunmap_range size"},
      {"unaligned ioremap size", IoremapOp{v(0), 6 * K, kPa}, "ioremap size"},
      {"unaligned vmap_page_range size is allowed", VmapPageRangeOp{v(0), 6 * K, kPa}, nullptr},
      {"iounmap of an unaligned va", IounmapOp{v(0x800)}, "va not a page"},
      {"iounmap outside the window", IounmapOp{top}, "va not a page"},
      {"fail_alloc nth 255", FailAllocOp{255}, nullptr},
      {"fail_alloc nth 256", FailAllocOp{256}, "nth above 255"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Trace t;
    t.ops = {IounmapOp{v(0)}, r.op};
    const auto why = harness::validate(t);
    if (!r.why) {
      EXPECT_FALSE(why) << *why;
      continue;
    }
    ASSERT_TRUE(why);
    EXPECT_NE(why->find(r.why), std::string::npos) << *why;
    EXPECT_NE(why->find("op 2"), std::string::npos) << *why;
  }
}

// A trace built in code cannot carry x86-64 boot options onto another
// architecture either.
TEST(Validate, RejectsX86OptionsOnOtherArchitectures) {
  Trace t;
  t.config.nopse = true;
  auto why = harness::validate(t);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("nopse is an x86-64 boot option"), std::string::npos) << *why;
  t.config = {.mtrr_split = 2 * M};
  t.geo = engine::find_geometry("riscv64-sv48");
  why = harness::validate(t);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("mtrr_split is an x86-64 boot option"), std::string::npos) << *why;
  t.geo = engine::find_geometry("x86-64-4l");
  EXPECT_FALSE(harness::validate(t));
  t.config.mtrr_split = 2 * M + 0x10;
  why = harness::validate(t);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("not a page-aligned PA"), std::string::npos) << *why;
}

TEST(Validate, RejectsTooManyOps) {
  Trace t;
  t.ops.assign(harness::kMaxOps, IounmapOp{v(0)});
  EXPECT_FALSE(harness::validate(t));
  t.ops.push_back(IounmapOp{v(0)});
  EXPECT_TRUE(harness::validate(t));
}

}  // namespace
}  // namespace vmapfuzz::test
