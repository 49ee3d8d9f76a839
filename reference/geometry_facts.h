// SPDX-License-Identifier: GPL-2.0-only
// The reference's own architecture table: for every translation geometry it
// knows, one row of literal numbers (descriptor format, level shifts,
// entries per table, block and CONT sizes, where blocks exist, the VA sign
// extension, the descriptor output-address field). The reference learns
// from the harness only WHICH geometry a trace uses
// (common::GeometryConfig::name, plus the VA window and phys limit, which
// are test configuration) and looks every architectural number up here; it
// never asks the engine's Geometry. A mistake in either table, or in the
// engine's arithmetic, therefore shows up as a difference
// (test/reference_facts_test.cc compares them).
//
// Adding a geometry is adding a row. Hardware levels are numbered inside
// [root_level, leaf_level] with the page level 3, as the Arm ARM numbers
// them (the root is 0, 1 or 2 depending on VA size and granule); x86-64
// and riscv64 rows with up to four levels use the same numbers (root =
// 4 - levels), and the 5-level rows number 0 (root) to 4 (pages), so a
// level's distance from leaf_level names it the same way in every row.
// The kernel's five level names map onto them, kFolded for a level the
// kernel folds into the one above (p4d on 4-level arm64, pud too on
// 3-level); host_level() says where a folded level's entries live. The
// model (model.h) still needs pud, pmd and pte present.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/geometry_config.h"
#include "common/types.h"
#include "reference/desc_format.h"

namespace vmapfuzz::reference {

using common::u64;

// The kernel's page-table level names, top down.
enum class KernelLevel : std::uint8_t { pgd, p4d, pud, pmd, pte };
inline constexpr int kFolded = -1;
// Room for five hardware levels (5-level x86-64, riscv Sv57).
inline constexpr unsigned kMaxHwLevels = 5;

struct GeometryFacts {
  std::string_view name;  // as in common::GeometryConfig::name
  DescFormat format;      // how the MMU reads a descriptor (mmu_walker.h, attrs.h)
  unsigned page_shift;    // the translation granule
  u64 page_size;
  unsigned va_bits;    // VA bits translated by the kernel-half root table
  u64 kernel_va_base;  // lowest VA of the kernel half: bits 63..va_bits set
  // The output-address field of table, page and block descriptors, and how
  // far it sits below the address it holds: the output address is
  // (d & oa_mask) << oa_shift (oa()). arm64 and x86-64 hold the address in
  // place (oa_shift 0; an x86-64 PS leaf's bit 12 is its PAT bit, not
  // address: the walker drops it); riscv64 holds PA >> 12 in bits 53..10
  // (oa_shift 2).
  u64 oa_mask;
  unsigned oa_shift;
  unsigned root_level;  // hardware level of the root table
  unsigned leaf_level;  // hardware level that holds pages
  // Per hardware level (unused slots: zero).
  unsigned shift[kMaxHwLevels];    // log2 of the VA range one entry maps
  u64 entry_size[kMaxHwLevels];    // that range in bytes
  unsigned entries[kMaxHwLevels];  // entries in one table of the level
  bool mmu_block[kMaxHwLevels];    // the MMU accepts a leaf (block) above the page level here
  // Per kernel level (KernelLevel order): its hardware level, or kFolded.
  int hw_level[5];
  // The blocks the kernel's vmap code may write (arch_vmap_pud_supported,
  // arch_vmap_pmd_supported): their sizes, 0 where it writes none. A block
  // of a folded level lives at its host_level().
  u64 pud_block_size;
  u64 pmd_block_size;
  u64 pgdir_size;           // VA range of one pgd entry
  unsigned cont_pte_shift;  // 0: no contiguous hint at the page level
  u64 cont_pte_size;        // bytes of one CONT-PTE group (0: none)
  unsigned cont_ptes;       // entries in one CONT-PTE group (0: none)

  // Hardware level of kernel level `k`; only for a level that is present.
  unsigned level(KernelLevel k) const {
    return static_cast<unsigned>(hw_level[static_cast<unsigned>(k)]);
  }
  bool present(KernelLevel k) const { return hw_level[static_cast<unsigned>(k)] != kFolded; }
  // Where the entries of kernel level `k` live: its own hardware level if
  // it is present, else that of the nearest present level above it (the
  // pgd always is).
  unsigned host_level(KernelLevel k) const {
    unsigned i = static_cast<unsigned>(k);
    while (i > 0 && hw_level[i] == kFolded) --i;
    return static_cast<unsigned>(hw_level[i]);
  }
  // The lowest kernel level (nearest the pte) whose entries live at
  // hardware level `hw` (root_level <= hw <= leaf_level): the one whose
  // checks and mod-mask bit apply to an entry there (pud at the root of
  // arm64-4k-39, pmd at the root of arm64-64k-42, p4d at the root of a
  // 4-level geometry).
  KernelLevel owner(unsigned hw) const {
    for (unsigned i = static_cast<unsigned>(KernelLevel::pte); i > 0; --i)
      if (host_level(static_cast<KernelLevel>(i)) == hw) return static_cast<KernelLevel>(i);
    return KernelLevel::pgd;
  }
  // Index of `va` in a table at hardware level `lvl`.
  unsigned index(u64 va, unsigned lvl) const {
    return static_cast<unsigned>((va >> shift[lvl]) & (entries[lvl] - 1));
  }
  // The kernel-half VA whose bits below va_bits are `low`.
  u64 sign_extend(u64 low) const { return low | kernel_va_base; }
  // The output address a table, page or block descriptor's address field
  // holds (before an x86-64 PS leaf's PAT bit is dropped, see oa_mask).
  u64 oa(u64 d) const { return (d & oa_mask) << oa_shift; }
};

// Every row, and the row of a name (nullptr if the reference lacks it).
std::span<const GeometryFacts> all_geometry_facts();
const GeometryFacts* find_geometry_facts(std::string_view name);
// The row the harness's configuration names; aborts on an unknown name
// (the reference cannot judge a geometry it has no facts for).
const GeometryFacts& geometry_facts(const common::GeometryConfig& config);

}  // namespace vmapfuzz::reference
