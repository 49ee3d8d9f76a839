/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entry points into the kernel slices, appended to the generated
 * translation unit (so the slices' static functions are in scope). Every
 * entry runs its kernel function under setjmp: a BUG() or a shim stop
 * unwinds here and the entry returns -VMAPFUZZ_K_BUGGED. Entries nest (a
 * vmap() failure calls vunmap(), which the host carries out through
 * vmapfuzz_k_vunmap_range_noflush), so each saves and restores the outer
 * jump buffer and range. Everything here is static; the one external
 * symbol is the table of entry points, VMAPFUZZ_KOPS (kshim.h), at the end.
 */

static int vmapfuzz_k_depth;
static int vmapfuzz_k_bugged;

static void vmapfuzz_k_unwind(void)
{
	vmapfuzz_k_bugged = 1;
	longjmp(vmapfuzz_k_jmp, 1);
}

struct vmapfuzz_k_frame {
	jmp_buf jmp;
	u64 lo, hi;
};

static void vmapfuzz_k_enter(struct vmapfuzz_k_frame *f, u64 lo, u64 hi)
{
	memcpy(f->jmp, vmapfuzz_k_jmp, sizeof(jmp_buf));
	f->lo = vmapfuzz_k_lo;
	f->hi = vmapfuzz_k_hi;
	vmapfuzz_k_lo = lo;
	vmapfuzz_k_hi = hi;
	if (vmapfuzz_k_depth++ == 0)
		vmapfuzz_k_bugged = 0;
}

static void vmapfuzz_k_leave(struct vmapfuzz_k_frame *f)
{
	memcpy(vmapfuzz_k_jmp, f->jmp, sizeof(jmp_buf));
	vmapfuzz_k_lo = f->lo;
	vmapfuzz_k_hi = f->hi;
	vmapfuzz_k_depth--;
}

/* After a nested entry BUGged, the outer kernel frame must not go on. */
static void vmapfuzz_k_propagate(void)
{
	if (vmapfuzz_k_bugged && vmapfuzz_k_depth > 0)
		longjmp(vmapfuzz_k_jmp, 1);
}

#define VMAPFUZZ_K_RUN(lo, hi, call) ({ \
	struct vmapfuzz_k_frame __f; \
	volatile int __ret = 0; \
	vmapfuzz_k_enter(&__f, lo, hi); \
	if (setjmp(vmapfuzz_k_jmp) == 0) \
		__ret = (call); \
	else \
		__ret = -VMAPFUZZ_K_BUGGED; \
	vmapfuzz_k_leave(&__f); \
	__ret; \
})

static int vmapfuzz_k_ioremap_page_range(vmapfuzz_u64 a, vmapfuzz_u64 end, vmapfuzz_u64 phys,
				  vmapfuzz_u64 prot)
{
	return VMAPFUZZ_K_RUN(a, end, ioremap_page_range(a, end, phys, __pgprot(prot)));
}

static int vmapfuzz_k_vmap_page_range(vmapfuzz_u64 a, vmapfuzz_u64 end, vmapfuzz_u64 phys,
			       vmapfuzz_u64 prot)
{
#ifdef VMAPFUZZ_HAVE_vmap_page_range
	return VMAPFUZZ_K_RUN(a, end, vmap_page_range(a, end, phys, __pgprot(prot)));
#elif defined(VMAPFUZZ_IOREMAP_PAGE_RANGE_UNCHECKED)
	/* 6.1: ioremap_page_range() checks no vm area; it is vmap_page_range()
	 * under its old name (kernel/extract.py decides). */
	return VMAPFUZZ_K_RUN(a, end, ioremap_page_range(a, end, phys, __pgprot(prot)));
#else
	(void)a; (void)end; (void)phys; (void)prot;
	return -VMAPFUZZ_K_BUGGED;
#endif
}

static int vmapfuzz_k_vunmap_range(vmapfuzz_u64 a, vmapfuzz_u64 end)
{
	return VMAPFUZZ_K_RUN(a, end, (vunmap_range(a, end), 0));
}

static int vmapfuzz_k_vunmap_range_noflush(vmapfuzz_u64 a, vmapfuzz_u64 end)
{
	return VMAPFUZZ_K_RUN(a, end, (vunmap_range_noflush(a, end), 0));
}

static void *vmapfuzz_k_area_new(vmapfuzz_u64 a, vmapfuzz_u64 size, unsigned long flags)
{
	struct vm_struct *area = calloc(1, sizeof(*area));

	area->addr = (void *)(unsigned long)a;
	area->size = size;
	area->flags = (flags & (VM_IOREMAP | VM_ALLOC | VM_MAP)) |
		      ((flags & VMAPFUZZ_AREA_ALLOW_HUGE_VMAP) ? VM_ALLOW_HUGE_VMAP : 0);
	return area;
}

