// SPDX-License-Identifier: GPL-2.0-only
#include "engine/arch_riscv.h"

#include "engine/pgalloc.h"

namespace vmapfuzz::engine::riscv {
namespace {

int pxd_set_huge(Kernel& k, u64* entry, PhysAddr phys, pgprot_t prot, u64 block_size) {
  // pfn_pmd()/pfn_pud() and set_pmd()/set_pud(): no check of the old entry.
  k.pool().store(entry, pfn_to_desc(phys.v >> k.geo().page_shift) | prot.v);
  ++k.counters().descriptors_written;
  ++(block_size == k.geo().pmd_size() ? k.counters().pmd_blocks : k.counters().pud_blocks);
  return 1;
}

// pmd_page_vaddr()/pud_pgtable(): the table an entry points to, or a
// recorded BUG when it names no live table (the kernel would free
// whatever page the entry names).
PhysAddr table_of(Kernel& k, u64 d, VirtAddr addr) {
  const PhysAddr pa{desc_pfn(d) << k.geo().page_shift};
  if (!(d & PAGE_PRESENT) || (d & PAGE_LEAF) || !k.pool().is_live(pa)) {
    k.bug(BugId::leaf_used_as_table, addr);
    return {0};
  }
  return pa;
}

}  // namespace

// asm/vmalloc.h: PUD leaves only with 4 or 5 levels; PMD leaves always.
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t) { return k.geo().pud_block; }
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t) { return k.geo().pmd_block; }

// arch/riscv/mm/pgtable.c: pud_set_huge / pmd_set_huge
int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr, PhysAddr phys, pgprot_t prot) {
  ++k.counters().pud_set_huge;
  return pxd_set_huge(k, pud, phys, prot, k.geo().pud_size());
}

int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr, PhysAddr phys, pgprot_t prot) {
  ++k.counters().pmd_set_huge;
  return pxd_set_huge(k, pmd, phys, prot, k.geo().pmd_size());
}

// arch/riscv/mm/pgtable.c: pud_clear_huge / pmd_clear_huge
int pud_clear_huge(Kernel& k, pud_t* pud) {
  if (!pxd_leaf(PgLevel::pud, *pud)) return 0;
  k.pool().store(pud, 0);
  ++k.counters().unmap_blocks;
  ++k.counters().descriptors_written;
  return 1;
}

int pmd_clear_huge(Kernel& k, pmd_t* pmd) {
  if (!pxd_leaf(PgLevel::pmd, *pmd)) return 0;
  k.pool().store(pmd, 0);
  ++k.counters().unmap_blocks;
  ++k.counters().descriptors_written;
  return 1;
}

// arch/riscv/mm/pgtable.c: pmd_free_pte_page. Clear, flush the PMD's whole
// VA range, free the table; no check of the entry.
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr) {
  const PhysAddr pte = table_of(k, *pmd, addr);
  if (pte.v == 0) return 0;
  k.pool().store(pmd, 0);
  ++k.counters().descriptors_written;
  k.flush(FlushKind::tlb_kernel_range, addr, addr + k.geo().pmd_size());
  k.pool().free(pte);  // pte_free_kernel
  ++k.out().tables_freed;
  ++k.counters().pte_tables_freed;
  return 1;
}

// arch/riscv/mm/pgtable.c: pud_free_pmd_page. Clear the PUD entry, flush
// its whole VA range, then free every PTE table under it, in index order,
// and the PMD table. A PMD leaf there has its data page freed as a table:
// the model stops at it (BUG at the PUD's address) with what came before
// done, as x86's does (engine/arch_x86.cc).
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr) {
  const PhysAddr pmd_pa = table_of(k, *pud, addr);
  if (pmd_pa.v == 0) return 0;
  const pmd_t* pmd = k.pool().table(pmd_pa);
  k.pool().store(pud, 0);
  ++k.counters().descriptors_written;
  k.flush(FlushKind::tlb_kernel_range, addr, addr + k.geo().pud_size());
  for (unsigned i = 0; i < k.geo().ptrs_per_table(); ++i) {
    if (pmd[i] == 0) continue;  // pmd_none
    const PhysAddr pte = table_of(k, pmd[i], addr);
    if (pte.v == 0) return 0;
    k.pool().free(pte);  // pte_free_kernel
    ++k.out().tables_freed;
    ++k.counters().pte_tables_freed;
  }
  k.pool().free(pmd_pa);  // pmd_free
  ++k.out().tables_freed;
  ++k.counters().pmd_tables_freed;
  return 1;
}

// pmd_bad: not present, or a leaf. pud_bad, p4d_bad, pgd_bad: not present
// (a PUD leaf is not bad).
bool pxd_bad(PgLevel l, u64 d) {
  if (l == PgLevel::pmd) return !pxd_present(l, d) || (d & PAGE_LEAF);
  return !pxd_present(l, d);
}

// pmd_present: V or PROT_NONE; pud_present and above: V.
bool pxd_present(PgLevel l, u64 d) {
  if (l == PgLevel::pmd) return d & (PAGE_PRESENT | PAGE_PROT_NONE);
  return d & PAGE_PRESENT;
}
// pmd_leaf / pud_leaf: present and any of R, W, X.
bool pxd_leaf(PgLevel l, u64 d) { return pxd_present(l, d) && (d & PAGE_LEAF); }

// ioremap: PAGE_IOREMAP_BITS (Svpbmt IO) for both device kinds; ioremap_wc:
// pgprot_writecombine (Svpbmt NC); normal memory: PAGE_KERNEL and its
// read-only and executable forms.
pgprot_t prot_value(ProtName p) {
  switch (p) {
    case ProtName::device:
    case ProtName::device_nE: return {PAGE_IOREMAP_BITS};
    case ProtName::normal: return {PAGE_KERNEL_BITS};
    case ProtName::normal_nc: return {(PAGE_KERNEL_BITS & ~PAGE_MTMASK) | PAGE_NOCACHE};
    case ProtName::kernel_ro: return {PAGE_KERNEL_BITS & ~PAGE_WRITE};
    case ProtName::kernel_exec: return {PAGE_KERNEL_BITS | PAGE_EXEC};
  }
  return {};
}

}  // namespace vmapfuzz::engine::riscv
