// SPDX-License-Identifier: GPL-2.0-only
// The op descriptions (harness/op_desc.h) and what they drive: field order,
// the text and byte forms of every field kind, validate(), and the input
// contract of harness/trace_file.h.
#include "harness/op_desc.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness/trace_file.h"
#include "harness/trace_io.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::ProtName;
using engine::Variant;
using harness::FieldKind;
using harness::Op;
using harness::OpDesc;
using harness::Trace;

u64 v(u64 off) { return va(off).v; }

// One op of every kind, every field away from its default.
std::vector<Op> one_of_each() {
  return {
      harness::IoremapOp{v(2 * M), 2 * M, kPa, ProtName::normal_nc},
      harness::IoremapPageRangeOp{v(4 * M), 0x1800, kPa, ProtName::device_nE},
      harness::VmapPageRangeOp{v(8 * M), 0x1801, kPa + 64 * K, ProtName::kernel_exec},
      harness::IounmapOp{v(2 * M)},
      harness::VunmapRangeOp{v(1 * G), 64 * K},
      harness::FailAllocOp{3},
      harness::VmallocOp{v(16 * M), 0x1ff001, true, ProtName::kernel_ro},
      harness::VmapOp{.va = v(32 * M),
                      .prot = ProtName::device,
                      .runs = {{0x100000, 512}, {engine::kNullPage, 1}, {0x200010, 3}}},
      harness::VfreeOp{v(16 * M)},
      harness::VunmapOp{v(32 * M)},
      harness::FailPageAllocOp{7, 9, 3},
      harness::SetMemoryOp{v(16 * M), 3, harness::SetMemoryMode::rox, true},
  };
}

template <class O, class M>
std::size_t offset_of(M O::*member) {
  const O o{};
  return static_cast<std::size_t>(reinterpret_cast<const char*>(&(o.*member)) -
                                  reinterpret_cast<const char*>(&o));
}

// The field order is the declaration order, so the designated initializers
// that export --gtest writes compile, and the three forms agree.
TEST(OpDesc, ListsFieldsInDeclarationOrder) {
  harness::for_each_op_type([]<class O>(std::type_identity<O>) {
    SCOPED_TRACE(std::string(OpDesc<O>::name));
    std::size_t last = 0;
    bool first = true;
    std::set<std::string_view> keys;
    harness::for_each_field<O>([&](const auto& fd) {
      const std::size_t off = offset_of(fd.member);
      EXPECT_TRUE(first || off > last) << fd.key;
      EXPECT_TRUE(keys.insert(fd.key).second) << "duplicate key " << fd.key;
      last = off;
      first = false;
    });
  });
}

TEST(OpDesc, NamesEveryKindOnce) {
  std::set<std::string_view> names;
  harness::for_each_op_type([&]<class O>(std::type_identity<O>) {
    EXPECT_FALSE(OpDesc<O>::name.empty());
    EXPECT_TRUE(names.insert(OpDesc<O>::name).second) << OpDesc<O>::name;
  });
  EXPECT_EQ(names.size(), harness::kOpKinds);
  for (const Op& op : one_of_each())
    EXPECT_EQ(harness::op_name(op),
              std::visit([]<class O>(const O&) { return OpDesc<O>::name; }, op));
}

// Every field of every kind survives text -> op and bytes -> op.
TEST(OpDesc, RoundTripsEveryOpThroughTextAndBytes) {
  Trace t;
  t.variant = Variant::v4;
  t.ops = one_of_each();
  ASSERT_EQ(t.ops.size(), harness::kOpKinds);
  ASSERT_FALSE(harness::validate(t)) << *harness::validate(t);
  Trace back;
  harness::ParseError err;
  ASSERT_TRUE(harness::parse_text(harness::to_text(t), &back, &err)) << err.message;
  EXPECT_TRUE(back == t) << harness::to_text(back);
  const auto bytes = harness::encode_bytes(t);
  ASSERT_TRUE(bytes);
  EXPECT_TRUE(harness::decode_bytes(*bytes, Variant::v4) == t);
}

