/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The x86-64 part of the shims (kshim.h includes it when the build defines
 * VMAPFUZZ_ARCH_X86): the configuration, 4- or 5-level paging with 4K pages,
 * and the descriptors with the x86 names and tests the slices of mm/vmalloc.c
 * and arch/x86/mm/pgtable.c use. Written for vmapfuzz from the architecture
 * and the API contracts, as the engine's x86 layer is (engine/arch_x86.h,
 * docs/geometry.md): the shims and the engine must agree on the format, not
 * on the code.
 */
#ifndef VMAPFUZZ_KSHIM_X86_H
#define VMAPFUZZ_KSHIM_X86_H

/* -------------------------------------------------------------- geometry */
/* VMAPFUZZ_VA_BITS 48: x86-64-4l (4 levels, the p4d folded at build time,
 * as a kernel without CONFIG_X86_5LEVEL); 57: x86-64-5l (5 levels, LA57
 * on). The boot options of the engine's configuration (nogbpages, nopse,
 * mtrr_split) reach the slices through boot_cpu_has() and
 * mtrr_type_lookup(). */
#ifndef VMAPFUZZ_VA_BITS
#define VMAPFUZZ_VA_BITS 48
#endif
#if VMAPFUZZ_VA_BITS == 57
#define CONFIG_PGTABLE_LEVELS 5
#define CONFIG_X86_5LEVEL 1
#define __vmapfuzz_cfg_CONFIG_X86_5LEVEL 1
#define VMAPFUZZ_GEOMETRY_NAME "x86-64-5l"
#elif VMAPFUZZ_VA_BITS == 48
#define CONFIG_PGTABLE_LEVELS 4
#define __PAGETABLE_P4D_FOLDED 1
#define __vmapfuzz_cfg_CONFIG_X86_5LEVEL 0
#define VMAPFUZZ_GEOMETRY_NAME "x86-64-4l"
#else
#error "VMAPFUZZ_VA_BITS must be 48 or 57 on x86-64"
#endif
#define VMAPFUZZ_GRANULE_SHIFT 12
#define __vmapfuzz_paste4(a, b, c, d) a##b##c##d
#define __vmapfuzz_kops_name(g, v) __vmapfuzz_paste4(vmapfuzz_kops_, g, _, v)
/* The entry-point table of this build: vmapfuzz_kops_x86_<VA bits>. */
#define VMAPFUZZ_KOPS __vmapfuzz_kops_name(x86, VMAPFUZZ_VA_BITS)

/* ------------------------------------------------------------ x86 config */
#define CONFIG_X86 1
#define CONFIG_X86_64 1
#define __vmapfuzz_cfg_CONFIG_X86 1
#define __vmapfuzz_cfg_CONFIG_X86_64 1
#define __vmapfuzz_cfg_CONFIG_X86_PAE 0
#define __vmapfuzz_cfg_CONFIG_X86_32 0

/* ------------------------------------------------------ sizes and shifts */
#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) ALIGN(x, PAGE_SIZE)
#define PAGE_ALIGNED(x) IS_ALIGNED((unsigned long)(x), PAGE_SIZE)
#define PMD_SHIFT 21
#define PUD_SHIFT 30
#define P4D_SHIFT 39
#if CONFIG_PGTABLE_LEVELS == 5
#define PGDIR_SHIFT 48
#define PTRS_PER_P4D 512
#else
#define PGDIR_SHIFT P4D_SHIFT
#define PTRS_PER_P4D 1
#endif
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PUD_MASK (~(PUD_SIZE - 1))
#define P4D_SIZE (1UL << P4D_SHIFT)
#define P4D_MASK (~(P4D_SIZE - 1))
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512
#define PTRS_PER_PUD 512
#define PTRS_PER_PGD 512
#define SZ_4K 0x1000UL

