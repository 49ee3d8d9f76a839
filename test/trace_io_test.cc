// SPDX-License-Identifier: GPL-2.0-only
// The two trace forms (text and fuzzer bytes) and validate().
#include "harness/trace_io.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
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
  ASSERT_NE(ts[3].geo, nullptr);
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
        const u64 align = reference::vmap_area_align(*t.geo, variant,
                                                     o.page_count() << t.geo->page_shift, t.config);
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

// The geometry byte indexes engine::all_geometries() (mod its size), in an
// order fixed for good: committed byte inputs depend on it.
TEST(TraceBytes, DecodesEveryGeometryFromItsByte) {
  const char* const kOrder[] = {"arm64-4k-48",  "arm64-4k-39",  "arm64-16k-47", "arm64-16k-48",
                                "arm64-64k-42", "arm64-64k-48", "x86-64-4l",    "x86-64-5l",
                                "riscv64-sv39", "riscv64-sv48", "riscv64-sv57"};
  const auto geos = engine::all_geometries();
  ASSERT_EQ(geos.size(), std::size(kOrder));
  for (std::size_t i = 0; i < geos.size(); ++i) {
    EXPECT_EQ(geos[i]->name, kOrder[i]);
    for (const std::size_t b : {i, i + geos.size(), i + 2 * geos.size()}) {
      const std::vector<std::uint8_t> in = {static_cast<std::uint8_t>(b)};
      EXPECT_EQ(harness::decode_bytes(in, Variant::v4).geo, geos[i]) << "byte " << b;
    }
  }
}

// Each geometry's boundary granules, worked out by hand: the CONT group
// (16 pages where there is none), PMD_SIZE, PUD_SIZE (where the PUD level
// is folded, the size of the level above the PMD tables), and its PMD order.
struct GranuleRow {
  const char* geometry;
  u64 cont, pmd, pud;
  unsigned pmd_order;
};
constexpr u64 T = u64{1} << 40;
const GranuleRow kGranuleRows[] = {
    {"arm64-4k-48", 64 * K, 2 * M, 1 * G, 9},      {"arm64-4k-39", 64 * K, 2 * M, 1 * G, 9},
    {"arm64-16k-47", 2 * M, 32 * M, 64 * G, 11},   {"arm64-16k-48", 2 * M, 32 * M, 64 * G, 11},
    {"arm64-64k-42", 2 * M, 512 * M, 512 * M, 13}, {"arm64-64k-48", 2 * M, 512 * M, 4 * T, 13},
    {"x86-64-4l", 64 * K, 2 * M, 1 * G, 9},        {"x86-64-5l", 64 * K, 2 * M, 1 * G, 9},
    {"riscv64-sv39", 64 * K, 2 * M, 1 * G, 9},     {"riscv64-sv48", 64 * K, 2 * M, 1 * G, 9},
    {"riscv64-sv57", 64 * K, 2 * M, 1 * G, 9},
};

// The header of a byte input for geometry `name`: geometry byte, boot
// options byte, and on x86-64 the (empty) x86 options byte.
std::vector<std::uint8_t> header(const engine::Geometry& g, std::uint8_t options) {
  const auto geos = engine::all_geometries();
  const auto i = std::find(geos.begin(), geos.end(), &g) - geos.begin();
  std::vector<std::uint8_t> b = {static_cast<std::uint8_t>(i), options};
  if (g.arch == engine::Arch::x86_64) b.push_back(0);
  return b;
}

