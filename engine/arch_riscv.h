// SPDX-License-Identifier: GPL-2.0-only
// riscv64 hooks and descriptors (Sv39, Sv48, Sv57, Svpbmt present):
// asm/vmalloc.h, asm/pgtable*.h and arch/riscv/mm/pgtable.c as of 6.12
// (docs/geometry.md). No NAPOT mappings in vmap: the PTE level always
// maps single pages.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine::riscv {

// Descriptor bits: asm/pgtable-bits.h's and pgtable-64.h's names without
// their leading underscore (reserved names in C++); _PAGE_KERNEL and
// _PAGE_IOREMAP are *_BITS.
inline constexpr u64 PAGE_PRESENT = bit(0);  // V
inline constexpr u64 PAGE_READ = bit(1);
inline constexpr u64 PAGE_WRITE = bit(2);
inline constexpr u64 PAGE_EXEC = bit(3);
inline constexpr u64 PAGE_USER = bit(4);
inline constexpr u64 PAGE_GLOBAL = bit(5);
inline constexpr u64 PAGE_ACCESSED = bit(6);
inline constexpr u64 PAGE_DIRTY = bit(7);
inline constexpr u64 PAGE_PROT_NONE = PAGE_GLOBAL;
inline constexpr u64 PAGE_LEAF = PAGE_READ | PAGE_WRITE | PAGE_EXEC;
inline constexpr u64 PAGE_TABLE = PAGE_PRESENT;
inline constexpr unsigned PAGE_PFN_SHIFT = 10;
inline constexpr u64 PAGE_PFN_MASK = ((u64{1} << 54) - 1) & ~((u64{1} << 10) - 1);  // 53..10
// Svpbmt memory types, bits 62..61.
inline constexpr u64 PAGE_NOCACHE = bit(61);
inline constexpr u64 PAGE_IO = bit(62);
inline constexpr u64 PAGE_MTMASK = PAGE_NOCACHE | PAGE_IO;
inline constexpr u64 PAGE_NAPOT = bit(63);
inline constexpr u64 PAGE_KERNEL_BITS =
    PAGE_READ | PAGE_WRITE | PAGE_PRESENT | PAGE_ACCESSED | PAGE_DIRTY | PAGE_GLOBAL;
inline constexpr u64 PAGE_IOREMAP_BITS = (PAGE_KERNEL_BITS & ~PAGE_MTMASK) | PAGE_IO;

bool arch_vmap_pud_supported(const Kernel& k, pgprot_t prot);
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t prot);

int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr);
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr);
int pud_clear_huge(Kernel& k, pud_t* pud);
int pmd_clear_huge(Kernel& k, pmd_t* pmd);

bool pxd_bad(PgLevel l, u64 d);
bool pxd_present(PgLevel l, u64 d);
bool pxd_leaf(PgLevel l, u64 d);
constexpr u64 pfn_to_desc(u64 pfn) { return (pfn << PAGE_PFN_SHIFT) & PAGE_PFN_MASK; }
constexpr u64 desc_pfn(u64 d) { return (d & PAGE_PFN_MASK) >> PAGE_PFN_SHIFT; }
pgprot_t prot_value(ProtName p);

}  // namespace vmapfuzz::engine::riscv
