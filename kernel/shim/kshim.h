/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The environment the kernel's page-table code is compiled in, written for
 * vmapfuzz from the arm64 architecture and the kernel API contracts (not
 * taken from kernel headers). It is force-included before the slices that
 * kernel/extract.py cuts out of a kernel tree.
 *
 * - Descriptors have the engine's format (engine/pgtable.h), and tables
 *   come from the engine's table pool, so the harness walks the result with
 *   the same MMU walker and fault injection reaches this code.
 * - WARN*, BUG*, flushes, counters and the vm area list go to the host
 *   (kernel/bridge.cc) through kshim_host.h.
 * - Where the kernel would corrupt memory (a block used as a table, a PTE
 *   store outside the range being mapped or outside its table, a read past
 *   a page array) the shims stop the call like a BUG.
 * - TLB maintenance, locking, preemption, KASAN/KMSAN and memcg hooks are
 *   no-ops; the ones the harness checks are recorded as events.
 */
#ifndef VMAPFUZZ_KSHIM_H
#define VMAPFUZZ_KSHIM_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kshim_host.h"

/* ---------------------------------------------------------------- config */
/* For #ifdef in the slices. */
#define CONFIG_64BIT 1
#define CONFIG_MMU 1
#define CONFIG_HAVE_ARCH_HUGE_VMAP 1
#define CONFIG_HAVE_ARCH_HUGE_VMALLOC 1
#define CONFIG_HUGETLB_PAGE 1
#define CONFIG_DEBUG_VM 1
/* For IS_ENABLED(): every option the slices ask about must be listed; an
 * unlisted one fails to compile with its name in the message. */
#define IS_ENABLED(option) __vmapfuzz_cfg_##option
#define __vmapfuzz_cfg_CONFIG_64BIT 1
#define __vmapfuzz_cfg_CONFIG_MMU 1
#define __vmapfuzz_cfg_CONFIG_HAVE_ARCH_HUGE_VMAP 1
#define __vmapfuzz_cfg_CONFIG_HAVE_ARCH_HUGE_VMALLOC 1
#define __vmapfuzz_cfg_CONFIG_HUGETLB_PAGE 1
#define __vmapfuzz_cfg_CONFIG_DEBUG_VM 1
#define __vmapfuzz_cfg_CONFIG_PTDUMP_DEBUGFS 0
#define __vmapfuzz_cfg_CONFIG_PTDUMP 0
#define __vmapfuzz_cfg_CONFIG_NUMA 0
#define __vmapfuzz_cfg_CONFIG_KASAN 0
#define __vmapfuzz_cfg_CONFIG_KASAN_VMALLOC 0
#define __vmapfuzz_cfg_CONFIG_KMSAN 0
#define __vmapfuzz_cfg_CONFIG_MEMCG 0
#define __vmapfuzz_cfg_CONFIG_HAVE_ARCH_HUGE_VMALLOC_DEFAULT 0

/* ----------------------------------------------------------------- basics */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef u64 phys_addr_t;
typedef unsigned int gfp_t;
typedef unsigned long vm_flags_t;
typedef unsigned int pgtbl_mod_mask;
typedef struct { long counter; } atomic_long_t;
typedef struct { int counter; } atomic_t;

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __init
#define __ro_after_init
#define __read_mostly
#undef __always_inline
#define __always_inline inline __attribute__((always_inline))
#define noinline __attribute__((noinline))
#define __maybe_unused __attribute__((unused))
#define __must_check
#define __weak __attribute__((weak))
#define EXPORT_SYMBOL(sym)
#define EXPORT_SYMBOL_GPL(sym)
#define READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) do { *(volatile __typeof__(x) *)&(x) = (v); } while (0)
#define BUILD_BUG_ON(c) _Static_assert(!(c), #c)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BITS_PER_LONG 64
#define BIT(n) (1UL << (n))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(t, a, b) ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define max_t(t, a, b) ((t)(a) > (t)(b) ? (t)(a) : (t)(b))
#define clamp_t(t, v, lo, hi) min_t(t, max_t(t, v, lo), hi)
#define clamp(v, lo, hi) min(max(v, lo), hi)
#define ALIGN(x, a) (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
/* ilog2(0) is -1 in the kernel (fls64(0) - 1), not undefined. */
#define ilog2(n) ((int)fls64((u64)(n)) - 1)
#define __fls(x) ((unsigned long)(63 - __builtin_clzll((u64)(x))))
#define __ffs(x) ((unsigned long)__builtin_ctzll((u64)(x)))
#define fls(x) ((x) ? 32 - __builtin_clz((unsigned int)(x)) : 0)
#define fls64(x) ((x) ? 64 - __builtin_clzll((u64)(x)) : 0)
#define ffs(x) __builtin_ffs(x)
#define might_sleep() do { } while (0)
#define cond_resched() do { } while (0)
#define barrier() __asm__ __volatile__("" ::: "memory")
#define dsb(x) do { } while (0)
#define isb() do { } while (0)

/* Error numbers (asm-generic/errno-base.h values). */
#define ENOMEM 12
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ERANGE 34
#define EAGAIN 11
#define EFAULT 14

/* ------------------------------------------------------------ descriptors */
typedef u64 pteval_t;
typedef u64 pmdval_t;
typedef u64 pudval_t;
typedef u64 pgdval_t;
typedef struct { pteval_t pte; } pte_t;
typedef struct { pmdval_t pmd; } pmd_t;
typedef struct { pudval_t pud; } pud_t;
typedef struct { pgdval_t pgd; } pgd_t;
typedef struct { pgd_t pgd; } p4d_t; /* folded */
typedef struct { pteval_t pgprot; } pgprot_t;
#define pte_val(x) ((x).pte)
#define pmd_val(x) ((x).pmd)
#define pud_val(x) ((x).pud)
#define pgd_val(x) ((x).pgd)
#define p4d_val(x) (pgd_val((x).pgd))
#define pgprot_val(x) ((x).pgprot)
#define __pte(x) ((pte_t){ (x) })
#define __pmd(x) ((pmd_t){ (x) })
#define __pud(x) ((pud_t){ (x) })
#define __pgd(x) ((pgd_t){ (x) })
#define __p4d(x) ((p4d_t){ __pgd(x) })
#define __pgprot(x) ((pgprot_t){ (x) })

