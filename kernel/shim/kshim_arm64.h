/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The arm64 part of the shims (kshim.h includes it unless the build is for
 * x86-64): the configuration, the geometry of one granule and VA size, and
 * the VMSAv8-64 descriptors with the arm64 names and tests the slices use.
 * Written for vmapfuzz from the architecture and the API contracts.
 */
#ifndef VMAPFUZZ_KSHIM_ARM64_H
#define VMAPFUZZ_KSHIM_ARM64_H

/* -------------------------------------------------------------- geometry */
/* The arm64 configuration the slices are built for: the granule
 * (VMAPFUZZ_GRANULE_SHIFT 12, 14 or 16) and the VA size (VMAPFUZZ_VA_BITS),
 * one engine geometry each (engine/geometry.cc, docs/geometry.md):
 *   12/48 arm64-4k-48 (the default)   12/39 arm64-4k-39
 *   14/48 arm64-16k-48                14/47 arm64-16k-47
 *   16/48 arm64-64k-48                16/42 arm64-64k-42
 * kernel/CMakeLists.txt builds a tree's slices once per geometry that
 * kernel/extract.py found to compile. */
#ifndef VMAPFUZZ_GRANULE_SHIFT
#define VMAPFUZZ_GRANULE_SHIFT 12
#endif
#ifndef VMAPFUZZ_VA_BITS
#define VMAPFUZZ_VA_BITS 48
#endif
#if VMAPFUZZ_GRANULE_SHIFT != 12 && VMAPFUZZ_GRANULE_SHIFT != 14 && VMAPFUZZ_GRANULE_SHIFT != 16
#error "VMAPFUZZ_GRANULE_SHIFT must be 12, 14 or 16 (arm64 4K, 16K, 64K)"
#endif
/* Levels as arm64 derives them from the VA size: each level resolves
 * PAGE_SHIFT - 3 bits above the page offset (ARM64_HW_PGTABLE_LEVELS). */
#define CONFIG_PGTABLE_LEVELS ((VMAPFUZZ_VA_BITS - 4) / (VMAPFUZZ_GRANULE_SHIFT - 3))
#if CONFIG_PGTABLE_LEVELS < 2 || CONFIG_PGTABLE_LEVELS > 4
#error "VMAPFUZZ_VA_BITS gives no 2- to 4-level arm64 configuration for this granule"
#endif
#if VMAPFUZZ_GRANULE_SHIFT == 12
#define CONFIG_ARM64_4K_PAGES 1
#elif VMAPFUZZ_GRANULE_SHIFT == 14
#define CONFIG_ARM64_16K_PAGES 1
#else
#define CONFIG_ARM64_64K_PAGES 1
#endif
/* Folded levels, as <asm-generic/pgtable-nop4d.h>, -nopud.h, -nopmd.h. */
#define __PAGETABLE_P4D_FOLDED 1
#if CONFIG_PGTABLE_LEVELS <= 3
#define __PAGETABLE_PUD_FOLDED 1
#endif
#if CONFIG_PGTABLE_LEVELS <= 2
#define __PAGETABLE_PMD_FOLDED 1
#endif
#define __vmapfuzz_str2(x) #x
#define __vmapfuzz_str(x) __vmapfuzz_str2(x)
#define __vmapfuzz_paste4(a, b, c, d) a##b##c##d
#define __vmapfuzz_kops_name(g, v) __vmapfuzz_paste4(vmapfuzz_kops_, g, _, v)
/* The entry-point table of this build (kentry.c): vmapfuzz_kops_<granule
 * shift>_<VA bits>, the one external symbol of a geometry's object. */
#define VMAPFUZZ_KOPS __vmapfuzz_kops_name(VMAPFUZZ_GRANULE_SHIFT, VMAPFUZZ_VA_BITS)
#if VMAPFUZZ_GRANULE_SHIFT == 12
#define VMAPFUZZ_GEOMETRY_NAME "arm64-4k-" __vmapfuzz_str(VMAPFUZZ_VA_BITS)
#elif VMAPFUZZ_GRANULE_SHIFT == 14
#define VMAPFUZZ_GEOMETRY_NAME "arm64-16k-" __vmapfuzz_str(VMAPFUZZ_VA_BITS)
#else
#define VMAPFUZZ_GEOMETRY_NAME "arm64-64k-" __vmapfuzz_str(VMAPFUZZ_VA_BITS)
#endif

