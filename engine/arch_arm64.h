// SPDX-License-Identifier: GPL-2.0-only
// The arm64 hooks the mapping code calls: asm/vmalloc.h,
// arch/arm64/mm/hugetlbpage.c, arch/arm64/mm/mmu.c and the descriptor
// helpers of asm/pgtable.h, for every granule (engine/arch.h dispatches
// here). Where the series changes them (patches 1-2) the variant decides.
#pragma once

#include <algorithm>

#include "engine/kernel.h"

namespace vmapfuzz::engine::arm64 {

// asm/vmalloc.h
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t prot);
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t prot);

// asm/vmalloc.h: arch_vmap_pte_range_map_size (mainline; v4 patch 2). Size
// of the next PTE-level batch at `addr`. mainline: CONT_PTE_SIZE or
// PAGE_SIZE. v4: a power of two of whole CONT groups up to PMD_SIZE/2.
// Defined here, as the kernel's is static inline in asm/vmalloc.h: it runs
// once per page of every PTE-level map (docs/vmap.md, "Cost of the engine's
// per-page loop").
inline u64 arch_vmap_pte_range_map_size(const Kernel& k, VirtAddr addr, VirtAddr end, u64 pfn,
                                        unsigned max_page_shift) {
  const Geometry& g = k.geo();
  // The kernel's first test, against the constant CONT_PTE_SHIFT, comes first here
  // too: a PAGE_SHIFT walk (vmap of order-0 pages) leaves after one compare per page
  // (docs/vmap.md, "Cost of the engine's per-page loop"). It never fires without
  // CONT (cont_pte_shift 0), and the two model checks below return PAGE_SIZE as
  // well, so their order decides no result.
  if (max_page_shift < g.cont_pte_shift) return g.page_size();
  // v6.12, v6.1: arm64 has no arch_vmap_pte_range_map_size yet; the generic one in
  // include/linux/vmalloc.h returns PAGE_SIZE, so no CONT-PTE vmap mappings.
  if (before_cont_vmap(k.variant())) return g.page_size();
  if (g.cont_pte_shift == 0) return g.page_size();
  if (end - addr < g.cont_pte_size()) return g.page_size();
  if (!is_aligned(addr, g.cont_pte_size())) return g.page_size();
  if (!is_aligned(pfn << g.page_shift, g.cont_pte_size())) return g.page_size();
  if (!has_series(k.variant())) return g.cont_pte_size();
  // v4: as many whole groups as fit, rounded down to a power of two.
  const u64 cap = max_page_shift >= 63 ? ~u64{0} : u64{1} << max_page_shift;
  const u64 size = std::min({end - addr, cap, g.pmd_size() >> 1});
  return u64{1} << ilog2(size);  // __fls
}

// CONT_PTE_SIZE if *ptep is a valid CONT entry, else PAGE_SIZE.
u64 arch_vmap_pte_range_unmap_size(const Kernel& k, VirtAddr addr, const pte_t* ptep);
unsigned arch_vmap_pte_supported_shift(const Kernel& k, u64 size);

// hugetlbpage.c
unsigned num_contig_ptes(Kernel& k, u64 size, u64* pgsize);
pte_t arch_make_huge_pte(Kernel& k, pte_t entry, unsigned shift);
bool set_huge_pte_at(Kernel& k, VirtAddr addr, pte_t* ptep, pte_t pte, u64 sz);
pte_t huge_ptep_get_and_clear(Kernel& k, VirtAddr addr, pte_t* ptep, u64 sz);

// mmu.c. The *_set_huge functions return 1 on success, 0 when the change
// is not safe on a live entry.
int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr);
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr);
int pud_clear_huge(Kernel& k, pud_t* pud);
int pmd_clear_huge(Kernel& k, pmd_t* pmd);

// The descriptor writes of arch/arm64/mm/pageattr.c and mmu.c's split
// helpers (engine/pageattr.cc), one place each: the store and the
// descriptor counter (the kernel's set_pmd, set_pud, ...; `_raw` stands for
// the leading underscores of __set_pte, __pmd_populate and __pud_populate).
// pmd_populate_raw/pud_populate_raw link a table with the table attributes
// the caller gives.
inline void set_pte_raw(Kernel& k, pte_t* ptep, pte_t pte) {
  ++k.counters().descriptors_written;
  k.pool().store(ptep, pte);
}
inline void set_pmd(Kernel& k, pmd_t* pmdp, pmd_t pmd) {
  ++k.counters().descriptors_written;
  k.pool().store(pmdp, pmd);
}
inline void set_pud(Kernel& k, pud_t* pudp, pud_t pud) {
  ++k.counters().descriptors_written;
  k.pool().store(pudp, pud);
}
// The top two levels (pXd_clear_bad of the walks); arm64's set_p4d and
// set_pgd.
inline void set_p4d(Kernel& k, p4d_t* p4dp, p4d_t p4d) {
  ++k.counters().descriptors_written;
  k.pool().store(p4dp, p4d);
}
inline void set_pgd(Kernel& k, pgd_t* pgdp, pgd_t pgd) {
  ++k.counters().descriptors_written;
  k.pool().store(pgdp, pgd);
}
inline void pmd_populate_raw(Kernel& k, pmd_t* pmdp, PhysAddr pte_phys, u64 prot) {
  set_pmd(k, pmdp, pte_phys.v | prot);
}
inline void pud_populate_raw(Kernel& k, pud_t* pudp, PhysAddr pmd_phys, u64 prot) {
  set_pud(k, pudp, pmd_phys.v | prot);
}

// Descriptor helpers for an entry at kernel level `l` (engine/arch.h).
// PTE_ADDR_LOW of the granule: output-address bits 47..PAGE_SHIFT.
constexpr u64 addr_mask(const Geometry& g) { return PTE_ADDR_MASK & ~(g.page_size() - 1); }
bool pxd_bad(const Geometry& g, PgLevel l, u64 d);

}  // namespace vmapfuzz::engine::arm64
