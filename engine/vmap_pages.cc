// SPDX-License-Identifier: GPL-2.0-only
#include "engine/vmap_pages.h"

#include <algorithm>
#include <bit>

#include "engine/arch.h"
#include "engine/pgalloc.h"
#include "engine/vmap_range.h"
#include "engine/vunmap.h"

namespace vmapfuzz::engine {
namespace {

unsigned ffs_index(u64 x) { return static_cast<unsigned>(std::countr_zero(x)); }  // __ffs

// pages[*nr], or a recorded BUG when the walk reads past the array.
bool page_at(Kernel& k, PageArray pages, u64 nr, VirtAddr addr, u64* pfn) {
  if (nr >= pages.size()) {
    k.bug(BugId::page_array_overrun, addr);
    return false;
  }
  *pfn = pages[nr];
  return true;
}

// The three checks of vmap_pages_pte_range, one WARN each.
int check_page(Kernel& k, u64 pfn, VirtAddr addr, WarnId null_warn, WarnId invalid_warn) {
  if (pfn == kNullPage) {
    k.warn(null_warn, addr);
    return -kENOMEM;
  }
  if (!k.pfn_valid(pfn)) {
    k.warn(invalid_warn, addr);
    return -kEINVAL;
  }
  return 0;
}

// v4-fixed: a PTE-level batch must not cross the end of the 2^shift chunk
// it starts in (chunks are counted from the start of `pages`), because the
// next chunk need not follow it physically. See corpus/vmap/findings/.
// At PAGE_SHIFT every batch is one page and no cap can shorten it, so the
// cap is not computed there: the per-page cost of an order-0 walk stays the
// one compare (docs/vmap.md, "Cost of the engine's per-page loop").
unsigned chunk_capped_shift(const Kernel& k, u64 nr, unsigned shift) {
  const unsigned ps = k.geo().page_shift;
  if (k.variant() != Variant::v4_fixed || shift == ps) return shift;
  const u64 chunk = u64{1} << (shift - ps);
  const u64 left = chunk - (nr & (chunk - 1));  // pages to the chunk end
  return std::min(shift, ilog2(left) + ps);
}

// mm/vmalloc.c: vmap_pages_pte_range. mainline: single pages only. v4:
// vmap_set_ptes() batches up to 2^shift.
int vmap_pages_pte_range(Kernel& k, pmd_t* pmd, VirtAddr addr, VirtAddr end, pgprot_t prot,
                         PageArray pages, u64* nr, u32* mask, unsigned shift) {
  const Geometry& g = k.geo();
  int err = 0;
  pte_t* pte = pte_alloc_kernel_track(k, pmd, addr, mask);
  if (!pte) return k.bugged() ? -kBUGGED : -kENOMEM;
  for (;;) {
    u64 pfn = 0;
    if (!page_at(k, pages, *nr, addr, &pfn)) return -kBUGGED;
    if (!pte_none(g, *pte)) {
      k.warn(WarnId::vmap_pages_pte_busy, addr);
      err = -kEBUSY;
      break;
    }
    err = check_page(k, pfn, addr, WarnId::vmap_pages_pte_null_page,
                     WarnId::vmap_pages_pte_invalid_pfn);
    if (err) break;
    u64 size = g.page_size();
    if (has_series(k.variant())) {
      size = vmap_set_ptes(k, pte, addr, end, pfn, prot, chunk_capped_shift(k, *nr, shift));
      if (size == 0) return -kBUGGED;
    } else {
      set_pte_at(k, addr, pte, pfn_pte(g, pfn, prot));  // mk_pte(page, prot)
    }
    const u64 steps = size >> g.page_shift;
    pte += steps;
    *nr += steps;
    addr += size;
    if (addr == end) break;
    if (addr > end) return k.bug(BugId::walk_ran_past_end, addr);
  }
  *mask |= PGTBL_PTE_MODIFIED;
  return err;
}

// mm/vmalloc.c: vmap_pages_pmd_range. v4 tries a PMD block per slot when
// shift allows, after the two v3 WARN checks of the slot's first page.
int vmap_pages_pmd_range(Kernel& k, pud_t* pud, VirtAddr addr, VirtAddr end, pgprot_t prot,
                         PageArray pages, u64* nr, u32* mask, unsigned shift) {
  const Geometry& g = k.geo();
  pmd_t* pmd = pmd_alloc_track(k, pud, addr, mask);
  if (!pmd) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pmd, addr, end);
    if (has_series(k.variant()) && shift >= g.pmd_shift()) {
      u64 pfn = 0;
      if (!page_at(k, pages, *nr, addr, &pfn)) return -kBUGGED;
      if (int err = check_page(k, pfn, addr, WarnId::vmap_pages_pmd_null_page,
                               WarnId::vmap_pages_pmd_invalid_pfn))
        return err;
      if (vmap_try_huge_pmd(k, pmd, addr, next, PhysAddr{pfn << g.page_shift}, prot, shift)) {
        *mask |= PGTBL_PMD_MODIFIED;
        *nr += u64{1} << (g.pmd_shift() - g.page_shift);
        continue;
      }
      if (k.bugged()) return -kBUGGED;
    }
    const int err = vmap_pages_pte_range(k, pmd, addr, next, prot, pages, nr, mask, shift);
    if (err) return has_series(k.variant()) || err == -kBUGGED ? err : -kENOMEM;
  } while (++pmd, addr = next, addr != end);
  return 0;
}

