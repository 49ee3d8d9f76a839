// SPDX-License-Identifier: GPL-2.0-only
#include "engine/vmalloc.h"

#include <algorithm>

#include "engine/vunmap.h"

namespace vmapfuzz::engine {
namespace {

void store_split(std::vector<u64>& pages, u64 pfn, unsigned order) {
  for (u64 j = 0; j < (u64{1} << order); ++j) pages.push_back(pfn + j);  // split_page()
}

// mm/vmalloc.c: __vmalloc_area_node. On failure the area is freed (vfree).
int vmalloc_area_node(Kernel& k, VmArea* area, pgprot_t prot, unsigned page_shift) {
  const Geometry& g = k.geo();
  const VirtAddr addr = area->addr;
  const u64 size = area->size - g.page_size();  // get_vm_area_size()
  const u64 nr_small_pages = size >> g.page_shift;
  std::vector<u64> pages;
  pages.reserve(nr_small_pages);
  // v6.1 ORs __GFP_NOWARN into gfp_mask before its warn_alloc() calls,
  // which therefore never print.
  const bool warn_alloc = k.variant() != Variant::v6_1;
  if (vm_area_alloc_pages(k, page_shift - g.page_shift, nr_small_pages, pages) != nr_small_pages) {
    // warn_alloc() only at order 0: a huge allocation is retried with
    // small pages, so its failure is not worth a warning (since 6.3).
    if (warn_alloc && page_shift == g.page_shift) k.warn(WarnId::vmalloc_pages_failed, addr);
    free_vm_area(k, area);
    return -kENOMEM;
  }
  const int err = vmap_pages_range(k, addr, addr + size, prot, pages, page_shift);
  if (k.bugged()) return err;
  if (err) {
    if (warn_alloc) k.warn(WarnId::vmalloc_map_failed, addr);
    free_vm_area(k, k.find_vm_area(addr));
    return err;
  }
  return 0;
}

}  // namespace

// mm/vmalloc.c: vm_area_alloc_pages
u64 vm_area_alloc_pages(Kernel& k, unsigned order, u64 nr_pages, std::vector<u64>& pages) {
  PageAllocator& pa = k.page_allocator();
  u64 nr_allocated = 0;
  unsigned max_attempt_order = PageAllocator::kMaxPageOrder;
  // Opportunistic larger orders: no direct reclaim, failures tolerated.
  // v6.12's and v6.1's vm_area_alloc_pages have no such loop: they start
  // with `order`.
  while (!before_cont_vmap(k.variant()) && nr_allocated < nr_pages) {
    const unsigned large_order = std::min(max_attempt_order, ilog2(nr_pages - nr_allocated));
    if (large_order <= order) break;
    const u64 pfn = pa.alloc_pages(large_order);
    if (pfn == kNullPage) {
      max_attempt_order = large_order - 1;
      continue;
    }
    store_split(pages, pfn, large_order);
    nr_allocated += u64{1} << large_order;
  }
  // The requested order. Order 0 goes to the bulk allocator first (single
  // pages in the model, as many as it hands out until one fails), and a
  // shortfall falls back to the single-page allocator, "more permissive":
  // a failed allocation in the bulk phase is tried again there.
  // (Found by running Linux 6.12's own vm_area_alloc_pages, kernel/.)
  for (int phase = order == 0 ? 0 : 1; phase < 2; ++phase) {
    while (nr_allocated < nr_pages) {
      const u64 pfn = pa.alloc_pages(order);
      if (pfn == kNullPage) break;
      store_split(pages, pfn, order);
      nr_allocated += u64{1} << order;
    }
  }
  return nr_allocated;
}

// mm/vmalloc.c: __vmalloc_node_range_noprof (v6.12: the vm_shift() rule
// is written inline there, with the generic PAGE_SHIFT pte shift)
int vmalloc(Kernel& k, u64 size, VirtAddr hint, bool huge, pgprot_t prot, VirtAddr* out) {
  const Geometry& g = k.geo();
  *out = {0};
  // The caller's size: the shift is chosen from it, not from its
  // page-aligned form (a 2 MiB - 1 vmalloc_huge() gets CONT_PTE_SHIFT).
  const u64 real_size = size;
  const u64 real_align = g.page_size();
  auto align_up = [](u64 x, u64 a) { return (x + a - 1) & ~(a - 1); };
  unsigned shift = g.page_shift;
  u64 align = real_align;
  size = align_up(real_size, g.page_size());
  if (k.vmap_allow_huge() && huge) {
    shift = vm_shift(k, prot, real_size);
    align = std::max(real_align, u64{1} << shift);
    size = align_up(real_size, u64{1} << shift);
  }
  int err = 0;
  for (;;) {
    // vmalloc_huge() passes VM_ALLOW_HUGE_VMAP whether or not huge
    // mappings are allowed or used: the area keeps it on the retry too.
    VmArea* area =
        get_vm_area_aligned(k, hint, size, align, VM_ALLOC | (huge ? VM_ALLOW_HUGE_VMAP : 0u));
    if (!area) {
      k.warn(WarnId::vmalloc_area_failed, hint);  // warn_alloc()
      err = -kENOMEM;
    } else {
      const VirtAddr addr = area->addr;
      err = vmalloc_area_node(k, area, prot, shift);
      if (k.bugged()) return err;
      if (!err) {
        *out = addr;
        return 0;
      }
    }
    if (shift <= g.page_shift) return err;
    shift = g.page_shift;  // retry with small pages
    align = real_align;
    size = align_up(real_size, g.page_size());
  }
}

}  // namespace vmapfuzz::engine