TEST(OpDesc, WritesTheTextFormInFieldOrder) {
  const std::vector<Op> ops = one_of_each();
  EXPECT_EQ(harness::show(ops[6]),
            "vmalloc va=0xffff800001000000 size=0x1ff001 huge=1 prot=kernel_ro");
  EXPECT_EQ(harness::show(ops[7]),
            "vmap va=0xffff800002000000 prot=device pages=0x100000+512,null,0x200010+3");
  EXPECT_EQ(harness::show(ops[10]), "fail_page_alloc nth=7 min_order=9 times=3");
  // An optional field at its default is left out, and read back as it.
  EXPECT_EQ(harness::show(harness::FailPageAllocOp{7, 9, 1}), "fail_page_alloc nth=7 min_order=9");
}

// The small fields share one byte in mixed radix: flag + 2 * prot for
// vmalloc (a flag reads true from an even byte), min_order + 11 * (times -
// 1) for fail_page_alloc.
TEST(OpDesc, PacksSmallFieldsIntoOneByte) {
  Trace t;
  t.ops = {harness::VmallocOp{v(0), 4 * K, false, ProtName::kernel_ro},
           harness::FailPageAllocOp{7, 9, 3}};
  const auto bytes = harness::encode_bytes(t);
  ASSERT_TRUE(bytes);
  // header (2), vmalloc: opcode, va (9), size (9), flags; fail_page_alloc: opcode, nth, packed.
  ASSERT_EQ(bytes->size(), 2u + 1 + 9 + 9 + 1 + 3);
  EXPECT_EQ((*bytes)[2 + 1 + 9 + 9], 1 + 2 * static_cast<int>(ProtName::kernel_ro));
  EXPECT_EQ(bytes->back(), 9 + 11 * 2);
  // Values the byte cannot hold are not encoded.
  t.ops = {harness::FailPageAllocOp{7, 11, 1}};
  EXPECT_FALSE(harness::encode_bytes(t));
  t.ops = {harness::FailAllocOp{256}};
  EXPECT_FALSE(harness::encode_bytes(t));
}

