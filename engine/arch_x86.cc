// SPDX-License-Identifier: GPL-2.0-only
#include "engine/arch_x86.h"

#include "engine/pgalloc.h"

namespace vmapfuzz::engine::x86 {
namespace {

// mtrr_type_lookup(start, end, &uniform): the model knows one boundary
// where the memory type changes; a range across it is not uniform.
bool mtrr_uniform(const Kernel& k, PhysAddr start, u64 size) {
  const u64 split = k.config().mtrr_split;
  return split == 0 || !(start.v < split && split < start.v + size);
}

int pxd_set_huge(Kernel& k, u64* entry, VirtAddr addr, PhysAddr phys, pgprot_t prot,
                 u64 block_size) {
  if (!mtrr_uniform(k, phys, block_size)) {
    // pmd_set_huge also pr_warn_once()s; not a WARN.
    ++k.counters().set_huge_refused;
    return 0;
  }
  // Bail out on a populated non-leaf entry.
  const PgLevel l = block_size == k.geo().pmd_size() ? PgLevel::pmd : PgLevel::pud;
  if (pxd_present(l, *entry) && !pxd_leaf(*entry)) return 0;
  (void)addr;
  k.pool().store(entry, (phys.v & PTE_PFN_MASK) | protval_4k_2_large(prot.v) | PAGE_PSE);
  ++k.counters().descriptors_written;
  ++(block_size == k.geo().pmd_size() ? k.counters().pmd_blocks : k.counters().pud_blocks);
  return 1;
}

// pmd_page_vaddr(): the table an entry points to, or a recorded BUG when
// the entry is not a table (the kernel would free the data page).
PhysAddr table_of(Kernel& k, u64 d, VirtAddr addr) {
  if (!(d & PAGE_PRESENT) || pxd_leaf(d) || !k.pool().is_live({d & PTE_PFN_MASK})) {
    k.bug(BugId::leaf_used_as_table, addr);
    return {0};
  }
  return {d & PTE_PFN_MASK};
}

}  // namespace

// asm/vmalloc.h: boot_cpu_has(X86_FEATURE_GBPAGES) / (X86_FEATURE_PSE).
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t) {
  return k.geo().pud_block && !k.config().nogbpages;
}
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t) {
  return k.geo().pmd_block && !k.config().nopse;
}

// arch/x86/mm/pgtable.c: pud_set_huge
int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot) {
  ++k.counters().pud_set_huge;
  return pxd_set_huge(k, pud, addr, phys, prot, k.geo().pud_size());
}

// arch/x86/mm/pgtable.c: pmd_set_huge
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot) {
  ++k.counters().pmd_set_huge;
  return pxd_set_huge(k, pmd, addr, phys, prot, k.geo().pmd_size());
}

// arch/x86/mm/pgtable.c: pud_clear_huge / pmd_clear_huge
int pud_clear_huge(Kernel& k, pud_t* pud) {
  if (!pxd_leaf(*pud)) return 0;
  k.pool().store(pud, 0);
  ++k.counters().unmap_blocks;
  ++k.counters().descriptors_written;
  return 1;
}

int pmd_clear_huge(Kernel& k, pmd_t* pmd) { return x86::pud_clear_huge(k, pmd); }

// arch/x86/mm/pgtable.c: pmd_free_pte_page. No check of the entry: it is
// cleared, the paging-structure caches flushed for one page, and the table
// freed. 6.12 and 6.1 find the table first (pmd_page_vaddr()); the 2026
// trees name it by its page descriptor (page_ptdesc(pmd_page())), which
// looks at nothing, and free it last (pagetable_dtor_free()). At a leaf the
// model stops where the data page would be freed: before any change, or
// after the clear and the flush.
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr) {
  const pmd_t old = *pmd;
  const bool by_descriptor = !before_cont_vmap(k.variant());
  PhysAddr pte{0};
  if (!by_descriptor && (pte = table_of(k, old, addr)).v == 0) return 0;
  k.pool().store(pmd, 0);  // pmd_clear
  ++k.counters().descriptors_written;
  k.flush(FlushKind::tlb_kernel_range, addr, addr + (k.geo().page_size() - 1));
  if (by_descriptor && (pte = table_of(k, old, addr)).v == 0) return 0;
  k.pool().free(pte);  // free_page, pagetable_dtor_free
  ++k.out().tables_freed;
  ++k.counters().pte_tables_freed;
  return 1;
}