/* ------------------------------------------------------- the architecture */
/* Configuration, geometry and descriptors of the architecture the slices
 * are built for (VMAPFUZZ_ARCH_X86: x86-64; otherwise arm64). Each header
 * also gives the generic parts below what they need of the descriptor
 * format: vmapfuzz_desc_is_table(), VMAPFUZZ_DESC_ADDR_MASK,
 * vmapfuzz_pmd_block()/vmapfuzz_pud_block(), VMAPFUZZ_TABLE_BITS and
 * VMAPFUZZ_ARCH_SYNC_MASK. */
#ifdef VMAPFUZZ_ARCH_X86
#include "kshim_x86.h"
#else
#include "kshim_arm64.h"
#endif

/* Page frame numbers. */
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_PHYS(x) ((phys_addr_t)(x) << PAGE_SHIFT)
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))
#define __phys_to_pfn(p) PHYS_PFN(p)
#define __pfn_to_phys(p) PFN_PHYS(p)

/* ------------------------------------------------------ the call in flight */
/* Everything kentry.c and the shims define is static: a tree's slices are
 * built once per geometry into one program, and the only external symbol
 * of each build is its entry-point table, VMAPFUZZ_KOPS (kshim_host.h). */
/* BUG() and the shims' own stops unwind to the entry point (kentry.c). */
static jmp_buf vmapfuzz_k_jmp;
__attribute__((noreturn)) static void vmapfuzz_k_unwind(void);
/* The VA range the entry point's call may write. */
static u64 vmapfuzz_k_lo, vmapfuzz_k_hi;
/* The last VA a walker step named (pXd_addr_end, pXd_offset): the address
 * of a WARN/BUG raised where no `addr` is in scope. */
static u64 vmapfuzz_k_last_addr;

/* WARN/BUG sites report the `addr` in scope at the site: the walkers'
 * loop variable or parameter. Where the function has none, this file-scope
 * constant is found instead and the site reports the last walker address. */
#define VMAPFUZZ_NO_ADDR 0x1ULL
static const unsigned long addr __maybe_unused = VMAPFUZZ_NO_ADDR;
#define __vmapfuzz_site_addr() \
	((u64)(unsigned long)(addr) == VMAPFUZZ_NO_ADDR ? vmapfuzz_k_last_addr \
							 : (u64)(unsigned long)(addr))

static inline void vmapfuzz_stop(enum vmapfuzz_stop why, u64 va)
{
	vmapfuzz_host_stop(why, va);
	vmapfuzz_k_unwind();
}

/* A path the shims leave out (a user mm, the linear map, the EFI tables, a
 * cache flush, ...): the call stops as an unrecognised BUG of `what`, with
 * `why` naming what is not modelled. */
__attribute__((noreturn)) static inline void vmapfuzz_not_modelled(const char *what,
								  const char *why)
{
	vmapfuzz_host_bug(what, why, vmapfuzz_k_last_addr);
	vmapfuzz_k_unwind();
}
/* The entries of the pool's table at `pa`. Any other page stops the call:
 * `what` would use it as a table. */
static inline vmapfuzz_u64 *vmapfuzz_pool_table(u64 pa, const char *what)
{
	vmapfuzz_u64 *t = vmapfuzz_host_table(pa);

	if (!t)
		vmapfuzz_not_modelled(what, "not a table of the pool");
	return t;
}

/* ------------------------------------------------------------ WARN / BUG */
/* Each site reports its own condition text, stringified before expansion. */
#define __vmapfuzz_warn(once, text) \
	vmapfuzz_host_warn(__func__, text, once, __vmapfuzz_site_addr())
#define __vmapfuzz_warn_on(c, once, text) \
	({ int __w = !!(c); if (unlikely(__w)) __vmapfuzz_warn(once, text); unlikely(__w); })
#define WARN_ON(c) __vmapfuzz_warn_on(c, 0, #c)
#define WARN_ON_ONCE(c) __vmapfuzz_warn_on(c, 1, #c)
#define WARN(c, fmt, ...) __vmapfuzz_warn_on(c, 0, fmt)
#define WARN_ONCE(c, fmt, ...) __vmapfuzz_warn_on(c, 1, fmt)
#define VM_WARN_ON(c) (void)__vmapfuzz_warn_on(c, 0, #c)
#define VM_WARN_ON_ONCE(c) (void)__vmapfuzz_warn_on(c, 1, #c)
#define VM_WARN_ONCE(c, fmt, ...) (void)__vmapfuzz_warn_on(c, 1, fmt)
#define pr_warn(fmt, ...) __vmapfuzz_warn(0, fmt)
#define pr_warn_once(fmt, ...) __vmapfuzz_warn(1, fmt)
#define pr_err(fmt, ...) __vmapfuzz_warn(0, fmt)
#define pr_info(fmt, ...) do { } while (0)
#define pr_debug(fmt, ...) do { } while (0)
/* warn_alloc() says nothing when the caller's mask has __GFP_NOWARN (6.1's
 * __vmalloc_area_node() sets it before its own warn_alloc() calls). */
#define warn_alloc(gfp, nodemask, fmt, ...) \
	(((gfp) & __GFP_NOWARN) ? (void)0 : (void)__vmapfuzz_warn(0, fmt))
#define __vmapfuzz_bug_on(c, text) do { \
	if (unlikely(c)) { \
		vmapfuzz_host_bug(__func__, text, __vmapfuzz_site_addr()); \
		vmapfuzz_k_unwind(); \
	} \
} while (0)
#define BUG() __vmapfuzz_bug_on(1, "BUG()")
#define BUG_ON(c) __vmapfuzz_bug_on(c, #c)
#define VM_BUG_ON(c) __vmapfuzz_bug_on(c, #c)

/* -------------------------------------------------------------- mm, locks */
struct mm_struct { int users; };
static struct mm_struct init_mm __maybe_unused;
struct vm_area_struct { struct mm_struct *vm_mm; unsigned long vm_flags; };
#define TLB_FLUSH_VMA(mm, flags) { .vm_mm = (mm), .vm_flags = (flags) }
static inline int mmap_read_trylock(struct mm_struct *mm) { (void)mm; return 1; }
static inline void mmap_read_lock(struct mm_struct *mm) { (void)mm; }
static inline void mmap_read_unlock(struct mm_struct *mm) { (void)mm; }
static inline void mmap_write_lock(struct mm_struct *mm) { (void)mm; }
static inline void mmap_write_unlock(struct mm_struct *mm) { (void)mm; }
/* scoped_guard()/guard() of <linux/cleanup.h>: locks are uncontended, a
 * conditional guard always succeeds. */
