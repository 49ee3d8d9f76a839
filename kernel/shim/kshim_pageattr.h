/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pageattr unit: what arm64's arch/arm64/mm/pageattr.c and the
 * apply_to_page_range() chain of mm/memory.c (6.12, 6.1) need beyond
 * kshim.h. Included at the end of kshim.h; written for vmapfuzz from the
 * API contracts, like kshim.h. What the engine models of it is in
 * docs/pageattr.md.
 */
#ifndef VMAPFUZZ_KSHIM_PAGEATTR_H
#define VMAPFUZZ_KSHIM_PAGEATTR_H

/* The callback apply_to_page_range() calls on each PTE of its range. */
typedef int (*pte_fn_t)(pte_t *pte, unsigned long addr, void *data);

/* The masks one permission change sets and clears: the private type of
 * arch/arm64/mm/pageattr.c, which the extractor (functions only) does not
 * take. */
struct page_change_data {
	pgprot_t set_mask;
	pgprot_t clear_mask;
};

/* Page-table locks of a user mm: apply_to_page_range()'s callers here
 * always pass init_mm, whose branches take none. Reaching one stops the
 * call as an unrecognised BUG. */
typedef struct { int locked; } spinlock_t;
static inline pte_t *vmapfuzz_user_mm_pte(const char *what)
{
	vmapfuzz_host_bug(what, "user mm", vmapfuzz_k_last_addr);
	vmapfuzz_k_unwind();
}
#define pte_alloc_map_lock(mm, pmd, a, ptlp) vmapfuzz_user_mm_pte("pte_alloc_map_lock")
#define pte_offset_map_lock(mm, pmd, a, ptlp) vmapfuzz_user_mm_pte("pte_offset_map_lock")
#define pte_unmap_unlock(pte, ptl) do { (void)(pte); (void)(ptl); } while (0)

/* Folded p4d: pgd_leaf() is constant false and pgd_clear_bad() does
 * nothing (pgtable-nop4d.h). */
#ifndef VMAPFUZZ_HAVE_pgd_leaf
static inline bool pgd_leaf(pgd_t p) { (void)p; return false; }
#endif
#ifdef __PAGETABLE_P4D_FOLDED
static inline void pgd_clear_bad(pgd_t *p) { (void)p; }
#endif

#ifndef VMAPFUZZ_ARCH_X86
/* arm64's pte bit helpers. */
static inline pte_t clear_pte_bit(pte_t p, pgprot_t prot)
{
	return __pte(pte_val(p) & ~pgprot_val(prot));
}
static inline pte_t set_pte_bit(pte_t p, pgprot_t prot)
{
	return __pte(pte_val(p) | pgprot_val(prot));
}
/* No BTI is modelled (engine/pageattr.cc: PTE_MAYBE_GP). */
#define PTE_MAYBE_GP 0
#endif

/* No linear map is modelled (docs/pageattr.md, step 4): rodata_full is
 * off, so the linear-map alias of a vm area is never changed, and nothing
 * may change the direct map. */
#define rodata_full false
static inline bool can_set_direct_map(void) { return false; }
#define debug_pagealloc_enabled() false
#define arm64_kfence_can_set_direct_map() false
/* Only the rodata_full branch takes the linear-map address of a page:
 * reaching it stops the call as an unrecognised BUG. */
static inline void *vmapfuzz_page_address(const struct page *page)
{
	(void)page;
	vmapfuzz_host_bug("page_address", "no linear map", vmapfuzz_k_last_addr);
	vmapfuzz_k_unwind();
}
#define page_address(page) vmapfuzz_page_address(page)
/* Tags are not modelled (no MTE). */
#define kasan_reset_tag(p) (p)
/* The lazily freed areas whose aliases vm_unmap_aliases() purges: the
 * harness purges an area's TLB entries when it frees it (lazy_purge_tlb,
 * as the engine does), so there is nothing left to purge. */
#define vm_unmap_aliases() do { } while (0)

#endif /* VMAPFUZZ_KSHIM_PAGEATTR_H */