// arch/x86/mm/pgtable.c: pud_free_pmd_page. Every entry of the PMD table
// is copied (pmd_sv, a page from __get_free_page, which never fails in the
// model) and cleared, then the PUD entry, one flush of a page; then the
// page each saved entry names is freed as a PTE table, in index order, and
// the PMD table. A PMD leaf among them has its data page freed as a table:
// the model stops there (BUG at the PUD's address, the `addr` in scope),
// with everything before it done, as the kernel-in-the-loop build of the
// tree shows (kernel/shim/kshim_x86.h).
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr) {
  const PhysAddr pmd_pa = table_of(k, *pud, addr);
  if (pmd_pa.v == 0) return 0;
  pmd_t* pmd = k.pool().table(pmd_pa);
  const unsigned n = k.geo().ptrs_per_table();
  const std::vector<u64> saved(pmd, pmd + n);
  for (unsigned i = 0; i < n; ++i) {
    if (!pxd_none(PgLevel::pmd, pmd[i])) {
      k.pool().store(&pmd[i], 0);
      ++k.counters().descriptors_written;
    }
  }
  k.pool().store(pud, 0);  // pud_clear
  ++k.counters().descriptors_written;
  k.flush(FlushKind::tlb_kernel_range, addr, addr + (k.geo().page_size() - 1));
  for (const u64 e : saved) {
    if (pxd_none(PgLevel::pmd, e)) continue;
    const PhysAddr pte = table_of(k, e, addr);
    if (pte.v == 0) return 0;
    k.pool().free(pte);
    ++k.out().tables_freed;
    ++k.counters().pte_tables_freed;
  }
  k.pool().free(pmd_pa);
  ++k.out().tables_freed;
  ++k.counters().pmd_tables_freed;
  return 1;
}

// pmd_none/pud_none/p4d_none ignore the Knights Landing erratum bits;
// pgd_none (5-level) does not.
bool pxd_none(PgLevel l, u64 d) {
  return l == PgLevel::pgd ? d == 0 : (d & ~PAGE_KNL_ERRATUM_MASK) == 0;
}

// pmd_bad: anything but a kernel table (the user and accessed bits aside),
// a none entry included. pud_bad/p4d_bad: any flag beyond a table's. pgd_bad
// (5-level): flags other than exactly a table's.
bool pxd_bad(PgLevel l, u64 d) {
  const u64 flags = d & ~PTE_PFN_MASK;
  switch (l) {
    case PgLevel::pmd:
      return (flags & ~(PAGE_USER | PAGE_ACCESSED)) != (KERNPG_TABLE & ~PAGE_ACCESSED);
    case PgLevel::pud:
    case PgLevel::p4d: return (flags & ~(KERNPG_TABLE | PAGE_USER)) != 0;
    default: return (flags & ~PAGE_USER) != KERNPG_TABLE;
  }
}

// pmd_present: present, PROT_NONE or PSE; pud_present, p4d_present:
// present.
bool pxd_present(PgLevel l, u64 d) {
  if (l == PgLevel::pmd) return d & (PAGE_PRESENT | PAGE_PROTNONE | PAGE_PSE);
  return d & PAGE_PRESENT;
}
// pmd_leaf / pud_leaf: the PSE bit alone.
bool pxd_leaf(u64 d) { return d & PAGE_PSE; }

// The protection each named kernel protection maps to: ioremap() is
// UC- (PCD), ioremap_uc() UC (PCD|PWT), ioremap_wc() WC (PWT with the
// kernel's PAT layout), normal memory write-back.
pgprot_t prot_value(ProtName p) {
  switch (p) {
    case ProtName::device: return {PAGE_KERNEL_BITS | PAGE_PCD};
    case ProtName::device_nE: return {PAGE_KERNEL_BITS | PAGE_PCD | PAGE_PWT};
    case ProtName::normal: return {PAGE_KERNEL_BITS};
    case ProtName::normal_nc: return {PAGE_KERNEL_BITS | PAGE_PWT};
    case ProtName::kernel_ro: return {PAGE_KERNEL_RO_BITS};
    case ProtName::kernel_exec: return {PAGE_KERNEL_EXEC_BITS};
  }
  return {};
}

}  // namespace vmapfuzz::engine::x86
