// SPDX-License-Identifier: GPL-2.0-only
// The host side of the kernel implementation: the vmapfuzz_host_* callbacks
// the shims call (table pool, page allocator, vm area list, recorder) and
// the harness Backend that runs ops through the tree's own functions.
//
// Which kernel function carries out an op:
//   ioremap            the engine's vm area model reserves the area, then the
//                      tree's ioremap_page_range(); on failure the area is
//                      freed again (as ioremap_prot() does)
//   ioremap_page_range the tree's ioremap_page_range()
//   vmap_page_range    the tree's vmap_page_range()
//   vunmap_range       the tree's vunmap_range()
//   iounmap, vunmap,   the vm area model removes the area, then the tree's
//   vfree              vunmap_range_noflush() over it, guard page included
//   vmap               the tree's vmap() (its get_vm_area_caller() and
//                      vunmap() come back here)
//   vmalloc            __vmalloc_node_range_noprof()'s choice of shift,
//                      alignment and retry as in the engine's era variant,
//                      then the tree's __vmalloc_area_node() with its
//                      vm_area_alloc_pages() over the page allocator model
//   fail_alloc,        arm the table pool / page allocator
//   fail_page_alloc
//   set_memory         arm64: the tree's set_memory_ro/rw/x/nx/valid()
//                      (arch/arm64/mm/pageattr.c) over its apply_to_page_range()
//                      (mm/memory.c) or, 2026, split_kernel_leaf_mapping()
//                      (mmu.c) and walk_kernel_page_table_range_lockless()
//                      (mm/pagewalk.c); x86-64: the tree's set_memory_ro/rw/x/
//                      nx/p/np() (arch/x86/mm/pat/set_memory.c); at the
//                      address the harness passes (unaligned: va +
//                      harness::kSetMemoryUnalignedOffset); rox is the
//                      tree's or the generic ro then x (kentry.c)
#include "kernel/bridge.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "engine/arch.h"
#include "engine/pageattr.h"
#include "engine/vmap_pages.h"
#include "engine/vunmap.h"
#include "harness/visit.h"
#include "kernel/shim/kshim_host.h"

