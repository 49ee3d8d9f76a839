// SPDX-License-Identifier: GPL-2.0-only
#include "bench/workloads.h"

#include <cstdio>
#include <memory>

#include "engine/arch.h"
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

// Instance i of a workload whose instances are `stride` apart, PMD_SIZE
// aligned (2 MiB with 4K pages: what vmap needs to batch in 1 MiB, and what
// ioremap's size-order alignment gives a 1 MiB area anyway), from 1 GiB
// into the window.
VirtAddr slot_va(const engine::Geometry& g, unsigned i, u64 stride) {
  return VirtAddr{g.vmalloc_start + kGiB + i * stride};
}
u64 stride_for(const engine::Geometry& g, u64 size) {
  return (size + g.page_size() + g.pmd_size() - 1) & ~(g.pmd_size() - 1);
}

// "1 MiB", "16 MiB", "512 KiB".
std::string bytes_text(u64 b) {
  char buf[32];
  if (b >= kMiB)
    std::snprintf(buf, sizeof buf, "%llu MiB", static_cast<unsigned long long>(b / kMiB));
  else std::snprintf(buf, sizeof buf, "%llu KiB", static_cast<unsigned long long>(b / kKiB));
  return buf;
}

// `count` blocks of 2^order pages from the model page allocator, split into
// their pages in allocation order (blocks are never physically adjacent).
void append_blocks(PageAllocator& pa, unsigned order, u64 count, std::vector<u64>& pages) {
  for (u64 b = 0; b < count; ++b) {
    const u64 pfn = pa.alloc_pages(order);
    for (u64 j = 0; j < (u64{1} << order); ++j) pages.push_back(pfn + j);
  }
}

Workload ioremap_1m(const engine::Geometry& g) {
  const u64 size = kMiB, stride = stride_for(g, size);
  const PhysAddr pa{0x4001'0000};  // 64 KiB aligned, not 1 MiB aligned
  const engine::Geometry* gp = &g;
  return {"ioremap-1M",
          "ioremap 1 MiB (area + ioremap_page_range), PA 64 KiB aligned",
          16,
          std::nullopt,
          {},
          [=](Kernel& k, unsigned i) {
            const VirtAddr va = slot_va(*gp, i, stride);
            if (!engine::get_vm_area_at(k, va, size, engine::VM_IOREMAP)) return -engine::kENOMEM;
            return engine::ioremap_page_range(k, va, va + size, pa,
                                              engine::prot_value(*gp, engine::ProtName::device));
          },
          [=](Kernel& k, unsigned i) { engine::vunmap(k, slot_va(*gp, i, stride)); },
          gp};
}

// vmalloc_huge(1 MiB) maps with the shift vm_shift() gives it (with 4K
// pages CONT_PTE_SHIFT) the pages vm_area_alloc_pages() got (one order-8
// block there): the series timed this mapping step alone, pages allocated
// beforehand.
Workload vmalloc_1m(const engine::Geometry& g) {
  const u64 size = kMiB, stride = stride_for(g, size);
  Kernel scratch(g, engine::Variant::mainline);
  const unsigned shift =
      engine::vm_shift(scratch, engine::prot_value(g, engine::ProtName::normal), size);
  auto pages = std::make_shared<std::vector<u64>>();
  engine::vm_area_alloc_pages(scratch, shift - g.page_shift, size >> g.page_shift, *pages);
  const Pages p = pages;
  const char* shift_name = shift == g.page_shift       ? "PAGE_SHIFT"
                           : shift == g.cont_pte_shift ? "CONT_PTE_SHIFT"
                                                       : "PMD_SHIFT";
  const engine::Geometry* gp = &g;
  return {"vmalloc-1M",
          std::string("vmalloc 1 MiB VM_ALLOW_HUGE_VMAP, mapping only: vmap_pages_range(") +
              shift_name + ") of pages allocated beforehand",
          16,
          std::nullopt,
          {},
          [=](Kernel& k, unsigned i) {
            const VirtAddr va = slot_va(*gp, i, stride);
            return engine::vmap_pages_range(
                k, va, va + size, engine::prot_value(*gp, engine::ProtName::normal), *p, shift);
          },
          [=](Kernel& k, unsigned i) {
            const VirtAddr va = slot_va(*gp, i, stride);
            engine::vunmap_range(k, va, va + size);
          },
          gp};
}

// vmap() of a page array at a PMD aligned VA; vunmap() to undo it.
Workload vmap_of(const engine::Geometry& g, std::string name, std::string what, const Pages& pages,
                 std::optional<SeriesFigure> series, std::vector<CounterClaim> claims = {}) {
  const u64 stride = stride_for(g, pages->size() << g.page_shift);
  const engine::Geometry* gp = &g;
  return {std::move(name),
          std::move(what),
          1,
          series,
          std::move(claims),
          [=](Kernel& k, unsigned i) {
            VirtAddr out;
            const VirtAddr va = slot_va(*gp, i, stride);
            const int err = engine::vmap(k, *pages, va,
                                         engine::prot_value(*gp, engine::ProtName::normal), &out);
            return err == 0 && out != va ? -engine::kEINVAL : err;
          },
          [=](Kernel& k, unsigned i) { engine::vunmap(k, slot_va(*gp, i, stride)); },
          gp};
}

// The first `pages` pages (all if 0) of order-`order` blocks, then the
// next orders, from the model page allocator.
Pages blocks(std::initializer_list<std::pair<unsigned, u64>> order_counts, u64 pages_wanted = 0) {
  PageAllocator pa;
  auto pages = std::make_shared<std::vector<u64>>();
  for (auto [order, count] : order_counts) append_blocks(pa, order, count, *pages);
  if (pages_wanted) pages->resize(pages_wanted);
  return pages;
}

// vmap 100 MiB of pages from order-8 blocks: whole blocks, and with 64K
// pages (16 MiB blocks) the first quarter of a seventh.
Workload vmap_100m_o8(const engine::Geometry& g) {
  const u64 pages = 100 * kMiB >> g.page_shift, block = u64{1} << 8;
  const u64 block_bytes = block << g.page_shift;
  std::string what = "vmap 100 MiB of order-8 pages";
  if (block_bytes != kMiB) {
    char n[32];
    std::snprintf(n, sizeof n, "%g",
                  static_cast<double>(100 * kMiB) / static_cast<double>(block_bytes));
    what += " (order 8 is " + bytes_text(block_bytes) + " here: " + n + " blocks)";
  }
  what += ", VA " + bytes_text(g.pmd_size()) + " aligned";
  return vmap_of(g, "vmap-100M-o8", what, blocks({{8, (pages + block - 1) / block}}, pages),
                 std::nullopt);
}

}  // namespace

