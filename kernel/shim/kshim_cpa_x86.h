/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pageattr-x86 unit: what the slices of arch/x86/mm/pat/set_memory.c
 * (x86's change_page_attr_set_clr(), "CPA", and the set_memory_*() on it)
 * need beyond kshim.h and kshim_x86.h. kernel/extract.py includes it just
 * before the first set_memory.c slice, so the mm/vmalloc.c slices before it
 * keep the page allocator's alloc_pages(). Written for vmapfuzz from the
 * API contracts, like kshim.h. What the engine models of CPA, and what it
 * leaves out, is in docs/pageattr.md, "x86-64"; these shims leave out the
 * same:
 *
 * - the direct map: the VAs [PAGE_OFFSET, PAGE_OFFSET + max_pfn_mapped
 *   pages) exist, but no tables map them, so the alias walk of a RAM page
 *   finds a none entry at its pgd or p4d and, not being primary, passes
 *   over it (cpa_process_alias() still forces the flush of the whole TLB);
 * - the kernel image: its text, rodata and high mapping lie at physical
 *   addresses beyond x86's 52 bits, so no pfn a trace can name is in it,
 *   and static_protections() finds nothing to forbid;
 * - page arrays, caching attributes and the EFI page tables (cpa->pgd):
 *   no op passes them, so the cache flush and populate_pgd() are never
 *   reached; reaching one stops the call.
 */
#ifndef VMAPFUZZ_KSHIM_CPA_X86_H
#define VMAPFUZZ_KSHIM_CPA_X86_H

/* ----------------------------------------------------- the CPA's own state */
/* struct cpa_data and the flags are private to set_memory.c (the extractor
 * takes functions only); the same in 6.1, 6.12 and the 2026 trees. */
struct cpa_data {
	unsigned long *vaddr;
	pgd_t *pgd;
	pgprot_t mask_set;
	pgprot_t mask_clr;
	unsigned long numpages;
	unsigned long curpage;
	unsigned long pfn;
	unsigned int flags;
	unsigned int force_split : 1, force_static_prot : 1, force_flush_all : 1;
	struct page **pages;
};
#define CPA_FLUSHTLB 1
#define CPA_ARRAY 2
#define CPA_PAGES_ARRAY 4
#define CPA_NO_CHECK_ALIAS 8
/* 2026 trees: set_memory_rox() collapses what it can into large pages. */
#define CPA_COLLAPSE 16
/* How loudly static_protections() reports a conflict: the file's own
 * level, CPA_PROTECT (conflicts and protections are pr_warn()ed). */
enum cpa_warn { CPA_CONFLICT, CPA_PROTECT, CPA_DETECT };
static const int cpa_warn_level = CPA_PROTECT;

/* Declared at the top of set_memory.c, which the extractor does not take:
 * cpa_process_alias() calls it before its definition. */
static int __change_page_attr_set_clr(struct cpa_data *cpa, int primary);
/* The address a WARN/BUG site reports (kshim.h): change_page_attr_set_clr()
 * has `unsigned long *addr`, and its unaligned-address WARN reports the
 * address it points to (aligned down just before). */
static inline u64 vmapfuzz_cpa_site_by_pointer(const unsigned long *a) { return *a; }
static inline u64 vmapfuzz_cpa_site_by_value(unsigned long a)
{
	return a == VMAPFUZZ_NO_ADDR ? vmapfuzz_k_last_addr : a;
}
#undef __vmapfuzz_site_addr
#define __vmapfuzz_site_addr() \
	_Generic((addr), unsigned long *: vmapfuzz_cpa_site_by_pointer, \
		 default: vmapfuzz_cpa_site_by_value)(addr)
/* printk()'s level prefix, which WARN()'s format may start with. */
#define KERN_WARNING "\001" "4"

/* enum pg_level (asm/pgtable_types.h) and the sizes per level. */
enum pg_level {
	PG_LEVEL_NONE,
	PG_LEVEL_4K,
	PG_LEVEL_2M,
	PG_LEVEL_1G,
	PG_LEVEL_512G,
	PG_LEVEL_256T,
	PG_LEVEL_NUM
};
static inline unsigned long page_level_shift(enum pg_level level)
{
	return (PAGE_SHIFT - 9) + (unsigned long)level * 9;
}
static inline unsigned long page_level_size(enum pg_level level)
{
	return 1UL << page_level_shift(level);
}
static inline unsigned long page_level_mask(enum pg_level level)
{
	return ~(page_level_size(level) - 1);
}

/* Statistics (CONFIG_CPA_STATISTICS, /proc/meminfo's DirectMap lines and
 * the vm events of direct-map splits): counted, never read. */
static unsigned long direct_pages_count[PG_LEVEL_NUM] __maybe_unused;
static unsigned long cpa_1g_checked __maybe_unused, cpa_1g_sameprot __maybe_unused,
	cpa_1g_preserved __maybe_unused, cpa_2m_checked __maybe_unused,
	cpa_2m_sameprot __maybe_unused, cpa_2m_preserved __maybe_unused,
	cpa_4k_install __maybe_unused;
#define data_race(x) (x)
#define count_vm_event(e) do { } while (0)
enum vm_event_item { DIRECT_MAP_LEVEL2_SPLIT, DIRECT_MAP_LEVEL3_SPLIT, DIRECT_MAP_LEVEL2_COLLAPSE,
		     DIRECT_MAP_LEVEL3_COLLAPSE };

/* After boot: the kernel's text and rodata are read-only, interrupts are
 * on, other CPUs are up (on_each_cpu() runs the function here, once: the
 * model has one TLB). */
enum system_states { SYSTEM_BOOTING, SYSTEM_RUNNING };
static const enum system_states system_state __maybe_unused = SYSTEM_RUNNING;
static const int kernel_set_to_readonly __maybe_unused = 1;
static const bool early_boot_irqs_disabled __maybe_unused;
#define irqs_disabled() 0
#define on_each_cpu(fn, info, wait) ((fn)(info))
#define mb() barrier()

/* Locks: uncontended. */
typedef struct { int locked; } vmapfuzz_cpa_spinlock_t;
#define spinlock_t vmapfuzz_cpa_spinlock_t
#define DEFINE_SPINLOCK(name) spinlock_t name
#define spin_lock(l) do { (void)(l); } while (0)
#define spin_unlock(l) do { (void)(l); } while (0)
static spinlock_t pgd_lock __maybe_unused;

/* -------------------------------------------------------- CPU features */
/* Every page-table bit is supported (NX included), as in the engine. */
static const u64 __supported_pte_mask __maybe_unused = ~0ULL;
static inline pgprot_t canon_pgprot(pgprot_t p)
{
	return __pgprot(pgprot_val(p) & __supported_pte_mask);
}
#define X86_FEATURE_CLFLUSH 3
#define static_cpu_has(f) ((f) == X86_FEATURE_CLFLUSH || boot_cpu_has(f))
#define cpu_feature_enabled(f) static_cpu_has(f)
struct cpuinfo_x86 { unsigned char x86; unsigned short x86_clflush_size; };
static const struct cpuinfo_x86 boot_cpu_data __maybe_unused = { 6, 64 };
/* No op of the model sets a caching attribute: a cache flush is a
 * modelling gap, and stops the call. */
#define clflushopt(p) vmapfuzz_not_modelled("clflushopt", "cache flush")
#define wbinvd() vmapfuzz_not_modelled("wbinvd", "cache flush")
/* pgprot2cachemode(): the caching mode of a protection's PAT, PCD and PWT
 * bits; 0 is write-back (_PAGE_CACHE_MODE_WB), the mode of no bits. */
#define _PAGE_CACHE_MASK (_PAGE_PWT | _PAGE_PCD | _PAGE_PAT)
static inline int pgprot2cachemode(pgprot_t p)
{
	return (pgprot_val(p) & _PAGE_CACHE_MASK) != 0;
}

/* ----------------------------------------------------------------- TLB */
/* arch/x86/mm/tlb.c's default ceiling of single-page flushes. */
static const unsigned long tlb_single_page_flush_ceiling __maybe_unused = 33;
#define flush_tlb_all() vmapfuzz_host_flush(VMAPFUZZ_FLUSH_TLB_ALL, 0, 0)
#define __flush_tlb_all() vmapfuzz_host_flush(VMAPFUZZ_FLUSH_TLB_ALL, 0, 0)
#define flush_tlb_one_kernel(a) \
	vmapfuzz_host_flush(VMAPFUZZ_FLUSH_TLB_ONE_KERNEL, (a), (a))

/* --------------------------------------------------------- descriptors */
typedef u64 pgprotval_t;
#define set_pte_atomic(p, pte) set_pte(p, pte)
#define paravirt_alloc_pte(mm, pfn) do { (void)(mm); (void)(pfn); } while (0)
static inline pgdval_t pgd_flags(pgd_t p) { return pgd_val(p) & PTE_FLAGS_MASK; }
static inline u64 p4d_flags(p4d_t p) { return p4d_val(p) & PTE_FLAGS_MASK; }
/* A large page's address field is PMD (PUD) aligned (kshim_x86.h):
 * asm/pgtable_types.h's pmd_pfn_mask(), pmd_flags_mask(). */
static inline u64 pmd_pfn_mask(pmd_t p)
{
	return (pmd_val(p) & _PAGE_PSE) ? PHYSICAL_PMD_PAGE_MASK : PTE_PFN_MASK;
}
static inline u64 pud_pfn_mask(pud_t p)
{
	return (pud_val(p) & _PAGE_PSE) ? PHYSICAL_PUD_PAGE_MASK : PTE_PFN_MASK;
}
static inline u64 pmd_flags(pmd_t p) { return pmd_val(p) & ~pmd_pfn_mask(p); }
static inline u64 pud_flags(pud_t p) { return pud_val(p) & ~pud_pfn_mask(p); }
static inline pgprot_t pmd_pgprot(pmd_t p) { return __pgprot(pmd_flags(p)); }
static inline pgprot_t pud_pgprot(pud_t p) { return __pgprot(pud_flags(p)); }
static inline unsigned long pmd_pfn(pmd_t p)
{
	return vmapfuzz_x86_desc_pfn(pmd_val(p), pmd_pfn_mask(p));
}
static inline unsigned long pud_pfn(pud_t p)
{
	return vmapfuzz_x86_desc_pfn(pud_val(p), pud_pfn_mask(p));
}
static inline pmd_t pmd_mkhuge(pmd_t p) { return __pmd(pmd_val(p) | _PAGE_PSE); }
static inline pud_t pud_mkhuge(pud_t p) { return __pud(pud_val(p) | _PAGE_PSE); }
static inline void set_p4d(p4d_t *p, p4d_t v) { vmapfuzz_store(&p->pgd.pgd, p4d_val(v)); }
static inline void set_pgd(pgd_t *p, pgd_t v) { vmapfuzz_store(&p->pgd, pgd_val(v)); }
/* 6.1's name of the p4d leaf test (kshim_61.h has the others). */
#define p4d_large(p) p4d_leaf(p)

/* ----------------------------------------------- the kernel's VA layout */
/* The direct map (asm/page_64_types.h), by paging mode, and how far it
 * reaches: every pfn the model has. */
#if CONFIG_PGTABLE_LEVELS == 5
#define PAGE_OFFSET 0xff11000000000000UL
#else
#define PAGE_OFFSET 0xffff888000000000UL
#endif
#define max_pfn_mapped vmapfuzz_host_max_pfn()
#define __va(pa) ((void *)((unsigned long)(pa) + PAGE_OFFSET))
#define __pa(va) ((unsigned long)(va) - PAGE_OFFSET)
#define virt_addr_valid(va) \
	((unsigned long)(va) >= PAGE_OFFSET && \
	 __pa(va) >> PAGE_SHIFT < max_pfn_mapped)
/* pfn_range_is_mapped(): the direct map covers the RAM the page allocator
 * hands out (docs/pageattr.md), not the MMIO hole below it. */
static inline bool pfn_range_is_mapped(unsigned long start, unsigned long end)
{
	unsigned long pfn;

	for (pfn = start; pfn < end; pfn++)
		if (!vmapfuzz_host_pfn_is_ram(pfn))
			return false;
	return true;
}
/* The kernel image: text, rodata and brk in the high mapping, loaded at a
 * physical address above x86's 52 bits, where no trace's pfn lies. */
#define __START_KERNEL_map 0xffffffff80000000UL
static const unsigned long phys_base __maybe_unused = 1UL << 52;
#define __pa_symbol(x) ((unsigned long)(x) - __START_KERNEL_map + phys_base)
#define _text ((char *)0xffffffff81000000UL)
#define _etext ((char *)0xffffffff82000000UL)
#define __start_rodata ((char *)0xffffffff82200000UL)
#define __end_rodata ((char *)0xffffffff82a00000UL)
#define __end_rodata_hpage_align ((char *)0xffffffff82a00000UL)
#define _brk_end ((unsigned long)0xffffffff83400000UL)
/* The PCI BIOS area is protected on 32-bit only (CONFIG_PCI_BIOS). */
#define pcibios_enabled 0
#define BIOS_PFN PFN_DOWN(0xa0000UL)
#define BIOS_PFN_END PFN_DOWN(0x100000UL - 1)
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
/* No highmem on 64-bit; nothing to flush of kmap. */
#define PageHighMem(page) ((void)(page), 0)
#define kmap_flush_unused() do { } while (0)

/* --------------------------------------------- the page of a split table */
/* split_large_page() takes its table from alloc_pages(GFP_KERNEL, 0): a
 * table of the pool here, as in the engine (fail_alloc fails it). The
 * struct page is the name of the table's pfn (kshim.h, "pages"). */
static inline struct page *vmapfuzz_cpa_alloc_table(void)
{
	u64 pa = vmapfuzz_host_table_alloc();

	return pa ? pfn_to_page(pa >> PAGE_SHIFT) : NULL;
}
#undef alloc_pages
#define alloc_pages(gfp, order) ((void)(gfp), (void)(order), vmapfuzz_cpa_alloc_table())
#undef page_address
#define page_address(page) \
	((void *)vmapfuzz_pool_table((u64)page_to_pfn(page) << PAGE_SHIFT, "page_address"))
#define __free_page(page) vmapfuzz_host_table_free((u64)page_to_pfn(page) << PAGE_SHIFT)

/* ------------------------------------------------- the 2026 trees' forms */
/* split_large_page() takes a PTE table with pte_alloc_one_kernel() (and
 * gives it back with kshim.h's pte_free_kernel()), and __split_large_page()
 * names its page with virt_to_page(). */
static inline pte_t *pte_alloc_one_kernel(struct mm_struct *mm)
{
	u64 pa = vmapfuzz_host_table_alloc();

	(void)mm;
	return pa ? (pte_t *)vmapfuzz_host_table(pa) : NULL;
}
static inline struct page *vmapfuzz_cpa_virt_to_page(const void *p)
{
	u64 pa = vmapfuzz_host_table_pa((const vmapfuzz_u64 *)p);

	if (!pa)
		vmapfuzz_not_modelled("virt_to_page", "not a table of the pool");
	return pfn_to_page(pa >> PAGE_SHIFT);
}
#undef virt_to_page
#define virt_to_page(p) vmapfuzz_cpa_virt_to_page(p)

/* The collapse (CPA_COLLAPSE) queues the tables it unlinks on a list of
 * page descriptors and frees them after the flush. A page descriptor here
 * is host memory naming the table's PA (the shims' other ptdesc pointers,
 * in kshim_x86.h, are page names; the set_memory.c slices see these
 * only). */
struct list_head { struct list_head *next, *prev; };
#define LIST_HEAD(name) struct list_head name = { &(name), &(name) }
static inline void list_add(struct list_head *n, struct list_head *head)
{
	n->next = head->next;
	n->prev = head;
	head->next->prev = n;
	head->next = n;
}
static inline void list_del(struct list_head *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->next = e->prev = NULL;
}
#define vmapfuzz_list_entry(p, type, member) \
	((type *)(void *)((char *)(p) - offsetof(type, member)))
#define list_for_each_entry_safe(pos, n, head, member) \
	for (pos = vmapfuzz_list_entry((head)->next, __typeof__(*pos), member), \
	     n = vmapfuzz_list_entry(pos->member.next, __typeof__(*pos), member); \
	     &pos->member != (head); \
	     pos = n, n = vmapfuzz_list_entry(n->member.next, __typeof__(*n), member))
/* The list of every process's pgd, which CPA walks on 32-bit only: empty
 * here (no process), and walking a list that is not empty stops the call. */
static struct list_head pgd_list __maybe_unused = { &pgd_list, &pgd_list };
static inline void *vmapfuzz_cpa_empty_list(struct list_head *head)
{
	if (head->next != head)
		vmapfuzz_not_modelled("list_for_each_entry", "a pgd_list that is not empty");
	return NULL;
}
#define list_for_each_entry(pos, head, member) \
	for (pos = vmapfuzz_cpa_empty_list(head); pos; pos = NULL)
struct ptdesc { struct list_head pt_list; u64 pa; };
static inline struct ptdesc *vmapfuzz_cpa_page_ptdesc(struct page *page)
{
	struct ptdesc *pt = calloc(1, sizeof(*pt));

	if (!pt)
		abort();
	pt->pa = (u64)page_to_pfn(page) << PAGE_SHIFT;
	return pt;
}
#undef page_ptdesc
#define page_ptdesc(page) vmapfuzz_cpa_page_ptdesc(page)
#define ptdesc_page(pt) pfn_to_page((pt)->pa >> PAGE_SHIFT)
#define pud_page(pud) pfn_to_page((pud_val(pud) & PTE_PFN_MASK) >> PAGE_SHIFT)
/* Every table the collapse finds is one of the pool, with PG_table. */
#define PageTable(page) (vmapfuzz_host_table((u64)page_to_pfn(page) << PAGE_SHIFT) != NULL)
static inline void vmapfuzz_cpa_ptdesc_free(struct ptdesc *pt)
{
	u64 pa = pt->pa;

	free(pt);
	(void)vmapfuzz_pool_table(pa, "pagetable_free");
	vmapfuzz_host_table_free(pa);
}
#define pagetable_dtor_free(pt) vmapfuzz_cpa_ptdesc_free(pt)
#define pagetable_free(pt) vmapfuzz_cpa_ptdesc_free(pt)
#ifdef VMAPFUZZ_HAVE_collapse_large_pages
/* Declared at the top of set_memory.c. */
static int collapse_large_pages(unsigned long addr, struct list_head *pgtables);
#endif
/* set_memory_4k()'s mark: a page that must not be collapsed. */
#define _PAGE_KERNEL_4K (1ULL << 11)
static inline u64 pte_flags(pte_t p) { return pte_val(p) & PTE_FLAGS_MASK; }
/* 1G pages in the direct map: the CPU has them and nogbpages is not given. */
#define direct_gbpages boot_cpu_has(X86_FEATURE_GBPAGES)

/* ------------------------------------------- paths no op of the model takes */
/* populate_pgd() and its helpers (cpa->pgd: the EFI page tables). */
#define vmapfuzz_cpa_efi(what, type) (vmapfuzz_not_modelled(what, "EFI page tables"), (type)0)
#define get_zeroed_page(gfp) vmapfuzz_cpa_efi("get_zeroed_page", unsigned long)
#define pmd_alloc_one(mm, a) vmapfuzz_cpa_efi("pmd_alloc_one", pmd_t *)
#define pud_alloc_one(mm, a) vmapfuzz_cpa_efi("pud_alloc_one", pud_t *)
#define p4d_alloc_one(mm, a) vmapfuzz_cpa_efi("p4d_alloc_one", p4d_t *)

#endif /* VMAPFUZZ_KSHIM_CPA_X86_H */
