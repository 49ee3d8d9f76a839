// SPDX-License-Identifier: GPL-2.0-only
// Translation geometry as a run-time value: granule, number of levels,
// CONT sizes and which block levels exist, with the engine's arithmetic on
// them. One binary fuzzes every configuration; nothing here is an #ifdef.
#pragma once

#include <span>
#include <string_view>

#include "common/geometry_config.h"
#include "engine/types.h"

namespace vmapfuzz::engine {

// Hardware level numbers as in the Arm ARM (level 3 holds pages). The
// kernel's pgd/p4d/pud/pmd/pte names map onto them; on 4-level arm64 the
// p4d level is folded into the pgd.
inline constexpr unsigned kPteLevel = 3;
inline constexpr unsigned kPmdLevel = 2;
inline constexpr unsigned kPudLevel = 1;
inline constexpr unsigned kPgdLevel = 0;

// The name and the harness's VA window and phys limit come from
// common::GeometryConfig (what the reference is told); the architecture
// fields and their arithmetic are the engine's.
struct Geometry : common::GeometryConfig {
  unsigned page_shift = 12;      // PAGE_SHIFT
  unsigned va_bits = 48;         // VA_BITS
  unsigned levels = 4;           // CONFIG_PGTABLE_LEVELS
  unsigned cont_pte_shift = 16;  // CONT_PTE_SHIFT (0: no contiguous hint)
  unsigned cont_pmd_shift = 25;  // CONT_PMD_SHIFT
  bool pud_block = true;         // arch_vmap_pud_supported()
  bool pmd_block = true;         // arch_vmap_pmd_supported()

  constexpr u64 page_size() const { return u64{1} << page_shift; }
  constexpr unsigned ptrs_per_table() const { return 1u << (page_shift - 3); }
  // Shift of the VA range one entry at hardware level `lvl` maps.
  constexpr unsigned level_shift(unsigned lvl) const {
    return page_shift + (kPteLevel - lvl) * (page_shift - 3);
  }
  constexpr unsigned pmd_shift() const { return level_shift(kPmdLevel); }
  constexpr unsigned pud_shift() const { return level_shift(kPudLevel); }
  constexpr unsigned pgdir_shift() const { return level_shift(kPgdLevel); }
  constexpr u64 pmd_size() const { return u64{1} << pmd_shift(); }
  constexpr u64 pud_size() const { return u64{1} << pud_shift(); }
  constexpr u64 pgdir_size() const { return u64{1} << pgdir_shift(); }
  constexpr u64 cont_pte_size() const { return u64{1} << cont_pte_shift; }
  constexpr unsigned cont_ptes() const { return 1u << (cont_pte_shift - page_shift); }
  constexpr u64 cont_pmd_size() const { return u64{1} << cont_pmd_shift; }
  constexpr unsigned cont_pmds() const { return 1u << (cont_pmd_shift - pmd_shift()); }
  // Index of `va` in a table at hardware level `lvl`.
  constexpr unsigned index(VirtAddr va, unsigned lvl) const {
    return static_cast<unsigned>((va.v >> level_shift(lvl)) & (ptrs_per_table() - 1));
  }
};

// arm64, 4 KiB granule, 48-bit VA, 4 levels (p4d folded).
const Geometry& arm64_4k_48();

// Every geometry the engine supports, in the order fuzz inputs index them.
std::span<const Geometry* const> all_geometries();
const Geometry* find_geometry(std::string_view name);
// The engine geometry a common::GeometryConfig names (what the harness
// gets back from the reference); aborts on a name the engine lacks.
const Geometry& geometry_of(const common::GeometryConfig& config);

}  // namespace vmapfuzz::engine