static inline int __vmapfuzz_guard_mmap_read_trylock(struct mm_struct *mm) { (void)mm; return 1; }
static inline int __vmapfuzz_guard_mmap_read_lock(struct mm_struct *mm) { (void)mm; return 1; }
static inline int __vmapfuzz_guard_mmap_write_lock(struct mm_struct *mm) { (void)mm; return 1; }
static inline int __vmapfuzz_guard_spinlock(void *l) { (void)l; return 1; }
static inline int __vmapfuzz_guard_mutex(void *l) { (void)l; return 1; }
static inline int __vmapfuzz_guard_rcu(void) { return 1; }
#define __vmapfuzz_cat2(a, b) a##b
#define __vmapfuzz_cat(a, b) __vmapfuzz_cat2(a, b)
#define scoped_guard(name, ...) \
	for (int __vmapfuzz_cat(__sg_, __LINE__) = __vmapfuzz_guard_##name(__VA_ARGS__); \
	     __vmapfuzz_cat(__sg_, __LINE__); __vmapfuzz_cat(__sg_, __LINE__) = 0)
#define guard(name) int __maybe_unused __vmapfuzz_cat(__g_, __COUNTER__) = __vmapfuzz_guard_##name
/* Lazy MMU hooks, old and new names. */
#define arch_enter_lazy_mmu_mode() do { } while (0)
#define arch_leave_lazy_mmu_mode() do { } while (0)
#define arch_flush_lazy_mmu_mode() do { } while (0)
#define lazy_mmu_mode_enable() do { } while (0)
#define lazy_mmu_mode_disable() do { } while (0)
#define lazy_mmu_mode_pause() do { } while (0)
#define lazy_mmu_mode_resume() do { } while (0)

/* ------------------------------------------------------------ table walks */
static inline pte_t *vmapfuzz_table_of(u64 desc, u64 va)
{
	vmapfuzz_u64 *t = vmapfuzz_host_table(desc & VMAPFUZZ_DESC_ADDR_MASK);

	if (!vmapfuzz_desc_is_table(desc) || !t)
		vmapfuzz_stop(VMAPFUZZ_STOP_LEAF_USED_AS_TABLE, va);
	return (pte_t *)t;
}
/* An entry pointer must lie inside a live table. */
static inline void vmapfuzz_check_entry(const void *p, u64 va)
{
	const vmapfuzz_u64 *base = (const vmapfuzz_u64 *)((unsigned long)p & ~(PAGE_SIZE - 1));

	if (!vmapfuzz_host_table_pa(base))
		vmapfuzz_stop(VMAPFUZZ_STOP_PTE_TABLE_OVERRUN, va);
}
/* A PTE store must lie inside the range of the call in flight. */
static inline void vmapfuzz_check_store(const void *p, u64 va)
{
	if (va < vmapfuzz_k_lo || va >= vmapfuzz_k_hi)
		vmapfuzz_stop(VMAPFUZZ_STOP_WALK_RAN_PAST_END, va);
	vmapfuzz_check_entry(p, va);
}

#define pgd_index(a) (((a) >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1))
#define pud_index(a) (((a) >> PUD_SHIFT) & (PTRS_PER_PUD - 1))
#define pmd_index(a) (((a) >> PMD_SHIFT) & (PTRS_PER_PMD - 1))
#define pte_index(a) (((a) >> PAGE_SHIFT) & (PTRS_PER_PTE - 1))

static inline pgd_t *vmapfuzz_pgd_offset_k(unsigned long va)
{
	vmapfuzz_host_count(VMAPFUZZ_COUNT_WALKS, 1);
	vmapfuzz_k_last_addr = va;
	return (pgd_t *)vmapfuzz_host_table(vmapfuzz_host_pgd_pa()) + pgd_index(va);
}
#define pgd_offset_k(a) vmapfuzz_pgd_offset_k(a)
#define p4d_index(a) (((a) >> P4D_SHIFT) & (PTRS_PER_P4D - 1))
static inline p4d_t *p4d_offset(pgd_t *pgd, unsigned long va)
{
#ifdef __PAGETABLE_P4D_FOLDED
	(void)va;
	return (p4d_t *)pgd;
#else
	vmapfuzz_k_last_addr = va;
	return (p4d_t *)vmapfuzz_table_of(pgd_val(*pgd), va) + p4d_index(va);
#endif
}
/* A folded level's entry is the entry of the level above. */
static inline pud_t *pud_offset(p4d_t *p4d, unsigned long va)
{
	vmapfuzz_k_last_addr = va;
#ifdef __PAGETABLE_PUD_FOLDED
	return (pud_t *)p4d;
#else
	return (pud_t *)vmapfuzz_table_of(p4d_val(*p4d), va) + pud_index(va);
#endif
}
static inline pmd_t *pmd_offset(pud_t *pud, unsigned long va)
{
	vmapfuzz_k_last_addr = va;
#ifdef __PAGETABLE_PMD_FOLDED
	return (pmd_t *)pud;
#else
	return (pmd_t *)vmapfuzz_table_of(pud_val(*pud), va) + pmd_index(va);
#endif
}
static inline pte_t *pte_offset_kernel(pmd_t *pmd, unsigned long va)
{
	vmapfuzz_k_last_addr = va;
	return vmapfuzz_table_of(pmd_val(*pmd), va) + pte_index(va);
}

static inline unsigned long vmapfuzz_addr_end(unsigned long a, unsigned long end,
					      unsigned long size)
{
	unsigned long boundary = (a + size) & ~(size - 1);

	vmapfuzz_k_last_addr = a;
	return (boundary - 1 < end - 1) ? boundary : end;
}
/* A folded level's loop runs once, to the end it was given. */
static inline unsigned long vmapfuzz_addr_end_folded(unsigned long a, unsigned long end)
{
	vmapfuzz_k_last_addr = a;
	return end;
}
#define pgd_addr_end(a, e) vmapfuzz_addr_end(a, e, PGDIR_SIZE)
#ifdef __PAGETABLE_P4D_FOLDED
#define p4d_addr_end(a, e) vmapfuzz_addr_end_folded(a, e)
#else
#define p4d_addr_end(a, e) vmapfuzz_addr_end(a, e, P4D_SIZE)
#endif
#ifdef __PAGETABLE_PUD_FOLDED
#define pud_addr_end(a, e) vmapfuzz_addr_end_folded(a, e)
#else
#define pud_addr_end(a, e) vmapfuzz_addr_end(a, e, PUD_SIZE)
#endif
#ifdef __PAGETABLE_PMD_FOLDED
#define pmd_addr_end(a, e) vmapfuzz_addr_end_folded(a, e)
#else
#define pmd_addr_end(a, e) vmapfuzz_addr_end(a, e, PMD_SIZE)
#endif

