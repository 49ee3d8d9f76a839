// SPDX-License-Identifier: GPL-2.0-only
#include "engine/geometry.h"

#include <array>

namespace vmapfuzz::engine {

const Geometry& arm64_4k_48() {
  static const Geometry g = {
      .name = "arm64-4k-48",
      .page_shift = 12,
      .va_bits = 48,
      .levels = 4,
      .cont_pte_shift = 16,
      .cont_pmd_shift = 25,
      .pud_block = true,
      .pmd_block = true,
      // The upper half of the TTBR1 range; 16 TiB spans 32 PGD entries.
      .vmalloc_start = 0xffff'8000'0000'0000ull,
      .vmalloc_size = u64{1} << 44,
      .phys_limit = u64{1} << 48,
  };
  return g;
}

std::span<const Geometry* const> all_geometries() {
  static const std::array<const Geometry*, 1> all = {&arm64_4k_48()};
  return all;
}

const Geometry* find_geometry(std::string_view name) {
  for (const Geometry* g : all_geometries())
    if (g->name == name) return g;
  return nullptr;
}

}  // namespace vmapfuzz::engine
