// SPDX-License-Identifier: GPL-2.0-only
// vmalloc: __vmalloc_node_range_noprof, __vmalloc_area_node and
// vm_area_alloc_pages over the model page allocator (page_alloc.h).
#pragma once

#include <vector>

#include "engine/vmap_pages.h"

namespace vmapfuzz::engine {

// Fills pages[] with nr_pages pfns: first opportunistically in orders above
// `order` (each failure lowers the largest order tried), then in `order`
// (order 0: the bulk and single-page allocators). Blocks are split into
// their pages. Returns how many pages it got; fewer than nr_pages means
// the caller fails.
u64 vm_area_alloc_pages(Kernel& k, unsigned order, u64 nr_pages, std::vector<u64>& pages);

// vmalloc of `size` bytes with `prot`; `huge` is VM_ALLOW_HUGE_VMAP. The
// area goes at the first address from `hint` aligned as the kernel aligns
// it (PAGE_SIZE, or 1 << shift for a huge vmalloc). On any failure with
// shift > PAGE_SHIFT it retries once at PAGE_SHIFT, as the kernel does.
// Returns 0 and the address in *out, or the last error (-ENOMEM for an
// area or page allocation failure, else the mapping's error).
int vmalloc(Kernel& k, u64 size, VirtAddr hint, bool huge, pgprot_t prot, VirtAddr* out);

}  // namespace vmapfuzz::engine
