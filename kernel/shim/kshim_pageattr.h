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
#define vmapfuzz_user_mm_pte(what) (vmapfuzz_not_modelled(what, "user mm"), (pte_t *)NULL)
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
#define page_address(page) \
	((void)(page), vmapfuzz_not_modelled("page_address", "no linear map"), (void *)NULL)
/* Tags are not modelled (no MTE). */
#define kasan_reset_tag(p) (p)
/* The lazily freed areas whose aliases vm_unmap_aliases() purges: the
 * harness purges an area's TLB entries when it frees it (lazy_purge_tlb,
 * as the engine does), so there is nothing left to purge. */
#define vm_unmap_aliases() do { } while (0)

#ifndef VMAPFUZZ_ARCH_X86
/* ------------------------------------------------ the 2026 form (arm64) */
/* The 2026 trees change permissions with walk_kernel_page_table_range_
 * lockless() of mm/pagewalk.c, after split_kernel_leaf_mapping() of
 * arch/arm64/mm/mmu.c has split what the range cuts through (BBML2_NOABORT
 * only). What those need, from <linux/pagewalk.h> and the arm64 headers. */

/* An entry's value at any level (2026). */
typedef u64 ptval_t;

/* <linux/pagewalk.h>: the callbacks and the state of one walk. */
struct mm_walk;
enum page_walk_lock { PGWALK_RDLOCK, PGWALK_WRLOCK, PGWALK_WRLOCK_VERIFY,
		      PGWALK_VMA_RDLOCK_VERIFY };
struct mm_walk_ops {
	int (*pgd_entry)(pgd_t *pgd, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*p4d_entry)(p4d_t *p4d, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pud_entry)(pud_t *pud, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pmd_entry)(pmd_t *pmd, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pte_entry)(pte_t *pte, unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pte_hole)(unsigned long addr, unsigned long next, int depth, struct mm_walk *walk);
	int (*hugetlb_entry)(pte_t *pte, unsigned long hmask, unsigned long addr,
			     unsigned long next, struct mm_walk *walk);
	int (*test_walk)(unsigned long addr, unsigned long next, struct mm_walk *walk);
	int (*pre_vma)(unsigned long start, unsigned long end, struct mm_walk *walk);
	void (*post_vma)(struct mm_walk *walk);
	int (*install_pte)(unsigned long addr, unsigned long next, pte_t *ptentp,
			   struct mm_walk *walk);
	enum page_walk_lock walk_lock;
};
enum page_walk_action { ACTION_SUBTREE = 0, ACTION_CONTINUE = 1, ACTION_AGAIN = 2 };
struct mm_walk {
	const struct mm_walk_ops *ops;
	struct mm_struct *mm;
	pgd_t *pgd;
	struct vm_area_struct *vma;
	enum page_walk_action action;
	bool no_vma;
	void *private;
};
/* The walk of a user mm, of a vma, or one that installs PTEs: the kernel
 * walk here takes none of those branches; reaching one stops the call. */
#define vmapfuzz_walk_not_modelled(what, type) \
	(vmapfuzz_not_modelled(what, "user mm or vma walk"), (type)0)
#ifndef PTRS_PER_P4D
#define PTRS_PER_P4D 1
#endif
#define TASK_SIZE (1UL << VMAPFUZZ_VA_BITS)
#define pte_offset_map(pmd, a) vmapfuzz_walk_not_modelled("pte_offset_map", pte_t *)
#define pte_unmap(pte) do { (void)(pte); } while (0)
#define update_mmu_cache(vma, a, pte) do { (void)(vma); } while (0)
#define __pte_alloc(mm, pmd) vmapfuzz_walk_not_modelled("__pte_alloc", int)
#define __pmd_alloc(mm, pud, a) vmapfuzz_walk_not_modelled("__pmd_alloc", int)
#define __pud_alloc(mm, p4d, a) vmapfuzz_walk_not_modelled("__pud_alloc", int)
#define __p4d_alloc(mm, pgd, a) vmapfuzz_walk_not_modelled("__p4d_alloc", int)
#define split_huge_pmd(vma, pmd, a) vmapfuzz_walk_not_modelled("split_huge_pmd", void)
#define split_huge_pud(vma, pud, a) vmapfuzz_walk_not_modelled("split_huge_pud", void)
static inline bool pmd_trans_huge(pmd_t p) { return pmd_leaf(p); }
static inline bool pud_trans_huge(pud_t p) { return pud_leaf(p); }

