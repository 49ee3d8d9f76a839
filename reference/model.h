// SPDX-License-Identifier: GPL-2.0-only
// The reference model of one kernel: what should be mapped (the leaves,
// sorted by VA), which page tables should exist, and the vm areas. Each call
// applies the plain rules of layout.h and predicts the engine's complete
// Outcome — return code, WARNs, BUG, flushes, tables allocated and freed,
// pgtbl_mod_mask — without touching any page table.
//
// It decides on its own: the architecture numbers come from its geometry
// table (geometry_facts.h), looked up by the name of the geometry it is
// given, and what a variant does from its rule rows (variant_rules.h).
// From the harness it takes only that name, the VA window and phys limit
// (common::GeometryConfig), the variant's name and the boot options.
#pragma once

#include <algorithm>
#include <array>
#include <span>
#include <utility>
#include <vector>

#include "common/events.h"
#include "common/geometry_config.h"
#include "common/kernel_config.h"
#include "common/page_alloc.h"
#include "common/set_memory.h"
#include "common/variant.h"
#include "reference/attrs.h"
#include "reference/geometry_facts.h"
#include "reference/layout.h"
#include "reference/mmu_walker.h"
#include "reference/variant_rules.h"

namespace vmapfuzz::reference {

using common::Outcome;

// The alignment variant `v`'s vmap() asks the area allocator for first,
// for an area of `size` bytes: a page before patch 6 of the series; with
// it, a PMD block's size when one could map the area, else a CONT-PTE
// group's, else a page (docs/placement.md).
u64 vmap_area_align(const common::GeometryConfig& g, common::Variant v, u64 size,
                    const common::KernelConfig& cfg = {});

// The PUD (KernelLevel::pud) or PMD block size the vmap code writes on this
// geometry and configuration (0: none): the row's, less what x86's
// `nogbpages` and `nopse` take away (arch_vmap_p*d_supported()).
u64 vmap_block_size(const GeometryFacts& f, const common::KernelConfig& cfg, KernelLevel level);

class RefKernel {
 public:
  // Aborts if the reference has no facts for g.name.
  RefKernel(const common::GeometryConfig& g, common::Variant v, common::KernelConfig cfg = {});
  // Back to the state the constructor gives, keeping the storage of the
  // leaves, tables and areas for the next trace.
  void reset();

  // The harness-level ioremap: reserve a VM_IOREMAP area at va (-ENOMEM
  // if the VA range is taken), ioremap_page_range(), and free the area
  // again if that fails.
  Outcome ioremap(u64 va, u64 size, u64 pa, common::ProtName prot);
  Outcome ioremap_page_range(u64 va, u64 size, u64 pa, common::ProtName prot);
  Outcome vmap_page_range(u64 va, u64 size, u64 pa, common::ProtName prot);
  Outcome iounmap(u64 va);
  Outcome vunmap_range(u64 va, u64 size);
  void fail_alloc(unsigned nth) { fail_countdown_ = nth; }

  // vmalloc(size) with VM_ALLOW_HUGE_VMAP if `huge`, area placed at the
  // first suitably aligned address from `hint`.
  Outcome vmalloc(u64 hint, u64 size, bool huge, common::ProtName prot);
  // vmap() of `pages` (pfns; common::kNullPage for NULL) at `hint`.
  // Without `placement any`, a series variant's vmap() at a VA that lacks
  // vmap_area_align() is unreachable: nothing happens and the Outcome
  // says which alignment the kernel would have asked for.
  Outcome vmap(u64 hint, std::span<const u64> pages, common::ProtName prot);
  // vmap_area_align() for this kernel's geometry and variant.
  u64 vmap_area_align(u64 size) const;
  Outcome vfree(u64 va);
  Outcome vunmap(u64 va);
  void fail_page_alloc(unsigned nth, unsigned min_order, unsigned times = 1) {
    page_fail_countdown_ = nth;
    page_fail_min_order_ = min_order;
    page_fail_times_ = times;
  }