/* ----------------------------------------------------------- arm64 config */
#define CONFIG_ARM64 1
#define CONFIG_ARM64_CONTPTE 1
#define __vmapfuzz_cfg_CONFIG_ARM64_CONTPTE 1
#define __vmapfuzz_cfg_CONFIG_ARM64_MTE 0
#define __vmapfuzz_cfg_CONFIG_ARM64_PTDUMP 0
#define __vmapfuzz_cfg_CONFIG_UNMAP_KERNEL_AT_EL0 0
#define __vmapfuzz_cfg_CONFIG_ARM64_LPA2 0
#define __vmapfuzz_cfg_CONFIG_ARM64_64K_PAGES (VMAPFUZZ_GRANULE_SHIFT == 16)
#define __vmapfuzz_cfg_CONFIG_ARM64_16K_PAGES (VMAPFUZZ_GRANULE_SHIFT == 14)
#define __vmapfuzz_cfg_CONFIG_ARM64_4K_PAGES (VMAPFUZZ_GRANULE_SHIFT == 12)

/* ------------------------------------------------------ sizes and shifts */
/* arm64's pgtable-hwdef.h arithmetic for the configuration above: level n
 * of 4 (3 = PTE) maps (PAGE_SHIFT - 3) * (4 - n) + 3 bits; a folded level
 * takes the shift of the level above it, as the pgtable-nopXd.h headers do. */
#define PAGE_SHIFT VMAPFUZZ_GRANULE_SHIFT
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) ALIGN(x, PAGE_SIZE)
#define PAGE_ALIGNED(x) IS_ALIGNED((unsigned long)(x), PAGE_SIZE)
#define VMAPFUZZ_LEVEL_SHIFT(n) ((PAGE_SHIFT - 3) * (4 - (n)) + 3)
#define PGDIR_SHIFT VMAPFUZZ_LEVEL_SHIFT(4 - CONFIG_PGTABLE_LEVELS)
#define PGDIR_SIZE (1UL << PGDIR_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))
#define P4D_SHIFT PGDIR_SHIFT
#define P4D_SIZE PGDIR_SIZE
#define P4D_MASK PGDIR_MASK
#ifdef __PAGETABLE_PUD_FOLDED
#define PUD_SHIFT P4D_SHIFT
#define PTRS_PER_PUD 1
#else
#define PUD_SHIFT VMAPFUZZ_LEVEL_SHIFT(1)
#define PTRS_PER_PUD (1 << (PAGE_SHIFT - 3))
#endif
#define PUD_SIZE (1UL << PUD_SHIFT)
#define PUD_MASK (~(PUD_SIZE - 1))
#ifdef __PAGETABLE_PMD_FOLDED
#define PMD_SHIFT PUD_SHIFT
#define PTRS_PER_PMD 1
#else
#define PMD_SHIFT VMAPFUZZ_LEVEL_SHIFT(2)
#define PTRS_PER_PMD (1 << (PAGE_SHIFT - 3))
#endif
#define PMD_SIZE (1UL << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PTRS_PER_PTE (1 << (PAGE_SHIFT - 3))
#define PTRS_PER_PGD (1 << (VMAPFUZZ_VA_BITS - PGDIR_SHIFT))
/* The contiguous hint: 16 entries on 4K, 128 PTEs / 32 PMDs on 16K, 32 of
 * either on 64K (CONFIG_ARM64_CONT_PTE_SHIFT / _CONT_PMD_SHIFT). */
#if PAGE_SHIFT == 12
#define VMAPFUZZ_CONT_PTE_BITS 4
#define VMAPFUZZ_CONT_PMD_BITS 4
#elif PAGE_SHIFT == 14
#define VMAPFUZZ_CONT_PTE_BITS 7
#define VMAPFUZZ_CONT_PMD_BITS 5
#else
#define VMAPFUZZ_CONT_PTE_BITS 5
#define VMAPFUZZ_CONT_PMD_BITS 5
#endif
#define CONT_PTE_SHIFT (VMAPFUZZ_CONT_PTE_BITS + PAGE_SHIFT)
#define CONT_PTES (1 << (CONT_PTE_SHIFT - PAGE_SHIFT))
#define CONT_PTE_SIZE (1UL << CONT_PTE_SHIFT)
#define CONT_PTE_MASK (~(CONT_PTE_SIZE - 1))
#define CONT_PMD_SHIFT (VMAPFUZZ_CONT_PMD_BITS + PMD_SHIFT)
#define CONT_PMDS (1 << (CONT_PMD_SHIFT - PMD_SHIFT))
#define CONT_PMD_SIZE (1UL << CONT_PMD_SHIFT)
#define CONT_PMD_MASK (~(CONT_PMD_SIZE - 1))
#define SZ_4K 0x1000UL
#define SZ_16K 0x4000UL
#define SZ_64K 0x10000UL

