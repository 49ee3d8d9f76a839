// SPDX-License-Identifier: GPL-2.0-only
// Translation geometry as a run-time value: architecture, granule, number
// of levels and which kernel levels are folded, CONT sizes and which block
// levels exist, with the engine's arithmetic on them. One binary fuzzes
// every configuration; nothing here is an #ifdef. The facts behind each
// row are in docs/geometry.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/geometry_config.h"
#include "engine/types.h"

namespace vmapfuzz::engine {

// The descriptor format and the arch hooks a geometry uses (engine/arch.h
// dispatches on it).
enum class Arch : std::uint8_t { arm64, x86_64, riscv64 };
const char* arch_name(Arch a);

// The kernel's page-table levels, top down. A geometry with fewer than
// five levels folds some of them (pgtable-nop4d.h, -nopud.h, -nopmd.h, or
// x86's and riscv's run-time folding): a folded level has no table of its
// own, its entry is the entry of the level above, and its shift is that
// level's.
enum class PgLevel : unsigned { pgd, p4d, pud, pmd, pte };
inline constexpr unsigned kPgLevels = 5;
constexpr unsigned idx(PgLevel l) { return static_cast<unsigned>(l); }
// The level below `l` (l above pte).
constexpr PgLevel level_below(PgLevel l) { return static_cast<PgLevel>(idx(l) + 1); }
constexpr std::string_view level_text(PgLevel l) {
  constexpr std::string_view kNames[] = {"pgd", "p4d", "pud", "pmd", "pte"};
  return kNames[idx(l)];
}

// Arm ARM level numbers of arm64-4k-48 (level 3 holds pages), which is
// also how the reference numbers that geometry's hardware levels
// (reference/geometry_facts.h). Tests of that geometry use them.
inline constexpr unsigned kPteLevel = 3;
inline constexpr unsigned kPmdLevel = 2;
inline constexpr unsigned kPudLevel = 1;
inline constexpr unsigned kPgdLevel = 0;

// The name and the harness's VA window and phys limit come from
// common::GeometryConfig (what the reference is told); the architecture
// fields and their arithmetic are the engine's.
struct Geometry : common::GeometryConfig {
  Arch arch = Arch::arm64;
  unsigned page_shift = 12;         // PAGE_SHIFT
  unsigned va_bits = 48;            // VA_BITS (kernel half)
  unsigned levels = 4;              // CONFIG_PGTABLE_LEVELS, or the run-time paging mode
  unsigned cont_pte_shift = 16;     // CONT_PTE_SHIFT (0: no contiguous hint)
  unsigned cont_pmd_shift = 25;     // CONT_PMD_SHIFT (0: none)
  bool pud_block = true;            // arch_vmap_pud_supported()
  bool pmd_block = true;            // arch_vmap_pmd_supported()
  unsigned ioremap_max_order = 30;  // IOREMAP_MAX_ORDER
  // Derived by make_geometry(), per PgLevel.
  unsigned shift[kPgLevels] = {};  // PGDIR_SHIFT, P4D_SHIFT, PUD_SHIFT, PMD_SHIFT, PAGE_SHIFT
  unsigned ptrs[kPgLevels] = {};   // PTRS_PER_PGD ... PTRS_PER_PTE (1 when folded)
  bool folded[kPgLevels] = {};

  constexpr u64 page_size() const { return u64{1} << page_shift; }
  // Entries in one table page (every level allocates a whole page).
  constexpr unsigned ptrs_per_table() const { return 1u << (page_shift - 3); }
  constexpr u64 table_bytes() const { return page_size(); }
  constexpr unsigned level_shift(PgLevel l) const { return shift[idx(l)]; }
  constexpr bool is_folded(PgLevel l) const { return folded[idx(l)]; }
  constexpr unsigned pmd_shift() const { return shift[idx(PgLevel::pmd)]; }
  constexpr unsigned pud_shift() const { return shift[idx(PgLevel::pud)]; }
  constexpr unsigned p4d_shift() const { return shift[idx(PgLevel::p4d)]; }
  constexpr unsigned pgdir_shift() const { return shift[idx(PgLevel::pgd)]; }
  constexpr u64 pmd_size() const { return u64{1} << pmd_shift(); }
  constexpr u64 pud_size() const { return u64{1} << pud_shift(); }
  constexpr u64 p4d_size() const { return u64{1} << p4d_shift(); }
  constexpr u64 pgdir_size() const { return u64{1} << pgdir_shift(); }
  constexpr u64 cont_pte_size() const { return cont_pte_shift ? u64{1} << cont_pte_shift : 0; }
  constexpr unsigned cont_ptes() const {
    return cont_pte_shift ? 1u << (cont_pte_shift - page_shift) : 0;
  }
  constexpr u64 cont_pmd_size() const { return cont_pmd_shift ? u64{1} << cont_pmd_shift : 0; }
  constexpr unsigned cont_pmds() const {
    return cont_pmd_shift ? 1u << (cont_pmd_shift - pmd_shift()) : 0;
  }
  // pgd_index(), p4d_index(), ...: index of `va` in the table of level `l`
  // (0 for a folded level).
  constexpr unsigned index(VirtAddr va, PgLevel l) const {
    return static_cast<unsigned>((va.v >> shift[idx(l)]) & (ptrs[idx(l)] - 1));
  }
};

// Fills shift[], ptrs[] and folded[] from arch, page_shift, va_bits and
// levels.
Geometry make_geometry(Geometry g);

// arm64, 4 KiB granule, 48-bit VA, 4 levels (p4d folded): the default.
const Geometry& arm64_4k_48();

// Every geometry the engine supports, in the order fuzz inputs index them
// (arm64-4k-48 first, so byte inputs written before there were more keep
// their meaning).
std::span<const Geometry* const> all_geometries();
const Geometry* find_geometry(std::string_view name);
// The engine geometry a common::GeometryConfig names (what the harness
// gets back from the reference); aborts on a name the engine lacks.
const Geometry& geometry_of(const common::GeometryConfig& config);

}  // namespace vmapfuzz::engine