/* Loads. */
#define pmdp_get(p) READ_ONCE(*(p))
#define pudp_get(p) READ_ONCE(*(p))
#define p4dp_get(p) READ_ONCE(*(p))
#define pgdp_get(p) READ_ONCE(*(p))
/* A walk that reads an entry beyond its range has run past its end (the
 * entry may lie past its table too; the range is what the kernel got wrong). */
static inline pte_t vmapfuzz_ptep_get(pte_t *p, u64 va)
{
	if (va < vmapfuzz_k_lo || va >= vmapfuzz_k_hi)
		vmapfuzz_stop(VMAPFUZZ_STOP_WALK_RAN_PAST_END, va);
	vmapfuzz_check_entry(p, va);
	return READ_ONCE(*p);
}
#define ptep_get(p) vmapfuzz_ptep_get(p, __vmapfuzz_site_addr())
#define __ptep_get(p) vmapfuzz_ptep_get(p, __vmapfuzz_site_addr())

/* Stores. The descriptor counter counts every entry written. */
static inline void vmapfuzz_store(u64 *p, u64 v)
{
	vmapfuzz_host_store((vmapfuzz_u64 *)p, v);
	vmapfuzz_host_count(VMAPFUZZ_COUNT_DESCRIPTORS, 1);
}
static inline void set_pmd(pmd_t *p, pmd_t v)
{
	vmapfuzz_store(&p->pmd, pmd_val(v));
	if (vmapfuzz_pmd_block(v))
		vmapfuzz_host_count(VMAPFUZZ_COUNT_PMD_BLOCKS, 1);
}
static inline void set_pud(pud_t *p, pud_t v)
{
	vmapfuzz_store(&p->pud, pud_val(v));
	if (vmapfuzz_pud_block(v))
		vmapfuzz_host_count(VMAPFUZZ_COUNT_PUD_BLOCKS, 1);
}
static inline void pmd_clear(pmd_t *p)
{
	if (vmapfuzz_pmd_block(*p))
		vmapfuzz_host_count(VMAPFUZZ_COUNT_UNMAP_BLOCKS, 1);
	vmapfuzz_store(&p->pmd, 0);
}
/* Clearing a folded level's entry does nothing (pgtable-nopXd.h). */
#ifndef __PAGETABLE_PMD_FOLDED
static inline void pud_clear(pud_t *p)
{
	if (vmapfuzz_pud_block(*p))
		vmapfuzz_host_count(VMAPFUZZ_COUNT_UNMAP_BLOCKS, 1);
	vmapfuzz_store(&p->pud, 0);
}
#else
static inline void pud_clear(pud_t *p) { (void)p; }
#endif
#ifndef __PAGETABLE_PUD_FOLDED
static inline void p4d_clear(p4d_t *p) { vmapfuzz_store(&p->pgd.pgd, 0); }
#else
static inline void p4d_clear(p4d_t *p) { (void)p; }
#endif
static inline void __set_ptes(struct mm_struct *mm, unsigned long va, pte_t *p, pte_t pte,
			      unsigned int nr)
{
	(void)mm;
	for (; nr; nr--, p++, va += PAGE_SIZE) {
		vmapfuzz_check_store(p, va);
		vmapfuzz_store(&p->pte, pte_val(pte));
		pte = pte_advance_pfn(pte, 1);
	}
}
#define set_ptes(mm, va, p, pte, nr) __set_ptes(mm, va, p, pte, nr)
static inline void set_pte_at(struct mm_struct *mm, unsigned long va, pte_t *p, pte_t pte)
{
	vmapfuzz_host_count(VMAPFUZZ_COUNT_SET_PTE_AT, 1);
	__set_ptes(mm, va, p, pte, 1);
}
static inline void __set_pte(pte_t *p, pte_t pte) { vmapfuzz_store(&p->pte, pte_val(pte)); }
#define set_pte(p, pte) __set_pte(p, pte)
static inline pte_t __ptep_get_and_clear(struct mm_struct *mm, unsigned long va, pte_t *p)
{
	pte_t old;

	(void)mm;
	vmapfuzz_check_entry(p, va);
	old = *p;
	if (vmapfuzz_pte_live(old))
		vmapfuzz_host_count(VMAPFUZZ_COUNT_UNMAP_PTES, 1);
	vmapfuzz_store(&p->pte, 0);
	return old;
}
#define ptep_get_and_clear(mm, va, p) __ptep_get_and_clear(mm, va, p)
static inline void __pte_clear(struct mm_struct *mm, unsigned long va, pte_t *p)
{
	(void)__ptep_get_and_clear(mm, va, p);
}
#define pte_clear(mm, va, p) __pte_clear(mm, va, p)