namespace vmapfuzz::kernel {

using engine::BugId;
using engine::FlushKind;
using engine::Kernel;
using engine::Outcome;
using engine::PhysAddr;
using engine::u64;
using engine::VirtAddr;
using engine::WarnId;
using harness::Op;
using harness::OpKind;

namespace {

// The call in flight. The kernel code is single-threaded and not
// re-entrant across kernels, like the engine.
struct Context {
  Kernel* k = nullptr;
  TreeBackend* self = nullptr;
  const vmapfuzz_kops* ops = nullptr;  // the build for k's geometry
  u64 hint = 0;                        // the op's VA: where get_vm_area_caller() places an area
};
thread_local Context g_ctx;

struct Site {
  const char* func;
  const char* text;  // substring of the condition or format
  WarnId id;
};
// WARN sites of the trees' functions, by function and condition/format.
constexpr Site kWarnSites[] = {
    {"vmap_pte_range", "PAGE_ALIGNED", WarnId::vmap_pte_range_size_unaligned},
    {"ioremap_page_range", "VM_IOREMAP", WarnId::ioremap_area_not_ioremap},
    {"ioremap_page_range", "match", WarnId::ioremap_range_mismatch},
    {"vunmap_pud_range", "PUD_SIZE", WarnId::vunmap_pud_partial_block},
    {"vunmap_pmd_range", "PMD_SIZE", WarnId::vunmap_pmd_partial_block},
    {"vunmap_pte_range", "IS_ALIGNED", WarnId::vunmap_pte_cont_misaligned},
    {"vunmap_pte_range", "end - addr", WarnId::vunmap_pte_cont_partial},
    {"vunmap_pte_range", "pte_present", WarnId::vunmap_pte_not_present},
    {"num_contig_ptes", "", WarnId::num_contig_ptes_bad_size},
    {"pmd_free_pte_page", "", WarnId::pmd_free_pte_page_not_table},
    // 2026 trees: the check moved into the helper pud_free_pmd_page shares.
    {"__pmd_free_pte_page", "", WarnId::pmd_free_pte_page_not_table},
    {"pud_free_pmd_page", "", WarnId::pud_free_pmd_page_not_table},
    {"arch_make_huge_pte", "", WarnId::arch_make_huge_pte_bad_size},
    {"pmd_clear_bad", "", WarnId::pmd_bad},
    {"pud_clear_bad", "", WarnId::pud_bad},
    {"p4d_clear_bad", "", WarnId::p4d_bad},
    {"pgd_clear_bad", "", WarnId::pgd_bad},
    {"vmap_pages_pte_range", "pte_none", WarnId::vmap_pages_pte_busy},
    {"vmap_pages_pte_range", "!page", WarnId::vmap_pages_pte_null_page},
    {"vmap_pages_pte_range", "pfn_valid", WarnId::vmap_pages_pte_invalid_pfn},
    {"vmap_pages_pmd_range", "!page", WarnId::vmap_pages_pmd_null_page},
    {"vmap_pages_pmd_range", "pfn_valid", WarnId::vmap_pages_pmd_invalid_pfn},
    {"", "failed to allocate pages", WarnId::vmalloc_pages_failed},
    {"", "failed to map pages", WarnId::vmalloc_map_failed},
    {"", "vm_struct allocation failed", WarnId::vmalloc_area_failed},
    // The pageattr unit (arch/arm64/mm/pageattr.c, mm/memory.c of 6.12 and 6.1).
    {"change_memory_common", "", WarnId::change_memory_common_unaligned},
    {"__apply_to_page_range", "addr >= end", WarnId::apply_to_page_range_empty},
    {"apply_to_pud_range", "pud_leaf", WarnId::apply_to_pud_range_leaf},
    {"apply_to_pmd_range", "pmd_leaf", WarnId::apply_to_pmd_range_leaf},
    {"__apply_to_page_range", "pgd_bad", WarnId::apply_to_page_range_bad},
    {"apply_to_p4d_range", "p4d_bad", WarnId::apply_to_page_range_bad},
    {"apply_to_pud_range", "pud_bad", WarnId::apply_to_page_range_bad},
    {"apply_to_pmd_range", "pmd_bad", WarnId::apply_to_page_range_bad},
    // The pageattr unit of the 2026 trees (split_kernel_leaf_mapping, mm/pagewalk.c).
    {"pageattr_pud_entry", "PUD_SIZE", WarnId::pageattr_pud_entry_partial},
    {"pageattr_pmd_entry", "PMD_SIZE", WarnId::pageattr_pmd_entry_partial},
    {"update_range_prot", "ret", WarnId::update_range_prot_split_failed},
    // The pageattr-x86 unit (arch/x86/mm/pat/set_memory.c).
    {"change_page_attr_set_clr", "1", WarnId::cpa_unaligned},
    {"__cpa_process_fault", "zero pte", WarnId::cpa_zero_pte},
    {"verify_rwx", "W^X", WarnId::cpa_wx_violation},
    {"__should_split_large_page", "old_prot", WarnId::cpa_static_prot_conflict},
};

// Messages the engine does not count as WARNs: x86's pmd_set_huge()
// pr_warn_once()s when MTRRs refuse a block (engine/arch_x86.cc counts the
// refusal in Counters::set_huge_refused instead).
constexpr Site kNotWarnSites[] = {
    {"pmd_set_huge", "MTRR override", WarnId::kernel_unrecognised},
};

struct BugSite {
  const char* func;
  const char* text;
  BugId id;
};
constexpr BugSite kBugSites[] = {
    {"vmap_pte_range", "BUG()", BugId::vmap_pte_range_remap},
    {"vmap_pte_range", "!pte_none", BugId::vmap_pte_range_remap},  // 6.1: BUG_ON(!pte_none(*pte))
    {"", "addr >= end", BugId::range_addr_ge_end},
    {"", "PMD_MASK", BugId::set_huge_unaligned_phys},
    {"", "PUD_MASK", BugId::set_huge_unaligned_phys},
    {"__change_page_attr_set_clr", "rempages", BugId::cpa_numpages},
};

enum vmapfuzz_set_memory set_memory_mode(common::SetMemoryMode m) {
  switch (m) {
    case common::SetMemoryMode::ro: return VMAPFUZZ_SET_MEMORY_RO;
    case common::SetMemoryMode::rw: return VMAPFUZZ_SET_MEMORY_RW;
    case common::SetMemoryMode::x: return VMAPFUZZ_SET_MEMORY_X;
    case common::SetMemoryMode::nx: return VMAPFUZZ_SET_MEMORY_NX;
    case common::SetMemoryMode::rox: return VMAPFUZZ_SET_MEMORY_ROX;
    case common::SetMemoryMode::valid: return VMAPFUZZ_SET_MEMORY_VALID;
    case common::SetMemoryMode::invalid: return VMAPFUZZ_SET_MEMORY_INVALID;
  }
  return VMAPFUZZ_SET_MEMORY_RO;
}

bool site_matches(const char* site_func, const char* site_text, const char* func,
                  const char* text) {
  return (!*site_func || std::strcmp(site_func, func) == 0) && std::strstr(text, site_text);
}

}  // namespace

// ------------------------------------------------------------ the backend

TreeBackend::TreeBackend(Info info) : info_(std::move(info)) {}

TreeBackend::~TreeBackend() {
  for (auto& [addr, h] : handles_) h.ops->area_release(h.handle);
}

const vmapfuzz_kops* TreeBackend::ops_for(const engine::Geometry& g) const {
  for (const vmapfuzz_kops* o : info_.ops)
    if (g.name == o->geometry) return o;
  return nullptr;
}

bool TreeBackend::supports_geometry(const engine::Geometry& g) const {
  return ops_for(g) != nullptr;
}

// Every geometry's build holds the same units: the first answers.
bool TreeBackend::supports(OpKind kind, const engine::Geometry& g) const {
  const vmapfuzz_kops* o = info_.ops.empty() ? nullptr : info_.ops.front();
  switch (kind) {
    case OpKind::vmap: return o && o->has_vmap() != 0;
    case OpKind::vmalloc: return o && o->has_vmalloc() != 0;
    // arm64's pageattr.c, walking with apply_to_page_range() (6.12, 6.1)
    // or walk_kernel_page_table_range_lockless() (2026; kernel/extract.py's
    // pageattr unit); x86-64's CPA of arch/x86/mm/pat/set_memory.c
    // (pageattr-x86). Each architecture's build answers for its own.
    case OpKind::set_memory: {
      const vmapfuzz_kops* og = ops_for(g);
      return og && og->has_pageattr() != 0;
    }
    case OpKind::vmap_page_range: return info_.has_vmap_page_range;
    case OpKind::ioremap:
    case OpKind::ioremap_page_range:
    case OpKind::iounmap:
    case OpKind::vunmap_range:
    case OpKind::fail_alloc:
    case OpKind::vfree:
    case OpKind::vunmap:
    case OpKind::fail_page_alloc: return true;
  }
  return false;
}

bool TreeBackend::ret_is_pointer(OpKind kind) const {
  return kind == OpKind::vmap || kind == OpKind::vmalloc;
}

std::string TreeBackend::describe() const { return info_.description; }

void TreeBackend::note_unrecognised(const char* func, const char* text) {
  if (unrecognised_.insert(std::string(func) + ": " + text).second)
    std::fprintf(stderr, "vmapfuzz: kernel: WARN/BUG site without a name in %s: %s\n", func, text);
}

void* TreeBackend::handle_for(Kernel& k, const engine::VmArea& a) {
  auto it = handles_.find(a.addr.v);
  if (it != handles_.end() && it->second.size == a.size && it->second.flags == a.flags &&
      it->second.kernel == &k)
    return it->second.handle;
  if (it != handles_.end()) {
    it->second.ops->area_release(it->second.handle);
    handles_.erase(it);
  }
  void* h = g_ctx.ops->area_new(a.addr.v, a.size, a.flags);
  handles_[a.addr.v] = {h, a.size, a.flags, &k, g_ctx.ops};
  return h;
}

void TreeBackend::release_handle(u64 addr) {
  auto it = handles_.find(addr);
  if (it == handles_.end()) return;
  it->second.ops->area_release(it->second.handle);
  handles_.erase(it);
}

void TreeBackend::sync_handles(Kernel& k) {
  for (auto it = handles_.begin(); it != handles_.end();) {
    const engine::VmArea* a = k.find_vm_area(VirtAddr{it->first});
    if (a && a->addr.v == it->first && a->size == it->second.size && it->second.kernel == &k &&
        it->second.ops == g_ctx.ops) {
      ++it;
      continue;
    }
    it->second.ops->area_release(it->second.handle);
    it = handles_.erase(it);
  }
}

// vunmap()/vfree()/iounmap(): the vm area model removes the area, the
// tree's vunmap_range_noflush() clears it (as free_unmap_vmap_area() does).
void TreeBackend::free_area(Kernel& k, u64 addr, bool is_vfree) {
  engine::VmArea* area = k.find_vm_area(VirtAddr{addr});
  if (!area) {
    k.warn(is_vfree ? WarnId::vfree_nonexistent_area : WarnId::vunmap_nonexistent_area,
           VirtAddr{addr});
    return;
  }
  const u64 start = area->addr.v, end = area->addr.v + area->size;
  k.areas().erase(k.areas().begin() + (area - k.areas().data()));
  k.flush(FlushKind::cache_vunmap, VirtAddr{start}, VirtAddr{end});
  g_ctx.ops->vunmap_range_noflush(start, end);
  if (k.bugged()) return;
  k.flush(FlushKind::tlb_lazy_purge, VirtAddr{start}, VirtAddr{end});
  release_handle(start);
}

// __vmalloc_node_range_noprof() around the tree's __vmalloc_area_node():
// the shift, alignment and rounding of the era, the area, the retry with
// small pages.
int TreeBackend::vmalloc(Kernel& k, const harness::VmallocOp& o) {
  const engine::Geometry& g = k.geo();
  const engine::pgprot_t prot = engine::prot_value(k.geo(), o.prot);
  const u64 real_size = (o.size + g.page_size() - 1) & ~(g.page_size() - 1);
  unsigned shift = g.page_shift;
  u64 align = g.page_size(), size = real_size;
  if (k.vmap_allow_huge() && o.huge) {
    shift = engine::vm_shift(k, prot, o.size);  // the caller's size, not rounded
    align = std::max(g.page_size(), u64{1} << shift);
    size = (real_size + (u64{1} << shift) - 1) & ~((u64{1} << shift) - 1);
  }
  int err = 0;
  for (;;) {
    // vmalloc_huge() passes VM_ALLOW_HUGE_VMAP whether or not huge
    // mappings are allowed (engine/vmalloc.cc).
    engine::VmArea* area =
        engine::get_vm_area_aligned(k, VirtAddr{o.va}, size, align,
                                    engine::VM_ALLOC | (o.huge ? engine::VM_ALLOW_HUGE_VMAP : 0u));
    if (!area) {
      k.warn(WarnId::vmalloc_area_failed, VirtAddr{o.va});  // warn_alloc()
      err = -engine::kENOMEM;
    } else {
      void* h = handle_for(k, *area);
      u64 out = 0;
      err = g_ctx.ops->vmalloc_area_node(h, prot.v, shift, &out);
      if (k.bugged()) return -engine::kBUGGED;
      if (!err) return 0;
    }
    if (shift <= g.page_shift) return err;
    shift = g.page_shift;
    align = g.page_size();
    size = real_size;
  }
}

Outcome TreeBackend::execute(Kernel& k, const Op& op) {
  k.out().clear();
  g_ctx = {&k, this, ops_for(k.geo()), 0};
  if (!g_ctx.ops) {
    // The runner asks supports_geometry() first; a direct caller gets BUGGED.
    k.out().ret = -engine::kBUGGED;
    g_ctx = {};
    return k.out();
  }
  sync_handles(k);
  using harness::Overloaded;
  int ret = std::visit(
      Overloaded{
          [&](const harness::IoremapOp& o) {
            engine::VmArea* area = engine::get_vm_area_at(k, {o.va}, o.size, engine::VM_IOREMAP);
            if (!area) return -engine::kENOMEM;
            const int r = g_ctx.ops->ioremap_page_range(o.va, o.va + o.size, o.pa,
                                                        engine::prot_value(k.geo(), o.prot).v);
            // free_vm_area(): the same unmap as vunmap, through the tree.
            if (r != 0 && !k.bugged()) free_area(k, o.va, false);
            return r;
          },
          [&](const harness::IoremapPageRangeOp& o) {
            return g_ctx.ops->ioremap_page_range(o.va, o.va + o.size, o.pa,
                                                 engine::prot_value(k.geo(), o.prot).v);
          },
          [&](const harness::VmapPageRangeOp& o) {
            return g_ctx.ops->vmap_page_range(o.va, o.va + o.size, o.pa,
                                              engine::prot_value(k.geo(), o.prot).v);
          },
          [&](const harness::IounmapOp& o) {
            free_area(k, o.va, false);
            return 0;
          },
          [&](const harness::VunmapRangeOp& o) {
            g_ctx.ops->vunmap_range(o.va, o.va + o.size);
            return 0;
          },
          [&](const harness::FailAllocOp& o) {
            k.pool().fail_nth(o.nth);
            return 0;
          },
          [&](const harness::VmallocOp& o) { return vmalloc(k, o); },
          [&](const harness::VmapOp& o) {
            g_ctx.hint = o.va;
            const std::vector<u64> pages = o.pages();
            u64 out = 0;
            return g_ctx.ops->vmap(pages.data(), static_cast<unsigned>(pages.size()),
                                   engine::prot_value(k.geo(), o.prot).v, &out);
          },
          [&](const harness::VfreeOp& o) {
            free_area(k, o.va, true);
            return 0;
          },
          [&](const harness::VunmapOp& o) {
            free_area(k, o.va, false);
            return 0;
          },
          [&](const harness::FailPageAllocOp& o) {
            k.page_allocator().fail_nth(o.nth, o.min_order, o.times);
            return 0;
          },
          [&](const harness::SetMemoryOp& o) {
            const u64 addr = o.unaligned ? o.va + harness::kSetMemoryUnalignedOffset : o.va;
            return g_ctx.ops->set_memory(addr, static_cast<int>(o.numpages),
                                         set_memory_mode(o.mode));
          },
      },
      op);
  if (k.bugged()) ret = -engine::kBUGGED;
  k.out().ret = ret;
  g_ctx = {};
  return k.out();
}

}  // namespace vmapfuzz::kernel

