// SPDX-License-Identifier: GPL-2.0-only
// The reference's attribute decoder and expectations (reference/attrs.h)
// per descriptor format, on hand-written descriptors: what each named
// kernel protection looks like as a leaf (the values the kernel's headers
// give, written out here), that the arm64 forms are unchanged, and,
// differentially, that the engine's protections decode to what the
// reference expects.
#include <gtest/gtest.h>

#include <string>

#include "engine/arch.h"
#include "engine/geometry.h"
#include "reference/attrs.h"
#include "reference/geometry_facts.h"

namespace vmapfuzz::test {
namespace {

using common::ProtName;
using common::u64;
using reference::Attrs;
using reference::attrs_text;
using reference::decode_attrs;
using reference::DescFormat;
using reference::expected_attrs;

constexpr DescFormat kArm = DescFormat::arm64, kX86 = DescFormat::x86_64, kRv = DescFormat::riscv64;

// A leaf descriptor, the protections it must satisfy (with pgprot_nx()
// applied or not) and its text.
struct Case {
  const char* what;
  u64 desc;
  bool large;
  ProtName prot;
  bool nx;
  const char* text;
};

void check(DescFormat fmt, const Case& c) {
  SCOPED_TRACE(c.what);
  const Attrs a = decode_attrs(fmt, c.desc, c.large);
  EXPECT_EQ(a.format, fmt);
  EXPECT_EQ(a, expected_attrs(fmt, c.prot, c.nx));
  EXPECT_EQ(attrs_text(fmt, a), c.text);
  EXPECT_EQ(attrs_text(a), c.text);
}

TEST(ReferenceAttrs, Arm64FormsAreUnchanged) {
  const u64 descs[] = {0x0068'0000'4000'0f13, 0x0060'0000'0000'0783, 0x00e8'0000'0000'070f,
                       0x07ff'ffff'ffff'ffff, 0};
  for (u64 d : descs) {
    SCOPED_TRACE(std::to_string(d));
    EXPECT_EQ(decode_attrs(d), decode_attrs(kArm, d, false));
    EXPECT_EQ(decode_attrs(d), decode_attrs(kArm, d, true));
    EXPECT_EQ(decode_attrs(d).format, kArm);
    EXPECT_EQ(attrs_text(decode_attrs(d)), attrs_text(kArm, decode_attrs(d)));
  }
  for (ProtName p : common::kAllProts)
    for (bool nx : {false, true}) EXPECT_EQ(expected_attrs(p, nx), expected_attrs(kArm, p, nx));
  // PROT_DEVICE_nGnRE (pgtable-prot.h) as a page: valid, page, AttrIndx 4,
  // SH 3, AF, nG clear, PXN, UXN, DBM.
  const u64 dev = 0x0068'0000'0000'0713;
  EXPECT_EQ(decode_attrs(dev), expected_attrs(ProtName::device, false));
  EXPECT_EQ(attrs_text(decode_attrs(dev)), "RW NX SHD AF UXN DBM DEVICE/nGnRE");
  // Nothing of the other formats' fields.
  const Attrs a = decode_attrs(~u64{0});
  EXPECT_EQ(a.mem_type, 0);
  EXPECT_FALSE(a.readable || a.writable || a.exec || a.global || a.accessed || a.dirty);
  EXPECT_EQ(a.sw_high, 0);
  EXPECT_EQ(a.pkey, 0);
}

// x86-64 (asm/pgtable_types.h, 6.12, no PTI, NX supported, full PAT):
// PAGE_KERNEL 0x8000000000000163, PAGE_KERNEL_RO 0x8000000000000121,
// PAGE_KERNEL_EXEC 0x163; ioremap() adds PCD (UC-), ioremap_uc() PCD|PWT
// (UC), write-combining PWT (WC). PS leaves move PAT to bit 12.
TEST(ReferenceAttrs, X86KernelProtections) {
  const u64 pa = 0x1234'5000;
  const Case cases[] = {
      {"PAGE_KERNEL page", pa | 0x8000'0000'0000'0163, false, ProtName::normal, false,
       "RW NX GLB AD WB"},
      {"PAGE_KERNEL page, nx", pa | 0x8000'0000'0000'0163, false, ProtName::normal, true,
       "RW NX GLB AD WB"},
      {"ioremap page", pa | 0x8000'0000'0000'0173, false, ProtName::device, true,
       "RW NX GLB AD UC-"},
      {"ioremap_uc page", pa | 0x8000'0000'0000'017b, false, ProtName::device_nE, true,
       "RW NX GLB AD UC"},
      {"write-combining page", pa | 0x8000'0000'0000'016b, false, ProtName::normal_nc, true,
       "RW NX GLB AD WC"},
      {"PAGE_KERNEL_RO page", pa | 0x8000'0000'0000'0121, false, ProtName::kernel_ro, false,
       "ro NX GLB A WB"},
      {"PAGE_KERNEL_EXEC page", pa | 0x163, false, ProtName::kernel_exec, false, "RW x  GLB AD WB"},
      {"PAGE_KERNEL_EXEC page, nx", pa | 0x8000'0000'0000'0163, false, ProtName::kernel_exec, true,
       "RW NX GLB AD WB"},
      {"PAGE_KERNEL 2M leaf", 0x4020'0000 | 0x8000'0000'0000'01e3, true, ProtName::normal, true,
       "RW NX GLB AD WB"},
      {"ioremap 1G leaf", 0x4000'0000 | 0x8000'0000'0000'01f3, true, ProtName::device, true,
       "RW NX GLB AD UC-"},
      {"write-combining 2M leaf", 0x4020'0000 | 0x8000'0000'0000'01eb, true, ProtName::normal_nc,
       true, "RW NX GLB AD WC"},
  };
  for (const Case& c : cases) check(kX86, c);
  // The PAT bit: bit 7 of a page, bit 12 of a PS leaf (WT is PAT entry 7).
  EXPECT_EQ(decode_attrs(kX86, pa | 0x8000'0000'0000'01fb, false).mem_type, 7);
  EXPECT_EQ(decode_attrs(kX86, 0x4020'0000 | 0x8000'0000'0000'11fb, true).mem_type, 7);
  EXPECT_EQ(decode_attrs(kX86, 0x4020'0000 | 0x8000'0000'0000'01fb, true).mem_type, 3);
  EXPECT_EQ(attrs_text(decode_attrs(kX86, pa | 0x8000'0000'0000'01e3, false)),
            "RW NX GLB AD WB/PAT4");
  // The other fields: U/S, software bits 11:9 and 58:52, protection key.
  const Attrs odd = decode_attrs(kX86, 0x7810'0000'0000'0e05, false);
  EXPECT_TRUE(odd.user);
  EXPECT_TRUE(odd.exec);
  EXPECT_FALSE(odd.writable || odd.global || odd.accessed || odd.dirty);
  EXPECT_EQ(odd.sw, 7);
  EXPECT_EQ(odd.sw_high, 1);
  EXPECT_EQ(odd.pkey, 0xf);
  EXPECT_EQ(attrs_text(odd), "ro x  USR SW15 PK15 WB");
}

// riscv64 (asm/pgtable.h, pgtable-64.h, 6.12, Svpbmt): PAGE_KERNEL 0xe7,
// PAGE_KERNEL_READ 0xe3, PAGE_KERNEL_EXEC 0xef, _PAGE_IOREMAP
// 0x40000000000000e7 (PBMT IO), write-combining PBMT NC (bit 61).
TEST(ReferenceAttrs, RiscvKernelProtections) {
  const u64 ppn = u64{0x80001} << 10;
  const Case cases[] = {
      {"PAGE_KERNEL", ppn | 0xe7, false, ProtName::normal, false, "RW NX G AD PMA"},
      {"PAGE_KERNEL, nx", ppn | 0xe7, false, ProtName::normal, true, "RW NX G AD PMA"},
      {"_PAGE_IOREMAP", ppn | 0x4000'0000'0000'00e7, false, ProtName::device, true,
       "RW NX G AD IO"},
      {"_PAGE_IOREMAP, nE", ppn | 0x4000'0000'0000'00e7, false, ProtName::device_nE, true,
       "RW NX G AD IO"},
      {"write-combining", ppn | 0x2000'0000'0000'00e7, false, ProtName::normal_nc, true,
       "RW NX G AD NC"},
      {"PAGE_KERNEL_READ", ppn | 0xe3, false, ProtName::kernel_ro, true, "ro NX G AD PMA"},
      {"PAGE_KERNEL_EXEC", ppn | 0xef, false, ProtName::kernel_exec, false, "RW x  G AD PMA"},
      {"PAGE_KERNEL_EXEC, nx", ppn | 0xe7, false, ProtName::kernel_exec, true, "RW NX G AD PMA"},
      {"PAGE_KERNEL megapage", ppn | 0xe7, true, ProtName::normal, true, "RW NX G AD PMA"},
  };
  for (const Case& c : cases) check(kRv, c);
  const Attrs odd = decode_attrs(kRv, ppn | 0x6000'0000'0000'031b, false);
  EXPECT_TRUE(odd.readable && odd.exec && odd.user);
  EXPECT_FALSE(odd.writable || odd.global || odd.accessed || odd.dirty);
  EXPECT_EQ(odd.sw, 3);
  EXPECT_EQ(odd.mem_type, 3);
  EXPECT_EQ(attrs_text(odd), "ro x  U RSW3 PBMT3");
  EXPECT_EQ(attrs_text(decode_attrs(kRv, 0x9, false)), "-- x  PMA");
}

// The same protection in two formats is two different attribute values.
TEST(ReferenceAttrs, FormatsNeverCompareEqual) {
  for (ProtName p : common::kAllProts) {
    EXPECT_NE(expected_attrs(kArm, p, true), expected_attrs(kX86, p, true));
    EXPECT_NE(expected_attrs(kArm, p, true), expected_attrs(kRv, p, true));
    EXPECT_NE(expected_attrs(kX86, p, true), expected_attrs(kRv, p, true));
  }
}

// Differential: every engine geometry's protection values (engine/arch.h
// prot_value() and pgprot_nx(), as a page through pfn_pte()) decode to the
// attributes the reference expects.
TEST(ReferenceAttrs, AgreeWithTheEnginesProtections) {
  for (const engine::Geometry* g : engine::all_geometries()) {
    SCOPED_TRACE(std::string(g->name));
    const reference::GeometryFacts& f = reference::geometry_facts(*g);
    for (ProtName p : common::kAllProts) {
      SCOPED_TRACE(std::string(common::prot_name(p)));
      for (bool nx : {false, true}) {
        engine::pgprot_t prot = engine::prot_value(*g, p);
        if (nx) prot = engine::pgprot_nx(*g, prot);
        const engine::pte_t d = engine::pfn_pte(*g, 0x1234, prot);
        EXPECT_EQ(decode_attrs(f.format, d, false), expected_attrs(f.format, p, nx))
            << "nx " << nx << " desc " << std::hex << d;
      }
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