  // arm64's set_memory_ro/rw/x/nx/rox(addr, numpages) or
  // set_memory_valid(addr, numpages, 1/0), addr = va (+ a sub-page offset
  // if `unaligned`), stated in reference/pageattr_model.cc from the rules
  // of docs/pageattr.md; on x86-64 its set_memory_ro/rw/x/nx/rox/p/np
  // (reference/pageattr_x86_model.cc).
  Outcome set_memory(u64 va, unsigned numpages, common::SetMemoryMode mode, bool unaligned);
  // Entries that are not zero and translate nothing, as set_memory leaves
  // them (a page made invalid, bits a change set in an empty PTE), for VAs
  // in [lo, hi): LeafRun::mapped false, LeafRun::raw the low two bits.
  std::vector<LeafRun> expected_invalid(u64 lo, u64 hi) const;
  // Base VAs of the CONT-PTE groups in [lo, hi) that a set_memory op left
  // malformed (some entries changed, others not): the MMU walker reports
  // each once (Issue::malformed_cont), as the reference expects.
  std::vector<u64> expected_malformed_cont(u64 lo, u64 hi) const;

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
  // Where a walk of an unmapped `va` ends: the hardware level whose entry
  // for it is empty (root_level .. leaf_level). What ptdump calls a hole.
  unsigned hole_level(u64 va) const;
  // Every vm area, as [start, end) with the guard page, in address order.
  std::vector<std::pair<u64, u64>> area_list() const;
  // [va, va + size) is exactly the usable range of a VM_IOREMAP area: what
  // an ioremap_page_range() with the area check (rules().ioremap_area_check)
  // maps; it refuses anything else.
  bool ioremap_range_is_area(u64 va, u64 size) const;
  u64 table_count() const;  // page tables that should exist, root included
  // Of those, the ones no entry links: cut off by a BUG before being freed.
  u64 unlinked_tables() const { return unlinked_tables_; }
  // The geometry configuration it was given (name, VA window, phys limit);
  // engine::geometry_of() maps it back to the engine's Geometry.
  const common::GeometryConfig& geo() const { return g_; }
  // Its own architecture row and variant rules.
  const GeometryFacts& facts() const { return *f_; }
  const VariantRules& rules() const { return *rules_; }
  const common::KernelConfig& config() const { return cfg_; }
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
    // false: an entry the MMU does not translate (valid bit clear, or a
    // page-level entry with the valid bit but not the page bit), left by a
    // set_memory op; `raw` holds its two low descriptor bits then.
    bool mapped = true;
    std::uint8_t raw = 0;
  };
  static bool is_zero_entry(const Leaf& l);
  // arm64's present-invalid entry: not translating, valid bit clear, nG
  // (PTE_PRESENT_INVALID) set; the kernel still counts it as present.
  static bool present_invalid(const Leaf& l) { return !l.mapped && !(l.raw & 1) && l.attrs.ng; }
  // pte_present()/pXd_present() of the entry: the valid bit (it translates,
  // or is a page entry without the page bit), or present-invalid.
  static bool present(const Leaf& l) { return l.mapped || (l.raw & 1) || present_invalid(l); }
  // The leaves in [lo, hi), clipped to it, that translate (`mapped`) or
  // do not: expected_runs() and expected_invalid().
  std::vector<LeafRun> leaves_in(u64 lo, u64 hi, bool mapped) const;
  // A leaf and the VA it starts at: an element of leaves_.
  struct PlacedLeaf {
    u64 va;
    Leaf leaf;
  };
  // A set of VAs as a sorted vector (binary search): the tables of one
  // level.
  class VaSet {
   public:
    bool contains(u64 va) const { return std::binary_search(v_.begin(), v_.end(), va); }
    void insert(u64 va) {
      auto it = std::lower_bound(v_.begin(), v_.end(), va);
      if (it == v_.end() || *it != va) v_.insert(it, va);
    }
    void erase(u64 va) {
      auto it = std::lower_bound(v_.begin(), v_.end(), va);
      if (it != v_.end() && *it == va) v_.erase(it);
    }
    std::size_t size() const { return v_.size(); }
    void clear() { v_.clear(); }

   private:
    std::vector<u64> v_;
  };
  struct Area {
    u64 va, size;  // size includes the guard page
    unsigned flags;
  };
  enum class Entry { none, table, leaf };

  // Mapping.
  void map_steps(Outcome& out, const std::vector<Step>& steps, const Attrs& attrs,
                 unsigned max_shift);
  // Page arrays (pages_model.cc).
  u64 alloc_pages(unsigned order);
  bool alloc_vmalloc_pages(unsigned order, u64 nr, std::vector<u64>& pages);
  int map_pages(Outcome& out, u64 va, std::span<const u64> pages, unsigned shift,
                const Attrs& attrs);
  int walk_pages(Outcome& out, u64 va, std::span<const u64> pages, unsigned shift,
                 const Attrs& attrs);
  int pages_pte_steps(Outcome& out, u64 x, u64 slot_end, std::span<const u64> pages, u64* i,
                      unsigned shift, const Attrs& attrs);
  void insert_steps(u64 from, u64 to, std::span<const u64> pages, const std::vector<bool>& batch,
                    const Attrs& attrs);
  bool place_area(u64 hint, u64 size, u64 align, unsigned flags, u64* va);
  bool ensure_table(Outcome& out, unsigned level, u64 x);
  bool install_block(Outcome& out, const Step& s, const Attrs& attrs);
  void free_pte_table(Outcome& out, u64 slot);
  // false: a modelled BUG stopped it.
  bool free_pmd_table(Outcome& out, u64 slot);
  void leaf_freed_as_table(Outcome& out, u64 slot, bool pud);
  bool mtrr_refuses(u64 pa, u64 size) const;
  bool alloc_table();
  // set_memory (pageattr_model.cc).
  struct Change;
  int change_common(Outcome& out, u64 addr, u64 numpages, const Change& c);
  int change_range(Outcome& out, u64 start, u64 size, const Change& c);
  int bbml2_split(Outcome& out, u64 start, u64 end);
  int bbml2_split_at(u64 b);
  int walk_existing(Outcome& out, u64 start, u64 end, const Change& c);
  int walk_creating(Outcome& out, u64 start, u64 end, const Change& c);
  void change_pages(u64 a, u64 b, const Change& c, bool tables_exist);
  void change_leaf_part(u64 a, u64 b, const Change& c);
  void set_cont(u64 a, u64 b, unsigned level, bool cont);
  // x86-64's (pageattr_x86_model.cc).
  struct CpaChange;
  // One x86 change_page_attr_set_clr() into `out`; its return value.
  int x86_set_memory(Outcome& out, u64 addr, unsigned numpages, common::SetMemoryMode mode);
  bool uniform_run(u64 a, u64 size, unsigned level) const;
  void cpa_collapse(Outcome& out, u64 start, u64 end);
  // Unmapping.
  void unmap_walk(Outcome& out, u64 a, u64 b);
  void unmap_level(Outcome& out, unsigned level, u64 a, u64 b);
  void unmap_pte_table(Outcome& out, u64 s, u64 e);
  void free_area(Outcome& out, std::size_t index);
  const Area* area_containing(u64 va) const;