/* ------------------------------------------------------- descriptor bits */
/* asm/pgtable_types.h: bit numbers and the kernel's composite values. */
#define _PAGE_PRESENT (1ULL << 0)
#define _PAGE_RW (1ULL << 1)
#define _PAGE_USER (1ULL << 2)
#define _PAGE_PWT (1ULL << 3)
#define _PAGE_PCD (1ULL << 4)
#define _PAGE_ACCESSED (1ULL << 5)
#define _PAGE_DIRTY (1ULL << 6)
#define _PAGE_PSE (1ULL << 7)
#define _PAGE_PAT (1ULL << 7)
#define _PAGE_GLOBAL (1ULL << 8)
#define _PAGE_PROTNONE _PAGE_GLOBAL
#define _PAGE_PAT_LARGE (1ULL << 12)
#define _PAGE_NX (1ULL << 63)
/* Knights Landing may set A and D in a not-present entry: the none tests
 * of the lower levels ignore them. */
#define _PAGE_KNL_ERRATUM_MASK (_PAGE_DIRTY | _PAGE_ACCESSED)
#define __PHYSICAL_MASK_SHIFT 52
#define PTE_PFN_MASK (((1ULL << __PHYSICAL_MASK_SHIFT) - 1) & PAGE_MASK)
#define PTE_FLAGS_MASK (~PTE_PFN_MASK)
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _PAGE_TABLE (_KERNPG_TABLE | _PAGE_USER)

static inline u64 vmapfuzz_x86_flags(u64 v) { return v & PTE_FLAGS_MASK; }
static inline bool pte_none(pte_t p) { return !(pte_val(p) & ~_PAGE_KNL_ERRATUM_MASK); }
static inline bool pte_present(pte_t p)
{
	return pte_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
/* asm/pgtable-invert.h (the L1TF mitigation): a non-zero entry without
 * _PAGE_PRESENT holds its address field inverted; pfn_pte() and the
 * others invert on the way in, pte_pfn() and the others on the way out.
 * Every protection the vmalloc.c slices pass is present; CPA's
 * set_memory_np() makes the inverted entries. */
static inline u64 vmapfuzz_x86_protnone_mask(u64 v)
{
	return (v && !(v & _PAGE_PRESENT)) ? ~0ULL : 0;
}
/* A large page's address field is PMD (PUD) aligned. */
#define PHYSICAL_PMD_PAGE_MASK (PTE_PFN_MASK & PMD_MASK)
#define PHYSICAL_PUD_PAGE_MASK (PTE_PFN_MASK & PUD_MASK)
/* The pfn in a descriptor whose address field is `addr_mask`. */
static inline unsigned long vmapfuzz_x86_desc_pfn(u64 v, u64 addr_mask)
{
	return ((v ^ vmapfuzz_x86_protnone_mask(v)) & addr_mask) >> PAGE_SHIFT;
}
static inline unsigned long pte_pfn(pte_t p)
{
	return vmapfuzz_x86_desc_pfn(pte_val(p), PTE_PFN_MASK);
}
/* A descriptor of `pfn` with `prot`, the address field `addr_mask`. */
static inline u64 vmapfuzz_x86_pfn_desc(unsigned long pfn, u64 prot, u64 addr_mask)
{
	u64 phys = (u64)pfn << PAGE_SHIFT;

	phys ^= vmapfuzz_x86_protnone_mask(prot);
	return (phys & addr_mask) | prot;
}
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte(vmapfuzz_x86_pfn_desc(pfn, pgprot_val(prot), PTE_PFN_MASK));
}
static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd(vmapfuzz_x86_pfn_desc(pfn, pgprot_val(prot), PHYSICAL_PMD_PAGE_MASK));
}
static inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot)
{
	return __pud(vmapfuzz_x86_pfn_desc(pfn, pgprot_val(prot), PHYSICAL_PUD_PAGE_MASK));
}
static inline pgprot_t pte_pgprot(pte_t p) { return __pgprot(vmapfuzz_x86_flags(pte_val(p))); }
static inline pte_t pte_mkhuge(pte_t p) { return __pte(pte_val(p) | _PAGE_PSE); }
static inline pte_t pte_advance_pfn(pte_t p, unsigned long nr)
{
	return __pte((pte_val(p) & ~PTE_PFN_MASK) |
		     ((pte_val(p) + ((pteval_t)nr << PAGE_SHIFT)) & PTE_PFN_MASK));
}
static inline pmd_t pte_pmd(pte_t p) { return __pmd(pte_val(p)); }
static inline pte_t pmd_pte(pmd_t p) { return __pte(pmd_val(p)); }
static inline pgprot_t pgprot_nx(pgprot_t prot) { return __pgprot(pgprot_val(prot) | _PAGE_NX); }
/* The PAT bit of a 4K protection moves to bit 12 in a large page. */
static inline u64 protval_4k_2_large(u64 v)
{
	return (v & ~(_PAGE_PAT | _PAGE_PAT_LARGE)) | ((v & _PAGE_PAT) ? _PAGE_PAT_LARGE : 0);
}
#define pgprot_4k_2_large(p) __pgprot(protval_4k_2_large(pgprot_val(p)))
/* And back: bit 12 of a large page's protection is PAT at bit 7 in a PTE. */
static inline u64 protval_large_2_4k(u64 v)
{
	return (v & ~(_PAGE_PAT | _PAGE_PAT_LARGE)) | ((v & _PAGE_PAT_LARGE) ? _PAGE_PAT : 0);
}
#define pgprot_large_2_4k(p) __pgprot(protval_large_2_4k(pgprot_val(p)))

