// SPDX-License-Identifier: GPL-2.0-only
#include "bench/workloads.h"

#include <memory>

#include "engine/vmalloc.h"
#include "engine/vmap_pages.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"

namespace vmapfuzz::bench {
namespace {

using engine::PageAllocator;
using engine::PhysAddr;
using engine::VirtAddr;

constexpr u64 kKiB = 1024, kMiB = kKiB * kKiB, kGiB = kMiB * kKiB;
using Pages = std::shared_ptr<const std::vector<u64>>;

const engine::Geometry& geo() { return engine::arm64_4k_48(); }

// Instance i of a workload whose instances are `stride` apart, 2 MiB
// aligned (what vmap needs to batch in 1 MiB, and what ioremap's
// size-order alignment gives a 1 MiB area anyway).
VirtAddr slot_va(unsigned i, u64 stride) {
  return VirtAddr{geo().vmalloc_start + kGiB + i * stride};
}
u64 stride_for(u64 size) { return (size + geo().page_size() + 2 * kMiB - 1) & ~(2 * kMiB - 1); }

// `count` blocks of 2^order pages from the model page allocator, split into
// their pages in allocation order (blocks are never physically adjacent).
void append_blocks(PageAllocator& pa, unsigned order, u64 count, std::vector<u64>& pages) {
  for (u64 b = 0; b < count; ++b) {
    const u64 pfn = pa.alloc_pages(order);
    for (u64 j = 0; j < (u64{1} << order); ++j) pages.push_back(pfn + j);
  }
}

Workload ioremap_1m() {
  const u64 size = kMiB, stride = stride_for(size);
  const PhysAddr pa{0x4001'0000};  // 64 KiB aligned, not 1 MiB aligned
  return {"ioremap-1M",
          "ioremap 1 MiB (area + ioremap_page_range), PA 64 KiB aligned",
          16,
          SeriesFigure{3407, 2526},
          {{"set_huge_pte_at", &engine::Counters::set_huge_pte_at, 16, 1}},
          [=](Kernel& k, unsigned i) {
            const VirtAddr va = slot_va(i, stride);
            if (!engine::get_vm_area_at(k, va, size, engine::VM_IOREMAP)) return -engine::kENOMEM;
            return engine::ioremap_page_range(k, va, va + size, pa, {engine::PROT_DEVICE_nGnRE});
          },
          [=](Kernel& k, unsigned i) { engine::vunmap(k, slot_va(i, stride)); }};
}

// vmalloc_huge(1 MiB) maps with shift CONT_PTE_SHIFT the pages
// vm_area_alloc_pages() got (one order-8 block here): the series timed
// this mapping step alone, pages allocated beforehand.
Workload vmalloc_1m() {
  const u64 size = kMiB, stride = stride_for(size);
  Kernel scratch(geo(), engine::Variant::mainline);
  auto pages = std::make_shared<std::vector<u64>>();
  engine::vm_area_alloc_pages(scratch, geo().cont_pte_shift - geo().page_shift,
                              size >> geo().page_shift, *pages);
  const Pages p = pages;
  return {"vmalloc-1M",
          "vmalloc 1 MiB VM_ALLOW_HUGE_VMAP, mapping only: vmap_pages_range(CONT_PTE_SHIFT) "
          "of pages allocated beforehand",
          16,
          SeriesFigure{5000, 3530},
          {{"walks", &engine::Counters::walks, 16, 1}},
          [=](Kernel& k, unsigned i) {
            const VirtAddr va = slot_va(i, stride);
            return engine::vmap_pages_range(k, va, va + size, engine::PAGE_KERNEL, *p,
                                            geo().cont_pte_shift);
          },
          [=](Kernel& k, unsigned i) {
            const VirtAddr va = slot_va(i, stride);
            engine::vunmap_range(k, va, va + size);
          }};
}

// vmap() of a page array at a 2 MiB aligned VA; vunmap() to undo it.
Workload vmap_of(std::string name, std::string what, const Pages& pages,
                 std::optional<SeriesFigure> series, std::vector<CounterClaim> claims = {}) {
  const u64 stride = stride_for(pages->size() << geo().page_shift);
  return {std::move(name),
          std::move(what),
          1,
          series,
          std::move(claims),
          [=](Kernel& k, unsigned i) {
            VirtAddr out;
            const int err = engine::vmap(k, *pages, slot_va(i, stride), engine::PAGE_KERNEL, &out);
            return err == 0 && out != slot_va(i, stride) ? -engine::kEINVAL : err;
          },
          [=](Kernel& k, unsigned i) { engine::vunmap(k, slot_va(i, stride)); }};
}

Pages blocks(std::initializer_list<std::pair<unsigned, u64>> order_counts) {
  PageAllocator pa;
  auto pages = std::make_shared<std::vector<u64>>();
  for (auto [order, count] : order_counts) append_blocks(pa, order, count, *pages);
  return pages;
}

}  // namespace

std::vector<Workload> all_workloads() {
  std::vector<Workload> w;
  w.push_back(ioremap_1m());
  w.push_back(vmalloc_1m());
  w.push_back(vmap_of("vmap-100M-o8", "vmap 100 MiB of order-8 pages, VA 2 MiB aligned",
                      blocks({{8, 100}}), SeriesFigure{1235000, 149000},
                      {{"set_pte_at", &engine::Counters::set_pte_at, 25600, 0},
                       {"set_huge_pte_at", &engine::Counters::set_huge_pte_at, 0, 100}}));
  w.push_back(vmap_of("vmap-100M-o0", "vmap 100 MiB of order-0 pages (none contiguous)",
                      blocks({{0, 25600}}), std::nullopt));
  // A dma-buf system heap buffer: largest orders first, as the heap
  // allocates them (96 MiB order 8, 24 MiB order 4, 8 MiB order 0).
  w.push_back(vmap_of("vmap-128M-dmabuf",
                      "vmap 128 MiB dma-buf mix, largest first: 96 MiB o8, 24 MiB o4, 8 MiB o0",
                      blocks({{8, 96}, {4, 384}, {0, 2048}}), std::nullopt));
  return w;
}

}  // namespace vmapfuzz::bench
