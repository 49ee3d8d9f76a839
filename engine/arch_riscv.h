// SPDX-License-Identifier: GPL-2.0-only
// riscv64 hooks and descriptors (Sv39, Sv48, Sv57, Svpbmt present):
// asm/vmalloc.h, asm/pgtable*.h and arch/riscv/mm/pgtable.c as of 6.12
// (docs/geometry.md). No NAPOT mappings in vmap: the PTE level always
// maps single pages.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine::riscv {

// Descriptor bits (asm/pgtable-bits.h, pgtable-64.h names).
inline constexpr u64 _PAGE_PRESENT = bit(0);  // V
inline constexpr u64 _PAGE_READ = bit(1);
inline constexpr u64 _PAGE_WRITE = bit(2);
inline constexpr u64 _PAGE_EXEC = bit(3);
inline constexpr u64 _PAGE_USER = bit(4);
inline constexpr u64 _PAGE_GLOBAL = bit(5);
inline constexpr u64 _PAGE_ACCESSED = bit(6);
inline constexpr u64 _PAGE_DIRTY = bit(7);
inline constexpr u64 _PAGE_PROT_NONE = _PAGE_GLOBAL;
inline constexpr u64 _PAGE_LEAF = _PAGE_READ | _PAGE_WRITE | _PAGE_EXEC;
inline constexpr u64 _PAGE_TABLE = _PAGE_PRESENT;
inline constexpr unsigned _PAGE_PFN_SHIFT = 10;
inline constexpr u64 _PAGE_PFN_MASK = ((u64{1} << 54) - 1) & ~((u64{1} << 10) - 1);  // 53..10
// Svpbmt memory types, bits 62..61.
inline constexpr u64 _PAGE_NOCACHE = bit(61);
inline constexpr u64 _PAGE_IO = bit(62);
inline constexpr u64 _PAGE_MTMASK = _PAGE_NOCACHE | _PAGE_IO;
inline constexpr u64 _PAGE_NAPOT = bit(63);
inline constexpr u64 _PAGE_KERNEL =
    _PAGE_READ | _PAGE_WRITE | _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_GLOBAL;
inline constexpr u64 _PAGE_IOREMAP = (_PAGE_KERNEL & ~_PAGE_MTMASK) | _PAGE_IO;

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
constexpr u64 pfn_to_desc(u64 pfn) { return (pfn << _PAGE_PFN_SHIFT) & _PAGE_PFN_MASK; }
constexpr u64 desc_pfn(u64 d) { return (d & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT; }
pgprot_t prot_value(ProtName p);

}  // namespace vmapfuzz::engine::riscv
