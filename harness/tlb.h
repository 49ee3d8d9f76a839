// SPDX-License-Identifier: GPL-2.0-only
// A model of what the MMU may have cached for one kernel: leaf translations
// (the TLB) and table walks (the walk cache), and the checks that follow
// from it (docs/tlb.md):
//   - tlb:stale-translation  after an op, a cached translation of a VA the op
//     touched differs from what the tables now say;
//   - bbm:*                  a live entry was replaced by one with another
//     output address, size or CONT bit, or unsafe attributes, while the old
//     one could still be cached (no invalid write plus TLB invalidation in
//     between); allowed where the configuration has BBML2_NOABORT and only
//     the size changes;
//   - walk-cache:freed-table a page table went back to the allocator while a
//     cached walk could still read it.
//
// What may be cached is exactly what the architecture allows: any
// translation that was valid at some moment since the last invalidation
// covering it, at the size it was written (a CONT group as one entry, a
// block as one entry), not only what some walker happened to read. So
// every valid leaf or table descriptor the kernel stores is cached at once
// and stays until a flush drops it:
//   flush_tlb_kernel_range, the lazy purge, flush_tlb_range  leaf entries
//       overlapping the range (arm64: last level only, TLBI VAALE1IS; the
//       other architectures drop walks in the range too);
//   __flush_tlb_kernel_pgtable(addr)  every leaf and walk entry holding addr
//       (TLBI VAAE1IS);
//   flush_tlb_all()  everything (x86-64 CPA);
//   flush_tlb_one_kernel(addr)  the leaf entries holding addr (x86-64 CPA);
//   on x86-64 every flush also drops every walk (INVLPG drops the whole
//       paging-structure cache).
// Right after a flush, whatever the tables hold in its range is cached
// again (it is valid at that moment), and on x86-64 every walk of the
// tables still linked: an entry changed after the flush rather than before
// it stays cached.
// The model sees the kernel through engine::PoolObserver, so it watches the
// engine variants and the kernel implementation alike. It decodes
// descriptors with the reference's architecture tables, never the engine's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/kernel.h"
#include "harness/oracle.h"
#include "reference/geometry_facts.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::harness {

using engine::u64;

// What TlbModel keeps and does, in a class without virtual functions: with
// -fsanitize=vptr (the asan and fuzz presets) every member access of a
// polymorphic class checks the object's dynamic type, and on the store path
// those checks cost as much as the model's own work. TlbModel forwards each
// call to it; the calls are documented there.
class TlbState {
 public:
  explicit TlbState(const engine::Kernel& k);

  void on_store(const u64* entry, u64 old, u64 now);
  void on_free(engine::PhysAddr pa);
  void on_flush(const common::Flush& f);
  void on_reset();
  void begin_op(bool outside_contract) {
    lenient_ = outside_contract;
    forget_last();
  }
  bool lenient() const { return lenient_; }
  void resync(u64 lo, u64 hi);
  std::optional<Mismatch> take_violation();
  std::optional<Mismatch> check_stale(const std::vector<reference::LeafRun>& runs, u64 lo, u64 hi);
  std::size_t cached_leaves() const;
  bool caches(u64 va) const;

 private:
  // Cached leaves of one size: a page, a CONT group or a block of one
  // level. A Leaf is one of them: `va` aligned to the size, `pa` what `va`
  // translates to, `bits` the descriptor without its output address
  // (attributes, type, CONT).
  struct Leaf {
    u64 va, pa, bits;
    friend auto operator<=>(const Leaf&, const Leaf&) = default;
  };