static void vmapfuzz_k_area_release(void *p)
{
	struct vm_struct *area = p;

	if (area && (area->flags & VM_ALLOC))
		kvfree(area->pages);
	free(area);
}

/* The area is the range the call in flight may map. */
static struct vm_struct *vmapfuzz_mapping_area(struct vm_struct *area)
{
	if (area) {
		vmapfuzz_k_lo = (u64)(unsigned long)area->addr;
		vmapfuzz_k_hi = vmapfuzz_k_lo + get_vm_area_size(area);
	}
	return area;
}

static struct vm_struct *vmapfuzz_get_vm_area(unsigned long size, unsigned long flags)
{
	return vmapfuzz_mapping_area(vmapfuzz_host_get_vm_area(size, flags));
}

static struct vm_struct *vmapfuzz_get_vm_area_aligned(unsigned long size, unsigned long align,
					       unsigned long flags)
{
	return vmapfuzz_mapping_area(vmapfuzz_host_get_vm_area_aligned(size, align, flags));
}

static void vmapfuzz_vunmap(const void *a)
{
	vmapfuzz_host_free_area((u64)(unsigned long)a, 0);
	vmapfuzz_k_propagate();
}

static void vmapfuzz_vfree(const void *a)
{
	vmapfuzz_host_free_area((u64)(unsigned long)a, 1);
	vmapfuzz_k_propagate();
}

/* Page arrays end in this many poison entries. */
#define VMAPFUZZ_PAGE_SLACK 1024

static int vmapfuzz_k_has_vmap(void)
{
#ifdef VMAPFUZZ_HAVE_vmap
	return 1;
#else
	return 0;
#endif
}

static int vmapfuzz_k_vmap(const vmapfuzz_u64 *pfns, unsigned int count, vmapfuzz_u64 prot,
		    vmapfuzz_u64 *out)
{
#ifdef VMAPFUZZ_HAVE_vmap
	struct page **pages = calloc((size_t)count + VMAPFUZZ_PAGE_SLACK, sizeof(*pages));
	void *volatile res = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < count; i++)
		pages[i] = pfns[i] == ~0UL ? NULL : pfn_to_page(vmapfuzz_fold_pfn(pfns[i]));
	for (; i < count + VMAPFUZZ_PAGE_SLACK; i++)
		pages[i] = VMAPFUZZ_POISON_PAGE;
	/* The range is set once vmap() has its area. */
	ret = VMAPFUZZ_K_RUN(0, 0, (res = vmap(pages, count, VM_MAP, __pgprot(prot)), 0));
	free(pages);
	*out = (u64)(unsigned long)res;
	if (ret)
		return ret;
	return res ? 0 : -12; /* NULL: -ENOMEM */
#else
	(void)pfns; (void)count; (void)prot;
	*out = 0;
	return -VMAPFUZZ_K_BUGGED;
#endif
}

static int vmapfuzz_k_has_vmalloc(void)
{
#ifdef VMAPFUZZ_HAVE___vmalloc_area_node
	return 1;
#else
	return 0;
#endif
}

static int vmapfuzz_k_vmalloc_area_node(void *p, vmapfuzz_u64 prot, unsigned int shift,
				 vmapfuzz_u64 *out)
{
#ifdef VMAPFUZZ_HAVE___vmalloc_area_node
	struct vm_struct *area = p;
	u64 lo = (u64)(unsigned long)area->addr;
	void *volatile res = NULL;
	int ret;

	ret = VMAPFUZZ_K_RUN(lo, lo + get_vm_area_size(area),
			     (res = __vmalloc_area_node(area, GFP_KERNEL, __pgprot(prot), shift,
							NUMA_NO_NODE), 0));
	*out = (u64)(unsigned long)res;
	if (ret)
		return ret;
	return res ? 0 : -12; /* NULL: -ENOMEM */
#else
	(void)p; (void)prot; (void)shift;
	*out = 0;
	return -VMAPFUZZ_K_BUGGED;
#endif
}

/* The pageattr unit: arm64's set_memory_*() through apply_to_page_range()
 * (6.12, 6.1) or walk_kernel_page_table_range_lockless() (2026); on x86-64
 * the pageattr-x86 unit: set_memory_*() through CPA. */
#if defined(VMAPFUZZ_HAVE_set_memory_ro) && \
	(defined(VMAPFUZZ_HAVE_apply_to_page_range) || \
	 defined(VMAPFUZZ_HAVE_walk_kernel_page_table_range_lockless))
