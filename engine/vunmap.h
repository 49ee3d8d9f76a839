// SPDX-License-Identifier: GPL-2.0-only
// Unmapping (mm/vmalloc.c, unchanged by the series) and the vm area calls
// the harness needs: a fixed-address get_vm_area and vunmap/iounmap.
#pragma once

#include "engine/kernel.h"

namespace vmapfuzz::engine {

// Clears every leaf in [start, end): blocks whole (WARN if only partly
// covered), CONT groups whole (WARN if misaligned or partly covered),
// single PTEs. Page tables are never freed. BUG_ON(start >= end).
void vunmap_range_noflush(Kernel& k, VirtAddr start, VirtAddr end);

// flush_cache_vunmap + vunmap_range_noflush + flush_tlb_kernel_range.
void vunmap_range(Kernel& k, VirtAddr addr, VirtAddr end);

// __get_vm_area_caller(size, flags, addr, addr + size + guard): reserves a
// vm area at exactly `addr` (plus its guard page). nullptr if that range
// overlaps a live area or leaves the vmalloc window.
VmArea* get_vm_area_at(Kernel& k, VirtAddr addr, u64 size, unsigned flags);

// __get_vm_area_node() with the allocator's choice replaced by a hint: the
// area is placed at ALIGN(hint, align), or nullptr if that range is taken.
VmArea* get_vm_area_aligned(Kernel& k, VirtAddr hint, u64 size, u64 align, unsigned flags);

// __get_vm_area_node() asked for `align` by a caller whose area the trace
// places at exactly `addr` (vmap()). The kernel's allocator hands out
// `align`-aligned addresses only, so an `addr` without that alignment is
// one the kernel cannot produce: the call records the alignment in
// Outcome::unreachable_align and returns nullptr, and the caller must not
// try another alignment (docs/placement.md). With `placement any` the
// alignment is not checked. Otherwise as get_vm_area_at().
VmArea* get_vm_area_placed(Kernel& k, VirtAddr addr, u64 size, u64 align, unsigned flags);

// vfree(): as vunmap() (the model's pages are never reused), with vfree's
// own WARN for an address without an area.
void vfree(Kernel& k, VirtAddr addr);

// vunmap()/iounmap(): remove the area containing `addr`, unmapping all of
// it (guard page included) with a lazily purged TLB flush. WARNs if there
// is no such area.
void vunmap(Kernel& k, VirtAddr addr);

// free_vm_area(): the same for an area the caller holds.
void free_vm_area(Kernel& k, VmArea* area);

}  // namespace vmapfuzz::engine