TEST(TraceBytes, BiasesValuesTowardTheGeometrysBoundaries) {
  constexpr harness::OpKind kIoremapOnly[] = {harness::OpKind::ioremap};
  for (const GranuleRow& row : kGranuleRows) {
    SCOPED_TRACE(row.geometry);
    const engine::Geometry* g = engine::find_geometry(row.geometry);
    ASSERT_NE(g, nullptr);
    const u64 page = g->page_size();
    // Selectors 1..7: CONT, PMD, PUD, PMD, CONT, PUD, page.
    const u64 granule[] = {row.cont, row.pmd, row.pud, row.pmd, row.cont, row.pud, page};
    for (std::uint8_t sel = 1; sel <= 7; ++sel) {
      SCOPED_TRACE("selector " + std::to_string(sel));
      // ioremap: va, size, pa at index/count 1 and no page delta, prot 0.
      std::vector<std::uint8_t> b = header(*g, 0);
      for (const int x : {0, int{sel}, 1, 0, 0, int{sel}, 1, 0, int{sel}, 1, 0, 0, 0})
        b.push_back(static_cast<std::uint8_t>(x));
      const Trace t = harness::decode_bytes(b, Variant::v4, kIoremapOnly);
      ASSERT_EQ(t.ops.size(), 1u);
      const auto& o = std::get<IoremapOp>(t.ops[0]);
      const u64 gran = granule[sel - 1];
      EXPECT_EQ(o.va, g->vmalloc_start + gran);
      EXPECT_EQ(o.size, std::min(gran, 1 * G));  // a size counts at most GiBs
      EXPECT_EQ(o.pa, gran);
      // With a delta, one page off the boundary.
      b[b.size() - 2] = 0xff;  // the pa's delta: -1 page
      const Trace off = harness::decode_bytes(b, Variant::v4, kIoremapOnly);
      EXPECT_EQ(std::get<IoremapOp>(off.ops[0]).pa, gran - page);
    }
    // Fifteen PMD blocks, but at most 3 GiB: 3 of the 512M ones.
    std::vector<std::uint8_t> b = header(*g, 0);
    for (const std::uint8_t x : {0, 7, 0, 0, 0, 2, 15, 0, 7, 0, 0, 0, 0}) b.push_back(x);
    const Trace t = harness::decode_bytes(b, Variant::v4, kIoremapOnly);
    EXPECT_EQ(std::get<IoremapOp>(t.ops[0]).size, row.pmd == 512 * M ? 3 * row.pmd : 15 * row.pmd);
  }
}

// Page runs reach every geometry's PMD order and one more, so that vmap()
// inputs make PMD blocks on 16K (order 11) and 64K (order 13) too.
TEST(TraceBytes, DecodesPageRunsUpToThePmdOrderPlusOne) {
  constexpr harness::OpKind kVmapOnly[] = {harness::OpKind::vmap};
  for (const GranuleRow& row : kGranuleRows) {
    SCOPED_TRACE(row.geometry);
    const engine::Geometry* g = engine::find_geometry(row.geometry);
    ASSERT_NE(g, nullptr);
    // `placement any` (0xc0): no area alignment, so the reference is not asked.
    std::vector<std::uint8_t> b = header(*g, 0xc0);
    const unsigned o = row.pmd_order;
    // vmap va=window base prot=normal, three runs of selector 0 (aligned
    // blocks): order o + 1, order o, and the order after the last (wraps to 0).
    for (const unsigned x :
         {0u, 7u, 0u, 0u, 0u, 2u, 2u, 0u, o + 1, 1u, 0u, 0u, o, 0u, 0u, 0u, o + 2, 0u, 0u})
      b.push_back(static_cast<std::uint8_t>(x));
    const Trace t = harness::decode_bytes(b, Variant::v4, kVmapOnly);
    ASSERT_EQ(t.ops.size(), 1u);
    const auto& v = std::get<harness::VmapOp>(t.ops[0]);
    ASSERT_EQ(v.runs.size(), 3u);
    EXPECT_EQ(v.runs[0].count, u64{2} << o);
    EXPECT_EQ(v.runs[0].pfn % v.runs[0].count, 0u);
    EXPECT_EQ(v.runs[1].count, u64{1} << o);
    EXPECT_EQ(v.runs[1].count << g->page_shift, row.pmd);  // one PMD block
    EXPECT_EQ(v.runs[2].count, 1u);
    EXPECT_FALSE(harness::validate(t));
  }
}

