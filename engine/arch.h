// SPDX-License-Identifier: GPL-2.0-only
// The architecture layer: every arch hook the generic mm/vmalloc.c code of
// the engine calls, with the kernel's names, and the descriptor helpers its
// walkers need. Each call dispatches on Geometry::arch to the architecture's
// own file (arch_arm64.cc, arch_x86.cc, arch_riscv.cc), so the generic code
// (vmap_range.cc, vmap_pages.cc, vunmap.cc, pgalloc.cc) stays one copy.
#pragma once

#include "engine/arch_arm64.h"
#include "engine/arch_riscv.h"
#include "engine/arch_x86.h"
#include "engine/kernel.h"

namespace vmapfuzz::engine {

// --- asm/vmalloc.h (include/linux/vmalloc.h defaults where the arch has none)
bool arch_vmap_p4d_supported(const Kernel& k, pgprot_t prot);
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t prot);
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t prot);
// Size of the next PTE-level write at `addr` (PAGE_SIZE unless the arch
// batches, which only arm64 does). Inline, as the kernel's (arm64's and the
// include/linux/vmalloc.h default) are static inline: vmap_set_ptes calls it
// for every page (docs/vmap.md, "Cost of the engine's per-page loop").
inline u64 arch_vmap_pte_range_map_size(const Kernel& k, VirtAddr addr, VirtAddr end, u64 pfn,
                                        unsigned max_page_shift) {
  if (k.geo().arch == Arch::arm64)
    return arm64::arch_vmap_pte_range_map_size(k, addr, end, pfn, max_page_shift);
  return k.geo().page_size();  // include/linux/vmalloc.h default
}
u64 arch_vmap_pte_range_unmap_size(const Kernel& k, VirtAddr addr, const pte_t* ptep);
// The shift __vmalloc_node_range and v4's vmap() use below PMD_SIZE.
unsigned arch_vmap_pte_supported_shift(const Kernel& k, u64 size);

// ARCH_PAGE_TABLE_SYNC_MASK (0 where the arch has none), and the
// `if (mask & ARCH_PAGE_TABLE_SYNC_MASK) arch_sync_kernel_mappings(start,
// end)` every top-level walker of mm/vmalloc.c ends with, recorded as
// FlushKind::sync_kernel_mappings.
u32 arch_page_table_sync_mask(const Geometry& g);
void arch_sync_if_needed(Kernel& k, u32 mask, VirtAddr start, VirtAddr end);

// --- hugetlb helpers vmap_set_ptes and vunmap_pte_range call for a
// multi-page write (asm-generic/hugetlb.h where the arch has none).
pte_t arch_make_huge_pte(Kernel& k, pte_t entry, unsigned shift);
// Returns false if the write was stopped by a modelled BUG.
bool set_huge_pte_at(Kernel& k, VirtAddr addr, pte_t* ptep, pte_t pte, u64 sz);
pte_t huge_ptep_get_and_clear(Kernel& k, VirtAddr addr, pte_t* ptep, u64 sz);

// --- pXd_set_huge and friends (return 1 on success, 0 on refusal)
int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot);
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr);
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr);
int pud_clear_huge(Kernel& k, pud_t* pud);
int pmd_clear_huge(Kernel& k, pmd_t* pmd);

// --- descriptors, in the geometry's format. The pxd_* predicates are the
// architecture's own pmd_*/pud_*/p4d_* functions for an entry at kernel
// level `l` of a level that is not folded; pgalloc.h adds the folding.
bool pxd_bad(const Geometry& g, PgLevel l, u64 d);
// The entry pXd_populate() writes for a new kernel table at `pa`.
u64 mk_kernel_table(const Geometry& g, PhysAddr pa);
pgprot_t pgprot_nx(const Geometry& g, pgprot_t prot);
pgprot_t prot_value(const Geometry& g, ProtName p);

// --- per-entry helpers, defined here so that they inline into the walkers
// (one call per descriptor otherwise: measurable in the sanitizer builds
// the fuzz targets use, which have no link-time optimisation).
inline pte_t pfn_pte(const Geometry& g, u64 pfn, pgprot_t prot) {
  switch (g.arch) {
    case Arch::arm64: return ((pfn << g.page_shift) & arm64::addr_mask(g)) | prot.v;
    case Arch::x86_64: return ((pfn << g.page_shift) & x86::PTE_PFN_MASK) | prot.v;
    case Arch::riscv64: return riscv::pfn_to_desc(pfn) | prot.v;
  }
  return 0;
}

inline u64 pte_pfn(const Geometry& g, pte_t pte) {
  switch (g.arch) {
    case Arch::arm64: return (pte & arm64::addr_mask(g)) >> g.page_shift;
    case Arch::x86_64: return (pte & x86::PTE_PFN_MASK) >> g.page_shift;
    case Arch::riscv64: return riscv::desc_pfn(pte);
  }
  return 0;
}

inline bool pte_none(const Geometry& g, pte_t pte) {
  return g.arch == Arch::x86_64 ? (pte & ~x86::PAGE_KNL_ERRATUM_MASK) == 0 : pte == 0;
}

inline bool pte_present(const Geometry& g, pte_t pte) {
  switch (g.arch) {
    case Arch::arm64: return pte_present(pte);  // valid, or present-invalid
    case Arch::x86_64: return pte & (x86::PAGE_PRESENT | x86::PAGE_PROTNONE);
    case Arch::riscv64: return pte & (riscv::PAGE_PRESENT | riscv::PAGE_PROT_NONE);
  }
  return false;
}

inline bool pxd_none(const Geometry& g, PgLevel l, u64 d) {
  return g.arch == Arch::x86_64 ? x86::pxd_none(l, d) : d == 0;
}

inline bool pxd_present(const Geometry& g, PgLevel l, u64 d) {
  switch (g.arch) {
    case Arch::arm64: return pmd_present(d);
    case Arch::x86_64: return x86::pxd_present(l, d);
    case Arch::riscv64: return riscv::pxd_present(l, d);
  }
  return false;
}

// A present entry that points to a table of the level below.
inline bool pxd_table(const Geometry& g, u64 d) {
  switch (g.arch) {
    case Arch::arm64: return pmd_table(d);
    case Arch::x86_64: return (d & x86::PAGE_PRESENT) && !x86::pxd_leaf(d);
    case Arch::riscv64: return (d & riscv::PAGE_PRESENT) && !(d & riscv::PAGE_LEAF);
  }
  return false;
}

inline PhysAddr pxd_table_pa(const Geometry& g, u64 d) {
  switch (g.arch) {
    case Arch::arm64: return {d & arm64::addr_mask(g)};
    case Arch::x86_64: return {d & x86::PTE_PFN_MASK};
    case Arch::riscv64: return {riscv::desc_pfn(d) << g.page_shift};
  }
  return {0};
}

inline void set_pte_at(Kernel& k, VirtAddr, pte_t* ptep, pte_t pte) {
  ++k.counters().set_pte_at;
  ++k.counters().descriptors_written;
  k.pool().store(ptep, pte);
}

inline pte_t ptep_get_and_clear(Kernel& k, pte_t* ptep) {
  const pte_t old = *ptep;
  if (pte_present(k.geo(), old)) ++k.counters().unmap_ptes;
  k.pool().store(ptep, 0);
  ++k.counters().descriptors_written;
  return old;
}

}  // namespace vmapfuzz::engine