  // A run of leaves of one size class, cached as one entry: the leaves at
  // va, va + size, ..., end - size, each translating its VA to pa + (VA -
  // va), all with the descriptor bits `bits`. A mapping op writes long runs
  // of this kind, so one Run stands for up to thousands of page leaves.
  struct Run {
    u64 va, end, pa, bits;
  };
  // Runs of one size class that overlap no other run of the layer. `runs`
  // is sorted by VA; `fresh` holds what was cached since, sorted too (stores
  // come in rising VA order, a store that continues the last fresh run
  // extends it), and is merged into `runs` when a store goes below its
  // last run, before a flush and before a check (settle()).
  struct Layer {
    std::vector<Run> runs;
    std::vector<Run> fresh;
  };
  // A leaf that overlaps a cached leaf of its own class (the same VA with
  // another output address or other attributes: an attribute change in
  // place, cached twice until a flush) goes into the first layer it does
  // not overlap; there is usually one layer.
  struct SizeClass {
    u64 size = 0;
    unsigned level = 0;
    bool cont = false;
    std::vector<Layer> layers;
  };
  // A cached table descriptor: the entry at `level` for [va, va + size)
  // points to the table at `table`. Sorted by (va, level).
  struct Walk {
    u64 va, size;
    unsigned level;
    u64 table;
  };
  // Where a live table's entries map: its first VA and hardware level.
  struct TableInfo {
    u64 va = 0;
    unsigned level = 0;
    bool known = false;
  };

  void add_leaf(u64 va, u64 desc, unsigned level);
  // Forgets the last leaf (last_class_) and the page run built on it.
  void forget_last() {
    last_class_ = 0;
    run_next_ = nullptr;
  }
  // After a page store at `entry` of the table at `base` (level leaf_level,
  // mapping `va`) that add_leaf() cached into clear VAs: expects the next
  // store at entry + 1 with the next page's descriptor.
  void arm_run(const u64* base, const u64* entry, u64 now, u64 va);
  // A store of `now` at run_next_: if it is run_desc_, or another output
  // address with the same attributes outside a CONT group, caches it as
  // add_leaf() would, without finding its table or classifying it. False
  // if it must take the decoding path (another kind of descriptor, or a
  // leaf outside the clear VAs).
  bool continue_run(u64 now);
  // After continue_run() took `now`: the run goes on at the next entry,
  // unless the table ends there or the next descriptor would carry out of
  // the output-address field.
  void advance_run(u64 now);
  void add_walk(u64 va, unsigned level, u64 table);
  // The first cached walk at `level` or below it for a VA in [va, va +
  // span), other than one at `level` to `table`; nullptr if none.
  const Walk* walk_under(u64 va, u64 span, unsigned level, u64 table) const;
  SizeClass& size_class(unsigned level, bool cont);
  // Caches `leaf` of class `c` in its layer `layer`, which it overlaps nowhere.
  void insert(SizeClass& c, std::size_t layer, const Leaf& leaf);
  TableInfo* info(u64 table_pa);
  void violate(std::string check, unsigned level, std::string what, std::string detail, u64 va);
  void drop_leaves(u64 lo, u64 hi);
  void settle(Layer& l);
  // The lowest VA at or above `va` where a cached run starts.
  u64 next_start(u64 va) const;
  // Calls f(class, run) for every cached run with a leaf overlapping [lo, hi).
  template <class F>
  void for_overlapping(u64 lo, u64 hi, F&& f) const;
  // Whether the CONT page entry e[i] of a table at `level` is part of a
  // whole group (every entry a CONT page, continuing output addresses, the
  // same attributes); true for an entry without CONT.
  bool whole_cont_group(const u64* e, unsigned i, unsigned level) const;
  // Whether the tables' entry for `va` is a PTE with CONT in a group that
  // is not whole (see whole_cont_group()).
  bool malformed_group_at(u64 va) const;
  void seed_range(u64 table_pa, u64 va, unsigned level, u64 lo, u64 hi);
  bool walk_still_linked(const Walk& w) const;
  void drop_walks(u64 lo, u64 hi);
  unsigned cont_entries(unsigned level) const;

