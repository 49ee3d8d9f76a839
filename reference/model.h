// SPDX-License-Identifier: GPL-2.0-only
// The reference model of one kernel: what should be mapped (an interval map
// of leaves), which page tables should exist, and the vm areas. Each call
// applies the plain rules of layout.h and predicts the engine's complete
// Outcome — return code, WARNs, BUG, flushes, tables allocated and freed,
// pgtbl_mod_mask — without touching any page table.
#pragma once

#include <map>
#include <set>
#include <span>
#include <utility>
#include <vector>

#include "engine/events.h"
#include "engine/kernel.h"
#include "reference/attrs.h"
#include "reference/layout.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::reference {

using engine::Outcome;

class RefKernel {
 public:
  RefKernel(const engine::Geometry& g, engine::Variant v, engine::KernelConfig cfg = {});

  // The harness-level ioremap: reserve a VM_IOREMAP area at va (-ENOMEM
  // if the VA range is taken), ioremap_page_range(), and free the area
  // again if that fails.
  Outcome ioremap(u64 va, u64 size, u64 pa, engine::ProtName prot);
  Outcome ioremap_page_range(u64 va, u64 size, u64 pa, engine::ProtName prot);
  Outcome vmap_page_range(u64 va, u64 size, u64 pa, engine::ProtName prot);
  Outcome iounmap(u64 va);
  Outcome vunmap_range(u64 va, u64 size);
  void fail_alloc(unsigned nth) { fail_countdown_ = nth; }

  // vmalloc(size) with VM_ALLOW_HUGE_VMAP if `huge`, area placed at the
  // first suitably aligned address from `hint`.
  Outcome vmalloc(u64 hint, u64 size, bool huge, engine::ProtName prot);
  // vmap() of `pages` (pfns; engine::kNullPage for NULL) at `hint`.
  Outcome vmap(u64 hint, std::span<const u64> pages, engine::ProtName prot);
  Outcome vfree(u64 va);
  Outcome vunmap(u64 va);
  void fail_page_alloc(unsigned nth, unsigned min_order, unsigned times = 1) {
    page_fail_countdown_ = nth;
    page_fail_min_order_ = min_order;
    page_fail_times_ = times;
  }

  // Would mapping [va, end) write over a live leaf? (A caller bug: the
  // variants may legitimately differ from here on; see harness/oracle.)
  bool overlaps_mapping(u64 va, u64 end) const;

  std::vector<LeafRun> expected_runs() const;
  // The same, for the VAs in [lo, hi) only, runs clipped to it.
  std::vector<LeafRun> expected_runs(u64 lo, u64 hi) const;
  // [a, b) widened to the whole leaves that contain a and b - 1: what an
  // unmap of [a, b) may change.
  std::pair<u64, u64> leaf_extent(u64 a, u64 b) const;
  // The vm area containing va (guard page included), or {0, 0}.
  std::pair<u64, u64> area_extent(u64 va) const;
  u64 table_count() const;  // page tables that should exist, root included
  const engine::Geometry& geo() const { return g_; }
  const engine::KernelConfig& config() const { return cfg_; }
  // A fail_alloc (page-table allocation failure) is armed and has not fired yet.
  bool table_alloc_failure_armed() const { return fail_countdown_ != 0; }
  // A fail_page_alloc is armed and has not fired yet.
  bool page_alloc_failure_armed() const { return page_fail_countdown_ != 0; }

 private:
  struct Leaf {
    u64 size;
    u64 pa;
    unsigned level;
    bool cont;
    Attrs attrs;
  };
  struct Area {
    u64 va, size;  // size includes the guard page
    unsigned flags;
  };
  enum class Entry { none, table, leaf };

  // Mapping.
  void map_steps(Outcome& out, const std::vector<Step>& steps, const Attrs& attrs);
  // Page arrays (pages_model.cc).
  u64 alloc_pages(unsigned order);
  bool alloc_vmalloc_pages(unsigned order, u64 nr, std::vector<u64>& pages);
  int map_pages(Outcome& out, u64 va, std::span<const u64> pages, unsigned shift,
                const Attrs& attrs);
  int walk_pages(Outcome& out, u64 va, std::span<const u64> pages, unsigned shift,
                 const Attrs& attrs);
  int pages_pte_steps(Outcome& out, u64 x, u64 slot_end, std::span<const u64> pages, u64* i,
                      unsigned shift, const Attrs& attrs);
  void insert_pages(u64 va, std::span<const u64> pages, bool cont, const Attrs& attrs);
  bool place_area(u64 hint, u64 size, u64 align, unsigned flags, u64* va);
  bool ensure_table(Outcome& out, unsigned level, u64 x);
  bool install_block(Outcome& out, const Step& s, const Attrs& attrs);
  void free_pte_table(Outcome& out, u64 slot);
  void free_pmd_table(Outcome& out, u64 slot);
  bool alloc_table();
  // Unmapping.
  void unmap_walk(Outcome& out, u64 a, u64 b);
  void unmap_pte_table(Outcome& out, u64 s, u64 e);
  void free_area(Outcome& out, std::size_t index);
  const Area* area_containing(u64 va) const;

  // Leaf map helpers.
  Entry entry_at(unsigned level, u64 x) const;
  const Leaf* leaf_at(u64 x, u64* start = nullptr) const;
  void erase_range(u64 a, u64 b);
  // Adds a leaf (range cleared before), merged with neighbours it continues.
  void insert_leaf(u64 va, const Leaf& l);
  // Start of the first write of `s` whose first entry is already present,
  // or the end of `s`.
  u64 first_present_call(const Step& s) const;
  void warn_once(Outcome& out, engine::WarnId id, u64 addr);
  u64 slot_base(unsigned level, u64 x) const;

  const engine::Geometry& g_;
  engine::Variant variant_;
  engine::KernelConfig cfg_;
  std::map<u64, Leaf> leaves_;  // by start VA, never overlapping
  std::set<u64> tables_[4];     // [L]: tables holding level-L entries, by base VA
  std::vector<Area> areas_;
  unsigned fail_countdown_ = 0;
  u64 next_pfn_ = engine::PageAllocator::kBasePfn;
  unsigned page_fail_countdown_ = 0, page_fail_min_order_ = 0, page_fail_times_ = 1;
  std::uint32_t warned_once_ = 0;
};

}  // namespace vmapfuzz::reference
