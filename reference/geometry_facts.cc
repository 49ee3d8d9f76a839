// SPDX-License-Identifier: GPL-2.0-only
#include "reference/geometry_facts.h"

#include <cstdio>
#include <cstdlib>

namespace vmapfuzz::reference {
namespace {

// Every number is written out, never computed: the point of this table is
// to be a second, independent statement of the architecture.
constexpr GeometryFacts kRows[] = {
    {
        // arm64, 4 KiB granule, 48-bit VA, 4 levels, p4d folded.
        .name = "arm64-4k-48",
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 48,
        .kernel_va_base = 0xffff'0000'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'f000,
        .root_level = 0,
        .leaf_level = 3,
        .shift = {39, 30, 21, 12},
        .entry_size = {0x80'0000'0000, 0x4000'0000, 0x20'0000, 0x1000},
        .entries = {512, 512, 512, 512},
        .mmu_block = {false, true, true, false},
        .hw_level = {0, kFolded, 1, 2, 3},
        .pud_block_size = 0x4000'0000,
        .pmd_block_size = 0x20'0000,
        .pgdir_size = 0x80'0000'0000,
        .cont_pte_shift = 16,
        .cont_pte_size = 0x1'0000,
        .cont_ptes = 16,
    },
};

}  // namespace

std::span<const GeometryFacts> all_geometry_facts() { return kRows; }

const GeometryFacts* find_geometry_facts(std::string_view name) {
  for (const GeometryFacts& f : kRows)
    if (f.name == name) return &f;
  return nullptr;
}

const GeometryFacts& geometry_facts(const common::GeometryConfig& config) {
  const GeometryFacts* f = find_geometry_facts(config.name);
  if (!f) {
    std::fprintf(stderr, "vmapfuzz: the reference has no facts for geometry '%.*s'\n",
                 static_cast<int>(config.name.size()), config.name.data());
    std::abort();
  }
  return *f;
}

}  // namespace vmapfuzz::reference