// mm/vmalloc.c: vmap_pages_pud_range (no PUD blocks on this path)
int vmap_pages_pud_range(Kernel& k, p4d_t* p4d, VirtAddr addr, VirtAddr end, pgprot_t prot,
                         PageArray pages, u64* nr, u32* mask, unsigned shift) {
  pud_t* pud = pud_alloc_track(k, p4d, addr, mask);
  if (!pud) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(k.geo(), PgLevel::pud, addr, end);
    const int err = vmap_pages_pmd_range(k, pud, addr, next, prot, pages, nr, mask, shift);
    if (err) return has_series(k.variant()) || err == -kBUGGED ? err : -kENOMEM;
  } while (++pud, addr = next, addr != end);
  return 0;
}

// mm/vmalloc.c: vmap_pages_p4d_range (one iteration where the p4d is
// folded)
int vmap_pages_p4d_range(Kernel& k, pgd_t* pgd, VirtAddr addr, VirtAddr end, pgprot_t prot,
                         PageArray pages, u64* nr, u32* mask, unsigned shift) {
  p4d_t* p4d = p4d_alloc_track(k, pgd, addr, mask);
  if (!p4d) return k.bugged() ? -kBUGGED : -kENOMEM;
  VirtAddr next;
  do {
    next = level_addr_end(k.geo(), PgLevel::p4d, addr, end);
    const int err = vmap_pages_pud_range(k, p4d, addr, next, prot, pages, nr, mask, shift);
    if (err) return has_series(k.variant()) || err == -kBUGGED ? err : -kENOMEM;
  } while (++p4d, addr = next, addr != end);
  return 0;
}

// mm/vmalloc.c: vmap_small_pages_range_noflush (mainline, v6.12: every
// vmap_pages_{pmd,pud,p4d}_range returns -ENOMEM for any error from below,
// the top passes it up) and its v4 successor
// vmap_pages_range_noflush_walk, which carries `shift`.
int pages_walk(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot, PageArray pages,
               unsigned shift) {
  if (addr >= end) return k.bug(BugId::range_addr_ge_end, addr);  // BUG_ON
  const Geometry& g = k.geo();
  const VirtAddr start = addr;
  u64 nr = 0;
  u32 mask = 0;
  int err = 0;
  ++k.counters().walks;
  pgd_t* pgd = pgd_offset_k(k, addr);
  VirtAddr next;
  do {
    next = level_addr_end(g, PgLevel::pgd, addr, end);
    if (lvl_bad(g, PgLevel::pgd, *pgd)) mask |= PGTBL_PGD_MODIFIED;
    err = vmap_pages_p4d_range(k, pgd, addr, next, prot, pages, &nr, &mask, shift);
    if (err) break;
  } while (++pgd, addr = next, addr != end);
  arch_sync_if_needed(k, mask, start, end);
  k.out().mod_mask |= mask;
  return err;
}

}  // namespace