/* ------------------------------------------------------------ descriptors */

/* Armv8-A VMSAv8-64 stage-1 bits, kernel names. */
#define PTE_VALID (1ULL << 0)
#define PTE_TYPE_MASK (3ULL << 0)
#define PTE_TYPE_PAGE (3ULL << 0)
#define PTE_TABLE_BIT (1ULL << 1)
#define PTE_USER (1ULL << 6)
#define PTE_RDONLY (1ULL << 7)
#define PTE_SHARED (3ULL << 8)
#define PTE_AF (1ULL << 10)
#define PTE_NG (1ULL << 11)
#define PTE_GP (1ULL << 50)
#define PTE_DBM (1ULL << 51)
#define PTE_WRITE PTE_DBM
#define PTE_CONT (1ULL << 52)
#define PTE_PXN (1ULL << 53)
#define PTE_UXN (1ULL << 54)
#define PTE_DIRTY (1ULL << 55)
#define PTE_SPECIAL (1ULL << 56)
#define PTE_SWBITS_MASK (0xfULL << 55)
#define PTE_ADDR_LOW (((1ULL << (48 - PAGE_SHIFT)) - 1) << PAGE_SHIFT)
#define PTE_ADDR_MASK PTE_ADDR_LOW
#define PTE_ATTRINDX(t) ((pteval_t)(t) << 2)
#define PTE_ATTRINDX_MASK (7ULL << 2)
#define PMD_TYPE_MASK (3ULL << 0)
#define PMD_TYPE_TABLE (3ULL << 0)
#define PMD_TYPE_SECT (1ULL << 0)
#define PMD_TABLE_BIT (1ULL << 1)
#define PMD_SECT_VALID (1ULL << 0)
#define PMD_SECT_CONT (1ULL << 52)
#define PMD_TABLE_PXN (1ULL << 59)
#define PMD_TABLE_UXN (1ULL << 60)
#define PUD_TYPE_MASK PMD_TYPE_MASK
#define PUD_TYPE_TABLE PMD_TYPE_TABLE
#define PUD_TYPE_SECT PMD_TYPE_SECT
#define PUD_TABLE_BIT PMD_TABLE_BIT
#define PUD_TABLE_PXN PMD_TABLE_PXN
#define PUD_TABLE_UXN PMD_TABLE_UXN
#define P4D_TYPE_TABLE PMD_TYPE_TABLE
#define P4D_TABLE_UXN PMD_TABLE_UXN
#define MT_NORMAL 0
#define MT_NORMAL_TAGGED 1
#define MT_NORMAL_NC 2
#define MT_DEVICE_nGnRnE 3
#define MT_DEVICE_nGnRE 4

/* An entry that is not valid but has PTE_PRESENT_INVALID (PTE_NG, which
 * kernel mappings never set otherwise: PTE_MAYBE_NG is 0 without KPTI) is
 * present-invalid: pte_present() and the pXd_present() built on it count
 * it. 2026's set_memory_valid(0) makes such entries. */
