// SPDX-License-Identifier: GPL-2.0-only
// Dispatch of the arch layer (engine/arch.h) on Geometry::arch. Where x86
// and riscv have no hook of their own, the include/linux default is
// written out here.
#include "engine/arch.h"

#include "engine/arch_arm64.h"
#include "engine/arch_riscv.h"
#include "engine/arch_x86.h"

namespace vmapfuzz::engine {

#define VMAPFUZZ_DISPATCH(call)             \
  switch (k.geo().arch) {                   \
    case Arch::arm64: return arm64::call;   \
    case Arch::x86_64: return x86::call;    \
    case Arch::riscv64: return riscv::call; \
  }                                         \
  return {}

// No architecture maps P4D leaves in vmap.
bool arch_vmap_p4d_supported(const Kernel&, pgprot_t) { return false; }
bool arch_vmap_pud_supported(const Kernel& k, pgprot_t prot) {
  VMAPFUZZ_DISPATCH(arch_vmap_pud_supported(k, prot));
}
bool arch_vmap_pmd_supported(const Kernel& k, pgprot_t prot) {
  VMAPFUZZ_DISPATCH(arch_vmap_pmd_supported(k, prot));
}

u64 arch_vmap_pte_range_unmap_size(const Kernel& k, VirtAddr addr, const pte_t* ptep) {
  if (k.geo().arch == Arch::arm64) return arm64::arch_vmap_pte_range_unmap_size(k, addr, ptep);
  return k.geo().page_size();
}

unsigned arch_vmap_pte_supported_shift(const Kernel& k, u64 size) {
  if (k.geo().arch == Arch::arm64) return arm64::arch_vmap_pte_supported_shift(k, size);
  return k.geo().page_shift;
}

// x86-64 (asm/pgtable_64_types.h): the top level that is not folded.
u32 arch_page_table_sync_mask(const Geometry& g) {
  if (g.arch != Arch::x86_64) return 0;
  return g.levels == 5 ? PGTBL_PGD_MODIFIED : PGTBL_P4D_MODIFIED;
}

void arch_sync_if_needed(Kernel& k, u32 mask, VirtAddr start, VirtAddr end) {
  // After a modelled BUG the kernel would not have come back.
  if (k.bugged()) return;
  if (mask & arch_page_table_sync_mask(k.geo()))
    k.flush(FlushKind::sync_kernel_mappings, start, end);
}

// x86 and riscv never reach these from vmalloc.c (their map and unmap
// sizes are PAGE_SIZE); the asm-generic forms are given for completeness.
pte_t arch_make_huge_pte(Kernel& k, pte_t entry, unsigned shift) {
  if (k.geo().arch == Arch::arm64) return arm64::arch_make_huge_pte(k, entry, shift);
  return entry;
}

bool set_huge_pte_at(Kernel& k, VirtAddr addr, pte_t* ptep, pte_t pte, u64 sz) {
  if (k.geo().arch == Arch::arm64) return arm64::set_huge_pte_at(k, addr, ptep, pte, sz);
  ++k.counters().set_huge_pte_at;
  set_pte_at(k, addr, ptep, pte);
  return true;
}

pte_t huge_ptep_get_and_clear(Kernel& k, VirtAddr addr, pte_t* ptep, u64 sz) {
  if (k.geo().arch == Arch::arm64) return arm64::huge_ptep_get_and_clear(k, addr, ptep, sz);
  return ptep_get_and_clear(k, ptep);
}

int pud_set_huge(Kernel& k, pud_t* pud, VirtAddr addr, PhysAddr phys, pgprot_t prot) {
  VMAPFUZZ_DISPATCH(pud_set_huge(k, pud, addr, phys, prot));
}
int pmd_set_huge(Kernel& k, pmd_t* pmd, VirtAddr addr, PhysAddr phys, pgprot_t prot) {
  VMAPFUZZ_DISPATCH(pmd_set_huge(k, pmd, addr, phys, prot));
}
int pud_free_pmd_page(Kernel& k, pud_t* pud, VirtAddr addr) {
  VMAPFUZZ_DISPATCH(pud_free_pmd_page(k, pud, addr));
}
int pmd_free_pte_page(Kernel& k, pmd_t* pmd, VirtAddr addr) {
  VMAPFUZZ_DISPATCH(pmd_free_pte_page(k, pmd, addr));
}
int pud_clear_huge(Kernel& k, pud_t* pud) { VMAPFUZZ_DISPATCH(pud_clear_huge(k, pud)); }
int pmd_clear_huge(Kernel& k, pmd_t* pmd) { VMAPFUZZ_DISPATCH(pmd_clear_huge(k, pmd)); }

#undef VMAPFUZZ_DISPATCH

bool pxd_bad(const Geometry& g, PgLevel l, u64 d) {
  switch (g.arch) {
    case Arch::arm64: return arm64::pxd_bad(g, l, d);
    case Arch::x86_64: return x86::pxd_bad(l, d);
    case Arch::riscv64: return riscv::pxd_bad(l, d);
  }
  return true;
}

u64 mk_kernel_table(const Geometry& g, PhysAddr pa) {
  switch (g.arch) {
    case Arch::arm64: return pa.v | PMD_TYPE_TABLE | PMD_TABLE_UXN;
    case Arch::x86_64: return pa.v | x86::PAGE_TABLE;  // pXd_populate_kernel
    case Arch::riscv64: return riscv::pfn_to_desc(pa.v >> g.page_shift) | riscv::PAGE_TABLE;
  }
  return 0;
}

pgprot_t pgprot_nx(const Geometry& g, pgprot_t prot) {
  switch (g.arch) {
    case Arch::arm64: return pgprot_nx(prot);
    case Arch::x86_64: return {prot.v | x86::PAGE_NX};
    case Arch::riscv64: return {prot.v & ~riscv::PAGE_EXEC};
  }
  return prot;
}

pgprot_t prot_value(const Geometry& g, ProtName p) {
  switch (g.arch) {
    case Arch::arm64: return prot_value(p);
    case Arch::x86_64: return x86::prot_value(p);
    case Arch::riscv64: return riscv::prot_value(p);
  }
  return {};
}

}  // namespace vmapfuzz::engine
