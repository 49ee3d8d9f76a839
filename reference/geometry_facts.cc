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
        .format = DescFormat::arm64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 48,
        .kernel_va_base = 0xffff'0000'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'f000,
        .oa_shift = 0,
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
    {
        // arm64, 4 KiB granule, 39-bit VA, 3 levels: p4d and pud folded
        // into the pgd, which is Arm level 1. The vmap code writes 1 GiB
        // PUD blocks there (pud_sect_supported() looks only at the granule).
        .name = "arm64-4k-39",
        .format = DescFormat::arm64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 39,
        .kernel_va_base = 0xffff'ff80'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'f000,
        .oa_shift = 0,
        .root_level = 1,
        .leaf_level = 3,
        .shift = {0, 30, 21, 12},
        .entry_size = {0, 0x4000'0000, 0x20'0000, 0x1000},
        .entries = {0, 512, 512, 512},
        .mmu_block = {false, true, true, false},
        .hw_level = {1, kFolded, kFolded, 2, 3},
        .pud_block_size = 0x4000'0000,
        .pmd_block_size = 0x20'0000,
        .pgdir_size = 0x4000'0000,
        .cont_pte_shift = 16,
        .cont_pte_size = 0x1'0000,
        .cont_ptes = 16,
    },
    {
        // arm64, 16 KiB granule, 47-bit VA, 3 levels: root Arm level 1
        // with 2048 entries, p4d and pud folded. No PUD blocks (16K has no
        // level-1 block without LPA2), 32 MiB PMD blocks, CONT-PTE groups
        // of 128 pages (2 MiB).
        .name = "arm64-16k-47",
        .format = DescFormat::arm64,
        .page_shift = 14,
        .page_size = 0x4000,
        .va_bits = 47,
        .kernel_va_base = 0xffff'8000'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'c000,
        .oa_shift = 0,
        .root_level = 1,
        .leaf_level = 3,
        .shift = {0, 36, 25, 14},
        .entry_size = {0, 0x10'0000'0000, 0x200'0000, 0x4000},
        .entries = {0, 2048, 2048, 2048},
        .mmu_block = {false, false, true, false},
        .hw_level = {1, kFolded, kFolded, 2, 3},
        .pud_block_size = 0,
        .pmd_block_size = 0x200'0000,
        .pgdir_size = 0x10'0000'0000,
        .cont_pte_shift = 21,
        .cont_pte_size = 0x20'0000,
        .cont_ptes = 128,
    },
    {
        // arm64, 16 KiB granule, 48-bit VA, 4 levels: a level-0 root of
        // two entries, p4d folded into it.
        .name = "arm64-16k-48",
        .format = DescFormat::arm64,
        .page_shift = 14,
        .page_size = 0x4000,
        .va_bits = 48,
        .kernel_va_base = 0xffff'0000'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'c000,
        .oa_shift = 0,
        .root_level = 0,
        .leaf_level = 3,
        .shift = {47, 36, 25, 14},
        .entry_size = {0x8000'0000'0000, 0x10'0000'0000, 0x200'0000, 0x4000},
        .entries = {2, 2048, 2048, 2048},
        .mmu_block = {false, false, true, false},
        .hw_level = {0, kFolded, 1, 2, 3},
        .pud_block_size = 0,
        .pmd_block_size = 0x200'0000,
        .pgdir_size = 0x8000'0000'0000,
        .cont_pte_shift = 21,
        .cont_pte_size = 0x20'0000,
        .cont_ptes = 128,
    },
    {
        // arm64, 64 KiB granule, 42-bit VA, 2 levels: the root is Arm
        // level 2 with 8192 entries, p4d, pud and pmd folded into it; the
        // 512 MiB PMD blocks are root entries. CONT-PTE groups of 32 pages.
        .name = "arm64-64k-42",
        .format = DescFormat::arm64,
        .page_shift = 16,
        .page_size = 0x1'0000,
        .va_bits = 42,
        .kernel_va_base = 0xffff'fc00'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'0000,
        .oa_shift = 0,
        .root_level = 2,
        .leaf_level = 3,
        .shift = {0, 0, 29, 16},
        .entry_size = {0, 0, 0x2000'0000, 0x1'0000},
        .entries = {0, 0, 8192, 8192},
        .mmu_block = {false, false, true, false},
        .hw_level = {2, kFolded, kFolded, kFolded, 3},
        .pud_block_size = 0,
        .pmd_block_size = 0x2000'0000,
        .pgdir_size = 0x2000'0000,
        .cont_pte_shift = 21,
        .cont_pte_size = 0x20'0000,
        .cont_ptes = 32,
    },
    {
        // arm64, 64 KiB granule, 48-bit VA, 3 levels: root Arm level 1
        // with 64 entries (no level-1 block without 52-bit PAs).
        .name = "arm64-64k-48",
        .format = DescFormat::arm64,
        .page_shift = 16,
        .page_size = 0x1'0000,
        .va_bits = 48,
        .kernel_va_base = 0xffff'0000'0000'0000,
        .oa_mask = 0x0000'ffff'ffff'0000,
        .oa_shift = 0,
        .root_level = 1,
        .leaf_level = 3,
        .shift = {0, 42, 29, 16},
        .entry_size = {0, 0x400'0000'0000, 0x2000'0000, 0x1'0000},
        .entries = {0, 64, 8192, 8192},
        .mmu_block = {false, false, true, false},
        .hw_level = {1, kFolded, kFolded, 2, 3},
        .pud_block_size = 0,
        .pmd_block_size = 0x2000'0000,
        .pgdir_size = 0x400'0000'0000,
        .cont_pte_shift = 21,
        .cont_pte_size = 0x20'0000,
        .cont_ptes = 32,
    },
    {
        // x86-64, 4-level paging: PML4 (pgd, p4d folded into it), PDPT
        // (pud), PD (pmd), PT. PS leaves in the PDPT (1 GiB) and PD (2 MiB).
        .name = "x86-64-4l",
        .format = DescFormat::x86_64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 48,
        .kernel_va_base = 0xffff'0000'0000'0000,
        .oa_mask = 0x000f'ffff'ffff'f000,
        .oa_shift = 0,
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
        .cont_pte_shift = 0,
        .cont_pte_size = 0,
        .cont_ptes = 0,
    },
    {
        // x86-64, 5-level paging (LA57): PML5 (pgd), PML4 (p4d), PDPT,
        // PD, PT, numbered 0 to 4.
        .name = "x86-64-5l",
        .format = DescFormat::x86_64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 57,
        .kernel_va_base = 0xfe00'0000'0000'0000,
        .oa_mask = 0x000f'ffff'ffff'f000,
        .oa_shift = 0,
        .root_level = 0,
        .leaf_level = 4,
        .shift = {48, 39, 30, 21, 12},
        .entry_size = {0x1'0000'0000'0000, 0x80'0000'0000, 0x4000'0000, 0x20'0000, 0x1000},
        .entries = {512, 512, 512, 512, 512},
        .mmu_block = {false, false, true, true, false},
        .hw_level = {0, 1, 2, 3, 4},
        .pud_block_size = 0x4000'0000,
        .pmd_block_size = 0x20'0000,
        .pgdir_size = 0x1'0000'0000'0000,
        .cont_pte_shift = 0,
        .cont_pte_size = 0,
        .cont_ptes = 0,
    },
    {
        // riscv64 Sv39: 3 levels, p4d and pud folded into the root (riscv
        // level 2, here 1). The MMU takes gigapages there, but the vmap
        // code writes no PUD leaves on Sv39 (arch_vmap_pud_supported()).
        .name = "riscv64-sv39",
        .format = DescFormat::riscv64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 39,
        .kernel_va_base = 0xffff'ff80'0000'0000,
        .oa_mask = 0x003f'ffff'ffff'fc00,
        .oa_shift = 2,
        .root_level = 1,
        .leaf_level = 3,
        .shift = {0, 30, 21, 12},
        .entry_size = {0, 0x4000'0000, 0x20'0000, 0x1000},
        .entries = {0, 512, 512, 512},
        .mmu_block = {false, true, true, false},
        .hw_level = {1, kFolded, kFolded, 2, 3},
        .pud_block_size = 0,
        .pmd_block_size = 0x20'0000,
        .pgdir_size = 0x4000'0000,
        .cont_pte_shift = 0,
        .cont_pte_size = 0,
        .cont_ptes = 0,
    },
    {
        // riscv64 Sv48: 4 levels, p4d folded into the root; leaves at any
        // level (terapages at the root).
        .name = "riscv64-sv48",
        .format = DescFormat::riscv64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 48,
        .kernel_va_base = 0xffff'0000'0000'0000,
        .oa_mask = 0x003f'ffff'ffff'fc00,
        .oa_shift = 2,
        .root_level = 0,
        .leaf_level = 3,
        .shift = {39, 30, 21, 12},
        .entry_size = {0x80'0000'0000, 0x4000'0000, 0x20'0000, 0x1000},
        .entries = {512, 512, 512, 512},
        .mmu_block = {true, true, true, false},
        .hw_level = {0, kFolded, 1, 2, 3},
        .pud_block_size = 0x4000'0000,
        .pmd_block_size = 0x20'0000,
        .pgdir_size = 0x80'0000'0000,
        .cont_pte_shift = 0,
        .cont_pte_size = 0,
        .cont_ptes = 0,
    },
    {
        // riscv64 Sv57: 5 levels, none folded, numbered 0 to 4.
        .name = "riscv64-sv57",
        .format = DescFormat::riscv64,
        .page_shift = 12,
        .page_size = 0x1000,
        .va_bits = 57,
        .kernel_va_base = 0xfe00'0000'0000'0000,
        .oa_mask = 0x003f'ffff'ffff'fc00,
        .oa_shift = 2,
        .root_level = 0,
        .leaf_level = 4,
        .shift = {48, 39, 30, 21, 12},
        .entry_size = {0x1'0000'0000'0000, 0x80'0000'0000, 0x4000'0000, 0x20'0000, 0x1000},
        .entries = {512, 512, 512, 512, 512},
        .mmu_block = {true, true, true, true, false},
        .hw_level = {0, 1, 2, 3, 4},
        .pud_block_size = 0x4000'0000,
        .pmd_block_size = 0x20'0000,
        .pgdir_size = 0x1'0000'0000'0000,
        .cont_pte_shift = 0,
        .cont_pte_size = 0,
        .cont_ptes = 0,
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