// ------------------------------------------------------------ callbacks

using vmapfuzz::kernel::g_ctx;
namespace ve = vmapfuzz::engine;

namespace {

static_assert(VMAPFUZZ_AREA_IOREMAP == ve::VM_IOREMAP && VMAPFUZZ_AREA_ALLOC == ve::VM_ALLOC &&
              VMAPFUZZ_AREA_MAP == ve::VM_MAP &&
              VMAPFUZZ_AREA_ALLOW_HUGE_VMAP == ve::VM_ALLOW_HUGE_VMAP);

// The vm_struct flags of an area the model distinguishes.
unsigned model_area_flags(unsigned long flags) {
  return static_cast<unsigned>(flags) & (ve::VM_IOREMAP | ve::VM_ALLOC | ve::VM_MAP);
}

}  // namespace

extern "C" {

vmapfuzz_u64 vmapfuzz_host_table_alloc(void) {
  const ve::PhysAddr pa = g_ctx.k->pool().alloc();
  if (pa.v != 0) ++g_ctx.k->out().tables_allocated;
  return pa.v;
}

void vmapfuzz_host_table_free(vmapfuzz_u64 pa) {
  g_ctx.k->pool().free(ve::PhysAddr{pa});
  ++g_ctx.k->out().tables_freed;
}

void vmapfuzz_host_store(vmapfuzz_u64* p, vmapfuzz_u64 v) {
  g_ctx.k->pool().store(reinterpret_cast<ve::u64*>(p), v);
}

vmapfuzz_u64* vmapfuzz_host_table(vmapfuzz_u64 pa) {
  return reinterpret_cast<vmapfuzz_u64*>(g_ctx.k->pool().table(ve::PhysAddr{pa}));
}

vmapfuzz_u64 vmapfuzz_host_table_pa(const vmapfuzz_u64* p) {
  return g_ctx.k->pool().pa_of(reinterpret_cast<const ve::u64*>(p)).v;
}

vmapfuzz_u64 vmapfuzz_host_pgd_pa(void) { return g_ctx.k->pgd_pa().v; }

int vmapfuzz_host_pfn_valid(vmapfuzz_u64 pfn) { return g_ctx.k->pfn_valid(pfn) ? 1 : 0; }

int vmapfuzz_host_pfn_is_ram(vmapfuzz_u64 pfn) {
  return ve::x86::pfn_range_is_mapped(*g_ctx.k, pfn) ? 1 : 0;
}

int vmapfuzz_host_bbml2_noabort(void) { return g_ctx.k->config().bbml2_noabort ? 1 : 0; }

vmapfuzz_u64 vmapfuzz_host_max_pfn(void) {
  const ve::Geometry& g = g_ctx.k->geo();
  return g.phys_limit >> g.page_shift;
}

vmapfuzz_u64 vmapfuzz_host_alloc_pages(unsigned int order) {
  return g_ctx.k->page_allocator().alloc_pages(order);
}

unsigned long vmapfuzz_host_totalram_pages(void) {
  const ve::Geometry& g = g_ctx.k->geo();
  return static_cast<unsigned long>(g.phys_limit >> g.page_shift);
}

unsigned int vmapfuzz_host_ioremap_max_page_shift(void) {
  return g_ctx.k->ioremap_max_page_shift();
}

int vmapfuzz_host_vmap_allow_huge(void) { return g_ctx.k->vmap_allow_huge() ? 1 : 0; }

// x86-64 boot options (engine/arch_x86.cc reads the same configuration).
int vmapfuzz_host_x86_feature(int feature) {
  const ve::KernelConfig& c = g_ctx.k->config();
  switch (feature) {
    case 1: return c.nopse ? 0 : 1;      // X86_FEATURE_PSE
    case 2: return c.nogbpages ? 0 : 1;  // X86_FEATURE_GBPAGES
  }
  return 0;
}

int vmapfuzz_host_mtrr_uniform(vmapfuzz_u64 start, vmapfuzz_u64 end) {
  const ve::u64 split = g_ctx.k->config().mtrr_split;
  return split == 0 || !(start < split && split < end) ? 1 : 0;
}

void* vmapfuzz_host_find_area(vmapfuzz_u64 addr) {
  ve::VmArea* a = g_ctx.k->find_vm_area(ve::VirtAddr{addr});
  return a ? g_ctx.self->handle_for(*g_ctx.k, *a) : nullptr;
}

void* vmapfuzz_host_get_vm_area(vmapfuzz_u64 size, unsigned long flags) {
  ve::Kernel& k = *g_ctx.k;
  ve::VmArea* a = ve::get_vm_area_aligned(k, ve::VirtAddr{g_ctx.hint}, size, k.geo().page_size(),
                                          model_area_flags(flags));
  return a ? g_ctx.self->handle_for(k, *a) : nullptr;
}

void* vmapfuzz_host_get_vm_area_aligned(vmapfuzz_u64 size, vmapfuzz_u64 align,
                                        unsigned long flags) {
  ve::Kernel& k = *g_ctx.k;
  ve::VmArea* a =
      ve::get_vm_area_placed(k, ve::VirtAddr{g_ctx.hint}, size, align, model_area_flags(flags));
  return a ? g_ctx.self->handle_for(k, *a) : nullptr;
}

void vmapfuzz_host_free_area(vmapfuzz_u64 addr, int is_vfree) {
  g_ctx.self->free_area(*g_ctx.k, addr, is_vfree != 0);
}

void vmapfuzz_host_warn(const char* func, const char* text, int once, vmapfuzz_u64 addr) {
  for (const auto& s : vmapfuzz::kernel::kNotWarnSites)
    if (vmapfuzz::kernel::site_matches(s.func, s.text, func, text)) return;
  ve::WarnId id = ve::WarnId::kernel_unrecognised;
  for (const auto& s : vmapfuzz::kernel::kWarnSites)
    if (vmapfuzz::kernel::site_matches(s.func, s.text, func, text)) {
      id = s.id;
      break;
    }
  if (id == ve::WarnId::kernel_unrecognised) g_ctx.self->note_unrecognised(func, text);
  if (once) g_ctx.k->warn_once(id, ve::VirtAddr{addr});
  else g_ctx.k->warn(id, ve::VirtAddr{addr});
}

void vmapfuzz_host_bug(const char* func, const char* text, vmapfuzz_u64 addr) {
  ve::BugId id = ve::BugId::kernel_unrecognised;
  for (const auto& s : vmapfuzz::kernel::kBugSites)
    if (vmapfuzz::kernel::site_matches(s.func, s.text, func, text)) {
      id = s.id;
      break;
    }
  if (id == ve::BugId::kernel_unrecognised) g_ctx.self->note_unrecognised(func, text);
  g_ctx.k->bug(id, ve::VirtAddr{addr});
}

void vmapfuzz_host_stop(enum vmapfuzz_stop why, vmapfuzz_u64 addr) {
  ve::BugId id = ve::BugId::leaf_used_as_table;
  switch (why) {
    case VMAPFUZZ_STOP_LEAF_USED_AS_TABLE: id = ve::BugId::leaf_used_as_table; break;
    case VMAPFUZZ_STOP_PTE_TABLE_OVERRUN: id = ve::BugId::pte_table_overrun; break;
    case VMAPFUZZ_STOP_WALK_RAN_PAST_END: id = ve::BugId::walk_ran_past_end; break;
    case VMAPFUZZ_STOP_PAGE_ARRAY_OVERRUN: id = ve::BugId::page_array_overrun; break;
  }
  g_ctx.k->bug(id, ve::VirtAddr{addr});
}

void vmapfuzz_host_flush(enum vmapfuzz_flush kind, vmapfuzz_u64 start, vmapfuzz_u64 end) {
  ve::FlushKind k = ve::FlushKind::cache_vmap;
  switch (kind) {
    case VMAPFUZZ_FLUSH_CACHE_VMAP: k = ve::FlushKind::cache_vmap; break;
    case VMAPFUZZ_FLUSH_CACHE_VUNMAP: k = ve::FlushKind::cache_vunmap; break;
    case VMAPFUZZ_FLUSH_TLB_KERNEL_RANGE: k = ve::FlushKind::tlb_kernel_range; break;
    case VMAPFUZZ_FLUSH_TLB_PGTABLE: k = ve::FlushKind::tlb_pgtable; break;
    case VMAPFUZZ_FLUSH_TLB_RANGE: k = ve::FlushKind::tlb_range; break;
    case VMAPFUZZ_FLUSH_SYNC_KERNEL_MAPPINGS: k = ve::FlushKind::sync_kernel_mappings; break;
    case VMAPFUZZ_FLUSH_TLB_ALL: k = ve::FlushKind::tlb_all; break;
    case VMAPFUZZ_FLUSH_TLB_ONE_KERNEL: k = ve::FlushKind::tlb_one_kernel; break;
  }
  g_ctx.k->flush(k, ve::VirtAddr{start}, ve::VirtAddr{end});
}

void vmapfuzz_host_count(enum vmapfuzz_count what, vmapfuzz_u64 n) {
  ve::Counters& c = g_ctx.k->counters();
  switch (what) {
    case VMAPFUZZ_COUNT_WALKS: c.walks += n; break;
    case VMAPFUZZ_COUNT_SET_PTE_AT: c.set_pte_at += n; break;
    case VMAPFUZZ_COUNT_SET_HUGE_PTE_AT: c.set_huge_pte_at += n; break;
    case VMAPFUZZ_COUNT_PMD_SET_HUGE: c.pmd_set_huge += n; break;
    case VMAPFUZZ_COUNT_PUD_SET_HUGE: c.pud_set_huge += n; break;
    case VMAPFUZZ_COUNT_DESCRIPTORS: c.descriptors_written += n; break;
    case VMAPFUZZ_COUNT_PMD_BLOCKS: c.pmd_blocks += n; break;
    case VMAPFUZZ_COUNT_PUD_BLOCKS: c.pud_blocks += n; break;
    case VMAPFUZZ_COUNT_PTE_TABLES_FREED: c.pte_tables_freed += n; break;
    case VMAPFUZZ_COUNT_PMD_TABLES_FREED: c.pmd_tables_freed += n; break;
    case VMAPFUZZ_COUNT_UNMAP_BLOCKS: c.unmap_blocks += n; break;
    case VMAPFUZZ_COUNT_UNMAP_PTES: c.unmap_ptes += n; break;
  }
}

void vmapfuzz_host_mod_mask(unsigned int mask) { g_ctx.k->out().mod_mask |= mask; }

}  // extern "C"
