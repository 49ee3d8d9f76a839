/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * API of the 6.1 era: what a Linux 6.1 tree (Debian's linux-source-6.1)
 * names that later trees no longer do. Included at the end of kshim.h, so
 * everything kshim.h defines is available; written for vmapfuzz from the
 * API contracts, like kshim.h. Nothing here changes what a later tree sees:
 * each name is one the later trees' slices do not use.
 */
#ifndef VMAPFUZZ_KSHIM_61_H
#define VMAPFUZZ_KSHIM_61_H

/* pgd_offset(mm, addr): 6.1's find_num_contig() walks from an mm's pgd
 * (later trees take the size from the caller). Every mm here is init_mm;
 * unlike pgd_offset_k() this is not a walk of its own for the counters. */
static inline pgd_t *vmapfuzz_pgd_offset(struct mm_struct *mm, unsigned long va)
{
	(void)mm;
	vmapfuzz_k_last_addr = va;
	return (pgd_t *)vmapfuzz_host_table(vmapfuzz_host_pgd_pa()) + pgd_index(va);
}
#define pgd_offset(mm, a) vmapfuzz_pgd_offset(mm, a)

/* Swap entries in set_huge_pte_at(): 6.1 looks up the folio of a
 * non-present (migration or hwpoison) entry to size it. The page-table code
 * under test never writes a swap entry, so none is a migration or hwpoison
 * entry here: a non-present pte reaching set_huge_pte_at() hits its
 * VM_BUG_ON, which the host reports as an unrecognised BUG, and the lookups
 * after it never run. */
typedef struct { unsigned long val; } swp_entry_t;
struct folio { struct page page; };
static inline swp_entry_t pte_to_swp_entry(pte_t pte) { return (swp_entry_t){ pte_val(pte) }; }
static inline bool is_migration_entry(swp_entry_t e) { (void)e; return false; }
static inline bool is_hwpoison_entry(swp_entry_t e) { (void)e; return false; }
static inline unsigned long swp_offset_pfn(swp_entry_t e) { return e.val >> PAGE_SHIFT; }
#define page_folio(p) ((struct folio *)(p))
static inline unsigned long folio_size(struct folio *f) { (void)f; return PAGE_SIZE; }

/* Allocator names before the _noprof renaming (memory allocation profiling,
 * 6.10): the same calls as kshim.h's _noprof ones. */
#define alloc_pages_bulk_array_mempolicy(gfp, nr, a) vmapfuzz_alloc_bulk(nr, a)
#define alloc_pages_bulk_array_node(gfp, nid, nr, a) vmapfuzz_alloc_bulk(nr, a)
#define __vmalloc_node(size, align, gfp, node, caller) calloc(1, size)

/* __vfree(): 6.1's __vmalloc_area_node() frees a failed area with it (later
 * trees call vfree()); the harness's vfree() (extract.py keeps the tree's
 * out, as for vfree()). */
#define __vfree(a) vmapfuzz_vfree(a)

/* 6.1's walkers test the PTEs they read with a plain *pte; later trees read
 * with ptep_get(), which kshim.h checks against the range of the call in
 * flight. For a tree without vmap_page_range() (6.1; in 6.5 to 6.8 the
 * check is redundant with ptep_get()'s), pte_none() applies that check
 * where the value is tested: a PTE tested at an addr outside the range
 * means the walk ran past its end (vmap_pte_range's loop over an unaligned
 * end), reported as ptep_get() reports it, whatever the PTE holds. */
#ifndef VMAPFUZZ_HAVE_vmap_page_range
static inline bool vmapfuzz_pte_none_checked(pte_t p, u64 va)
{
	if (va < vmapfuzz_k_lo || va >= vmapfuzz_k_hi)
		vmapfuzz_stop(VMAPFUZZ_STOP_WALK_RAN_PAST_END, va);
	return pte_none(p); /* the architecture's test: the macro below comes later */
}
#define pte_none(p) vmapfuzz_pte_none_checked(p, __vmapfuzz_site_addr())
#endif

#ifdef VMAPFUZZ_ARCH_X86
/* 6.1's x86 names for the leaf tests (pmd_huge() and pud_huge() of
 * arch/x86/mm/hugetlbpage.c, pXd_large() of asm/pgtable.h) and for the
 * pmd table page's destructor. */
static inline int pmd_huge(pmd_t p)
{
	return !pmd_none(p) && (pmd_val(p) & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT;
}
static inline int pud_huge(pud_t p) { return !!(pud_val(p) & _PAGE_PSE); }
static inline int pmd_large(pmd_t p) { return !!(pmd_val(p) & _PAGE_PSE); }
static inline int pud_large(pud_t p) { return !!(pud_val(p) & _PAGE_PSE); }
#define virt_to_page(p) ((struct page *)(void *)(p))
static inline void pgtable_pmd_page_dtor(struct page *page) { vmapfuzz_x86_pmd_dtor = page; }
#endif

#endif /* VMAPFUZZ_KSHIM_61_H */
