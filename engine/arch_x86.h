// SPDX-License-Identifier: GPL-2.0-only
// x86-64 hooks and descriptors (4- and 5-level paging): asm/vmalloc.h,
// asm/pgtable*.h and arch/x86/mm/pgtable.c as of 6.12 (docs/geometry.md).
// No contiguous hint: the PTE level always maps single pages.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine::x86 {

// Descriptor bits: asm/pgtable_types.h's names without their leading
// underscores (reserved names in C++); __PAGE_KERNEL* are *_BITS.
inline constexpr u64 PAGE_PRESENT = bit(0);
inline constexpr u64 PAGE_RW = bit(1);
inline constexpr u64 PAGE_USER = bit(2);
inline constexpr u64 PAGE_PWT = bit(3);
inline constexpr u64 PAGE_PCD = bit(4);
inline constexpr u64 PAGE_ACCESSED = bit(5);
inline constexpr u64 PAGE_DIRTY = bit(6);
inline constexpr u64 PAGE_PSE = bit(7);  // PD/PDPT entries: a leaf
inline constexpr u64 PAGE_PAT = bit(7);  // 4K PTEs
inline constexpr u64 PAGE_GLOBAL = bit(8);
inline constexpr u64 PAGE_PROTNONE = PAGE_GLOBAL;
inline constexpr u64 PAGE_PAT_LARGE = bit(12);
inline constexpr u64 PAGE_NX = bit(63);
inline constexpr u64 PAGE_KNL_ERRATUM_MASK = PAGE_DIRTY | PAGE_ACCESSED;
// PTE_PFN_MASK: physical address bits 51..12 (__PHYSICAL_MASK_SHIFT 52).
inline constexpr u64 PTE_PFN_MASK = ((u64{1} << 52) - 1) & ~u64{0xfff};
inline constexpr u64 KERNPG_TABLE = PAGE_PRESENT | PAGE_RW | PAGE_ACCESSED | PAGE_DIRTY;
inline constexpr u64 PAGE_TABLE = KERNPG_TABLE | PAGE_USER;
inline constexpr u64 PAGE_KERNEL_BITS =
    PAGE_PRESENT | PAGE_RW | PAGE_ACCESSED | PAGE_NX | PAGE_DIRTY | PAGE_GLOBAL;
inline constexpr u64 PAGE_KERNEL_EXEC_BITS = PAGE_KERNEL_BITS & ~PAGE_NX;
inline constexpr u64 PAGE_KERNEL_RO_BITS = PAGE_PRESENT | PAGE_ACCESSED | PAGE_NX | PAGE_GLOBAL;

// protval_4k_2_large() / protval_large_2_4k(): the PAT bit moves between
// bit 7 (4K PTEs) and bit 12 (PS leaves); bit 7 of the result is clear.
inline constexpr u64 protval_4k_2_large(u64 v) {
  return (v & ~(PAGE_PAT | PAGE_PAT_LARGE)) | ((v & PAGE_PAT) ? PAGE_PAT_LARGE : 0);
}
inline constexpr u64 protval_large_2_4k(u64 v) {
  return (v & ~(PAGE_PAT | PAGE_PAT_LARGE)) | ((v & PAGE_PAT_LARGE) ? PAGE_PAT : 0);
}

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
