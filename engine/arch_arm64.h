// SPDX-License-Identifier: GPL-2.0-only
// The arm64 helpers the mapping code calls: asm/vmalloc.h,
// arch/arm64/mm/hugetlbpage.c and arch/arm64/mm/mmu.c. Where the series
// changes them (patches 1-2) the variant decides.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine {

// asm/vmalloc.h
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t prot);
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t prot);
// Size of the next PTE-level batch at `addr`. mainline: CONT_PTE_SIZE or
// PAGE_SIZE. v4: a power of two of whole CONT groups up to PMD_SIZE/2.
u64 arch_vmap_pte_range_map_size(const Kernel& k, VirtAddr addr, VirtAddr end, u64 pfn,
                                 unsigned max_page_shift);
// CONT_PTE_SIZE if *ptep is a valid CONT entry, else PAGE_SIZE.
u64 arch_vmap_pte_range_unmap_size(const Kernel& k, VirtAddr addr, const pte_t* ptep);

// hugetlbpage.c
unsigned num_contig_ptes(Kernel& k, u64 size, u64* pgsize);
pte_t arch_make_huge_pte(Kernel& k, pte_t entry, unsigned shift);
// Returns false if the write was stopped by a modelled BUG.
bool set_huge_pte_at(Kernel& k, VirtAddr addr, pte_t* ptep, pte_t pte, u64 sz);
pte_t huge_ptep_get_and_clear(Kernel& k, VirtAddr addr, pte_t* ptep, u64 sz);

// pgtable.h
void set_pte_at(Kernel& k, VirtAddr addr, pte_t* ptep, pte_t pte);
pte_t ptep_get_and_clear(Kernel& k, pte_t* ptep);

// mmu.c. The *_set_huge functions return 1 on success, 0 when the change
// is not safe on a live entry.
int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr);
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr);
int pud_clear_huge(Kernel& k, pud_t* pud);
int pmd_clear_huge(Kernel& k, pmd_t* pmd);

}  // namespace vmapfuzz::engine
