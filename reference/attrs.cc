// SPDX-License-Identifier: GPL-2.0-only
#include "reference/attrs.h"

namespace vmapfuzz::reference {
namespace {

constexpr bool bit_of(u64 d, unsigned n) { return ((d >> n) & 1) != 0; }
constexpr std::uint8_t field(u64 d, unsigned lo, unsigned width) {
  return static_cast<std::uint8_t>((d >> lo) & ((u64{1} << width) - 1));
}

Attrs decode_arm64(u64 d) {
  Attrs a;
  a.attr_index = field(d, 2, 3);
  a.sh = field(d, 8, 2);
  a.user = bit_of(d, 6);
  a.rdonly = bit_of(d, 7);
  a.af = bit_of(d, 10);
  a.ng = bit_of(d, 11);
  a.gp = bit_of(d, 50);
  a.dbm = bit_of(d, 51);
  a.pxn = bit_of(d, 53);
  a.uxn = bit_of(d, 54);
  a.sw = field(d, 55, 4);
  return a;
}

// Bit 0 (P) and, in a PS leaf, bit 7 (PS) are the type; bits 51:12 of a
// page (51:13 of a PS leaf) the address.
Attrs decode_x86(u64 d, bool large_leaf) {
  Attrs a;
  a.format = DescFormat::x86_64;
  const bool pat = large_leaf ? bit_of(d, 12) : bit_of(d, 7);
  a.mem_type =
      static_cast<std::uint8_t>((pat ? 4 : 0) | (bit_of(d, 4) ? 2 : 0) | (bit_of(d, 3) ? 1 : 0));
  a.readable = true;
  a.writable = bit_of(d, 1);
  a.user = bit_of(d, 2);
  a.accessed = bit_of(d, 5);
  a.dirty = bit_of(d, 6);
  a.global = bit_of(d, 8);
  a.sw = field(d, 9, 3);
  a.sw_high = field(d, 52, 7);
  a.pkey = field(d, 59, 4);
  a.exec = !bit_of(d, 63);
  return a;
}

// Bit 0 (V) is the type, bits 53:10 the address; the walker refuses
// reserved bits 60:54 and N (63) before decoding.
Attrs decode_riscv(u64 d) {
  Attrs a;
  a.format = DescFormat::riscv64;
  a.readable = bit_of(d, 1);
  a.writable = bit_of(d, 2);
  a.exec = bit_of(d, 3);
  a.user = bit_of(d, 4);
  a.global = bit_of(d, 5);
  a.accessed = bit_of(d, 6);
  a.dirty = bit_of(d, 7);
  a.sw = field(d, 8, 2);
  a.mem_type = field(d, 61, 2);
  return a;
}

Attrs expected_arm64(common::ProtName prot, bool nx) {
  // Every kernel protection here is global, inner shareable, accessed,
  // privileged-only and never user-executable.
  Attrs a;
  a.sh = 3;
  a.af = true;
  a.uxn = true;
  a.dbm = true;
  a.pxn = true;
  switch (prot) {
    case common::ProtName::device: a.attr_index = 4; break;     // Device-nGnRE
    case common::ProtName::device_nE: a.attr_index = 3; break;  // Device-nGnRnE
    case common::ProtName::normal: a.attr_index = 0; break;
    case common::ProtName::normal_nc: a.attr_index = 2; break;
    case common::ProtName::kernel_ro:
      a.attr_index = 0;
      a.dbm = false;
      a.rdonly = true;
      break;
    case common::ProtName::kernel_exec:
      a.attr_index = 0;
      a.pxn = false;
      break;
  }
  if (nx) a.pxn = true;
  return a;
}

// x86-64 (asm/pgtable_types.h): the kernel's protections are present,
// accessed and global, writable and dirty unless read-only, and XD unless
// executable. The memory type is the PAT entry Linux programs for the
// cache mode asked for (arch/x86/mm/pat/memtype.c: WB, WC, UC-, UC, WB,
// WP, UC-, WT): ioremap() UC- (entry 2, PCD), ioremap_uc() UC (entry 3,
// PCD|PWT), write-combining WC (entry 1, PWT), memory WB (entry 0).
Attrs expected_x86(common::ProtName prot, bool nx) {
  Attrs a;
  a.format = DescFormat::x86_64;
  a.readable = true;
  a.writable = true;
  a.global = true;
  a.accessed = true;
  a.dirty = true;
  switch (prot) {
    case common::ProtName::device: a.mem_type = 2; break;
    case common::ProtName::device_nE: a.mem_type = 3; break;
    case common::ProtName::normal: a.mem_type = 0; break;
    case common::ProtName::normal_nc: a.mem_type = 1; break;
    case common::ProtName::kernel_ro:
      a.writable = false;
      a.dirty = false;
      break;
    case common::ProtName::kernel_exec: a.exec = true; break;
  }
  if (nx) a.exec = false;
  return a;
}

// riscv64 with Svpbmt (asm/pgtable.h, pgtable-64.h): the kernel's
// protections are valid, readable, accessed, dirty (the read-only one
// too) and global; writable unless read-only, executable only for
// kernel_exec. ioremap() is PBMT IO for both device kinds, write-combining
// PBMT NC, memory PMA.
Attrs expected_riscv(common::ProtName prot, bool nx) {
  Attrs a;
  a.format = DescFormat::riscv64;
  a.readable = true;
  a.writable = true;
  a.global = true;
  a.accessed = true;
  a.dirty = true;
  switch (prot) {
    case common::ProtName::device:
    case common::ProtName::device_nE: a.mem_type = 2; break;
    case common::ProtName::normal: a.mem_type = 0; break;
    case common::ProtName::normal_nc: a.mem_type = 1; break;
    case common::ProtName::kernel_ro: a.writable = false; break;
    case common::ProtName::kernel_exec: a.exec = true; break;
  }
  if (nx) a.exec = false;
  return a;
}

std::string text_arm64(const Attrs& a) {
  static const char* const kMem[8] = {"MEM/NORMAL",    "MEM/NORMAL-TAGGED",
                                      "MEM/NORMAL-NC", "DEVICE/nGnRnE",
                                      "DEVICE/nGnRE",  "MAIR5",
                                      "MAIR6",         "MAIR7"};
  std::string s = a.rdonly ? "ro" : "RW";
  s += a.pxn ? " NX" : " x ";
  s += a.sh == 3 ? " SHD" : a.sh == 0 ? " NSH" : " OSH";
  s += a.af ? " AF" : "   ";
  s += a.ng ? " NG" : "";
  s += a.user ? " USR" : "";
  s += a.uxn ? " UXN" : "";
  s += a.dbm ? " DBM" : "";
  s += a.gp ? " GP" : "";
  if (a.sw) s += " SW" + std::to_string(a.sw);
  s += ' ';
  s += kMem[a.attr_index & 7];
  return s;
}

// " AD", " A", " D" or nothing.
std::string ad_text(const Attrs& a) {
  if (!a.accessed && !a.dirty) return "";
  std::string s = " ";
  if (a.accessed) s += 'A';
  if (a.dirty) s += 'D';
  return s;
}

std::string text_x86(const Attrs& a) {
  // Linux's PAT layout; the entries that repeat a type carry their number.
  static const char* const kPat[8] = {"WB", "WC", "UC-", "UC", "WB/PAT4", "WP", "UC-/PAT6", "WT"};
  std::string s = a.writable ? "RW" : "ro";
  s += a.exec ? " x " : " NX";
  s += a.global ? " GLB" : "";
  s += a.user ? " USR" : "";
  s += ad_text(a);
  if (a.sw || a.sw_high) s += " SW" + std::to_string(a.sw | (a.sw_high << 3));
  if (a.pkey) s += " PK" + std::to_string(a.pkey);
  s += ' ';
  s += kPat[a.mem_type & 7];
  return s;
}

std::string text_riscv(const Attrs& a) {
  static const char* const kPbmt[4] = {"PMA", "NC", "IO", "PBMT3"};
  std::string s = a.readable ? (a.writable ? "RW" : "ro") : (a.writable ? "-W" : "--");
  s += a.exec ? " x " : " NX";
  s += a.global ? " G" : "";
  s += a.user ? " U" : "";
  s += ad_text(a);
  if (a.sw) s += " RSW" + std::to_string(a.sw);
  s += ' ';
  s += kPbmt[a.mem_type & 3];
  return s;
}

}  // namespace

Attrs decode_attrs(DescFormat format, u64 desc, bool large_leaf) {
  switch (format) {
    case DescFormat::arm64: return decode_arm64(desc);
    case DescFormat::x86_64: return decode_x86(desc, large_leaf);
    case DescFormat::riscv64: return decode_riscv(desc);
  }
  return {};
}

Attrs decode_attrs(u64 desc) { return decode_arm64(desc); }

Attrs expected_attrs(DescFormat format, common::ProtName prot, bool nx) {
  switch (format) {
    case DescFormat::arm64: return expected_arm64(prot, nx);
    case DescFormat::x86_64: return expected_x86(prot, nx);
    case DescFormat::riscv64: return expected_riscv(prot, nx);
  }
  return {};
}

Attrs expected_attrs(common::ProtName prot, bool nx) { return expected_arm64(prot, nx); }

std::string attrs_text(DescFormat format, const Attrs& a) {
  switch (format) {
    case DescFormat::arm64: return text_arm64(a);
    case DescFormat::x86_64: return text_x86(a);
    case DescFormat::riscv64: return text_riscv(a);
  }
  return "?";
}

std::string attrs_text(const Attrs& a) { return attrs_text(a.format, a); }

}  // namespace vmapfuzz::reference
