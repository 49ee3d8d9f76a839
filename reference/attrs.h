// SPDX-License-Identifier: GPL-2.0-only
// Memory attributes of a leaf as the MMU sees them, decoded field by field
// from the architectural descriptor format (arm64: Arm ARM, VMSAv8-64
// stage 1; x86-64: the SDM's IA-32e paging entries; riscv64: the
// privileged spec's Sv39/48/57 PTEs with Svpbmt), and the attributes each
// named kernel protection must produce. Written independently of the
// engine's prot_value() and pgtable helpers on purpose: only the
// protection's name is shared.
#pragma once

#include <cstdint>
#include <string>

#include "common/prot.h"
#include "common/types.h"
#include "reference/desc_format.h"

namespace vmapfuzz::reference {

using common::u64;

// One struct for every format: each format fills its own fields and leaves
// the others at their defaults, so two leaves compare equal only if they
// come from the same format with the same attributes. An arm64 value is
// exactly what it was before the other formats existed.
struct Attrs {
  // arm64
  std::uint8_t attr_index = 0;  // MAIR index, descriptor bits 4:2
  std::uint8_t sh = 0;          // shareability, bits 9:8
  bool user = false;            // AP[1], bit 6 (x86-64: U/S, bit 2; riscv64: U, bit 4)
  bool rdonly = false;          // AP[2], bit 7
  bool af = false;              // bit 10
  bool ng = false;              // bit 11
  bool gp = false;              // bit 50
  bool dbm = false;             // bit 51 (the kernel's PTE_WRITE)
  bool pxn = false;             // bit 53
  bool uxn = false;             // bit 54
  std::uint8_t sw = 0;          // software bits 58:55 (x86-64: 11:9; riscv64: RSW, 9:8)
  // x86-64 and riscv64
  DescFormat format = DescFormat::arm64;
  // x86-64: the PAT entry the leaf selects, PAT<<2 | PCD<<1 | PWT (PAT is
  // bit 7 of a 4K PTE, bit 12 of a PS leaf). riscv64: PBMT, bits 62:61
  // (0 PMA, 1 NC, 2 IO).
  std::uint8_t mem_type = 0;
  bool readable = false;     // riscv64 R, bit 1 (x86-64: true, every present leaf reads)
  bool writable = false;     // x86-64 R/W, bit 1; riscv64 W, bit 2
  bool exec = false;         // x86-64: XD (bit 63) clear; riscv64 X, bit 3
  bool global = false;       // x86-64 G, bit 8; riscv64 G, bit 5
  bool accessed = false;     // x86-64 A, bit 5; riscv64 A, bit 6
  bool dirty = false;        // x86-64 D, bit 6; riscv64 D, bit 7
  std::uint8_t sw_high = 0;  // x86-64 software bits 58:52
  std::uint8_t pkey = 0;     // x86-64 protection key, bits 62:59
  friend bool operator==(const Attrs&, const Attrs&) = default;
};

// Attributes of a leaf descriptor (any level); the type, contiguous and
// output-address fields are not attributes. `large_leaf`: the descriptor is
// a leaf above the page level (on x86-64 its bit 7 is PS and its PAT bit
// is bit 12; the other formats do not look at it).
Attrs decode_attrs(DescFormat format, u64 desc, bool large_leaf);
// arm64 (the form callers used before there were other formats).
Attrs decode_attrs(u64 desc);

// What a leaf mapped with kernel protection `prot` must carry, at any
// level. `nx` is pgprot_nx(), applied by vmap_page_range() and vmap().
Attrs expected_attrs(DescFormat format, common::ProtName prot, bool nx);
// arm64.
Attrs expected_attrs(common::ProtName prot, bool nx);

// Short ptdump-like text: arm64 "RW NX SHD AF DEVICE/nGnRE", x86-64
// "RW NX GLB AD WB", riscv64 "RW NX G AD PMA".
std::string attrs_text(DescFormat format, const Attrs& a);
// In the format `a` was decoded from or built for (a.format).
std::string attrs_text(const Attrs& a);

}  // namespace vmapfuzz::reference