TEST(Validate, ChecksEachFieldKind) {
  struct Row {
    const char* name;
    Op op;
    const char* why;
  };
  const Row rows[] = {
      {"min_order above 10", harness::FailPageAllocOp{1, 11, 1}, "min_order above 10"},
      {"times 0", harness::FailPageAllocOp{1, 0, 0}, "times outside 1..4"},
      {"times 5", harness::FailPageAllocOp{1, 0, 5}, "times outside 1..4"},
      {"no pages", harness::VmapOp{.va = v(0), .runs = {}}, "no pages"},
      {"too many pages",
       harness::VmapOp{.va = v(0), .runs = {{0x100000, harness::kMaxVmapPages + 1}}}, "more than"},
      {"wrapping run", harness::VmapOp{.va = v(0), .runs = {{~u64{0} - 1, 4}}}, "pfn run wraps"},
      {"vmap past the window",
       harness::VmapOp{.va = geo().vmalloc_start + geo().vmalloc_size - 4 * K,
                       .runs = {{0x100000, 2}}},
       "leaves the vmalloc window"},
      {"unaligned vmalloc size is allowed", harness::VmallocOp{v(0), 0x1801, true}, nullptr},
      {"vfree outside the window", harness::VfreeOp{geo().vmalloc_start - 4 * K}, "va not a page"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Trace t;
    t.ops = {r.op};
    const auto why = harness::validate(t);
    if (!r.why) {
      EXPECT_FALSE(why) << *why;
      continue;
    }
    ASSERT_TRUE(why);
    EXPECT_NE(why->find(r.why), std::string::npos) << *why;
  }
}

// --- The input contract (harness/trace_file.h) ---

std::optional<harness::Input> read(const std::string& path, const std::string& content,
                                   std::string* err, bool bytes = false) {
  const std::vector<std::uint8_t> data(content.begin(), content.end());
  return harness::read_input(path, data, {bytes, harness::find_target("mixed"), Variant::v4}, err);
}

const std::string kBody = "geometry arm64-4k-48\nvariant v4\niounmap va=0xffff800000000000\n";

TEST(TraceFile, ReadsTextTracesByNameOrHeader) {
  std::string err;
  for (const char* path : {"a.trace", "dir/no-suffix", "crash-abc"}) {
    SCOPED_TRACE(path);
    const auto in = read(path, "vmapfuzz-trace 1\n" + kBody, &err);
    ASSERT_TRUE(in) << err;
    EXPECT_EQ(in->decoding, harness::Decoding::text);
    EXPECT_EQ(in->trace.ops.size(), 1u);
  }
}

TEST(TraceFile, RefusesTextThatIsNotQuiteATrace) {
  struct Row {
    const char* name;
    std::string path, content;
    const char* message;  // a substring of the error
  };
  const Row rows[] = {
      {"version 2", "a.trace", "vmapfuzz-trace 2\n" + kBody,
       "a.trace:1: unsupported trace version '2'"},
      {"version 2, no suffix", "a.txt", "vmapfuzz-trace 2\n" + kBody, "unsupported trace version"},
      {"no header", "a.trace", kBody, "a.trace:1: missing header"},
      {"byte order mark", "a.trace", "\xef\xbb\xbfvmapfuzz-trace 1\n" + kBody, "byte order mark"},
      {"byte order mark, no suffix", "a", "\xef\xbb\xbfvmapfuzz-trace 1\n" + kBody,
       "byte order mark"},
      {"two spaces", "a.trace", "vmapfuzz-trace  1\n" + kBody, "damaged header"},
      {"trailing space", "a.trace", "vmapfuzz-trace 1 \n" + kBody, "damaged header"},
      {"latin-1", "a.trace", "vmapfuzz-trace 1\n# caf\xe9\n" + kBody, "a.trace:2: not valid UTF-8"},
      {"overlong", "a.trace", "vmapfuzz-trace 1\n# \xc0\xaf\n" + kBody, "not valid UTF-8"},
      {"surrogate", "a.trace", "vmapfuzz-trace 1\n# \xed\xa0\x80\n" + kBody, "not valid UTF-8"},
      {"truncated", "a.trace", "vmapfuzz-trace 1\n" + kBody + "# \xe2\x82", "truncated"},
      {"NUL", "a.trace", std::string("vmapfuzz-trace 1\n#\0x\n", 21) + kBody, "control character"},
      {"parse error", "a.trace", "vmapfuzz-trace 1\n" + kBody + "frobnicate\n",
       "a.trace:5: unknown op"},
      {"garbage text", "notes.txt", "this is not a trace\n", "not a text trace"},
      {"binary", "blob", std::string("\x01\x02\x03\xff", 4), "pass --bytes"},
      {"empty", "a.trace", "", "empty file"},
      {"empty, no suffix", "x", "", "empty file"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    std::string err;
    EXPECT_FALSE(read(r.path, r.content, &err));
    EXPECT_NE(err.find(r.message), std::string::npos) << err;
  }
}

TEST(TraceFile, ReadsUtf8Comments) {
  std::string err;
  const auto in = read("a.trace", "vmapfuzz-trace 1\n# 2 MiB \xe2\x80\x94 a block\n" + kBody, &err);
  ASSERT_TRUE(in) << err;
  ASSERT_EQ(in->trace.comments.size(), 1u);
}

// Fuzzer bytes only when asked, or under a fuzzer's name; then exactly as
// the fuzz target reads them.
TEST(TraceFile, ReadsBytesOnlyWhenAskedOrNamedByAFuzzer) {
  Trace t;
  t.ops = {harness::IounmapOp{v(0)}};
  const auto bytes = harness::encode_bytes(t);
  ASSERT_TRUE(bytes);
  const std::string content(bytes->begin(), bytes->end());
  std::string err;
  EXPECT_FALSE(read("input.bin", content, &err));
  for (const char* path :
       {"crash-da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "corpus/da39a3ee5e6b4b0d3255bfef95601890afd80709", "leak-1", "timeout-1", "oom-1",
        "slow-unit-1", "minimized-from-1", "clusterfuzz-testcase-minimized-vmap_fuzz-1",
        "out/crashes/id:000000,sig:06"}) {
    SCOPED_TRACE(path);
    const auto in = read(path, content, &err);
    ASSERT_TRUE(in) << err;
    EXPECT_EQ(in->decoding, harness::Decoding::bytes);
    EXPECT_EQ(in->how, "fuzzer bytes (target mixed, variant v4)");
    EXPECT_EQ(in->trace.ops, t.ops);
  }
  const auto asked = read("input.bin", content, &err, /*bytes=*/true);
  ASSERT_TRUE(asked) << err;
  EXPECT_EQ(asked->trace.ops, t.ops);
  EXPECT_FALSE(read("crash-1", "", &err));
}

}  // namespace
}  // namespace vmapfuzz::test
