// SPDX-License-Identifier: GPL-2.0-only
// The descriptor formats the reference's MMU walker (mmu_walker.h) and
// attribute decoder (attrs.h) know: one per architecture, whatever its
// granule or number of levels. A geometry row (geometry_facts.h) names its
// format; an Attrs value carries the format it was decoded from.
#pragma once

#include <cstdint>

namespace vmapfuzz::reference {

enum class DescFormat : std::uint8_t {
  arm64,    // VMSAv8-64 stage 1 (Arm ARM D8): valid bit 0, type bit 1
  x86_64,   // IA-32e / 5-level paging (SDM vol. 3, 4.5): P bit 0, PS bit 7
  riscv64,  // Sv39/Sv48/Sv57 (privileged spec, 12.4-12.6): V, R, W, X bits 0..3
};

constexpr const char* desc_format_name(DescFormat f) {
  switch (f) {
    case DescFormat::arm64: return "arm64";
    case DescFormat::x86_64: return "x86-64";
    case DescFormat::riscv64: return "riscv64";
  }
  return "?";
}

}  // namespace vmapfuzz::reference