/* arm64's block and table helpers the split uses (asm/pgtable.h). */
#define PMD_TABLE_AF (1ULL << 10)
#define PUD_TABLE_AF PMD_TABLE_AF
#define PMD_SECT_PXN (1ULL << 53)
static inline bool pmd_valid(pmd_t p) { return pmd_val(p) & PTE_VALID; }
static inline bool pud_valid(pud_t p) { return pud_val(p) & PTE_VALID; }
static inline bool pmd_cont(pmd_t p) { return pmd_val(p) & PMD_SECT_CONT; }
static inline pmd_t pmd_mknoncont(pmd_t p) { return __pmd(pmd_val(p) & ~PMD_SECT_CONT); }
static inline unsigned long pmd_pfn(pmd_t p) { return (pmd_val(p) & PTE_ADDR_MASK) >> PAGE_SHIFT; }
static inline unsigned long pud_pfn(pud_t p) { return (pud_val(p) & PTE_ADDR_MASK) >> PAGE_SHIFT; }
static inline pgprot_t pmd_pgprot(pmd_t p) { return __pgprot(pmd_val(p) & ~PTE_ADDR_MASK); }
static inline pgprot_t pud_pgprot(pud_t p) { return __pgprot(pud_val(p) & ~PTE_ADDR_MASK); }
/* Not valid, but present: PTE_PRESENT_INVALID set (kshim_arm64.h). */
static inline pte_t pte_mkinvalid(pte_t p)
{
	return __pte((pte_val(p) | PTE_PRESENT_INVALID) & ~PTE_VALID);
}
static inline pmd_t pmd_mkinvalid(pmd_t p)
{
	return __pmd(pte_val(pte_mkinvalid(__pte(pmd_val(p)))));
}
static inline void __pmd_populate(pmd_t *p, phys_addr_t pa, pmdval_t prot)
{
	set_pmd(p, __pmd((pa & PTE_ADDR_MASK) | prot));
}
static inline void __pud_populate(pud_t *p, phys_addr_t pa, pudval_t prot)
{
	set_pud(p, __pud((pa & PTE_ADDR_MASK) | prot));
}

/* The split's table allocation (__pgd_pgtable_alloc()): a table of the pool;
 * INVALID_PHYS_ADDR when fail_alloc fails it. A page descriptor is the
 * struct page name of the table's pfn (kshim.h, "pages"). */
enum pgtable_level { PGTABLE_LEVEL_PTE, PGTABLE_LEVEL_PMD, PGTABLE_LEVEL_PUD,
		     PGTABLE_LEVEL_P4D, PGTABLE_LEVEL_PGD };
#define INVALID_PHYS_ADDR (~(phys_addr_t)0)
#define GFP_PGTABLE_KERNEL (GFP_KERNEL | __GFP_ZERO)
struct ptdesc;
static inline struct ptdesc *pagetable_alloc(gfp_t gfp, unsigned int order)
{
	u64 pa = vmapfuzz_host_table_alloc();

	(void)gfp;
	(void)order;
	return pa ? (struct ptdesc *)(void *)pfn_to_page(pa >> PAGE_SHIFT) : NULL;
}
#define ptdesc_page(pt) ((struct page *)(void *)(pt))
#define pagetable_pte_ctor(mm, pt) ((void)(mm), (void)(pt), true)
#define pagetable_pmd_ctor(mm, pt) ((void)(mm), (void)(pt), true)
#define pagetable_pud_ctor(pt) do { (void)(pt); } while (0)
#define pagetable_p4d_ctor(pt) do { (void)(pt); } while (0)
#define phys_to_virt(pa) ((void *)vmapfuzz_pool_table(pa, "phys_to_virt"))

/* BBML2_NOABORT (the configuration's bbml2_noabort): then the linear map
 * is mapped with blocks and split on demand (linear_map_requires_bbml2,
 * which rodata_full gives on such CPUs: the model leaves rodata_full's
 * change of the linear map out, not the split), and so are the vm areas
 * whose permissions change. Capabilities are final, KFENCE is off, one
 * CPU is up. */
#define system_supports_bbml2_noabort() (vmapfuzz_host_bbml2_noabort() != 0)
#define linear_map_requires_bbml2 system_supports_bbml2_noabort()
#define system_capabilities_finalized() true
#define is_kfence_address(p) ((void)(p), false)
#define page_alloc_available true
#define num_online_cpus() 1U
#define is_realm_world() false
struct mutex { int locked; };
#define DEFINE_MUTEX(name) struct mutex name = { 0 }
#define mutex_lock(m) do { (void)(m); } while (0)
#define mutex_unlock(m) do { (void)(m); } while (0)
#endif

#endif /* VMAPFUZZ_KSHIM_PAGEATTR_H */