// x86-64 inputs carry one more byte of boot options; other geometries do
// not, so an arm64 input's third byte is still its first opcode.
TEST(TraceBytes, ReadsTheX86OptionsByteOnX86Only) {
  const engine::Geometry& x86 = *engine::find_geometry("x86-64-4l");
  auto config_of = [&](std::vector<std::uint8_t> b) {
    return harness::decode_bytes(b, Variant::v4).config;
  };
  const std::uint8_t gi = harness::encode_bytes([&] {
                            Trace t;
                            t.geo = &x86;
                            return t;
                          }())
                              ->at(0);
  EXPECT_EQ(config_of({gi, 0, 0x0f}), (engine::KernelConfig{.nogbpages = true}));
  EXPECT_EQ(config_of({gi, 0, 0x0e}), (engine::KernelConfig{.nopse = true}));
  EXPECT_EQ(config_of({gi, 0, 0x0d}), (engine::KernelConfig{.nogbpages = true, .nopse = true}));
  EXPECT_EQ(config_of({gi, 0, 0x07}), engine::KernelConfig{});
  EXPECT_EQ(config_of({gi, 0, 0x4f}), (engine::KernelConfig{.nogbpages = true}));  // no split
  // Biased splits: next to the PMD and PUD boundaries of the second GiB.
  const u64 splits[] = {1 * G + 1 * M, 1 * G + 4 * K, 2 * G - 4 * K, 1 * G + 2 * M};
  for (std::uint8_t p = 0; p < 4; ++p)
    EXPECT_EQ(config_of({gi, 0, static_cast<std::uint8_t>(0x80 | p << 4)}).mtrr_split, splits[p]);
  // Exact: folded to a page-aligned PA below the PA limit.
  EXPECT_EQ(config_of({gi, 0, 0xc0, 0x00, 0x08, 0x10, 0x40, 0, 0, 0, 0}).mtrr_split, 0x40100000u);
  EXPECT_EQ(config_of({gi, 0, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}).mtrr_split,
            x86.phys_limit - 4 * K);
  // On arm64 the byte after the boot options is an opcode (5: fail_alloc).
  const Trace arm = harness::decode_bytes(std::vector<std::uint8_t>{0, 0, 5, 9}, Variant::v4);
  EXPECT_EQ(arm.config, engine::KernelConfig{});
  ASSERT_EQ(arm.ops.size(), 1u);
  EXPECT_EQ(std::get<FailAllocOp>(arm.ops[0]).nth, 9u);
}

TEST(TraceBytes, RoundTripsX86Options) {
  for (const char* name : {"x86-64-4l", "x86-64-5l"}) {
    const engine::Geometry* g = engine::find_geometry(name);
    ASSERT_NE(g, nullptr);
    const engine::KernelConfig configs[] = {
        {},
        {.nogbpages = true},
        {.nopse = true},
        {.nohugeiomap = true, .nogbpages = true, .nopse = true},
        {.mtrr_split = 1 * G + 4 * K},
        {.nohugevmalloc = true,
         .placement_any = true,
         .nopse = true,
         .mtrr_split = g->phys_limit - 4 * K},
    };
    for (const engine::KernelConfig& c : configs) {
      Trace t;
      t.geo = g;
      t.config = c;
      t.ops = {IoremapOp{g->vmalloc_start + 2 * M, 2 * M, 1 * G, ProtName::device}, FailAllocOp{3}};
      SCOPED_TRACE(harness::to_text(t));
      const auto bytes = harness::encode_bytes(t);
      ASSERT_TRUE(bytes);
      EXPECT_TRUE(harness::decode_bytes(*bytes, t.variant) == t);
    }
  }
  // The options have no byte form on other geometries (nor a meaning).
  Trace arm;
  arm.config.nopse = true;
  EXPECT_FALSE(harness::encode_bytes(arm));
}