unsigned vm_shift(const Kernel& k, pgprot_t prot, u64 size) {
  const Geometry& g = k.geo();
  if (arch_vmap_pmd_supported(k, prot) && size >= g.pmd_size()) return g.pmd_shift();
  // (v6.12, v6.1: PAGE_SHIFT, the generic hook's answer; arch_arm64.cc.)
  return arch_vmap_pte_supported_shift(k, size);
}

int vmap_pages_range_noflush_walk(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot,
                                  PageArray pages, unsigned shift) {
  return pages_walk(k, addr, end, prot, pages, shift);
}

// mm/vmalloc.c: __vmap_pages_range_noflush
int vmap_pages_range_noflush(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot, PageArray pages,
                             unsigned page_shift) {
  const Geometry& g = k.geo();
  // WARN_ON(page_shift < PAGE_SHIFT) cannot fire: every caller passes a
  // shift from vm_shift() or PAGE_SHIFT. HAVE_ARCH_HUGE_VMALLOC is set.
  if (has_series(k.variant()))
    return vmap_pages_range_noflush_walk(k, addr, end, prot, pages, page_shift);
  if (page_shift == g.page_shift) return pages_walk(k, addr, end, prot, pages, page_shift);
  const u64 nr = (end - addr) >> g.page_shift;
  const u64 step = u64{1} << (page_shift - g.page_shift);
  for (u64 i = 0; i < nr; i += step) {
    if (i >= pages.size()) return k.bug(BugId::page_array_overrun, addr);
    const PhysAddr phys{pages[i] << g.page_shift};  // page_to_phys(pages[i])
    const int err =
        vmap_range_noflush(k, addr, addr + (u64{1} << page_shift), phys, prot, page_shift);
    if (err) return err;
    addr += u64{1} << page_shift;
  }
  return 0;
}

int vmap_pages_range(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot, PageArray pages,
                     unsigned page_shift) {
  const int err = vmap_pages_range_noflush(k, addr, end, prot, pages, page_shift);
  if (k.bugged()) return err;
  k.flush(FlushKind::cache_vmap, addr, end);
  return err;
}

u64 num_pages_contiguous(PageArray pages, u64 nr) {
  if (nr == 0 || pages[0] == kNullPage) return nr == 0 ? 0 : 1;
  u64 i = 1;
  while (i < nr && pages[i] == pages[0] + i) ++i;
  return i;
}

// mm/vmalloc.c: get_vmap_batch_order (v4 patch 5, with the follow-up that
// limits the scan to the pfn's alignment). The kernel limits its unsigned
// int nr_pages with min_t(unsigned int, nr_pages, 1UL << __ffs(pfn)): both
// sides are cast to unsigned int, so a pfn aligned to 2^32 pages or more
// (16 TiB with 4K pages) limits the scan to 0 pages and the run is mapped
// with plain PTEs. v4 keeps that; v4-fixed compares in unsigned long
// (finding corpus/vmap/findings/README.md, batch-order-truncated-pfn).
unsigned get_vmap_batch_order(const Kernel& k, PageArray pages, pgprot_t prot, u64 max_steps,
                              u64 idx) {
  const Geometry& g = k.geo();
  const u64 pfn = pages[idx];
  if (pfn != kNullPage && pfn > 0) {
    const u64 limit = u64{1} << ffs_index(pfn);
    if (k.variant() == Variant::v4_fixed) max_steps = std::min(max_steps, limit);
    else max_steps = std::min(static_cast<u32>(max_steps), static_cast<u32>(limit));
  }
  const u64 nr_contig = num_pages_contiguous(pages.subspan(idx), max_steps);
  if (nr_contig < 2) return 0;
  unsigned order = ilog2(nr_contig);
  if (pfn > 0) order = std::min(order, ffs_index(pfn));
  if (vm_shift(k, prot, g.page_size() << order) == g.page_shift) return 0;
  return order;
}

