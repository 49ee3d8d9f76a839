// SPDX-License-Identifier: GPL-2.0-only
// arch/x86/mm/pat/set_memory.c: change_page_attr_set_clr() ("CPA") on the
// kernel's own tables, as set_memory_ro/rw/x/nx/rox/p/np use it, per era.
// The rules, and what the model leaves out (the direct-map alias tables,
// static protections of the kernel image, page arrays): docs/pageattr.md,
// "x86-64".
#include <utility>
#include <vector>

#include "engine/arch.h"
#include "engine/pageattr.h"
#include "engine/pgalloc.h"

namespace vmapfuzz::engine::x86 {
namespace {

// enum pg_level (asm/pgtable_types.h).
enum PgLevelX86 : unsigned {
  PG_LEVEL_NONE,
  PG_LEVEL_4K,
  PG_LEVEL_2M,
  PG_LEVEL_1G,
  PG_LEVEL_512G,
  PG_LEVEL_256T,
};

// cpa_data.flags
constexpr unsigned CPA_FLUSHTLB = 1;
constexpr unsigned CPA_NO_CHECK_ALIAS = 8;
constexpr unsigned CPA_COLLAPSE = 16;  // 2026 trees: set_memory_rox only
// _PAGE_KERNEL_4K (_PAGE_BIT_SOFTW3): set_memory_4k()'s mark, which no
// op of the model sets.
constexpr u64 PAGE_KERNEL_4K = bit(11);
// arch/x86/mm/tlb.c's default.
constexpr u64 tlb_single_page_flush_ceiling = 33;

// struct cpa_data, for one virtually contiguous range (no page arrays).
struct CpaData {
  VirtAddr vaddr;  // *cpa->vaddr
  u64 mask_set = 0;
  u64 mask_clr = 0;
  u64 numpages = 0;
  u64 curpage = 0;
  u64 pfn = 0;
  unsigned flags = 0;
  bool force_split = false;
  bool force_static_prot = false;
  bool force_flush_all = false;
};

bool era_6_1(const Kernel& k) { return k.variant() == Variant::v6_1; }
bool era_2026(const Kernel& k) { return !before_cont_vmap(k.variant()); }

u64 page_size(const Kernel& k) { return k.geo().page_size(); }

// asm/pgtable-invert.h: a non-zero entry without _PAGE_PRESENT holds its
// pfn inverted (the L1TF mitigation), in every pfn_pte/pfn_pmd/pfn_pud and
// undone by every pte_pfn/pmd_pfn/pud_pfn.
u64 protnone_mask(u64 val) { return (val && !(val & PAGE_PRESENT)) ? ~u64{0} : 0; }

// PHYSICAL_PMD_PAGE_MASK / PHYSICAL_PUD_PAGE_MASK.
u64 physical_large_mask(const Kernel& k, unsigned level) {
  const u64 size = level == PG_LEVEL_1G ? k.geo().pud_size() : k.geo().pmd_size();
  return PTE_PFN_MASK & ~(size - 1);
}

u64 pfn_pte_(const Kernel& k, u64 pfn, u64 prot) {
  u64 phys = pfn << k.geo().page_shift;
  phys ^= protnone_mask(prot);
  phys &= PTE_PFN_MASK;
  return phys | prot;
}
u64 pte_pfn_(const Kernel& k, u64 pte) {
  return ((pte ^ protnone_mask(pte)) & PTE_PFN_MASK) >> k.geo().page_shift;
}
u64 pte_flags(u64 pte) { return pte & ~PTE_PFN_MASK; }

// pmd_pfn_mask()/pud_pfn_mask(): a PS entry's address field is the large
// one, any other entry's the 4K one.
u64 large_pfn_mask(const Kernel& k, u64 v, unsigned level) {
  return (v & PAGE_PSE) ? physical_large_mask(k, level) : PTE_PFN_MASK;
}
// pmd_pfn/pud_pfn and pmd_pgprot/pud_pgprot (pmd_flags/pud_flags).
u64 large_pfn(const Kernel& k, u64 v, unsigned level) {
  return ((v ^ protnone_mask(v)) & large_pfn_mask(k, v, level)) >> k.geo().page_shift;
}
u64 large_pgprot(const Kernel& k, u64 v, unsigned level) {
  return v & ~large_pfn_mask(k, v, level);
}
// pfn_pmd/pfn_pud.
u64 pfn_large(const Kernel& k, u64 pfn, u64 prot, unsigned level) {
  u64 phys = pfn << k.geo().page_shift;
  phys ^= protnone_mask(prot);
  phys &= physical_large_mask(k, level);
  return phys | prot;
}

// set_pte/set_pte_atomic/set_pmd/set_pud and __set_pmd_pte (64-bit: init_mm
// only): one descriptor store.
void store(Kernel& k, u64* entry, u64 v) {
  k.pool().store(entry, v);
  ++k.counters().descriptors_written;
}

// __cpa_pfn_in_highmap(): no pfn of the model is part of the kernel image.
bool cpa_pfn_in_highmap(u64) { return false; }

// static_protections(): what it forbids concerns the kernel image's text,
// rodata and the PCI BIOS area (32-bit), none of which the model's VAs or
// pfns are: it returns `prot` unchanged (docs/pageattr.md).
u64 static_protections(u64 prot) { return prot; }

// verify_rwx(): a change that makes a leaf writable and executable, where
// the tables above allow both, WARNs once and goes ahead (the model's CPUs
// support NX). 6.1's early return while booting never applies here.
u64 verify_rwx(Kernel& k, u64 old_prot, u64 new_prot, VirtAddr start, bool nx, bool rw) {
  if (!((old_prot ^ new_prot) & (PAGE_RW | PAGE_NX))) return new_prot;
  if ((new_prot & (PAGE_RW | PAGE_NX)) != PAGE_RW) return new_prot;
  if (!rw || nx) return new_prot;
  k.warn_once(WarnId::cpa_wx_violation, start);
  return new_prot;
}

u64 pgprot_clear_protnone_bits(u64 prot) {
  if (!(prot & PAGE_PRESENT)) prot &= ~PAGE_GLOBAL;
  return prot;
}

// `*rw &= pXd_flags(*pXd) & _PAGE_RW`, as lookup_address_in_pgd_attr()
// writes it: a bool compound-assigned with an unsigned long. The bool
// promotes to 1 and _PAGE_RW is bit 1, so `1 & 2` is 0 whatever the entry
// holds, and rw is false from the first level on. verify_rwx() then never
// WARNs: a finding of the real trees, mirrored here (docs/pageattr.md,
// "x86-64", and docs/kernel-trees.md).
void and_rw(bool* rw, u64 entry) { *rw = (u64{*rw} & (entry & PAGE_RW)) != 0; }

// lookup_address_in_pgd_attr() on init_mm: the entry mapping `address`
// (a PTE, or a PUD/PMD entry that is a leaf or not present), its level,
// and the NX and RW bits of the tables above it; nullptr at a none entry.
u64* lookup_address_in_pgd_attr(Kernel& k, VirtAddr address, unsigned* level, bool* nx, bool* rw) {
  const Geometry& g = k.geo();
  pgd_t* pgd = pgd_offset_k(k, address);
  *level = PG_LEVEL_256T;
  *nx = false;
  *rw = true;
  if (lvl_none(g, PgLevel::pgd, *pgd)) return nullptr;
  *level = PG_LEVEL_512G;
  *nx |= (*pgd & PAGE_NX) != 0;
  and_rw(rw, *pgd);
  p4d_t* p4d = p4d_offset(k, pgd, address);
  if (!p4d) return nullptr;
  if (lvl_none(g, PgLevel::p4d, *p4d)) return nullptr;
  // p4d_leaf() is false on x86.
  if (!lvl_present(g, PgLevel::p4d, *p4d)) return p4d;
  *level = PG_LEVEL_1G;
  *nx |= (*p4d & PAGE_NX) != 0;
  and_rw(rw, *p4d);
  pud_t* pud = pud_offset(k, p4d, address);
  if (!pud) return nullptr;
  if (lvl_none(g, PgLevel::pud, *pud)) return nullptr;
  if (pxd_leaf(*pud) || !lvl_present(g, PgLevel::pud, *pud)) return pud;
  *level = PG_LEVEL_2M;
  *nx |= (*pud & PAGE_NX) != 0;
  and_rw(rw, *pud);
  pmd_t* pmd = pmd_offset(k, pud, address);
  if (!pmd) return nullptr;
  if (lvl_none(g, PgLevel::pmd, *pmd)) return nullptr;
  if (pxd_leaf(*pmd) || !lvl_present(g, PgLevel::pmd, *pmd)) return pmd;
  *level = PG_LEVEL_4K;
  *nx |= (*pmd & PAGE_NX) != 0;
  and_rw(rw, *pmd);
  return pte_offset_kernel(k, pmd, address);
}

VirtAddr cpa_addr(const Kernel& k, const CpaData& cpa, u64 idx) {
  return cpa.vaddr + idx * page_size(k);
}

int cpa_process_fault(Kernel& k, CpaData* cpa, VirtAddr vaddr, bool primary) {
  // cpa->pgd is NULL: no populate_pgd().
  if (!primary) {
    cpa->numpages = 1;
    return 0;
  }
  // The model's VAs are never in the direct map [PAGE_OFFSET, ...).
  if (cpa_pfn_in_highmap(cpa->pfn)) return -kEFAULT;
  k.warn(WarnId::cpa_zero_pte, vaddr);
  return -kEFAULT;
}

// __should_split_large_page (the pgd_lock taken by should_split_large_page
// is not modelled): 0 when the large page was kept (as it was, or
// rewritten whole), 1 when it must be split, -EINVAL for a level that has
// no large pages.
int should_split_large_page(Kernel& k, u64* kpte, VirtAddr address, CpaData* cpa) {
  if (cpa->force_split) return 1;
  unsigned level = PG_LEVEL_NONE;
  bool nx = false, rw = true;
  const u64* tmp = lookup_address_in_pgd_attr(k, address, &level, &nx, &rw);
  if (tmp != kpte) return 1;
  if (level != PG_LEVEL_2M && level != PG_LEVEL_1G) return -kEINVAL;
  const u64 old_prot = large_pgprot(k, *kpte, level);
  const u64 old_pfn = large_pfn(k, *kpte, level);
  const unsigned shift = k.geo().page_shift;
  const u64 psize = level == PG_LEVEL_1G ? k.geo().pud_size() : k.geo().pmd_size();
  const u64 pmask = ~(psize - 1);

  // The pages of the large page from `address` on.
  u64 lpaddr = (address.v + psize) & pmask;
  u64 numpages = (lpaddr - address.v) >> shift;
  if (numpages < cpa->numpages) cpa->numpages = numpages;

  u64 req_prot = protval_large_2_4k(old_prot);
  req_prot &= ~cpa->mask_clr;
  req_prot |= cpa->mask_set;
  req_prot = protval_4k_2_large(req_prot);
  req_prot = pgprot_clear_protnone_bits(req_prot);
  if (req_prot & PAGE_PRESENT) req_prot |= PAGE_PSE;

  cpa->pfn = old_pfn + ((address.v & (psize - 1)) >> shift);

  lpaddr = address.v & pmask;
  numpages = psize >> shift;

  if (static_protections(old_prot) != old_prot) {
    k.warn_once(WarnId::cpa_static_prot_conflict, address);
    cpa->force_static_prot = true;
    return 1;
  }
  // The same protection: the large page stays, whatever the range.
  if (req_prot == old_prot) return 0;
  // The range does not cover the whole large page: split it.
  if (address.v != lpaddr || cpa->numpages != numpages) return 1;
  u64 new_prot = static_protections(req_prot);
  new_prot = verify_rwx(k, old_prot, new_prot, VirtAddr{lpaddr}, nx, rw);
  if (req_prot != new_prot) return 1;
  store(k, kpte, pfn_pte_(k, old_pfn, new_prot));  // __set_pmd_pte
  cpa->flags |= CPA_FLUSHTLB;
  return 0;
}

// __split_large_page: the table `base` gets PTRS_PER_PTE entries of the
// next size with the large page's protection, replaces it, and the whole
// TLB is flushed before the change goes on. 1 if the entry is no longer a
// large page (not reachable single-threaded).
int split_large_page_(Kernel& k, CpaData* cpa, u64* kpte, VirtAddr address, PhysAddr base) {
  unsigned level = PG_LEVEL_NONE;
  bool nx = false, rw = true;
  const u64* tmp = lookup_address_in_pgd_attr(k, address, &level, &nx, &rw);
  if (tmp != kpte) return 1;
  const Geometry& g = k.geo();
  u64 ref_prot = 0, ref_pfn = 0, pfninc = 1;
  switch (level) {
    case PG_LEVEL_2M:
      ref_prot = protval_large_2_4k(large_pgprot(k, *kpte, level));
      ref_pfn = large_pfn(k, *kpte, level);
      break;
    case PG_LEVEL_1G:
      ref_prot = large_pgprot(k, *kpte, level);
      ref_pfn = large_pfn(k, *kpte, level);
      pfninc = g.pmd_size() >> g.page_shift;
      // A not-present PS bit would make the new PMD entries present.
      if (!(ref_prot & PAGE_PRESENT)) ref_prot &= ~PAGE_PSE;
      break;
    default: return 1;
  }
  ref_prot = pgprot_clear_protnone_bits(ref_prot);
  u64* pbase = k.pool().table(base);
  // split_set_pte(): with force_static_prot, each entry's protection goes
  // through static_protections() again (a no-op in the model).
  const u64 prot = cpa->force_static_prot ? static_protections(ref_prot) : ref_prot;
  u64 pfn = ref_pfn;
  for (unsigned i = 0; i < g.ptrs_per_table(); ++i, pfn += pfninc)
    store(k, pbase + i, pfn_pte_(k, pfn, prot));
  store(k, kpte, (base.v & PTE_PFN_MASK) | KERNPG_TABLE);  // mk_pte(base, _KERNPG_TABLE)
  k.flush(FlushKind::tlb_all, VirtAddr{0}, VirtAddr{0});
  return 0;
}

// split_large_page: 6.12 and 6.1 take the table from alloc_pages(GFP_KERNEL,
// 0), the 2026 trees from pagetable_alloc(); both are table-pool pages here
// (fail_alloc fails them).
int split_large_page(Kernel& k, CpaData* cpa, u64* kpte, VirtAddr address) {
  const PhysAddr base = pgtable_alloc_kernel(k);
  if (base.v == 0) return -kENOMEM;
  if (split_large_page_(k, cpa, kpte, address, base)) {
    k.pool().free(base);
    ++k.out().tables_freed;
  }
  return 0;
}

int change_page_attr(Kernel& k, CpaData* cpa, bool primary) {
  const VirtAddr address = cpa_addr(k, *cpa, cpa->curpage);
  for (;;) {  // repeat:
    unsigned level = PG_LEVEL_NONE;
    bool nx = false, rw = true;
    u64* kpte = lookup_address_in_pgd_attr(k, address, &level, &nx, &rw);
    if (k.bugged()) return -kBUGGED;
    if (!kpte) return cpa_process_fault(k, cpa, address, primary);
    const u64 old_pte = *kpte;
    if (pte_none(k.geo(), old_pte)) return cpa_process_fault(k, cpa, address, primary);
    if (level == PG_LEVEL_4K) {
      const u64 old_prot = pte_flags(old_pte);
      u64 new_prot = old_prot;
      const u64 pfn = pte_pfn_(k, old_pte);
      new_prot &= ~cpa->mask_clr;
      new_prot |= cpa->mask_set;
      new_prot = static_protections(new_prot);
      new_prot = verify_rwx(k, old_prot, new_prot, address, nx, rw);
      new_prot = pgprot_clear_protnone_bits(new_prot);
      const u64 new_pte = pfn_pte_(k, pfn, new_prot);
      cpa->pfn = pfn;
      if (old_pte != new_pte) {
        store(k, kpte, new_pte);  // set_pte_atomic
        cpa->flags |= CPA_FLUSHTLB;
      }
      cpa->numpages = 1;
      return 0;
    }
    const int do_split = should_split_large_page(k, kpte, address, cpa);
    if (do_split <= 0) return do_split;
    if (const int err = split_large_page(k, cpa, kpte, address)) return err;
  }
}

// cpa_process_alias(): a page the direct map also maps (RAM) has its
// direct-map alias changed too (6.12 on: with the NX bits taken out of the
// masks), which forces a flush of the whole TLB at the end. The model has
// no direct-map tables: that walk finds a none entry at every page and,
// not being primary, passes over each; it changes nothing and returns 0.
int cpa_process_alias(Kernel& k, CpaData* cpa) {
  if (!pfn_range_is_mapped(k, cpa->pfn)) return 0;
  // cpa_addr(cpa->curpage) is not in the direct map: the alias is redone.
  cpa->force_flush_all = true;
  // The high kernel mapping: no pfn of the model is in the kernel image.
  return 0;
}

int change_page_attr_set_clr_(Kernel& k, CpaData* cpa, bool primary) {
  const u64 numpages = cpa->numpages;
  u64 rempages = numpages;
  int ret = 0;
  // "No changes, easy!" (6.12 on): the primary call never gets here
  // without masks.
  if (!era_6_1(k) && !(cpa->mask_set | cpa->mask_clr) && !cpa->force_split) return 0;
  while (rempages) {
    cpa->numpages = rempages;
    ret = change_page_attr(k, cpa, primary);
    if (ret) break;
    // 6.1 passes checkalias as `primary`; both mean the same here.
    if (primary && !(cpa->flags & CPA_NO_CHECK_ALIAS)) {
      ret = cpa_process_alias(k, cpa);
      if (ret) break;
    }
    if (cpa->numpages > rempages || !cpa->numpages)
      return k.bug(BugId::cpa_numpages, cpa_addr(k, *cpa, cpa->curpage));
    rempages -= cpa->numpages;
    cpa->curpage += cpa->numpages;
  }
  cpa->numpages = numpages;
  return ret;
}

// The page tables a collapse unlinked, with the level of their entries.
using Pgtables = std::vector<std::pair<PhysAddr, PgLevel>>;

// collapse_pmd_page (2026): a PTE table whose entries map one naturally
// aligned physically contiguous 2M with identical flags becomes a PMD
// large page; the table is queued for freeing after the TLB flush.
int collapse_pmd_page(Kernel& k, pmd_t* pmd, VirtAddr addr, Pgtables* pgtables) {
  const Geometry& g = k.geo();
  if (k.config().nopse) return 0;  // cpu_feature_enabled(X86_FEATURE_PSE)
  addr = VirtAddr{addr.v & ~(g.pmd_size() - 1)};
  pte_t* pte = pte_offset_kernel(k, pmd, addr);
  if (!pte) return 0;
  const pte_t first = *pte;
  const u64 pfn = pte_pfn_(k, first);
  if ((pfn << g.page_shift) & (g.pmd_size() - 1)) return 0;
  if (pte_flags(first) & PAGE_KERNEL_4K) return 0;
  ++pte;
  for (unsigned i = 1; i < g.ptrs_per_table(); ++i, ++pte) {
    const pte_t entry = *pte;
    if (!pte_present(g, entry)) return 0;
    if (pte_flags(entry) != pte_flags(first)) return 0;
    if (pte_pfn_(k, entry) != pfn + i) return 0;
  }
  const pmd_t old_pmd = *pmd;
  const u64 pgprot = protval_4k_2_large(pte_flags(first)) | PAGE_PSE;
  store(k, pmd, pfn_large(k, pfn, pgprot, PG_LEVEL_2M));                  // set_pmd
  pgtables->push_back({PhysAddr{old_pmd & PTE_PFN_MASK}, PgLevel::pte});  // pmd_page(old_pmd)
  return 1;
}

// collapse_pud_page (2026): a PMD table of 2M large pages mapping one
// naturally aligned contiguous 1G with identical flags becomes a PUD one.
int collapse_pud_page(Kernel& k, pud_t* pud, VirtAddr addr, Pgtables* pgtables) {
  const Geometry& g = k.geo();
  // direct_gbpages: the CPU has 1G pages and nogbpages is not given.
  if (!x86::arch_vmap_pud_supported(k, pgprot_t{})) return 0;
  addr = VirtAddr{addr.v & ~(g.pud_size() - 1)};
  pmd_t* pmd = pmd_offset(k, pud, addr);
  if (!pmd) return 0;
  const pmd_t first = *pmd;
  const u64 pfn = large_pfn(k, first, PG_LEVEL_2M);
  if (!pxd_leaf(first) || ((pfn << g.page_shift) & (g.pud_size() - 1))) return 0;
  const u64 step = g.pmd_size() >> g.page_shift;
  ++pmd;
  for (unsigned i = 1; i < g.ptrs_per_table(); ++i, ++pmd) {
    const pmd_t entry = *pmd;
    if (!pxd_present(PgLevel::pmd, entry) || !pxd_leaf(entry)) return 0;
    if (large_pgprot(k, entry, PG_LEVEL_2M) != large_pgprot(k, first, PG_LEVEL_2M)) return 0;
    if (large_pfn(k, entry, PG_LEVEL_2M) != pfn + i * step) return 0;
  }
  pgtables->push_back({PhysAddr{*pud & PTE_PFN_MASK}, PgLevel::pmd});  // pud_page(*pud)
  store(k, pud, pfn_large(k, pfn, large_pgprot(k, first, PG_LEVEL_2M), PG_LEVEL_1G));
  return 1;
}

int collapse_large_pages(Kernel& k, VirtAddr addr, Pgtables* pgtables) {
  const Geometry& g = k.geo();
  addr = VirtAddr{addr.v & ~(g.pmd_size() - 1)};
  pgd_t* pgd = pgd_offset_k(k, addr);
  if (lvl_none(g, PgLevel::pgd, *pgd)) return 0;
  p4d_t* p4d = p4d_offset(k, pgd, addr);
  if (!p4d || lvl_none(g, PgLevel::p4d, *p4d)) return 0;
  pud_t* pud = pud_offset(k, p4d, addr);
  if (!pud || !lvl_present(g, PgLevel::pud, *pud) || pxd_leaf(*pud)) return 0;
  pmd_t* pmd = pmd_offset(k, pud, addr);
  if (!pmd || !lvl_present(g, PgLevel::pmd, *pmd) || pxd_leaf(*pmd)) return 0;
  int collapsed = collapse_pmd_page(k, pmd, addr, pgtables);
  if (collapsed) collapsed += collapse_pud_page(k, pud, addr, pgtables);
  return collapsed;
}

void cpa_collapse_large_pages(Kernel& k, const CpaData& cpa) {
  const Geometry& g = k.geo();
  Pgtables pgtables;
  int collapsed = 0;
  const VirtAddr addr = cpa_addr(k, cpa, 0);
  const u64 start = addr.v & ~(g.pmd_size() - 1);
  const u64 end = addr.v + page_size(k) * cpa.numpages;
  for (u64 a = start; a >= start && a < end; a += g.pmd_size())  // within(addr, start, end)
    collapsed += collapse_large_pages(k, VirtAddr{a}, &pgtables);
  if (!collapsed) return;
  k.flush(FlushKind::tlb_all, VirtAddr{0}, VirtAddr{0});
  // list_add() queues at the head: the last table queued is freed first.
  for (auto it = pgtables.rbegin(); it != pgtables.rend(); ++it) {
    k.pool().free(it->first);  // pagetable_free
    ++k.out().tables_freed;
    ++(it->second == PgLevel::pte ? k.counters().pte_tables_freed : k.counters().pmd_tables_freed);
  }
}

// cpa_flush() with cache = 0: no op of the model sets a caching attribute.
void cpa_flush(Kernel& k, const CpaData& cpa) {
  if (cpa.force_flush_all || cpa.numpages > tlb_single_page_flush_ceiling) {
    k.flush(FlushKind::tlb_all, VirtAddr{0}, VirtAddr{0});
  } else {
    for (u64 i = 0; i < cpa.numpages; ++i) {
      const VirtAddr a = cpa_addr(k, cpa, i);
      k.flush(FlushKind::tlb_one_kernel, a, a);
    }
  }
  if (cpa.flags & CPA_COLLAPSE) cpa_collapse_large_pages(k, cpa);
}

}  // namespace

// The direct map covers the memory the page allocator hands out,
// [kPageAllocBasePfn, phys_limit); what lies below is the model's MMIO hole
// (docs/pageattr.md).
bool pfn_range_is_mapped(const Kernel& k, u64 pfn) {
  return pfn >= common::kPageAllocBasePfn && k.pfn_valid(pfn);
}

int change_page_attr_set_clr(Kernel& k, VirtAddr addr, int numpages, u64 mask_set, u64 mask_clr,
                             bool force_split, unsigned in_flag) {
  // canon_pgprot(): every bit is supported.
  if (!mask_set && !mask_clr && !force_split) return 0;
  if (!is_aligned(addr, page_size(k))) {
    addr = VirtAddr{addr.v & ~(page_size(k) - 1)};
    k.warn_once(WarnId::cpa_unaligned, addr);
  }
  // kmap_flush_unused() and vm_unmap_aliases(): nothing to do, the model
  // purges a freed area's TLB entries when it frees it.
  CpaData cpa;
  cpa.vaddr = addr;
  cpa.numpages = static_cast<u64>(static_cast<long>(numpages));
  cpa.mask_set = mask_set;
  cpa.mask_clr = mask_clr;
  cpa.flags = in_flag;
  cpa.force_split = force_split;
  // 6.1 skips the alias (and treats holes as not primary) for a change of
  // NX alone.
  const bool primary = !era_6_1(k) || (mask_set | mask_clr) != PAGE_NX;
  const int ret = change_page_attr_set_clr_(k, &cpa, primary);
  if (k.bugged()) return -kBUGGED;
  if (!(cpa.flags & CPA_FLUSHTLB)) return ret;
  if (ret) {
    k.flush(FlushKind::tlb_all, VirtAddr{0}, VirtAddr{0});  // cpa_flush_all(0)
    return ret;
  }
  cpa_flush(k, cpa);
  return ret;
}

int set_memory_x(Kernel& k, VirtAddr addr, int numpages) {
  return change_page_attr_set_clr(k, addr, numpages, 0, PAGE_NX, false, 0);
}
int set_memory_nx(Kernel& k, VirtAddr addr, int numpages) {
  return change_page_attr_set_clr(k, addr, numpages, PAGE_NX, 0, false, 0);
}
int set_memory_ro(Kernel& k, VirtAddr addr, int numpages) {
  // 6.12 on also clears _PAGE_DIRTY.
  const u64 clr = era_6_1(k) ? PAGE_RW : PAGE_RW | PAGE_DIRTY;
  return change_page_attr_set_clr(k, addr, numpages, 0, clr, false, 0);
}
int set_memory_rox(Kernel& k, VirtAddr addr, int numpages) {
  const u64 clr = PAGE_RW | PAGE_DIRTY | PAGE_NX;
  return change_page_attr_set_clr(k, addr, numpages, 0, clr, false, era_2026(k) ? CPA_COLLAPSE : 0);
}
int set_memory_rw(Kernel& k, VirtAddr addr, int numpages) {
  return change_page_attr_set_clr(k, addr, numpages, PAGE_RW, 0, false, 0);
}
int set_memory_np(Kernel& k, VirtAddr addr, int numpages) {
  return change_page_attr_set_clr(k, addr, numpages, 0, PAGE_PRESENT, false, 0);
}
int set_memory_p(Kernel& k, VirtAddr addr, int numpages) {
  return change_page_attr_set_clr(k, addr, numpages, PAGE_PRESENT, 0, false, 0);
}

}  // namespace vmapfuzz::engine::x86
