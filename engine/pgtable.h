// SPDX-License-Identifier: GPL-2.0-only
// Armv8-A stage-1 descriptors (4 KiB granule, 48-bit OA) with the kernel's
// names for the bits and the small helpers mm/ and arch/arm64 use on them.
// Tables hold raw 64-bit descriptors so that encoding bugs are observable.
#pragma once

#include "common/prot.h"
#include "engine/types.h"

namespace vmapfuzz::engine {

using pteval_t = u64;
// The kernel's pte_t/pmd_t/pud_t/p4d_t/pgd_t: one raw descriptor each.
using pte_t = u64;
using pmd_t = u64;
using pud_t = u64;
using p4d_t = u64;
using pgd_t = u64;

inline constexpr u64 bit(unsigned n) { return u64{1} << n; }

// Descriptor bits (Arm ARM VMSAv8-64, kernel names).
inline constexpr u64 PTE_VALID = bit(0);
inline constexpr u64 PTE_TABLE_BIT = bit(1);  // table (L0-2) / page (L3)
inline constexpr u64 PTE_TYPE_MASK = 3;
inline constexpr u64 PTE_TYPE_PAGE = 3;
inline constexpr u64 PMD_TYPE_TABLE = 3;
inline constexpr u64 PMD_TYPE_SECT = 1;
inline constexpr u64 PTE_ATTRINDX_MASK = u64{7} << 2;
inline constexpr u64 PTE_USER = bit(6);         // AP[1]
inline constexpr u64 PTE_RDONLY = bit(7);       // AP[2]
inline constexpr u64 PTE_SHARED = u64{3} << 8;  // SH = inner shareable
inline constexpr u64 PTE_AF = bit(10);
inline constexpr u64 PTE_NG = bit(11);
inline constexpr u64 PTE_ADDR_MASK = ((u64{1} << 48) - 1) & ~u64{0xfff};
inline constexpr u64 PTE_GP = bit(50);
inline constexpr u64 PTE_DBM = bit(51);
inline constexpr u64 PTE_WRITE = PTE_DBM;
inline constexpr u64 PTE_CONT = bit(52);
inline constexpr u64 PTE_PXN = bit(53);
inline constexpr u64 PTE_UXN = bit(54);
inline constexpr u64 PTE_DIRTY = bit(55);
inline constexpr u64 PTE_SPECIAL = bit(56);
inline constexpr u64 PTE_SWBITS_MASK = u64{0xf} << 55;
// Table descriptor attributes (PMD_TABLE_AF: FEAT_HAFT's table access flag).
inline constexpr u64 PMD_TABLE_AF = bit(10);
inline constexpr u64 PMD_TABLE_PXN = bit(59);
inline constexpr u64 PMD_TABLE_UXN = bit(60);

// MAIR indices used by the kernel.
inline constexpr u64 MT_NORMAL = 0;
inline constexpr u64 MT_NORMAL_TAGGED = 1;
inline constexpr u64 MT_NORMAL_NC = 2;
inline constexpr u64 MT_DEVICE_nGnRnE = 3;
inline constexpr u64 MT_DEVICE_nGnRE = 4;
inline constexpr u64 PTE_ATTRINDX(u64 mt) { return mt << 2; }

struct pgprot_t {
  u64 v = 0;
  friend constexpr bool operator==(pgprot_t, pgprot_t) = default;
};

// Kernel protections (no KPTI, so PTE_MAYBE_NG is 0; no LPA2, so
// PTE_MAYBE_SHARED is PTE_SHARED).
inline constexpr u64 PROT_DEFAULT = PTE_TYPE_PAGE | PTE_SHARED | PTE_AF;
inline constexpr u64 PROT_DEVICE_nGnRE =
    PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_DEVICE_nGnRE);
inline constexpr u64 PROT_DEVICE_nGnRnE =
    PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_DEVICE_nGnRnE);
inline constexpr u64 PROT_NORMAL =
    PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL);
inline constexpr u64 PROT_NORMAL_NC =
    PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL_NC);