// Random bytes on every geometry, without vmap() (whose placement asks the
// reference): every geometry and every x86 option is reached, the
// phys-range ops are valid, and the trace survives text and bytes.
// A text seed mutated until it no longer parses is decoded as bytes with
// the text's first byte, 'v': it stays on the default geometry rather than
// on the row 'v' names modulo the row count.
TEST(TraceBytes, TheFirstByteOfATextTraceKeepsTheDefaultGeometry) {
  const auto geos = engine::all_geometries();
  std::vector<std::uint8_t> b = {'v', 'm', 'a', 'p', 'f', 'u', 'z', 'z', '-', 't', 'r'};
  const Trace t = harness::decode_bytes(b, Variant::v4, kIoremapKinds);
  EXPECT_EQ(t.geo->name, engine::arm64_4k_48().name);
  ASSERT_NE(geos['v' % geos.size()]->name, engine::arm64_4k_48().name);  // what 'v' would name
  // Every other value still names its row.
  b[0] = static_cast<std::uint8_t>('v' % geos.size());
  EXPECT_EQ(harness::decode_bytes(b, Variant::v4, kIoremapKinds).geo->name,
            geos['v' % geos.size()]->name);
}

TEST(TraceBytes, DecodesRandomBytesOnEveryGeometry) {
  std::mt19937_64 rng(20261207);
  std::vector<harness::OpKind> kinds;
  for (const harness::OpKind k : harness::all_op_kinds())
    if (k != harness::OpKind::vmap) kinds.push_back(k);
  std::map<std::string_view, int> per_geometry;
  int nogbpages = 0, nopse = 0, split = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::vector<std::uint8_t> b = random_bytes(rng);
    const Trace t = harness::decode_bytes(b, Variant::v4, kinds);
    ++per_geometry[t.geo->name];
    nogbpages += t.config.nogbpages;
    nopse += t.config.nopse;
    split += t.config.mtrr_split != 0;
    ASSERT_FALSE(harness::config_problem(*t.geo, t.config)) << "input " << i;
    const Trace io = harness::decode_bytes(b, Variant::v4, kIoremapKinds);
    const auto why = harness::validate(io);
    ASSERT_FALSE(why) << "input " << i << ": " << *why;
    Trace back;
    harness::ParseError err;
    ASSERT_TRUE(harness::parse_text(harness::to_text(t), &back, &err))
        << "input " << i << " line " << err.line << ": " << err.message;
    ASSERT_TRUE(back == t) << "input " << i;
    const auto again = harness::encode_bytes(t, kinds);
    ASSERT_TRUE(again) << "input " << i;
    ASSERT_TRUE(harness::decode_bytes(*again, Variant::v4, kinds) == t) << "input " << i;
  }
  EXPECT_EQ(per_geometry.size(), engine::all_geometries().size());
  EXPECT_GT(nogbpages, 0);
  EXPECT_GT(nopse, 0);
  EXPECT_GT(split, 0);
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
  ASSERT_NE(t.geo, nullptr);
  why = harness::validate(t);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("mtrr_split is an x86-64 boot option"), std::string::npos) << *why;
  t.geo = engine::find_geometry("x86-64-4l");
  ASSERT_NE(t.geo, nullptr);
  EXPECT_FALSE(harness::validate(t));
  t.config.mtrr_split = 2 * M + 0x10;
  why = harness::validate(t);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("not a page-aligned PA"), std::string::npos) << *why;
}

// A geometry the reference has no facts for is refused, not judged (the
// reference would abort).
TEST(Validate, RejectsAGeometryTheReferenceLacks) {
  engine::Geometry unknown = geo();
  unknown.name = "arm64-4k-unknown";
  Trace t;
  t.geo = &unknown;
  const auto why = harness::validate(t);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("no facts for geometry arm64-4k-unknown"), std::string::npos) << *why;
  harness::Runner runner;
  const harness::RunResult r = runner.run(t);
  ASSERT_TRUE(r.rejected);
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
