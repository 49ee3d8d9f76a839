/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic fallbacks of <linux/vmalloc.h> and <linux/pgtable.h> for the
 * arch hooks a tree's arch/arm64 (or arch/x86) does not define. Included after the
 * arm64 slices; kernel/extract.py defines VMAPFUZZ_HAVE_<name> for every
 * function it found in the tree.
 */
#ifndef VMAPFUZZ_KSHIM_GENERIC_H
#define VMAPFUZZ_KSHIM_GENERIC_H

#ifndef VMAPFUZZ_HAVE_arch_vmap_p4d_supported
static inline bool arch_vmap_p4d_supported(pgprot_t prot) { (void)prot; return false; }
#endif
#ifndef VMAPFUZZ_HAVE_arch_vmap_pud_supported
static inline bool arch_vmap_pud_supported(pgprot_t prot) { (void)prot; return false; }
#endif
#ifndef VMAPFUZZ_HAVE_arch_vmap_pmd_supported
static inline bool arch_vmap_pmd_supported(pgprot_t prot) { (void)prot; return false; }
#endif
#ifndef VMAPFUZZ_HAVE_arch_vmap_pte_range_map_size
static inline unsigned long arch_vmap_pte_range_map_size(unsigned long a, unsigned long e,
							 u64 pfn, unsigned int max_page_shift)
{
	(void)a; (void)e; (void)pfn; (void)max_page_shift;
	return PAGE_SIZE;
}
#endif
#ifndef VMAPFUZZ_HAVE_arch_vmap_pte_range_unmap_size
static inline unsigned long arch_vmap_pte_range_unmap_size(unsigned long a, pte_t *ptep)
{
	(void)a; (void)ptep;
	return PAGE_SIZE;
}
#endif
#ifndef VMAPFUZZ_HAVE_arch_vmap_pte_supported_shift
static inline int arch_vmap_pte_supported_shift(unsigned long size)
{
	(void)size;
	return PAGE_SHIFT;
}
#endif
#ifndef VMAPFUZZ_HAVE_arch_vmap_pgprot_tagged
static inline pgprot_t arch_vmap_pgprot_tagged(pgprot_t prot) { return prot; }
#endif
/* Folded p4d: no p4d blocks. */
#ifndef VMAPFUZZ_HAVE_p4d_set_huge
static inline int p4d_set_huge(p4d_t *p4d, phys_addr_t phys, pgprot_t prot)
{
	(void)p4d; (void)phys; (void)prot;
	return 0;
}
#endif
#ifndef VMAPFUZZ_HAVE_p4d_free_pud_page
static inline int p4d_free_pud_page(p4d_t *p4d, unsigned long a)
{
	(void)p4d; (void)a;
	return 0;
}
#endif
#ifndef VMAPFUZZ_HAVE_p4d_clear_huge
static inline void p4d_clear_huge(p4d_t *p4d) { (void)p4d; }
#endif

#ifdef VMAPFUZZ_ARCH_X86
/* x86-64 has no huge PTEs of its own: the asm-generic forms (vmalloc.c
 * never reaches them there, its PTE map size being PAGE_SIZE). */
#ifndef VMAPFUZZ_HAVE_arch_make_huge_pte
static inline pte_t arch_make_huge_pte(pte_t entry, unsigned int shift, vm_flags_t flags)
{
	(void)shift; (void)flags;
	return pte_mkhuge(entry);
}
#endif
/* Trees call it with the size (6.6 on) or without (6.1). */
#ifndef VMAPFUZZ_HAVE_set_huge_pte_at
static inline void set_huge_pte_at(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
				   pte_t pte, ...)
{
	set_pte_at(mm, addr, ptep, pte);
}
#endif
#ifndef VMAPFUZZ_HAVE_huge_ptep_get_and_clear
static inline pte_t huge_ptep_get_and_clear(struct mm_struct *mm, unsigned long addr,
					    pte_t *ptep, ...)
{
	return ptep_get_and_clear(mm, addr, ptep);
}
#endif
#endif

#endif /* VMAPFUZZ_KSHIM_GENERIC_H */
