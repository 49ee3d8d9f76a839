// SPDX-License-Identifier: GPL-2.0-only
#include "engine/geometry.h"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace vmapfuzz::engine {

const Geometry& arm64_4k_48() {
  static const Geometry g = [] {
    Geometry x;
    x.name = "arm64-4k-48";
    // The upper half of the TTBR1 range; 16 TiB spans 32 PGD entries.
    x.vmalloc_start = 0xffff'8000'0000'0000ull;
    x.vmalloc_size = u64{1} << 44;
    x.phys_limit = u64{1} << 48;
    x.page_shift = 12;
    x.va_bits = 48;
    x.levels = 4;
    x.cont_pte_shift = 16;
    x.cont_pmd_shift = 25;
    x.pud_block = true;
    x.pmd_block = true;
    return x;
  }();
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

const Geometry& geometry_of(const common::GeometryConfig& config) {
  const Geometry* g = find_geometry(config.name);
  if (!g) {
    std::fprintf(stderr, "vmapfuzz: no engine geometry named '%.*s'\n",
                 static_cast<int>(config.name.size()), config.name.data());
    std::abort();
  }
  return *g;
}

}  // namespace vmapfuzz::engine
