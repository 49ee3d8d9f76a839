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
//       (TLBI VAAE1IS).
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

class TlbModel final : public engine::PoolObserver {
 public:
  // Attaches to nothing; tlb_of() attaches. What `k`'s tables hold now is
  // cached (it was valid at this moment).
  explicit TlbModel(const engine::Kernel& k);

  void on_store(const u64* entry, u64 old, u64 now) override;
  void on_free(engine::PhysAddr pa) override;
  void on_flush(const common::Flush& f) override;
  void on_reset() override;

  // The op about to run maps over a live mapping, outside the caller's
  // contract (maps_over_live_mapping()): whatever it leaves cached is the
  // caller's bug, so it raises no violation, and check_tlb() resynchronises
  // the model with the tables over its range instead of judging it.
  // The Runner says so before every op; the default is within contract.
  void begin_op(bool outside_contract) { lenient_ = outside_contract; }
  bool lenient() const { return lenient_; }
  // Forgets the cached leaves overlapping [lo, hi) and caches what the
  // tables hold.
  void resync(u64 lo, u64 hi);

  // The first BBM or walk-cache violation since the last call, taking it.
  std::optional<Mismatch> take_violation();
  // The first cached translation of a VA in [lo, hi) that differs from
  // `runs`, the leaf runs the tables hold over [lo, hi) (scan_range).
  std::optional<Mismatch> check_stale(const std::vector<reference::LeafRun>& runs, u64 lo, u64 hi);

  // For tests and reports.
  std::size_t cached_leaves() const;
  // Whether some cached leaf entry translates `va`.
  bool caches(u64 va) const;

 private:
  // Cached leaves of one size: a page, a CONT group or a block of one
  // level. `va` is aligned to the size; `pa` is what `va` translates to;
  // `bits` the descriptor without its output address (attributes, type,
  // CONT). `entries` is sorted by (va, pa, bits) without duplicates;
  // `fresh` holds what was cached since, sorted too (stores come in rising
  // VA order), and is merged into `entries` when a store breaks its order or
  // before a flush or a check (settle()): inserting one by one below what is
  // cached would move every entry above, once per page.
  struct Leaf {
    u64 va, pa, bits;
    friend auto operator<=>(const Leaf&, const Leaf&) = default;
  };
  struct SizeClass {
    u64 size = 0;
    unsigned level = 0;
    bool cont = false;
    std::vector<Leaf> entries;
    std::vector<Leaf> fresh;
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
  void add_walk(u64 va, unsigned level, u64 table);
  // The first cached walk at `level` or below it for a VA in [va, va +
  // span), other than one at `level` to `table`; nullptr if none.
  const Walk* walk_under(u64 va, u64 span, unsigned level, u64 table) const;
  SizeClass& size_class(unsigned level, bool cont);
  TableInfo* info(u64 table_pa);
  void violate(std::string check, unsigned level, std::string what, std::string detail, u64 va);
  void drop_leaves(u64 lo, u64 hi);
  void settle(SizeClass& c);
  // Calls f(class, leaf) for every cached leaf overlapping [lo, hi).
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
  void drop_walks(u64 lo, u64 hi);
  unsigned cont_entries(unsigned level) const;

  const engine::Kernel* k_;
  const reference::GeometryFacts* facts_;
  bool bbml2_ = false;
  bool lenient_ = false;
  std::vector<SizeClass> classes_;
  std::vector<Leaf> merged_;  // settle()'s scratch
  std::vector<Walk> walks_;
  std::vector<TableInfo> tables_;  // by table-pool slot
  // The last table a store went to (stores come in runs).
  const u64* last_base_ = nullptr;
  u64 last_pa_ = 0;
  std::optional<Mismatch> pending_;  // see take_violation()
};

// The TLB model watching `k`, attached now (caching what its tables hold)
// if it had none. harness::execute() and the Runner call it, so every
// property and fuzz target that runs ops through them is watched.
TlbModel& tlb_of(engine::Kernel& k);
// The TLB model watching `k`, or nullptr.
TlbModel* find_tlb(const engine::Kernel& k);

}  // namespace vmapfuzz::harness
