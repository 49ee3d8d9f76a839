// SPDX-License-Identifier: GPL-2.0-only
// x86-64 hooks and descriptors (4- and 5-level paging): asm/vmalloc.h,
// asm/pgtable*.h and arch/x86/mm/pgtable.c as of 6.12 (docs/geometry.md).
// No contiguous hint: the PTE level always maps single pages.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine::x86 {

// Descriptor bits (asm/pgtable_types.h names).
inline constexpr u64 _PAGE_PRESENT = bit(0);
inline constexpr u64 _PAGE_RW = bit(1);
inline constexpr u64 _PAGE_USER = bit(2);
inline constexpr u64 _PAGE_PWT = bit(3);
inline constexpr u64 _PAGE_PCD = bit(4);
inline constexpr u64 _PAGE_ACCESSED = bit(5);
inline constexpr u64 _PAGE_DIRTY = bit(6);
inline constexpr u64 _PAGE_PSE = bit(7);  // PD/PDPT entries: a leaf
inline constexpr u64 _PAGE_PAT = bit(7);  // 4K PTEs
inline constexpr u64 _PAGE_GLOBAL = bit(8);
inline constexpr u64 _PAGE_PROTNONE = _PAGE_GLOBAL;
inline constexpr u64 _PAGE_PAT_LARGE = bit(12);
inline constexpr u64 _PAGE_NX = bit(63);
inline constexpr u64 _PAGE_KNL_ERRATUM_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;
// PTE_PFN_MASK: physical address bits 51..12 (__PHYSICAL_MASK_SHIFT 52).
inline constexpr u64 PTE_PFN_MASK = ((u64{1} << 52) - 1) & ~u64{0xfff};
inline constexpr u64 _KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
inline constexpr u64 _PAGE_TABLE = _KERNPG_TABLE | _PAGE_USER;
inline constexpr u64 __PAGE_KERNEL =
    _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_NX | _PAGE_DIRTY | _PAGE_GLOBAL;
inline constexpr u64 __PAGE_KERNEL_EXEC = __PAGE_KERNEL & ~_PAGE_NX;
inline constexpr u64 __PAGE_KERNEL_RO = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_NX | _PAGE_GLOBAL;

bool arch_vmap_pud_supported(const Kernel& k, pgprot_t prot);
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t prot);

int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr);
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr);
int pud_clear_huge(Kernel& k, pud_t* pud);
int pmd_clear_huge(Kernel& k, pmd_t* pmd);

bool pxd_none(PgLevel l, u64 d);
bool pxd_bad(PgLevel l, u64 d);
bool pxd_present(PgLevel l, u64 d);
bool pxd_leaf(u64 d);
pgprot_t prot_value(ProtName p);

}  // namespace vmapfuzz::engine::x86