  const engine::Kernel* k_;
  const reference::GeometryFacts* facts_;
  bool bbml2_ = false;
  bool lenient_ = false;
  std::vector<SizeClass> classes_;
  // classes_ index + 1 of (level, cont), at level * 2 + cont; 0: none yet.
  std::vector<unsigned> class_index_;
  std::vector<Run> merged_;  // settle()'s scratch
  // No cached leaf of any class overlaps [clear_lo_, clear_hi_): a store
  // of a leaf inside it needs no search (the usual case, a map over VAs
  // that were flushed). Empty when unknown.
  u64 clear_lo_ = 1;
  u64 clear_hi_ = 0;
  // The leaf the last add_leaf() cached or found cached, and its class
  // (classes_ index + 1; 0: none). Forgotten when a flush drops leaves, at
  // a reset, at begin_op(), take_violation() and check_stale().
  std::size_t last_class_ = 0;
  Leaf last_leaf_{};
  // add_leaf() cached last_leaf_ into [clear_lo_, clear_hi_) (and moved
  // clear_lo_ to its end), without a search.
  bool last_clear_ = false;
  // The run of page stores in progress, the usual shape of a map: the
  // entry the next store of the run goes to, the descriptor it stores
  // (the last one's output address plus a page, the same attributes), the
  // VA it maps, and the end of its table. run_next_ is nullptr when there
  // is none: any store other than the expected one, a flush, a free, a
  // reset or begin_op() ends it (forget_last()). docs/tlb.md, "Cost".
  const u64* run_next_ = nullptr;
  u64 run_desc_ = 0;
  u64 run_va_ = 0;
  const u64* run_table_end_ = nullptr;
  // The cached run holding last_leaf_ (in layer 0's fresh runs of its
  // class), which the next leaf of the run lengthens, and its leaf size.
  Run* run_ = nullptr;
  u64 run_size_ = 0;
  // What one page adds to a leaf-level descriptor's output address field
  // (the lowest output-address bit worth a page); 0 until the first
  // arm_run() finds it, ~0 where it found none.
  u64 page_step_ = 0;
  std::vector<Walk> walks_;
  std::vector<TableInfo> tables_;  // by table-pool slot
  // The last table a store went to (stores come in runs).
  const u64* last_base_ = nullptr;
  u64 last_pa_ = 0;
  u64 last_slot_ = 0;                // its slot in tables_; ~0 outside the pool's window
  std::optional<Mismatch> pending_;  // see take_violation()
};

class TlbModel final : public engine::PoolObserver {
 public:
  // Attaches to nothing; tlb_of() attaches. What `k`'s tables hold now is
  // cached (it was valid at this moment).
  explicit TlbModel(const engine::Kernel& k) : s_(k) {}

  void on_store(const u64* entry, u64 old, u64 now) override { s_.on_store(entry, old, now); }
  void on_free(engine::PhysAddr pa) override { s_.on_free(pa); }
  void on_flush(const common::Flush& f) override { s_.on_flush(f); }
  void on_reset() override { s_.on_reset(); }

  // The op about to run maps over a live mapping, outside the caller's
  // contract (maps_over_live_mapping()): whatever it leaves cached is the
  // caller's bug, so it raises no violation, and check_tlb() resynchronises
  // the model with the tables over its range instead of judging it, then
  // ends the leniency (the audit that may follow checks as usual).
  // The Runner says so before every op; the default is within contract.
  void begin_op(bool outside_contract) { s_.begin_op(outside_contract); }
  bool lenient() const { return s_.lenient(); }
  // Forgets the cached leaves overlapping [lo, hi) and caches what the
  // tables hold.
  void resync(u64 lo, u64 hi) { s_.resync(lo, hi); }

  // The first BBM or walk-cache violation since the last call, taking it.
  std::optional<Mismatch> take_violation() { return s_.take_violation(); }
  // The first cached translation of a VA in [lo, hi) that differs from
  // `runs`, the leaf runs the tables hold over [lo, hi) (scan_range).
  std::optional<Mismatch> check_stale(const std::vector<reference::LeafRun>& runs, u64 lo, u64 hi) {
    return s_.check_stale(runs, lo, hi);
  }

  // For tests and reports.
  std::size_t cached_leaves() const { return s_.cached_leaves(); }
  // Whether some cached leaf entry translates `va`.
  bool caches(u64 va) const { return s_.caches(va); }

 private:
  TlbState s_;
};

// The TLB model watching `k`, attached now (caching what its tables hold)
// if it had none. harness::execute() calls it when tlb_model_on(), so every
// property and fuzz target that runs ops through it is watched.
TlbModel& tlb_of(engine::Kernel& k);
// Whether execute() attaches the model: true unless $VMAPFUZZ_TLB_MODEL is
// "0" or "off", a switch for measuring what the model costs (bench/tlb-ab.sh),
// announced on stderr when off. Any other value is an error (exit 2).
bool tlb_model_on();
// The TLB model watching `k`, or nullptr.
TlbModel* find_tlb(const engine::Kernel& k);

}  // namespace vmapfuzz::harness
