// SPDX-License-Identifier: GPL-2.0-only
// Memory attributes of a leaf as the MMU sees them, decoded field by field
// from the architectural descriptor format (Arm ARM, VMSAv8-64 stage 1),
// and the attributes each named kernel protection must produce. Written
// independently of engine/pgtable.h on purpose: only the protection's name
// is shared.
#pragma once

#include <cstdint>
#include <string>

#include "common/prot.h"
#include "common/types.h"

namespace vmapfuzz::reference {

using common::u64;

struct Attrs {
  std::uint8_t attr_index = 0;  // MAIR index, descriptor bits 4:2
  std::uint8_t sh = 0;          // shareability, bits 9:8
  bool user = false;            // AP[1], bit 6
  bool rdonly = false;          // AP[2], bit 7
  bool af = false;              // bit 10
  bool ng = false;              // bit 11
  bool gp = false;              // bit 50
  bool dbm = false;             // bit 51 (the kernel's PTE_WRITE)
  bool pxn = false;             // bit 53
  bool uxn = false;             // bit 54
  std::uint8_t sw = 0;          // software bits 58:55
  friend bool operator==(const Attrs&, const Attrs&) = default;
};

// Attributes of a leaf descriptor (any level); the type, contiguous and
// output-address fields are not attributes.
Attrs decode_attrs(u64 desc);

// What a leaf mapped with kernel protection `prot` must carry. `nx` is
// pgprot_nx(), applied by vmap_page_range() and vmap().
Attrs expected_attrs(common::ProtName prot, bool nx);

// The same for a geometry's descriptor format (see geometry_facts.h).
enum class DescFormat : std::uint8_t;
Attrs expected_attrs(DescFormat format, common::ProtName prot, bool nx);

// Short ptdump-like text: "RW NX SHD AF DEVICE/nGnRE".
std::string attrs_text(const Attrs& a);

}  // namespace vmapfuzz::reference
