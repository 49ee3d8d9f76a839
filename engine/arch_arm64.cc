// SPDX-License-Identifier: GPL-2.0-only
#include "engine/arch_arm64.h"

#include <algorithm>
#include <bit>

#include "engine/arch.h"
#include "engine/pgalloc.h"

namespace vmapfuzz::engine::arm64 {
namespace {

// __hugetlb_valid_size() on arm64.
bool hugetlb_valid_size(const Geometry& g, u64 size) {
  return (size == g.pud_size() && g.pud_block) || size == g.cont_pmd_size() ||
         size == g.pmd_size() || size == g.cont_pte_size();
}

// The bound of v4's multi-group case in num_contig_ptes (see there).
u64 num_contig_limit(const Kernel& k) {
  return k.variant() == Variant::v4_fixed ? k.geo().pmd_size() : k.geo().cont_pmd_size();
}

// clear_flush(): break-before-make for a live CONT range.
void clear_flush(Kernel& k, VirtAddr addr, pte_t* ptep, u64 pgsize, unsigned ncontig) {
  for (unsigned i = 0; i < ncontig; ++i) k.pool().store(&ptep[i], 0);
  k.flush(FlushKind::tlb_range, addr, addr + pgsize * ncontig);
}

}  // namespace

// asm/vmalloc.h: pud_sect_supported() (4K pages only), and always for PMDs.
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t) { return k.geo().pud_block; }
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t) { return k.geo().pmd_block; }

// pmd_bad/pud_bad/p4d_bad: anything but a table descriptor, a none entry
// included.
// p4d_bad (and pgd_bad with 5 levels) test the table bit alone.
bool pxd_bad(const Geometry&, PgLevel l, u64 d) {
  if (l == PgLevel::p4d || l == PgLevel::pgd) return !(d & PTE_TABLE_BIT);
  return !pmd_table(d);
}

// asm/vmalloc.h: arch_vmap_pte_supported_shift (mainline, v4). v6.12 and
// v6.1 have none: the generic one returns PAGE_SHIFT.
unsigned arch_vmap_pte_supported_shift(const Kernel& k, u64 size) {
  const Geometry& g = k.geo();
  if (before_cont_vmap(k.variant())) return g.page_shift;
  if (g.cont_pte_shift && size >= g.cont_pte_size()) return g.cont_pte_shift;
  return g.page_shift;
}

// asm/vmalloc.h: arch_vmap_pte_range_unmap_size
u64 arch_vmap_pte_range_unmap_size(const Kernel& k, VirtAddr, const pte_t* ptep) {
  // v6.12, v6.1: no arch_vmap_pte_range_unmap_size at all; vunmap_pte_range is
  // the plain PAGE_SIZE loop (the generic size is PAGE_SIZE).
  if (before_cont_vmap(k.variant())) return k.geo().page_size();
  if (k.geo().cont_pte_shift != 0 && pte_valid_cont(*ptep)) return k.geo().cont_pte_size();
  return k.geo().page_size();
}

// hugetlbpage.c: num_contig_ptes (mainline after the 2025 cleanup; v4 patch 1)
unsigned num_contig_ptes(Kernel& k, u64 size, u64* pgsize) {
  const Geometry& g = k.geo();
  unsigned contig_ptes = 1;
  *pgsize = size;
  if (size == g.cont_pmd_size()) {
    *pgsize = g.pmd_size();
    contig_ptes = g.cont_pmds();
  } else if (size == g.cont_pte_size()) {
    *pgsize = g.page_size();
    contig_ptes = g.cont_ptes();
  } else if (has_series(k.variant()) && size > 0 && size < num_contig_limit(k) &&
             is_aligned(size, g.cont_pte_size())) {
    // v4: a run of whole CONT_PTE groups. The 2026 tree bounds it by
    // CONT_PMD_SIZE, so PMD_SIZE itself (no case of its own) counts as
    // PTRS_PER_PTE page entries: a hugetlb PMD page would be written as
    // 512 PMD entries a page apart. vmap never asks for PMD_SIZE (its
    // batches stop at PMD_SIZE/2); v4-fixed bounds it by PMD_SIZE
    // (corpus/vmap/findings/README.md, num-contig-ptes-pmd-size).
    *pgsize = g.page_size();
    contig_ptes = static_cast<unsigned>(size >> g.page_shift);
  } else if (!hugetlb_valid_size(g, size)) {
    k.warn(WarnId::num_contig_ptes_bad_size, VirtAddr{size});
  }
  return contig_ptes;
}

