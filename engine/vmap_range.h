// SPDX-License-Identifier: GPL-2.0-only
// The physically contiguous mapping path of mm/vmalloc.c:
// ioremap_page_range -> vmap_page_range -> vmap_range_noflush ->
// vmap_p4d/pud/pmd/pte_range, with vmap_try_huge_pud/pmd and vmap_set_ptes.
#pragma once

#include "engine/arch.h"
#include "engine/kernel.h"

namespace vmapfuzz::engine {

// Maps [addr, end) to [phys, ...) with `prot`, using blocks and CONT
// batches up to 2^max_page_shift. Does not flush. Returns 0, -ENOMEM
// (table allocation failed), -EINVAL (size not page aligned: WARN_ON_ONCE)
// or -kBUGGED after a modelled BUG (remapping a present PTE, addr >= end).
// On error the part mapped so far stays mapped.
int vmap_range_noflush(Kernel& k, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot,
                       unsigned max_page_shift);

// vmap_range_noflush(pgprot_nx(prot), ioremap_max_page_shift) followed by
// flush_cache_vmap(addr, end). For callers that own the VA range (PCI I/O
// space); no vm area is consulted.
int vmap_page_range(Kernel& k, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot);

// Checks that [addr, end) is exactly a VM_IOREMAP area (WARN_ONCE +
// -EINVAL / -ERANGE otherwise), then vmap_page_range().
int ioremap_page_range(Kernel& k, VirtAddr addr, VirtAddr end, PhysAddr phys, pgprot_t prot);

// A PMD block for [addr, end) if max_page_shift, the arch, exact coverage
// and VA/PA alignment allow it, freeing a leftover PTE table first. 1 if
// the block was written. Shared by the phys-range and pages walkers.
int vmap_try_huge_pmd(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, PhysAddr phys,
                      pgprot_t prot, unsigned max_page_shift);

// mm/vmalloc.c: vmap_set_ptes (v4 patch 3; mainline has the same body inline
// in vmap_pte_range). One PTE-level step: a CONT batch through
// set_huge_pte_at or one set_pte_at. Returns the size mapped, or 0 if a
// modelled BUG stopped the write.
// In the kernel it is a static function of mm/vmalloc.c, inlined into both of
// its callers, vmap_pte_range and vmap_pages_pte_range; defined here, always
// inline, so that the engine's two callers (vmap_range.cc, vmap_pages.cc) do
// not pay a call per page the kernel does not pay (docs/vmap.md, "Cost of the
// engine's per-page loop").
[[gnu::always_inline]] inline u64 vmap_set_ptes(Kernel& k, pte_t* pte, VirtAddr addr, VirtAddr end,
                                                u64 pfn, pgprot_t prot, unsigned max_page_shift) {
  const Geometry& g = k.geo();
  const u64 size = arch_vmap_pte_range_map_size(k, addr, end, pfn, max_page_shift);
  if (size != g.page_size()) {
    const pte_t entry = arch_make_huge_pte(k, pfn_pte(g, pfn, prot), ilog2(size));
    if (!set_huge_pte_at(k, addr, pte, entry, size)) return 0;
    return size;
  }
  set_pte_at(k, addr, pte, pfn_pte(g, pfn, prot));
  return g.page_size();
}

}  // namespace vmapfuzz::engine