// mm/vmalloc.c: vmap_pages_range_batched (v4 patch 5)
int vmap_pages_range_batched(Kernel& k, VirtAddr addr, VirtAddr end, pgprot_t prot,
                             PageArray pages) {
  const Geometry& g = k.geo();
  const u64 count = (end - addr) >> g.page_shift;
  unsigned prev_shift = 0;
  u64 idx = 0;
  VirtAddr map_addr = addr, batch_end = addr;
  int err = 0;
  for (u64 i = 0; i < count;) {
    const unsigned shift = g.page_shift + get_vmap_batch_order(k, pages, prot, count - i, i);
    if (i == 0) prev_shift = shift;
    if (shift != prev_shift) {
      err = vmap_pages_range_noflush_walk(k, map_addr, batch_end, prot, pages.subspan(idx),
                                          prev_shift);
      if (err) goto out;
      prev_shift = shift;
      map_addr = batch_end;
      idx = i;
    }
    if (shift == g.page_shift) break;
    batch_end += u64{1} << shift;
    i += u64{1} << (shift - g.page_shift);
  }
  if (map_addr < end)
    err = vmap_pages_range_noflush_walk(k, map_addr, end, prot, pages.subspan(idx), prev_shift);
out:
  if (k.bugged()) return err;
  k.flush(FlushKind::cache_vmap, addr, end);
  return err;
}

// mm/vmalloc.c (the series, patch 6): vmap_get_aligned_vm_area. The
// alignments are tried largest first; each one that the allocator cannot
// satisfy falls back to the next. In the model a failure is an overlap
// with a live area, which the next alignment meets too; a VA without the
// first alignment asked for is unreachable, and stays so through the
// fallbacks (get_vm_area_placed).
VmArea* vmap_get_aligned_vm_area(Kernel& k, VirtAddr addr, u64 size, pgprot_t prot) {
  const Geometry& g = k.geo();
  if (arch_vmap_pmd_supported(k, prot) && size >= g.pmd_size()) {
    if (VmArea* area = get_vm_area_placed(k, addr, size, g.pmd_size(), VM_MAP)) return area;
  }
  const unsigned shift = arch_vmap_pte_supported_shift(k, size);
  if (shift > g.page_shift) {
    if (VmArea* area = get_vm_area_placed(k, addr, size, u64{1} << shift, VM_MAP)) return area;
  }
  return get_vm_area_placed(k, addr, size, g.page_size(), VM_MAP);
}

// mm/vmalloc.c: vmap(). mainline, v6.12 and v6.1: a page-aligned area and
// one vmap_pages_range() at PAGE_SHIFT (no batching). v4 and v4-fixed: the
// aligned area of patch 6 and vmap_pages_range_batched(). On error
// vunmap() the area.
int vmap(Kernel& k, PageArray pages, VirtAddr hint, pgprot_t prot, VirtAddr* out) {
  const Geometry& g = k.geo();
  *out = {0};
  const u64 size = pages.size() << g.page_shift;
  VmArea* area = has_series(k.variant())
                     ? vmap_get_aligned_vm_area(k, hint, size, prot)
                     : get_vm_area_aligned(k, hint, size, g.page_size(), VM_MAP);
  if (!area) return -kENOMEM;
  const VirtAddr addr = area->addr;
  const int err =
      has_series(k.variant())
          ? vmap_pages_range_batched(k, addr, addr + size, pgprot_nx(g, prot), pages)
          : vmap_pages_range(k, addr, addr + size, pgprot_nx(g, prot), pages, g.page_shift);
  if (k.bugged()) return err;
  if (err < 0) {
    vunmap(k, addr);
    return err;
  }
  *out = addr;
  return 0;
}

}  // namespace vmapfuzz::engine