// hugetlbpage.c: arch_make_huge_pte (mainline; v4 patch 1)
pte_t arch_make_huge_pte(Kernel& k, pte_t entry, unsigned shift) {
  const Geometry& g = k.geo();
  const u64 pagesize = u64{1} << shift;
  if (pagesize == g.pud_size() && g.pud_block) return pmd_mkhuge(entry);
  if (pagesize == g.cont_pmd_size()) return pmd_mkhuge(pte_mkcont(entry));
  if (pagesize == g.pmd_size()) return pmd_mkhuge(entry);
  if (pagesize == g.cont_pte_size()) return pte_mkcont(entry);
  if (has_series(k.variant()) && pagesize > g.cont_pte_size() && pagesize < g.pmd_size() &&
      is_aligned(pagesize, g.cont_pte_size()))
    return pte_mkcont(entry);
  k.warn(WarnId::arch_make_huge_pte_bad_size, VirtAddr{pagesize});
  return entry;
}

// hugetlbpage.c: set_huge_pte_at
bool set_huge_pte_at(Kernel& k, VirtAddr addr, pte_t* ptep, pte_t pte, u64 sz) {
  ++k.counters().set_huge_pte_at;
  u64 pgsize = 0;
  const unsigned ncontig = num_contig_ptes(k, sz, &pgsize);
  if (ptep + ncontig > k.pool().table_end_of(ptep)) {
    k.bug(BugId::pte_table_overrun, addr);
    return false;
  }
  if (!pte_present(pte)) {
    for (unsigned i = 0; i < ncontig; ++i) k.pool().store(&ptep[i], pte);
    k.counters().descriptors_written += ncontig;
    return true;
  }
  // Only break if transitioning valid -> valid.
  if (pte_cont(pte) && pte_valid(*ptep)) clear_flush(k, addr, ptep, pgsize, ncontig);
  if (pte_cont(pte) && pgsize == k.geo().page_size()) {
    const unsigned b = std::min(kContBatchBuckets - 1, static_cast<unsigned>(std::countr_zero(sz)) -
                                                           k.geo().cont_pte_shift);
    ++k.counters().cont_batches[b];
  }
  // __set_ptes_anysz()
  const u64 step = pgsize >> k.geo().page_shift;
  for (unsigned i = 0; i < ncontig; ++i) {
    k.pool().store(&ptep[i], pte);
    pte = pte_advance_pfn(pte, step, k.geo().page_shift);
  }
  k.counters().descriptors_written += ncontig;
  return true;
}

// hugetlbpage.c: huge_ptep_get_and_clear -> get_clear_contig
pte_t huge_ptep_get_and_clear(Kernel& k, VirtAddr addr, pte_t* ptep, u64 sz) {
  u64 pgsize = 0;
  const unsigned ncontig = num_contig_ptes(k, sz, &pgsize);
  if (ptep + ncontig > k.pool().table_end_of(ptep)) {
    k.bug(BugId::pte_table_overrun, addr);
    return 0;
  }
  pte_t orig = ptep[0];
  // Dirty and young of every entry are folded into the returned value, but
  // only when the first entry is present: a group whose first entry is
  // gone (a malformed one) returns that entry as it was.
  const bool present = pte_present(k.geo(), orig);
  for (unsigned i = 0; i < ncontig; ++i) {
    if (present) orig |= ptep[i] & (PTE_DIRTY | PTE_AF);
    k.pool().store(&ptep[i], 0);
  }
  k.counters().descriptors_written += ncontig;
  ++k.counters().unmap_cont_groups;
  return orig;
}

namespace {

// pud_set_huge / pmd_set_huge share their shape.
int pxd_set_huge(Kernel& k, u64* entry, VirtAddr addr, PhysAddr phys, pgprot_t prot,
                 u64 block_size) {
  const u64 new_desc = (phys.v & PTE_ADDR_MASK) | mk_sect_prot(prot);
  // Only allow permission changes for now.
  if (!pgattr_change_is_safe(*entry, new_desc, k.geo().page_shift)) return 0;
  if (!is_aligned(phys, block_size)) {  // VM_BUG_ON(phys & ~PXD_MASK)
    k.bug(BugId::set_huge_unaligned_phys, addr);
    return 0;
  }
  k.pool().store(entry, new_desc);
  ++k.counters().descriptors_written;
  ++(block_size == k.geo().pmd_size() ? k.counters().pmd_blocks : k.counters().pud_blocks);
  return 1;
}

}  // namespace