/* Table allocation (<linux/pgalloc-track.h>): through the table pool. */
static inline u64 vmapfuzz_new_table_desc(void)
{
	u64 pa = vmapfuzz_host_table_alloc();

	return pa ? (pa | VMAPFUZZ_TABLE_BITS) : 0;
}
static inline p4d_t *p4d_alloc_track(struct mm_struct *mm, pgd_t *pgd, unsigned long va,
				     pgtbl_mod_mask *mask)
{
	(void)mm;
#ifdef __PAGETABLE_P4D_FOLDED
	(void)mask; /* pgd_none() is constant false: nothing to allocate */
#else
	if (unlikely(pgd_none(*pgd))) {
		u64 d = vmapfuzz_new_table_desc();

		if (!d)
			return NULL;
		vmapfuzz_store(&pgd->pgd, d);
		*mask |= 1u << 4; /* PGTBL_PGD_MODIFIED */
	}
#endif
	return p4d_offset(pgd, va);
}
static inline pud_t *pud_alloc_track(struct mm_struct *mm, p4d_t *p4d, unsigned long va,
				     pgtbl_mod_mask *mask)
{
	(void)mm;
	if (unlikely(p4d_none(*p4d))) {
		u64 d = vmapfuzz_new_table_desc();

		if (!d)
			return NULL;
		vmapfuzz_store(&p4d->pgd.pgd, d);
		*mask |= 1u << 3; /* PGTBL_P4D_MODIFIED */
	}
	return pud_offset(p4d, va);
}
static inline pmd_t *pmd_alloc_track(struct mm_struct *mm, pud_t *pud, unsigned long va,
				     pgtbl_mod_mask *mask)
{
	(void)mm;
	if (unlikely(pud_none(*pud))) {
		u64 d = vmapfuzz_new_table_desc();

		if (!d)
			return NULL;
		vmapfuzz_store(&pud->pud, d);
		*mask |= 1u << 2; /* PGTBL_PUD_MODIFIED */
	}
	return pmd_offset(pud, va);
}
static inline pte_t *pte_alloc_kernel_track(pmd_t *pmd, unsigned long va, pgtbl_mod_mask *mask)
{
	if (unlikely(pmd_none(*pmd))) {
		u64 d = vmapfuzz_new_table_desc();

		if (!d)
			return NULL;
		vmapfuzz_store(&pmd->pmd, d);
		*mask |= 1u << 1; /* PGTBL_PMD_MODIFIED */
	}
	return pte_offset_kernel(pmd, va);
}
static inline void pte_free_kernel(struct mm_struct *mm, pte_t *table)
{
	(void)mm;
	vmapfuzz_host_count(VMAPFUZZ_COUNT_PTE_TABLES_FREED, 1);
	vmapfuzz_host_table_free(vmapfuzz_host_table_pa((const vmapfuzz_u64 *)table));
}
/* A folded level has no table of its own to free (pgtable-nopXd.h). */
static inline void pmd_free(struct mm_struct *mm, pmd_t *table)
{
	(void)mm;
#ifndef __PAGETABLE_PMD_FOLDED
	vmapfuzz_host_count(VMAPFUZZ_COUNT_PMD_TABLES_FREED, 1);
	vmapfuzz_host_table_free(vmapfuzz_host_table_pa((const vmapfuzz_u64 *)table));
#else
	(void)table;
#endif
}
static inline void pud_free(struct mm_struct *mm, pud_t *table)
{
	(void)mm;
#ifndef __PAGETABLE_PUD_FOLDED
	vmapfuzz_host_table_free(vmapfuzz_host_table_pa((const vmapfuzz_u64 *)table));
#else
	(void)table;
#endif
}


/* pXd_none_or_clear_bad() and pXd_clear_bad() of <linux/pgtable.h>. */
static inline void pmd_clear_bad(pmd_t *p)
{
	vmapfuzz_host_warn("pmd_clear_bad", "pmd_ERROR", 0, vmapfuzz_k_last_addr);
	pmd_clear(p);
}
static inline void pud_clear_bad(pud_t *p)
{
	vmapfuzz_host_warn("pud_clear_bad", "pud_ERROR", 0, vmapfuzz_k_last_addr);
	pud_clear(p);
}
static inline void p4d_clear_bad(p4d_t *p)
{
	vmapfuzz_host_warn("p4d_clear_bad", "p4d_ERROR", 0, vmapfuzz_k_last_addr);
	p4d_clear(p);
}
static inline int pmd_none_or_clear_bad(pmd_t *p)
{
	if (pmd_none(*p))
		return 1;
	if (unlikely(pmd_bad(*p))) {
		pmd_clear_bad(p);
		return 1;
	}
	return 0;
}
static inline int pud_none_or_clear_bad(pud_t *p)
{
	if (pud_none(*p))
		return 1;
	if (unlikely(pud_bad(*p))) {
		pud_clear_bad(p);
		return 1;
	}
	return 0;
}
static inline int p4d_none_or_clear_bad(p4d_t *p)
{
	if (p4d_none(*p))
		return 1;
	if (unlikely(p4d_bad(*p))) {
		p4d_clear_bad(p);
		return 1;
	}
	return 0;
}
#ifdef __PAGETABLE_P4D_FOLDED
static inline int pgd_none_or_clear_bad(pgd_t *p) { (void)p; return 0; }
#else
static inline void pgd_clear_bad(pgd_t *p)
{
	vmapfuzz_host_warn("pgd_clear_bad", "pgd_ERROR", 0, vmapfuzz_k_last_addr);
	vmapfuzz_store(&p->pgd, 0);
}
static inline int pgd_none_or_clear_bad(pgd_t *p)
{
	if (pgd_none(*p))
		return 1;
	if (unlikely(pgd_bad(*p))) {
		pgd_clear_bad(p);
		return 1;
	}
	return 0;
}
#endif

/* pgtbl_mod_mask bits and arch_sync_kernel_mappings. */
#define PGTBL_PTE_MODIFIED (1u << 0)
#define PGTBL_PMD_MODIFIED (1u << 1)
#define PGTBL_PUD_MODIFIED (1u << 2)
#define PGTBL_P4D_MODIFIED (1u << 3)
#define PGTBL_PGD_MODIFIED (1u << 4)
/* The architecture's ARCH_PAGE_TABLE_SYNC_MASK is VMAPFUZZ_ARCH_SYNC_MASK
 * (arm64: 0, so its walkers never sync; x86-64: the top level that is not
 * folded). The mask the walkers test here is all ones instead, so that the
 * "sync" always reports the walker's local pgtbl_mod_mask (named `mask` in
 * every walker) to the host, the only way to observe it; the
 * architecture's arch_sync_kernel_mappings() is recorded as an event only
 * where the real mask would have called it. */
#define ARCH_PAGE_TABLE_SYNC_MASK (~0u)
#define arch_sync_kernel_mappings(s, e) vmapfuzz_sync_kernel_mappings(mask, s, e)
static inline void vmapfuzz_sync_kernel_mappings(unsigned int m, u64 start, u64 end)
{
	vmapfuzz_host_mod_mask(m);
	if (m & VMAPFUZZ_ARCH_SYNC_MASK)
		vmapfuzz_host_flush(VMAPFUZZ_FLUSH_SYNC_KERNEL_MAPPINGS, start, end);
}