/* Entry tests per level, as asm/pgtable.h has them. */
static inline bool pmd_none(pmd_t p) { return !(pmd_val(p) & ~_PAGE_KNL_ERRATUM_MASK); }
static inline bool pmd_present(pmd_t p)
{
	return pmd_val(p) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE);
}
static inline bool pmd_bad(pmd_t p)
{
	return (vmapfuzz_x86_flags(pmd_val(p)) & ~(_PAGE_USER | _PAGE_ACCESSED)) !=
	       (_KERNPG_TABLE & ~_PAGE_ACCESSED);
}
static inline bool pmd_leaf(pmd_t p) { return pmd_val(p) & _PAGE_PSE; }
static inline bool pud_none(pud_t p) { return !(pud_val(p) & ~_PAGE_KNL_ERRATUM_MASK); }
static inline bool pud_present(pud_t p) { return pud_val(p) & _PAGE_PRESENT; }
static inline bool pud_bad(pud_t p)
{
	return (vmapfuzz_x86_flags(pud_val(p)) & ~(_KERNPG_TABLE | _PAGE_USER)) != 0;
}
static inline bool pud_leaf(pud_t p) { return pud_val(p) & _PAGE_PSE; }
/* The p4d entry: a level of its own with 5 levels, the pgd entry with 4
 * (pgtable-nop4d.h: the pgd tests are constant). */
static inline bool p4d_none(p4d_t p) { return !(p4d_val(p) & ~_PAGE_KNL_ERRATUM_MASK); }
static inline bool p4d_present(p4d_t p) { return p4d_val(p) & _PAGE_PRESENT; }
static inline bool p4d_bad(p4d_t p)
{
	return (vmapfuzz_x86_flags(p4d_val(p)) & ~(_KERNPG_TABLE | _PAGE_USER)) != 0;
}
static inline bool p4d_leaf(p4d_t p) { (void)p; return false; }
#if CONFIG_PGTABLE_LEVELS == 5
static inline int pgd_none(pgd_t p) { return !pgd_val(p); }
static inline int pgd_present(pgd_t p) { return pgd_val(p) & _PAGE_PRESENT; }
static inline int pgd_bad(pgd_t p)
{
	return (vmapfuzz_x86_flags(pgd_val(p)) & ~_PAGE_USER) != _KERNPG_TABLE;
}
#else
static inline int pgd_none(pgd_t p) { (void)p; return 0; }
static inline int pgd_bad(pgd_t p) { (void)p; return 0; }
static inline int pgd_present(pgd_t p) { (void)p; return 1; }
#endif

/* ------------------------------------------------------------ x86 helpers */
/* boot_cpu_has(): the two features the vmap hooks ask about, from the
 * engine's configuration (nopse, nogbpages). */