std::vector<Workload> all_workloads() {
  const engine::Geometry& g = engine::arm64_4k_48();
  std::vector<Workload> w;
  w.push_back(ioremap_1m(g));
  w.back().series = SeriesFigure{3407, 2526};
  w.back().claims = {{"set_huge_pte_at", &engine::Counters::set_huge_pte_at, 16, 1}};
  w.push_back(vmalloc_1m(g));
  w.back().series = SeriesFigure{5000, 3530};
  w.back().claims = {{"walks", &engine::Counters::walks, 16, 1}};
  w.push_back(vmap_100m_o8(g));
  w.back().series = SeriesFigure{1235000, 149000};
  w.back().claims = {{"set_pte_at", &engine::Counters::set_pte_at, 25600, 0},
                     {"set_huge_pte_at", &engine::Counters::set_huge_pte_at, 0, 100}};
  w.push_back(vmap_of(g, "vmap-100M-o0", "vmap 100 MiB of order-0 pages (none contiguous)",
                      blocks({{0, 25600}}), std::nullopt));
  // A dma-buf system heap buffer: largest orders first, as the heap
  // allocates them (96 MiB order 8, 24 MiB order 4, 8 MiB order 0).
  w.push_back(vmap_of(g, "vmap-128M-dmabuf",
                      "vmap 128 MiB dma-buf mix, largest first: 96 MiB o8, 24 MiB o4, 8 MiB o0",
                      blocks({{8, 96}, {4, 384}, {0, 2048}}), std::nullopt));
  return w;
}

std::vector<Workload> series_workloads(const engine::Geometry& g) {
  std::vector<Workload> w;
  w.push_back(ioremap_1m(g));
  w.push_back(vmalloc_1m(g));
  w.push_back(vmap_100m_o8(g));
  return w;
}

}  // namespace vmapfuzz::bench