#define VMAPFUZZ_PAGEATTR 1
#endif
#if defined(VMAPFUZZ_ARCH_X86) && defined(VMAPFUZZ_HAVE_set_memory_ro) && \
	defined(VMAPFUZZ_HAVE_change_page_attr_set_clr)
#define VMAPFUZZ_PAGEATTR 1
#endif

static int vmapfuzz_k_has_pageattr(void)
{
#ifdef VMAPFUZZ_PAGEATTR
	return 1;
#else
	return 0;
#endif
}

#ifdef VMAPFUZZ_PAGEATTR
/* set_memory_rox() where the tree's arm64 has none: the generic one of
 * <linux/set_memory.h> (since 6.2), ro and then, if that succeeded, x. */
static int vmapfuzz_set_memory_rox(unsigned long a, int numpages)
{
#ifdef VMAPFUZZ_HAVE_set_memory_rox
	return set_memory_rox(a, numpages);
#else
	int ret = set_memory_ro(a, numpages);

	if (ret)
		return ret;
	return set_memory_x(a, numpages);
#endif
}

static int vmapfuzz_set_memory_call(unsigned long a, int numpages, enum vmapfuzz_set_memory mode)
{
	switch (mode) {
	case VMAPFUZZ_SET_MEMORY_RO: return set_memory_ro(a, numpages);
	case VMAPFUZZ_SET_MEMORY_RW: return set_memory_rw(a, numpages);
	case VMAPFUZZ_SET_MEMORY_X: return set_memory_x(a, numpages);
	case VMAPFUZZ_SET_MEMORY_NX: return set_memory_nx(a, numpages);
	case VMAPFUZZ_SET_MEMORY_ROX: return vmapfuzz_set_memory_rox(a, numpages);
#ifdef VMAPFUZZ_ARCH_X86
	/* x86's set_memory_valid(): set_memory_p()/set_memory_np(). 6.1's
	 * set_memory_p() is a static helper taking the address by pointer: a
	 * v6.1 trace may not ask for it (harness/ops.cc), a later era's trace
	 * run on a 6.1 tree reaches it here. */
#ifdef VMAPFUZZ_SET_MEMORY_P_BY_POINTER
	case VMAPFUZZ_SET_MEMORY_VALID: return set_memory_p(&a, numpages);
#else
	case VMAPFUZZ_SET_MEMORY_VALID: return set_memory_p(a, numpages);
#endif
	case VMAPFUZZ_SET_MEMORY_INVALID: return set_memory_np(a, numpages);
#else
	case VMAPFUZZ_SET_MEMORY_VALID: return set_memory_valid(a, numpages, 1);
	case VMAPFUZZ_SET_MEMORY_INVALID: return set_memory_valid(a, numpages, 0);
#endif
	}
	return -EINVAL;
}
#endif

/* The call may write the PTEs of the page-aligned range it changes
 * (change_memory_common() and change_page_attr_set_clr() align an
 * unaligned start down). */
static int vmapfuzz_k_set_memory(vmapfuzz_u64 a, int numpages, enum vmapfuzz_set_memory mode)
{
#ifdef VMAPFUZZ_PAGEATTR
	u64 lo = a & PAGE_MASK;
	u64 hi = lo + PAGE_SIZE * (u64)(long)numpages;

#ifdef VMAPFUZZ_HAVE_split_kernel_leaf_mapping
	/* The 2026 split reads and rewrites the whole leaf that holds each end
	 * of the range: a PUD block at most. */
	lo = ALIGN_DOWN(lo, PUD_SIZE);
	hi = ALIGN(hi, PUD_SIZE);
#endif

	return VMAPFUZZ_K_RUN(lo, hi, vmapfuzz_set_memory_call(a, numpages, mode));
#else
	(void)a; (void)numpages; (void)mode;
	return -VMAPFUZZ_K_BUGGED;
#endif
}

const struct vmapfuzz_kops VMAPFUZZ_KOPS = {
	.geometry = VMAPFUZZ_GEOMETRY_NAME,
	.ioremap_page_range = vmapfuzz_k_ioremap_page_range,
	.vmap_page_range = vmapfuzz_k_vmap_page_range,
	.vunmap_range = vmapfuzz_k_vunmap_range,
	.vunmap_range_noflush = vmapfuzz_k_vunmap_range_noflush,
	.has_vmap = vmapfuzz_k_has_vmap,
	.vmap = vmapfuzz_k_vmap,
	.has_vmalloc = vmapfuzz_k_has_vmalloc,
	.vmalloc_area_node = vmapfuzz_k_vmalloc_area_node,
	.has_pageattr = vmapfuzz_k_has_pageattr,
	.set_memory = vmapfuzz_k_set_memory,
	.area_new = vmapfuzz_k_area_new,
	.area_release = vmapfuzz_k_area_release,
};