  // Leaf helpers.
  // Index of the first leaf starting after x (leaves_.size() if none).
  std::size_t first_after(u64 x) const;
  Entry entry_at(unsigned level, u64 x) const;
  const Leaf* leaf_at(u64 x, u64* start = nullptr) const;
  void erase_range(u64 a, u64 b);
  // Merges leaves_[i + 1] into leaves_[i] if it continues it.
  void merge_with_next(std::size_t i);
  // Adds a leaf (range cleared before), merged with neighbours it continues.
  void insert_leaf(u64 va, const Leaf& l);
  // erase_range(va, va + n.size) then insert_leaf(va, n), in place where a
  // leaf is exactly that range.
  void replace_leaf(u64 va, const Leaf& n);
  // Start of the first write of `s` whose first entry is already present,
  // or the end of `s`.
  u64 first_present_call(const Step& s) const;
  void warn_once(Outcome& out, common::WarnId id, u64 addr);
  u64 slot_base(unsigned level, u64 x) const;
  // VA range of one entry at hardware level `level`.
  u64 entry_size(unsigned level) const { return f_->entry_size[level]; }
  // pgtbl_mod_mask bit recorded when a table of level-`level` entries is
  // linked in.
  common::u32 alloc_bit(unsigned level) const;
  static common::u32 level_bit(KernelLevel k);
  bool none_is_bad(unsigned hw) const;
  // One kernel walk (vmap_range_noflush, a pages walk, an unmap walk):
  // its own mask decides x86's arch_sync_kernel_mappings() at its end.
  void begin_walk();
  void end_walk(Outcome& out, u64 start, u64 end);
  void set_mask(Outcome& out, common::u32 bits);

  common::GeometryConfig g_;
  common::Variant variant_;
  const GeometryFacts* f_;
  const VariantRules* rules_;
  // Hardware levels of the root and of where the kernel's pgd, pud, pmd
  // and pte entries live (a folded level's are its host's).
  unsigned root_, pgd_, pud_, pmd_, pte_;
  // The blocks this kernel's vmap code writes (0: none): the row's, less
  // what x86's boot options and CPU features take away.
  u64 pud_block_ = 0, pmd_block_ = 0;
  common::u32 walk_mask_ = 0;
  common::KernelConfig cfg_;
  // The leaves, sorted by start VA, never overlapping; a leaf that
  // continues its neighbour (insert_leaf) is merged into it.
  std::vector<PlacedLeaf> leaves_;
  // Does b continue a (merged into one leaf by insert_leaf)?
  static bool continues(const PlacedLeaf& a, const PlacedLeaf& b) {
    return a.va + a.leaf.size == b.va && a.leaf.pa + a.leaf.size == b.leaf.pa &&
           a.leaf.level == b.leaf.level && a.leaf.cont == b.leaf.cont &&
           a.leaf.attrs == b.leaf.attrs && a.leaf.mapped == b.leaf.mapped &&
           a.leaf.raw == b.leaf.raw;
  }
  // Scratch storage of pages_pte_steps() and insert_steps().
  std::vector<bool> step_batch_;
  std::vector<PlacedLeaf> step_leaves_;
  // [L]: tables holding level-L entries, by base VA. (A std::array, not a
  // C array: clang-tidy 14 misreads the copy of a C array of classes.)
  std::array<VaSet, kMaxHwLevels> tables_;
  // Tables no entry links any more that were never freed: those a BUG cut
  // off before the kernel freed them (free_pmd_table). Still allocated.
  u64 unlinked_tables_ = 0;
  std::vector<Area> areas_;
  unsigned fail_countdown_ = 0;
  u64 next_pfn_ = common::kPageAllocBasePfn;
  unsigned page_fail_countdown_ = 0, page_fail_min_order_ = 0, page_fail_times_ = 1;
  std::uint64_t warned_once_ = 0;
  // The Outcome a BBML2 split counts its tables in (bbml2_split).
  Outcome* split_out_ = nullptr;
};

}  // namespace vmapfuzz::reference