/* ------------------------------------------------------- TLB and caches */
#define flush_cache_vmap(s, e) vmapfuzz_host_flush(VMAPFUZZ_FLUSH_CACHE_VMAP, s, e)
#define flush_cache_vunmap(s, e) vmapfuzz_host_flush(VMAPFUZZ_FLUSH_CACHE_VUNMAP, s, e)
#define flush_tlb_kernel_range(s, e) vmapfuzz_host_flush(VMAPFUZZ_FLUSH_TLB_KERNEL_RANGE, s, e)
#define __flush_tlb_kernel_pgtable(a) vmapfuzz_host_flush(VMAPFUZZ_FLUSH_TLB_PGTABLE, a, a)
static inline void flush_tlb_range(struct vm_area_struct *vma, unsigned long s, unsigned long e)
{
	(void)vma;
	vmapfuzz_host_flush(VMAPFUZZ_FLUSH_TLB_RANGE, s, e);
}
#define __flush_tlb_range(vma, s, e, stride, last, lvl) flush_tlb_range(vma, s, e)

/* --------------------------------------------------- sanitizer hooks: off */
#define kmsan_ioremap_page_range(...) 0
#define kmsan_vunmap_range_noflush(s, e) do { } while (0)
#define kmsan_vmap_pages_range_noflush(...) 0
#define kasan_populate_vmalloc(...) 0

/* ------------------------------------------------------------------ pages */
/* struct page pointers are names for pfns and are never dereferenced:
 * page == vmemmap + pfn with a one-byte struct page and vmemmap at 1, so
 * that every pfn below 2^63 has its own pointer, consecutive pfns have
 * consecutive pointers and NULL stays NULL. Traces may name any pfn; the
 * entry points fold pfns from 2^62 up into [2^62, 2^62 + 2^61) (all far
 * beyond pfn_valid()), which leaves 2^63 for the poison entries that end
 * the host's page arrays, so that a read past an array stops the call. */
struct page { unsigned char flags; };
#define vmemmap ((struct page *)1UL)
#define VMAPFUZZ_POISON_PAGE ((struct page *)(1UL << 63))
static inline unsigned long vmapfuzz_fold_pfn(unsigned long pfn)
{
	return pfn < (1UL << 62) ? pfn : (1UL << 62) + (pfn & ((1UL << 61) - 1));
}
static inline unsigned long vmapfuzz_page_to_pfn(const struct page *page, u64 va)
{
	if (page == VMAPFUZZ_POISON_PAGE)
		vmapfuzz_stop(VMAPFUZZ_STOP_PAGE_ARRAY_OVERRUN, va);
	return (unsigned long)(page - vmemmap);
}
#define page_to_pfn(p) vmapfuzz_page_to_pfn(p, __vmapfuzz_site_addr())
#define pfn_to_page(pfn) (vmemmap + (pfn))
#define page_to_phys(p) ((phys_addr_t)page_to_pfn(p) << PAGE_SHIFT)
#define pte_page(pte) pfn_to_page(pte_pfn(pte))
#define mk_pte(page, prot) pfn_pte(page_to_pfn(page), prot)
#define pfn_valid(pfn) vmapfuzz_host_pfn_valid(pfn)
#define dump_page(page, reason) do { (void)(page); } while (0)
#define split_page(page, order) do { (void)(page); } while (0)
#define totalram_pages() vmapfuzz_host_totalram_pages()
/* num_pages_contiguous() where a tree keeps it in <linux/mm.h>: pages
 * [0, nr) are physically consecutive up to the returned count. */
static inline unsigned long vmapfuzz_num_pages_contiguous(struct page **pages, size_t nr)
{
	size_t i;

	if (!nr)
		return 0;
	for (i = 1; i < nr; i++)
		if (pages[i] != pages[0] + i)
			break;
	return i;
}
#ifndef VMAPFUZZ_HAVE_num_pages_contiguous
#define num_pages_contiguous(pages, nr) vmapfuzz_num_pages_contiguous(pages, nr)
#endif

#ifdef VMAPFUZZ_ARCH_X86
/* kshim_x86.h: __va() of a table, and free_page() of tables and copies. */
static inline unsigned long vmapfuzz_x86_table_va(u64 desc)
{
	return (unsigned long)vmapfuzz_table_of(desc, vmapfuzz_k_last_addr);
}
static inline void vmapfuzz_x86_free_page(unsigned long addr)
{
	const vmapfuzz_u64 *p = (const vmapfuzz_u64 *)addr;
	vmapfuzz_u64 pa = vmapfuzz_host_table_pa(p);

	if (!pa)
		return; /* the scratch page of __get_free_page() */
	vmapfuzz_host_count((const void *)p == vmapfuzz_x86_pmd_dtor
				    ? VMAPFUZZ_COUNT_PMD_TABLES_FREED
				    : VMAPFUZZ_COUNT_PTE_TABLES_FREED, 1);
	vmapfuzz_x86_pmd_dtor = NULL;
	vmapfuzz_host_table_free(pa);
}
/* A page descriptor is the struct page name of its pfn (see "pages"). A
 * page that is not a live table (a block's data page) stops the call: the
 * kernel would free memory it does not own. */
static inline void pagetable_dtor_free(struct ptdesc *pt)
{
	u64 pa = (u64)((const struct page *)(const void *)pt - vmemmap) << PAGE_SHIFT;

	if (!vmapfuzz_host_table(pa))
		vmapfuzz_stop(VMAPFUZZ_STOP_LEAF_USED_AS_TABLE, vmapfuzz_k_last_addr);
	vmapfuzz_host_count(VMAPFUZZ_COUNT_PTE_TABLES_FREED, 1);
	vmapfuzz_host_table_free(pa);
}
#endif

/* ------------------------------------------------------------ allocators */
/* GFP_KERNEL as the kernel composes it: it may block, do IO and FS. */
#define GFP_KERNEL (__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_ATOMIC 0x2u
#define GFP_NOWAIT 0x4u
#define GFP_DMA 0x8u
#define GFP_DMA32 0x10u
#define __GFP_HIGHMEM 0x20u
#define __GFP_ZERO 0x40u
#define __GFP_NOWARN 0x80u
#define __GFP_NOFAIL 0x100u
#define __GFP_NORETRY 0x200u
#define __GFP_ACCOUNT 0x400u
#define __GFP_FS 0x800u
#define __GFP_IO 0x1000u
#define __GFP_SKIP_KASAN 0x2000u
#define __GFP_SKIP_ZERO 0x4000u
#define __GFP_COMP 0x8000u
#define __GFP_DIRECT_RECLAIM 0x10000u
#define __GFP_KSWAPD_RECLAIM 0x20000u
#define __GFP_RECLAIM (__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_RECLAIM_MASK (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_NOWARN | __GFP_NOFAIL)
#define NUMA_NO_NODE (-1)
#define MAX_PAGE_ORDER 10
#define num_online_nodes() 1
#define numa_node_id() 0
static inline struct page *vmapfuzz_alloc_pages(unsigned int order)
{
	u64 pfn = vmapfuzz_host_alloc_pages(order);

	return pfn == ~0ULL ? NULL : pfn_to_page(pfn);
}
#define alloc_pages_noprof(gfp, order) vmapfuzz_alloc_pages(order)
#define alloc_pages_node_noprof(nid, gfp, order) vmapfuzz_alloc_pages(order)
#define alloc_pages(gfp, order) vmapfuzz_alloc_pages(order)
#define alloc_pages_node(nid, gfp, order) vmapfuzz_alloc_pages(order)
/* The bulk allocator fills the NULL slots of `array` and returns how many
 * leading slots are populated. */