#define X86_FEATURE_PSE 1
#define X86_FEATURE_GBPAGES 2
#define boot_cpu_has(f) vmapfuzz_host_x86_feature(f)
/* mtrr_type_lookup(): the model knows one boundary where the memory type
 * changes (mtrr_split); a range across it is not uniform, and its type is
 * uncached, a range on one side write-back. (6.12 looks at `uniform`
 * only; 6.1 also at the type: a range that is uniform, write-back or
 * without MTRRs may be huge.) */
#define MTRR_TYPE_UNCACHABLE 0
#define MTRR_TYPE_WRBACK 6
#define MTRR_TYPE_INVALID 0xff
static inline u8 mtrr_type_lookup(u64 start, u64 end, u8 *uniform)
{
	*uniform = (u8)vmapfuzz_host_mtrr_uniform(start, end);
	return *uniform ? MTRR_TYPE_WRBACK : MTRR_TYPE_UNCACHABLE;
}
/* __va() of a table's PA: the table's entries in the pool. A descriptor
 * that names no live table stops the call (the kernel would treat the page
 * it names as a table). */
static inline unsigned long vmapfuzz_x86_table_va(u64 desc);
#define pmd_page_vaddr(pmd) vmapfuzz_x86_table_va(pmd_val(pmd))
#define pud_pgtable(pud) ((pmd_t *)vmapfuzz_x86_table_va(pud_val(pud)))
/* Page-table pages are freed with free_page(); the pmd table's destructor
 * runs first (pud_free_pmd_page), which is how a freed table is counted as
 * a pmd table rather than a pte table. The one other page, the pmd_sv copy
 * of pud_free_pmd_page(), is a static host page: that function is not
 * re-entered, and a call stopped at a leaf (longjmp) must not leak it. The
 * allocation never fails, as in the engine. */
struct ptdesc;
#define virt_to_ptdesc(p) ((struct ptdesc *)(p))
static const void *vmapfuzz_x86_pmd_dtor;
static inline void pagetable_pmd_dtor(struct ptdesc *pt) { vmapfuzz_x86_pmd_dtor = pt; }
static u64 vmapfuzz_x86_scratch[PAGE_SIZE / sizeof(u64)] __attribute__((aligned(4096)));
static inline unsigned long __get_free_page(unsigned int gfp)
{
	(void)gfp;
	return (unsigned long)vmapfuzz_x86_scratch;
}
static inline void vmapfuzz_x86_free_page(unsigned long addr);
#define free_page(addr) vmapfuzz_x86_free_page((unsigned long)(addr))

/* The 2026 form: a PTE table is freed through its page descriptor. */
#define pmd_page(pmd) (vmemmap + ((pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT))
#define page_ptdesc(page) ((struct ptdesc *)(void *)(page))
static inline void pagetable_dtor_free(struct ptdesc *pt);

/* ------------------------------------------- what the generic parts need */
#define VMAPFUZZ_DESC_ADDR_MASK PTE_PFN_MASK
static inline bool vmapfuzz_desc_is_table(u64 d) { return (d & _PAGE_PRESENT) && !(d & _PAGE_PSE); }
static inline bool vmapfuzz_pmd_block(pmd_t p) { return pmd_leaf(p); }
static inline bool vmapfuzz_pud_block(pud_t p) { return pud_leaf(p); }
static inline bool vmapfuzz_pte_live(pte_t p) { return pte_present(p); }
/* pXd_populate_kernel(): _PAGE_TABLE. */
#define VMAPFUZZ_TABLE_BITS _PAGE_TABLE
/* asm/pgtable_64_types.h: the top level that is not folded. */
#define VMAPFUZZ_ARCH_SYNC_MASK \
	(CONFIG_PGTABLE_LEVELS == 5 ? PGTBL_PGD_MODIFIED : PGTBL_P4D_MODIFIED)
/* pXd_set_huge() writes its block with set_pte(), which does not know the
 * level: the block is counted when the call succeeds. */
#define vmapfuzz_set_huge_result(blocks, r) \
	({ int __vmapfuzz_r = (r); if (__vmapfuzz_r) vmapfuzz_host_count(blocks, 1); __vmapfuzz_r; })

#endif /* VMAPFUZZ_KSHIM_X86_H */
