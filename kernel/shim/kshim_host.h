/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The boundary between the shimmed kernel code (C, built from a kernel
 * tree's slices) and the harness (C++, kernel/bridge.cc). Plain C types
 * only: both sides include this file.
 *
 * Host -> kernel: the entry points of kentry.c (struct vmapfuzz_kops, one
 * per geometry) run one kernel function under setjmp, so that a BUG() in
 * the kernel code returns here.
 * Kernel -> host: the vmapfuzz_host_* callbacks reach the engine's table
 * pool, page allocator, vm area list and side-effect recorder.
 */
#ifndef VMAPFUZZ_KSHIM_HOST_H
#define VMAPFUZZ_KSHIM_HOST_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long vmapfuzz_u64; /* 64-bit: LP64 hosts only */

/* Returned by an entry point after a BUG() (not a kernel errno). */
#define VMAPFUZZ_K_BUGGED 4095

/* Side effects the shims report; the host maps them to engine ids. */
enum vmapfuzz_flush {
	VMAPFUZZ_FLUSH_CACHE_VMAP,
	VMAPFUZZ_FLUSH_CACHE_VUNMAP,
	VMAPFUZZ_FLUSH_TLB_KERNEL_RANGE,
	VMAPFUZZ_FLUSH_TLB_PGTABLE,
	VMAPFUZZ_FLUSH_TLB_RANGE,
	VMAPFUZZ_FLUSH_SYNC_KERNEL_MAPPINGS, /* x86-64's arch_sync_kernel_mappings() */
	VMAPFUZZ_FLUSH_TLB_ALL,		     /* x86-64: flush_tlb_all(), __flush_tlb_all() */
	VMAPFUZZ_FLUSH_TLB_ONE_KERNEL,	     /* x86-64: flush_tlb_one_kernel(addr) */
};

/* Stops the shims themselves raise where the kernel would corrupt memory. */
enum vmapfuzz_stop {
	VMAPFUZZ_STOP_LEAF_USED_AS_TABLE,
	VMAPFUZZ_STOP_PTE_TABLE_OVERRUN,
	VMAPFUZZ_STOP_WALK_RAN_PAST_END,
	VMAPFUZZ_STOP_PAGE_ARRAY_OVERRUN,
};

/* Counters the shims keep, as the engine's Counters. */
enum vmapfuzz_count {
	VMAPFUZZ_COUNT_WALKS,
	VMAPFUZZ_COUNT_SET_PTE_AT,
	VMAPFUZZ_COUNT_SET_HUGE_PTE_AT,
	VMAPFUZZ_COUNT_PMD_SET_HUGE,
	VMAPFUZZ_COUNT_PUD_SET_HUGE,
	VMAPFUZZ_COUNT_DESCRIPTORS,
	VMAPFUZZ_COUNT_PMD_BLOCKS,
	VMAPFUZZ_COUNT_PUD_BLOCKS,
	VMAPFUZZ_COUNT_PTE_TABLES_FREED,
	VMAPFUZZ_COUNT_PMD_TABLES_FREED,
	VMAPFUZZ_COUNT_UNMAP_BLOCKS,
	VMAPFUZZ_COUNT_UNMAP_PTES,
};

/* The permission change of a set_memory entry (arch/arm64/mm/pageattr.c). */
/* The vm_struct flags of the model's areas (common/kernel_config.h). The
 * kernel's VM_IOREMAP, VM_ALLOC and VM_MAP have the same values; its
 * VM_ALLOW_HUGE_VMAP does not. */
#define VMAPFUZZ_AREA_IOREMAP 0x1UL
#define VMAPFUZZ_AREA_ALLOC 0x2UL
#define VMAPFUZZ_AREA_MAP 0x4UL
#define VMAPFUZZ_AREA_ALLOW_HUGE_VMAP 0x8UL

enum vmapfuzz_set_memory {
	VMAPFUZZ_SET_MEMORY_RO,
	VMAPFUZZ_SET_MEMORY_RW,
	VMAPFUZZ_SET_MEMORY_X,
	VMAPFUZZ_SET_MEMORY_NX,
	VMAPFUZZ_SET_MEMORY_ROX,	/* the tree's, or the generic ro then x */
	VMAPFUZZ_SET_MEMORY_VALID,	/* set_memory_valid(addr, numpages, 1) */
	VMAPFUZZ_SET_MEMORY_INVALID,	/* set_memory_valid(addr, numpages, 0) */
};

/* A page-table page: allocate (PA, 0 on injected failure), free, map. */
vmapfuzz_u64 vmapfuzz_host_table_alloc(void);
void vmapfuzz_host_table_free(vmapfuzz_u64 pa);
/* Host pointer of the live table at pa, or 0. */
vmapfuzz_u64 *vmapfuzz_host_table(vmapfuzz_u64 pa);
/* Write descriptor v to the table entry p (the host's TablePool::store(),
 * which its TLB model observes). */
void vmapfuzz_host_store(vmapfuzz_u64 *p, vmapfuzz_u64 v);
/* PA of the live table whose entries start at p, or 0. */
vmapfuzz_u64 vmapfuzz_host_table_pa(const vmapfuzz_u64 *p);
vmapfuzz_u64 vmapfuzz_host_pgd_pa(void);

/* Physical memory and the page allocator model. */
int vmapfuzz_host_pfn_valid(vmapfuzz_u64 pfn);
/* RAM: what the page allocator hands out, which x86's direct map covers
 * (engine/pageattr_x86.cc: pfn_range_is_mapped()); one past the last pfn. */
int vmapfuzz_host_pfn_is_ram(vmapfuzz_u64 pfn);
vmapfuzz_u64 vmapfuzz_host_max_pfn(void);
/* First pfn of a 2^order block, or ~0ULL on (injected) failure. */
vmapfuzz_u64 vmapfuzz_host_alloc_pages(unsigned int order);
unsigned long vmapfuzz_host_totalram_pages(void);
unsigned int vmapfuzz_host_ioremap_max_page_shift(void);
int vmapfuzz_host_vmap_allow_huge(void);
/* x86-64: boot_cpu_has() of X86_FEATURE_PSE (1) or X86_FEATURE_GBPAGES (2)
 * under the engine's configuration; mtrr_type_lookup()'s `uniform`. */
int vmapfuzz_host_x86_feature(int feature);
/* arm64: whether the CPUs have BBML2_NOABORT (the configuration's
 * bbml2_noabort). */
int vmapfuzz_host_bbml2_noabort(void);
int vmapfuzz_host_mtrr_uniform(vmapfuzz_u64 start, vmapfuzz_u64 end);

/* The vm area list. Handles are the C side's struct vm_struct. */
void *vmapfuzz_host_find_area(vmapfuzz_u64 addr);
void *vmapfuzz_host_get_vm_area(vmapfuzz_u64 size, unsigned long flags);
/* The same with the alignment the caller asks the allocator for: NULL, and
 * the op marked unreachable, when the trace's VA lacks it (unless the trace
 * says `placement any`); engine::get_vm_area_placed(). */
void *vmapfuzz_host_get_vm_area_aligned(vmapfuzz_u64 size, vmapfuzz_u64 align,
					unsigned long flags);
/* vunmap()/vfree() of the area holding addr: unmap it and free it. */
void vmapfuzz_host_free_area(vmapfuzz_u64 addr, int is_vfree);

/* Recorder. `func` and `text` identify the WARN/BUG site (function name,
 * stringified condition or format); the host names it. */
void vmapfuzz_host_warn(const char *func, const char *text, int once, vmapfuzz_u64 addr);
void vmapfuzz_host_bug(const char *func, const char *text, vmapfuzz_u64 addr);
void vmapfuzz_host_stop(enum vmapfuzz_stop why, vmapfuzz_u64 addr);
void vmapfuzz_host_flush(enum vmapfuzz_flush kind, vmapfuzz_u64 start, vmapfuzz_u64 end);
void vmapfuzz_host_count(enum vmapfuzz_count what, vmapfuzz_u64 n);
void vmapfuzz_host_mod_mask(unsigned int mask);

/* Entry points (kentry.c), one table per geometry the slices were built
 * for. Each returns 0 or -errno, or -VMAPFUZZ_K_BUGGED after a BUG. [lo,
 * hi) is the range the call may write: a PTE store outside it is a walk
 * that ran past its end. */
struct vmapfuzz_kops {
	/* The engine geometry the shims were configured for ("arm64-16k-47"). */
	const char *geometry;
	int (*ioremap_page_range)(vmapfuzz_u64 addr, vmapfuzz_u64 end, vmapfuzz_u64 phys,
				  vmapfuzz_u64 prot);
	int (*vmap_page_range)(vmapfuzz_u64 addr, vmapfuzz_u64 end, vmapfuzz_u64 phys,
			       vmapfuzz_u64 prot);
	int (*vunmap_range)(vmapfuzz_u64 addr, vmapfuzz_u64 end);
	int (*vunmap_range_noflush)(vmapfuzz_u64 addr, vmapfuzz_u64 end);
	/* vmap() of pfns (~0ULL: NULL page); *out is the address or 0.
	 * has_vmap: 1 when the tree's vmap() was built, else 0 (op unsupported). */
	int (*has_vmap)(void);
	int (*vmap)(const vmapfuzz_u64 *pfns, unsigned int count, vmapfuzz_u64 prot,
		    vmapfuzz_u64 *out);
	/* __vmalloc_area_node() on an area the host reserved; *out as vmap. */
	int (*has_vmalloc)(void);
	int (*vmalloc_area_node)(void *area, vmapfuzz_u64 prot, unsigned int shift,
				 vmapfuzz_u64 *out);
	/* set_memory_ro/rw/x/nx/rox(addr, numpages) or set_memory_valid(addr,
	 * numpages, 1 or 0) (x86-64: set_memory_p/np(addr, numpages)); addr as
	 * the caller passes it (maybe unaligned). has_pageattr: 1 when the
	 * tree's pageattr unit (x86-64: pageattr-x86) was built. */
	int (*has_pageattr)(void);
	int (*set_memory)(vmapfuzz_u64 addr, int numpages, enum vmapfuzz_set_memory mode);
	/* Area handles for the host's vm area list. `flags` are the model's
	 * (VMAPFUZZ_AREA_*), which area_new() turns into the kernel's. */
	void *(*area_new)(vmapfuzz_u64 addr, vmapfuzz_u64 size, unsigned long flags);
	void (*area_release)(void *area);
};

#ifdef __cplusplus
}
#endif

#endif /* VMAPFUZZ_KSHIM_HOST_H */