inline constexpr pgprot_t PAGE_KERNEL{PROT_NORMAL};
inline constexpr pgprot_t PAGE_KERNEL_RO{(PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY};
inline constexpr pgprot_t PAGE_KERNEL_EXEC{PROT_NORMAL & ~PTE_PXN};

// The protections a trace may name (common/prot.h) and the engine's
// descriptor bits for each.
using common::kAllProts;
using common::parse_prot;
using common::prot_name;
using common::ProtName;
pgprot_t prot_value(ProtName p);

// pgprot_nx(): what vmap()/vmap_page_range apply to the caller's prot.
constexpr pgprot_t pgprot_nx(pgprot_t p) { return {(p.v & ~PTE_GP) | PTE_PXN}; }

// --- descriptor helpers (arm64 asm/pgtable.h semantics) ---
constexpr bool pte_none(pte_t p) { return p == 0; }
constexpr bool pte_valid(pte_t p) { return p & PTE_VALID; }
// PTE_PRESENT_INVALID (nG without the valid bit): an entry the hardware does
// not use that the kernel still counts as present. Kernel mappings have no
// nG otherwise (PTE_MAYBE_NG is 0 without KPTI); the 2026 trees'
// set_memory_valid(0) sets it (docs/pageattr.md).
inline constexpr u64 PTE_PRESENT_INVALID = PTE_NG;
// A kernel entry's valid bits (PTE_VALID | PTE_MAYBE_NG, the latter 0 here).
inline constexpr u64 PTE_PRESENT_VALID_KERNEL = PTE_VALID;
constexpr bool pte_present_invalid(pte_t p) {
  return (p & (PTE_VALID | PTE_PRESENT_INVALID)) == PTE_PRESENT_INVALID;
}
constexpr bool pte_present(pte_t p) { return pte_valid(p) || pte_present_invalid(p); }
constexpr bool pte_cont(pte_t p) { return p & PTE_CONT; }
constexpr bool pte_valid_cont(pte_t p) { return pte_valid(p) && pte_cont(p); }
constexpr pte_t pte_mkcont(pte_t p) { return p | PTE_CONT; }
constexpr u64 pte_pfn(pte_t p, unsigned page_shift) { return (p & PTE_ADDR_MASK) >> page_shift; }
constexpr pte_t pfn_pte(u64 pfn, unsigned page_shift, pgprot_t prot) {
  return ((pfn << page_shift) & PTE_ADDR_MASK) | prot.v;
}
// Next page of the same mapping: output address advanced by `pages`.
constexpr pte_t pte_advance_pfn(pte_t p, u64 pages, unsigned page_shift) {
  return (p & ~PTE_ADDR_MASK) | ((p + (pages << page_shift)) & PTE_ADDR_MASK);
}
constexpr bool pmd_none(pmd_t p) { return p == 0; }
constexpr bool pmd_present(pmd_t p) { return pte_present(p); }
constexpr bool pmd_table(pmd_t p) { return (p & PTE_TYPE_MASK) == PMD_TYPE_TABLE; }
constexpr bool pmd_sect(pmd_t p) { return (p & PTE_TYPE_MASK) == PMD_TYPE_SECT; }
// A block, valid or present-invalid.
constexpr bool pmd_leaf(pmd_t p) { return pmd_present(p) && !pmd_table(p); }
constexpr bool pmd_bad(pmd_t p) { return !pmd_table(p); }
// mk_pmd_sect_prot(): block descriptor attributes from a page prot.
constexpr u64 mk_sect_prot(pgprot_t prot) { return (prot.v & ~PTE_TABLE_BIT) | PMD_TYPE_SECT; }
// pmd_mkhuge(): turn a page-format descriptor into a block.
constexpr u64 pmd_mkhuge(u64 p) { return p & ~PTE_TABLE_BIT; }
constexpr PhysAddr desc_table_pa(u64 d) { return {d & PTE_ADDR_MASK}; }

// pgattr_change_is_safe() of arch/arm64/mm/mmu.c: may `old` be replaced by
// `new_` on a live mapping without break-before-make?
bool pgattr_change_is_safe(u64 old, u64 new_, unsigned page_shift);

}  // namespace vmapfuzz::engine