// mmu.c: pud_set_huge
int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot) {
  ++k.counters().pud_set_huge;
  return pxd_set_huge(k, pud, addr, phys, prot, k.geo().pud_size());
}

// mmu.c: pmd_set_huge
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot) {
  ++k.counters().pmd_set_huge;
  return pxd_set_huge(k, pmd, addr, phys, prot, k.geo().pmd_size());
}

// mmu.c: pmd_free_pte_page (2026 trees: __pmd_free_pte_page, which takes
// init_mm's mmap lock when ptdump is on; no lock is modelled). Does not
// check that the table is empty: the caller guarantees the range was
// unmapped.
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr) {
  const pmd_t v = *pmd;
  if (!pmd_table(v)) {
    k.warn(WarnId::pmd_free_pte_page_not_table, addr);  // VM_WARN_ON(1)
    return 1;
  }
  k.pool().store(pmd, 0);  // pmd_clear
  ++k.counters().descriptors_written;
  k.flush(FlushKind::tlb_pgtable, addr, addr);
  k.pool().free(desc_table_pa(v));  // pte_free_kernel
  ++k.out().tables_freed;
  ++k.counters().pte_tables_freed;
  return 1;
}

// mmu.c: pud_free_pmd_page. 2026 trees clear the PUD entry and flush
// before freeing the PTE tables under it (so that ptdump, which walks
// without the tables' owner, cannot reach a freed one); v6.12 and v6.1 free the
// PTE tables first.
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr) {
  const pud_t v = *pud;
  if (!pmd_table(v)) {
    k.warn(WarnId::pud_free_pmd_page_not_table, addr);  // VM_WARN_ON(1)
    return 1;
  }
  pmd_t* table = k.pool().table(desc_table_pa(v));
  if (!table) {
    k.bug(BugId::leaf_used_as_table, addr);
    return 0;
  }
  const Geometry& g = k.geo();
  const bool clear_first = !before_cont_vmap(k.variant());
  if (clear_first) {
    k.pool().store(pud, 0);  // pud_clear
    ++k.counters().descriptors_written;
    k.flush(FlushKind::tlb_pgtable, addr, addr);
  }
  VirtAddr next = addr;
  const VirtAddr end = addr + g.pud_size();
  pmd_t* pmdp = table;
  do {
    if (pmd_present(*pmdp)) arm64::pmd_free_pte_page(k, pmdp, next);
  } while (++pmdp, next += g.pmd_size(), next != end);
  if (!clear_first) {
    k.pool().store(pud, 0);  // pud_clear
    ++k.counters().descriptors_written;
    k.flush(FlushKind::tlb_pgtable, addr, addr);
  }
  k.pool().free(desc_table_pa(v));  // pmd_free
  ++k.out().tables_freed;
  ++k.counters().pmd_tables_freed;
  return 1;
}

// mmu.c: pud_clear_huge / pmd_clear_huge: clear a block, nothing else.
// 6.12 and 6.1 test pXd_sect() (a valid block); the 2026 trees pXd_leaf(),
// which a present-invalid block (set_memory_valid(0)) also passes.
namespace {
bool clears_as_block(const Kernel& k, u64 d) {
  if (before_cont_vmap(k.variant())) return pmd_sect(d);
  return pmd_leaf(d);
}
}  // namespace
int pud_clear_huge(Kernel& k, pud_t* pud) {
  // pud_sect() and pud_leaf() are constant false with 64K pages or fewer
  // than 3 levels.
  if (k.geo().page_shift == 16 || k.geo().levels < 3) return 0;
  if (!clears_as_block(k, *pud)) return 0;
  k.pool().store(pud, 0);
  ++k.counters().unmap_blocks;
  ++k.counters().descriptors_written;
  return 1;
}

int pmd_clear_huge(Kernel& k, pmd_t* pmd) {
  if (!clears_as_block(k, *pmd)) return 0;
  k.pool().store(pmd, 0);
  ++k.counters().unmap_blocks;
  ++k.counters().descriptors_written;
  return 1;
}

}  // namespace vmapfuzz::engine::arm64