static inline unsigned long vmapfuzz_alloc_bulk(unsigned long nr, struct page **array)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (array[i])
			continue;
		array[i] = vmapfuzz_alloc_pages(0);
		if (!array[i])
			break;
	}
	return i;
}
#define alloc_pages_bulk_array_mempolicy_noprof(gfp, nr, a) vmapfuzz_alloc_bulk(nr, a)
#define alloc_pages_bulk_array_node_noprof(gfp, nid, nr, a) vmapfuzz_alloc_bulk(nr, a)
#define alloc_pages_bulk_mempolicy_noprof(gfp, nr, a) vmapfuzz_alloc_bulk(nr, a)
#define alloc_pages_bulk_node_noprof(gfp, nid, nr, a) vmapfuzz_alloc_bulk(nr, a)
#define alloc_pages_bulk_noprof(gfp, nid, nodemask, nr, a) vmapfuzz_alloc_bulk(nr, a)
/* Host memory for everything that is not a page-table page or a mapped
 * page (page arrays, vm_structs): calloc, never failing. */
#define kmalloc_node_noprof(size, gfp, node) calloc(1, size)
#define kmalloc_node(size, gfp, node) calloc(1, size)
#define kzalloc_node(size, gfp, node) calloc(1, size)
#define kvmalloc_node_noprof(size, gfp, node) calloc(1, size)
#define __vmalloc_node_noprof(size, align, gfp, node, caller) calloc(1, size)
#define kvfree(p) free((void *)(p))
#define kfree(p) free((void *)(p))
#define atomic_long_add(v, a) ((a)->counter += (v))
#define atomic_long_sub(v, a) ((a)->counter -= (v))
#define mod_memcg_page_state(page, idx, v) do { } while (0)
#define MEMCG_VMALLOC 0
#define memalloc_nofs_save() 0u
#define memalloc_noio_save() 0u
#define memalloc_nofs_restore(f) do { (void)(f); } while (0)
#define memalloc_noio_restore(f) do { (void)(f); } while (0)
#define fatal_signal_pending(t) 0
#define current ((void *)0)
#define schedule_timeout_uninterruptible(t) do { } while (0)
static atomic_long_t nr_vmalloc_pages __maybe_unused;

/* ------------------------------------------------------------ vm areas */
#define VM_IOREMAP 0x00000001UL
#define VM_ALLOC 0x00000002UL
#define VM_MAP 0x00000004UL
#define VM_USERMAP 0x00000008UL
#define VM_DMA_COHERENT 0x00000010UL
#define VM_UNINITIALIZED 0x00000020UL
#define VM_NO_GUARD 0x00000040UL
#define VM_KASAN 0x00000080UL
#define VM_FLUSH_RESET_PERMS 0x00000100UL
#define VM_MAP_PUT_PAGES 0x00000200UL
#define VM_ALLOW_HUGE_VMAP 0x00000400UL
#define VM_DEFER_KMEMLEAK 0x00000800UL
#define VM_SPARSE 0x00001000UL
struct llist_node { struct llist_node *next; };
struct vm_struct {
	struct vm_struct *next;
	void *addr;
	unsigned long size;
	unsigned long flags;
	struct page **pages;
	unsigned int page_order;
	unsigned int nr_pages;
	phys_addr_t phys_addr;
	const void *caller;
	unsigned long requested_size;
	struct llist_node llnode; /* 2026: deferred cleanup of a failed area */
};
static inline size_t get_vm_area_size(const struct vm_struct *area)
{
	return (area->flags & VM_NO_GUARD) ? area->size : area->size - PAGE_SIZE;
}
/* Where a tree's mm/vmalloc.c does not define them itself. */
#ifndef VMAPFUZZ_HAVE_set_vm_area_page_order
static inline void set_vm_area_page_order(struct vm_struct *vm, unsigned int order)
{
	vm->page_order = order;
}
#endif
#ifndef VMAPFUZZ_HAVE_vm_area_page_order
static inline unsigned int vm_area_page_order(struct vm_struct *vm) { return vm->page_order; }
#endif
#define find_vm_area(a) ((struct vm_struct *)vmapfuzz_host_find_area((u64)(unsigned long)(a)))
static struct vm_struct *vmapfuzz_get_vm_area(unsigned long size, unsigned long flags);
#define get_vm_area_caller(size, flags, caller) vmapfuzz_get_vm_area(size, flags)
#define get_vm_area(size, flags) vmapfuzz_get_vm_area(size, flags)
static void vmapfuzz_vunmap(const void *a);
static void vmapfuzz_vfree(const void *a);
#define vunmap(a) vmapfuzz_vunmap(a)
#define vfree(a) vmapfuzz_vfree(a)
#define free_vm_area(area) vmapfuzz_vunmap((area)->addr)
/* Boot options (set_nohugeiomap, set_nohugevmalloc) live in the host. */
#define ioremap_max_page_shift (vmapfuzz_host_ioremap_max_page_shift())
#define vmap_allow_huge (vmapfuzz_host_vmap_allow_huge())


/* -------------------------------------------- API of the 2026 (7.0) era */
/* Names later trees use for things the sections above model already; each
 * is what the matching older name does. */
/* The hardware-format entry type; the shims' pte_t already is one. */
typedef pte_t hw_pte_t;
/* scoped_cond_guard(name, fail, args): the body runs under the lock, or
 * `fail` runs when taking it fails (never: locks are uncontended). */