#define PTE_PRESENT_INVALID PTE_NG
#define PTE_MAYBE_NG 0ULL
#define PTE_PRESENT_VALID_KERNEL (PTE_VALID | PTE_MAYBE_NG)
static inline bool pte_none(pte_t p) { return !pte_val(p); }
static inline bool pte_valid(pte_t p) { return pte_val(p) & PTE_VALID; }
static inline bool pte_present_invalid(pte_t p)
{
	return (pte_val(p) & (PTE_VALID | PTE_PRESENT_INVALID)) == PTE_PRESENT_INVALID;
}
static inline bool pte_present(pte_t p) { return pte_valid(p) || pte_present_invalid(p); }
static inline bool pte_cont(pte_t p) { return pte_val(p) & PTE_CONT; }
static inline bool pte_valid_cont(pte_t p) { return pte_valid(p) && pte_cont(p); }
static inline bool pte_dirty(pte_t p) { return pte_val(p) & PTE_DIRTY; }
static inline bool pte_young(pte_t p) { return pte_val(p) & PTE_AF; }
static inline unsigned long pte_pfn(pte_t p) { return (pte_val(p) & PTE_ADDR_MASK) >> PAGE_SHIFT; }
static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	return __pte((((pteval_t)pfn << PAGE_SHIFT) & PTE_ADDR_MASK) | pgprot_val(prot));
}
static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	return __pmd((((pmdval_t)pfn << PAGE_SHIFT) & PTE_ADDR_MASK) | pgprot_val(prot));
}
static inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot)
{
	return __pud((((pudval_t)pfn << PAGE_SHIFT) & PTE_ADDR_MASK) | pgprot_val(prot));
}
static inline pgprot_t pte_pgprot(pte_t p) { return __pgprot(pte_val(p) & ~PTE_ADDR_MASK); }
static inline pte_t pte_mkcont(pte_t p) { return __pte(pte_val(p) | PTE_CONT); }
static inline pte_t pte_mknoncont(pte_t p) { return __pte(pte_val(p) & ~PTE_CONT); }
static inline pte_t pte_mkhuge(pte_t p) { return __pte(pte_val(p) & ~PTE_TABLE_BIT); }
static inline pte_t pte_mkdirty(pte_t p) { return __pte(pte_val(p) | PTE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t p) { return __pte(pte_val(p) | PTE_AF); }
static inline pte_t pte_advance_pfn(pte_t p, unsigned long nr)
{
	return __pte((pte_val(p) & ~PTE_ADDR_MASK) |
		     ((pte_val(p) + ((pteval_t)nr << PAGE_SHIFT)) & PTE_ADDR_MASK));
}
static inline pmd_t pte_pmd(pte_t p) { return __pmd(pte_val(p)); }
static inline pte_t pmd_pte(pmd_t p) { return __pte(pmd_val(p)); }
static inline pmd_t pmd_mkcont(pmd_t p) { return __pmd(pmd_val(p) | PMD_SECT_CONT); }
static inline pgprot_t mk_pmd_sect_prot(pgprot_t prot)
{
	return __pgprot((pgprot_val(prot) & ~PMD_TABLE_BIT) | PMD_TYPE_SECT);
}
static inline pgprot_t mk_pud_sect_prot(pgprot_t prot)
{
	return __pgprot((pgprot_val(prot) & ~PUD_TABLE_BIT) | PUD_TYPE_SECT);
}
static inline pgprot_t pgprot_nx(pgprot_t prot)
{
	return __pgprot((pgprot_val(prot) & ~PTE_GP) | PTE_PXN);
}
static inline pgprot_t pgprot_tagged(pgprot_t prot)
{
	return __pgprot((pgprot_val(prot) & ~PTE_ATTRINDX_MASK) | PTE_ATTRINDX(MT_NORMAL_TAGGED));
}
static inline bool pmd_none(pmd_t p) { return !pmd_val(p); }
static inline bool pmd_present(pmd_t p) { return pte_present(__pte(pmd_val(p))); }
static inline bool pmd_table(pmd_t p) { return (pmd_val(p) & PMD_TYPE_MASK) == PMD_TYPE_TABLE; }
static inline bool pmd_sect(pmd_t p) { return (pmd_val(p) & PMD_TYPE_MASK) == PMD_TYPE_SECT; }
static inline bool pmd_leaf(pmd_t p) { return pmd_present(p) && !pmd_table(p); }
static inline bool pmd_bad(pmd_t p) { return !pmd_table(p); }
/* The pud entry tests exist with 3 or more levels; with 2 the pmd is
 * folded into the pud and the pud tests are constant (pgtable-nopmd.h). */
#ifndef __PAGETABLE_PMD_FOLDED
static inline bool pud_none(pud_t p) { return !pud_val(p); }
static inline bool pud_present(pud_t p) { return pte_present(__pte(pud_val(p))); }
static inline bool pud_bad(pud_t p) { return (pud_val(p) & PUD_TYPE_MASK) != PUD_TYPE_TABLE; }
#else
static inline int pud_none(pud_t p) { (void)p; return 0; }
static inline int pud_bad(pud_t p) { (void)p; return 0; }
static inline int pud_present(pud_t p) { (void)p; return 1; }
#endif
/* No PUD blocks on 64K or below 3 levels: every pud is a table there. */
#if PAGE_SHIFT == 16 || CONFIG_PGTABLE_LEVELS < 3
static inline bool pud_sect(pud_t p) { (void)p; return false; }
static inline bool pud_table(pud_t p) { (void)p; return true; }
#else
static inline bool pud_table(pud_t p) { return (pud_val(p) & PUD_TYPE_MASK) == PUD_TYPE_TABLE; }
static inline bool pud_sect(pud_t p) { return (pud_val(p) & PUD_TYPE_MASK) == PUD_TYPE_SECT; }
#endif
#ifndef __PAGETABLE_PMD_FOLDED
static inline bool pud_leaf(pud_t p) { return pud_present(p) && !pud_table(p); }
#else
static inline bool pud_leaf(pud_t p) { (void)p; return false; }
#endif
/* Level-1 blocks exist on the 4K granule only. */
static inline bool pud_sect_supported(void) { return PAGE_SIZE == SZ_4K; }
/* Folded p4d: pgd_none()/pgd_bad() are constant and the p4d entry is the
 * pgd entry. With 4 levels it is a real entry and, as on arm64, p4d_bad()
 * is true for a none entry; with 3 or 2 the pud is folded too and the p4d
 * tests are constant (pgtable-nopud.h). */
static inline int pgd_none(pgd_t p) { (void)p; return 0; }
static inline int pgd_bad(pgd_t p) { (void)p; return 0; }
static inline int pgd_present(pgd_t p) { (void)p; return 1; }
#ifndef __PAGETABLE_PUD_FOLDED
static inline bool p4d_none(p4d_t p) { return !p4d_val(p); }
static inline bool p4d_bad(p4d_t p) { return !(p4d_val(p) & PTE_TABLE_BIT); }
static inline bool p4d_present(p4d_t p) { return !p4d_none(p); }
#else
static inline int p4d_none(p4d_t p) { (void)p; return 0; }
static inline int p4d_bad(p4d_t p) { (void)p; return 0; }
static inline int p4d_present(p4d_t p) { (void)p; return 1; }
#endif
static inline bool p4d_table(p4d_t p) { return (p4d_val(p) & PMD_TYPE_MASK) == PMD_TYPE_TABLE; }
static inline bool p4d_leaf(p4d_t p) { (void)p; return false; }
static inline phys_addr_t pmd_page_paddr(pmd_t p) { return pmd_val(p) & PTE_ADDR_MASK; }
static inline phys_addr_t pud_page_paddr(pud_t p) { return pud_val(p) & PTE_ADDR_MASK; }
static inline phys_addr_t p4d_page_paddr(p4d_t p) { return p4d_val(p) & PTE_ADDR_MASK; }

/* ------------------------------------------- what the generic parts need */
/* A table descriptor, its output address, the blocks set_pmd()/set_pud()
 * and the clears count, the bits of a new table's descriptor
 * (pXd_populate_kernel: a table, UXN), and ARCH_PAGE_TABLE_SYNC_MASK. */
#define VMAPFUZZ_DESC_ADDR_MASK PTE_ADDR_MASK
static inline bool vmapfuzz_desc_is_table(u64 d) { return (d & PMD_TYPE_MASK) == PMD_TYPE_TABLE; }
static inline bool vmapfuzz_pmd_block(pmd_t p) { return pmd_sect(p); }
static inline bool vmapfuzz_pud_block(pud_t p) { return pud_sect(p); }
/* An entry whose clearing counts as an unmapped PTE. */
static inline bool vmapfuzz_pte_live(pte_t p) { return pte_valid(p); }
#define VMAPFUZZ_TABLE_BITS (PMD_TYPE_TABLE | PMD_TABLE_UXN)
#define VMAPFUZZ_ARCH_SYNC_MASK 0u
/* pXd_set_huge() write through set_pmd()/set_pud(), which count blocks. */
#define vmapfuzz_set_huge_result(blocks, r) (r)

#endif /* VMAPFUZZ_KSHIM_ARM64_H */
