// SPDX-License-Identifier: GPL-2.0-only
// The page-array mapping paths of mm/vmalloc.c: vmalloc's
// __vmap_pages_range_noflush and vmap(), before the series (mainline) and
// after it (v4: one walk carrying `shift` to the PMD and PTE levels, and
// vmap() batching physically contiguous runs).
//
// A page array is a span of pfns (the struct page pointers; kNullPage is a
// NULL entry). Reading past its end is a modelled BUG, page_array_overrun.
#pragma once

#include <span>

#include "engine/kernel.h"

namespace vmapfuzz::engine {

using PageArray = std::span<const u64>;

// vm_shift() (v4 patch 5): PMD_SHIFT for sizes of a PMD block or more,
// else arch_vmap_pte_supported_shift() (arm64: CONT_PTE_SHIFT from 64 KiB).
unsigned vm_shift(const Kernel& k, pgprot_t prot, u64 size);

// Maps pages[0 .. (end-addr)/PAGE_SIZE) at [addr, end), in 2^page_shift
// naturally aligned physically contiguous chunks (caller contract). Does
// not flush. mainline: vmap_small_pages_range_noflush at PAGE_SHIFT, else
// one vmap_range_noflush walk per chunk. v4: vmap_pages_range_noflush_walk.
int vmap_pages_range_noflush(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot, PageArray pages,
                             unsigned page_shift);
// vmap_pages_range_noflush() + flush_cache_vmap(addr, end).
int vmap_pages_range(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot, PageArray pages,
                     unsigned page_shift);

// v4: one walk over [addr, end) with chunks of 2^shift.
int vmap_pages_range_noflush_walk(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot,
                                  PageArray pages, unsigned shift);

// v4: length of the run where pages[k] == pages[0] + k, at most nr.
u64 num_pages_contiguous(PageArray pages, u64 nr);
// v4: the order vmap() maps pages[idx..] with: 0, or the order of the
// contiguous run limited by the pfn's alignment if it makes an arch block.
unsigned get_vmap_batch_order(const Kernel& k, PageArray pages, pgprot_t prot, u64 max_steps,
                              u64 idx);
// v4: maps equal-order runs batch by batch, everything from the first
// order-0 step on with plain PTEs; flush_cache_vmap(addr, end).
int vmap_pages_range_batched(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot,
                             PageArray pages);

// v4 patch 6: the VM_MAP area for a vmap() of `size` bytes at `addr`,
// aligned to PMD_SIZE when a PMD block could map it, else to the CONT-PTE
// size when that could, else to a page; nullptr with
// Outcome::unreachable_align set if `addr` lacks that alignment (unless
// `placement any`), nullptr alone if the range is taken.
VmArea* vmap_get_aligned_vm_area(Kernel& k, VirtAddr addr, u64 size, pgprot_t prot);

// vmap(): reserve a VM_MAP area at `hint` (page aligned before the series;
// with it, vmap_get_aligned_vm_area()) and map `pages` there with
// pgprot_nx(prot). Returns 0 and the address in *out, or the error the
// kernel turns into NULL: -ENOMEM if the area is taken or unreachable
// (Outcome::unreachable_align), else the mapping's error (the area is
// freed again).
int vmap(Kernel& k, PageArray pages, VirtAddr hint, pgprot_t prot, VirtAddr* out);

}  // namespace vmapfuzz::engine