static inline int __vmapfuzz_guard_mmap_read_lock_try(struct mm_struct *mm) { (void)mm; return 1; }
#define scoped_cond_guard(name, fail, ...) \
	for (int __vmapfuzz_cat(__scg_, __LINE__) = __vmapfuzz_guard_##name(__VA_ARGS__), \
		 __vmapfuzz_cat(__scd_, __LINE__) = 0; \
	     !__vmapfuzz_cat(__scd_, __LINE__); __vmapfuzz_cat(__scd_, __LINE__) = 1) \
		if (!__vmapfuzz_cat(__scg_, __LINE__)) { fail; } else
#define min3(a, b, c) min(min(a, b), c)
#define max3(a, b, c) max(max(a, b), c)
#define PTR_ALIGN_DOWN(p, a) ((__typeof__(p))ALIGN_DOWN((unsigned long)(p), (a)))
#define PTR_ALIGN(p, a) ((__typeof__(p))ALIGN((unsigned long)(p), (a)))
/* Static keys: every key the slices test is off (the trees define their
 * own, e.g. arm64_ptdump_lock_key, which only ptdump turns on). */
struct static_key_false { int enabled; };
struct static_key_true { int enabled; };
/* A key a tree defines without `static` (arm64's arm64_ptdump_lock_key) is
 * a common symbol, so that the builds of every geometry share it. */
#define DEFINE_STATIC_KEY_FALSE(name) struct static_key_false name __attribute__((common))
#define DEFINE_STATIC_KEY_TRUE(name) struct static_key_true name = { 1 }
#define static_branch_unlikely(k) (!!(k)->enabled)
#define static_branch_likely(k) (!!(k)->enabled)
/* Block descriptors from PTE-typed values (arch_make_huge_pte). */
static inline pud_t pte_pud(pte_t p) { return __pud(pte_val(p)); }
static inline pte_t pud_pte(pud_t p) { return __pte(pud_val(p)); }
#ifndef VMAPFUZZ_ARCH_X86
static inline pmd_t pmd_mkhuge(pmd_t p) { return __pmd(pmd_val(p) & ~PMD_TABLE_BIT); }
static inline pud_t pud_mkhuge(pud_t p) { return __pud(pud_val(p) & ~PUD_TABLE_BIT); }
#endif
/* Entry stores and clears of any size: `nr` entries `pgsize` apart, the
 * output address advancing by `pgsize` (hugetlbpage.c's set_huge_pte_at
 * and its break step). */
static inline void __set_ptes_anysz(struct mm_struct *mm, unsigned long va, pte_t *p, pte_t pte,
				    unsigned int nr, unsigned long pgsize)
{
	(void)mm;
	for (; nr; nr--, p++, va += pgsize) {
		vmapfuzz_check_store(p, va);
		vmapfuzz_store(&p->pte, pte_val(pte));
		if (pgsize == PMD_SIZE && vmapfuzz_pmd_block(pte_pmd(pte)))
			vmapfuzz_host_count(VMAPFUZZ_COUNT_PMD_BLOCKS, 1);
		pte = pte_advance_pfn(pte, pgsize >> PAGE_SHIFT);
	}
}
static inline pte_t __ptep_get_and_clear_anysz(struct mm_struct *mm, unsigned long va, pte_t *p,
					       unsigned long pgsize)
{
	(void)pgsize;
	return __ptep_get_and_clear(mm, va, p);
}
/* __flush_hugetlb_tlb_range(vma, start, end, stride, flags): a TLB range
 * flush, recorded as flush_tlb_range() is. */
#define TLBF_NONE 0u
#define TLBF_NOWALKCACHE 1u
#define __flush_hugetlb_tlb_range(vma, s, e, stride, flags) flush_tlb_range(vma, s, e)
/* gfp and the memalloc scope API: nothing blocks, scopes change nothing. */
#define __GFP_RETRY_MAYFAIL 0x40000u
#define gfpflags_allow_blocking(gfp) (!!((gfp) & __GFP_DIRECT_RECLAIM))
#define memalloc_noreclaim_save() 0u
#define memalloc_noreclaim_restore(f) do { (void)(f); } while (0)
#define memalloc_flags_save(f) 0u
#define memalloc_flags_restore(f) do { (void)(f); } while (0)
/* Page accounting: not modelled. */
enum node_stat_item { NR_VMALLOC };
#define mod_lruvec_page_state(page, idx, v) do { (void)(page); } while (0)
#define BITS_PER_BYTE 8
/* Lock-free lists and work items: __vmalloc_area_node()'s failure path
 * queues the area on a list and schedules a work item that frees it. The
 * harness places a retry at the same VA, so the work runs at once:
 * schedule_work() calls the function before returning. */
#define container_of(p, type, member) ((type *)((char *)(p) - __builtin_offsetof(type, member)))
struct llist_head { struct llist_node *first; };
#define LLIST_HEAD(name) struct llist_head name = { NULL }
static inline bool llist_add(struct llist_node *n, struct llist_head *h)
{
	n->next = h->first;
	h->first = n;
	return n->next == NULL;
}
static inline struct llist_node *llist_del_all(struct llist_head *h)
{
	struct llist_node *n = h->first;

	h->first = NULL;
	return n;
}
#define llist_entry(p, type, member) container_of(p, type, member)
#define llist_for_each_entry_safe(pos, n, node, member) \
	for (pos = (node) ? llist_entry((node), __typeof__(*pos), member) : NULL; \
	     pos && (n = pos->member.next ? llist_entry(pos->member.next, __typeof__(*pos), member) \
					  : NULL, 1); \
	     pos = n)
struct work_struct { void (*func)(struct work_struct *); };
#define DECLARE_WORK(name, fn) struct work_struct name = { (fn) }
static inline bool schedule_work(struct work_struct *w)
{
	w->func(w);
	return true;
}

/* vmap()'s aligned area (patch 6 of the series): the harness places the
 * area at the trace's VA and checks that `align` allows it. */
static struct vm_struct *vmapfuzz_get_vm_area_aligned(unsigned long size, unsigned long align,
						      unsigned long flags);
#define __get_vm_area_node_aligned_caller(size, align, flags, caller) \
	vmapfuzz_get_vm_area_aligned(size, align, flags)
/* API of the 6.1 era, in a header of its own. */
#include "kshim_61.h"
/* The pageattr unit (arch/arm64/mm/pageattr.c, mm/memory.c). */
#include "kshim_pageattr.h"

#endif /* VMAPFUZZ_KSHIM_H */
