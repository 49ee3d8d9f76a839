// SPDX-License-Identifier: GPL-2.0-only
#include "reference/attrs.h"

#include "reference/geometry_facts.h"

namespace vmapfuzz::reference {

Attrs decode_attrs(u64 d) {
  auto b = [d](unsigned n) { return ((d >> n) & 1) != 0; };
  Attrs a;
  a.attr_index = static_cast<std::uint8_t>((d >> 2) & 7);
  a.sh = static_cast<std::uint8_t>((d >> 8) & 3);
  a.user = b(6);
  a.rdonly = b(7);
  a.af = b(10);
  a.ng = b(11);
  a.gp = b(50);
  a.dbm = b(51);
  a.pxn = b(53);
  a.uxn = b(54);
  a.sw = static_cast<std::uint8_t>((d >> 55) & 0xf);
  return a;
}

Attrs expected_attrs(common::ProtName prot, bool nx) {
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

Attrs expected_attrs(DescFormat, common::ProtName prot, bool nx) { return expected_attrs(prot, nx); }

std::string attrs_text(const Attrs& a) {
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

}  // namespace vmapfuzz::reference
