// SPDX-License-Identifier: GPL-2.0-only
#include "harness/tlb.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>

#include "reference/attrs.h"

namespace vmapfuzz::harness {

using reference::DescFormat;
using reference::DescKind;

namespace {

constexpr u64 kArm64Cont = u64{1} << 52;
// arm64 descriptor bits that may change on a live entry without
// break-before-make: AP[2] (7), nG (11), DBM (51), PXN (53) and the
// software bits 58:55 (docs/tlb.md, "Break-before-make").
constexpr u64 kArm64LiveSafe =
    (u64{1} << 7) | (u64{1} << 11) | (u64{1} << 51) | (u64{1} << 53) | (u64{0xf} << 55);

std::string hex(u64 v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

// Calls f(run) for every run of `v` (sorted by VA, no two overlapping)
// that overlaps [lo, hi).
template <class Run, class F>
void overlapping(const std::vector<Run>& v, u64 lo, u64 hi, F&& f) {
  auto it = std::upper_bound(v.begin(), v.end(), lo, [](u64 x, const Run& r) { return x < r.va; });
  if (it != v.begin() && std::prev(it)->end > lo) --it;
  for (; it != v.end() && it->va < hi; ++it) f(*it);
}

}  // namespace

TlbState::TlbState(const engine::Kernel& k)
    : k_(&k), facts_(&reference::geometry_facts(k.geo())), bbml2_(k.config().bbml2_noabort) {
  on_reset();
}

unsigned TlbState::cont_entries(unsigned level) const {
  if (facts_->format != DescFormat::arm64) return 1;
  if (level == facts_->leaf_level) return facts_->cont_ptes ? facts_->cont_ptes : 1;
  // The CONT-PMD group: 16 entries with 4K pages, 32 with 16K and 64K.
  if (level + 1 == facts_->leaf_level) return facts_->page_shift == 12 ? 16 : 32;
  return 1;
}

TlbState::SizeClass& TlbState::size_class(unsigned level, bool cont) {
  const std::size_t key = std::size_t{level} * 2 + (cont ? 1 : 0);
  if (key >= class_index_.size()) class_index_.resize(key + 1, 0);
  if (class_index_[key]) return classes_[class_index_[key] - 1];
  SizeClass& c = classes_.emplace_back();
  c.level = level;
  c.cont = cont;
  c.size = facts_->entry_size[level] * (cont ? cont_entries(level) : 1);
  class_index_[key] = static_cast<unsigned>(classes_.size());
  return c;
}

// Merges the fresh runs into the sorted ones, joining runs that continue
// each other.
void TlbState::settle(Layer& l) {
  if (l.fresh.empty()) return;
  merged_.clear();
  merged_.reserve(l.runs.size() + l.fresh.size());
  auto push = [&](const Run& r) {
    if (!merged_.empty()) {
      Run& b = merged_.back();
      if (b.end == r.va && b.bits == r.bits && b.pa + (r.va - b.va) == r.pa) {
        b.end = r.end;
        return;
      }
    }
    merged_.push_back(r);
  };
  auto a = l.runs.begin();
  auto f = l.fresh.begin();
  while (a != l.runs.end() || f != l.fresh.end()) {
    if (f == l.fresh.end() || (a != l.runs.end() && a->va < f->va)) push(*a++);
    else push(*f++);
  }
  l.runs.swap(merged_);
  l.fresh.clear();
}

void TlbState::insert(SizeClass& c, std::size_t layer, const Leaf& leaf) {
  if (layer == c.layers.size()) c.layers.emplace_back();
  Layer& l = c.layers[layer];
  if (!l.fresh.empty()) {
    Run& b = l.fresh.back();
    if (b.end == leaf.va && b.bits == leaf.bits && b.pa + (leaf.va - b.va) == leaf.pa) {
      b.end += c.size;
      return;
    }
    if (leaf.va < b.va) settle(l);
  }
  l.fresh.push_back(Run{leaf.va, leaf.va + c.size, leaf.pa, leaf.bits});
}

u64 TlbState::next_start(u64 va) const {
  u64 next = ~u64{0};
  for (const SizeClass& c : classes_)
    for (const Layer& l : c.layers)
      for (const std::vector<Run>* v : {&l.runs, &l.fresh}) {
        auto it = std::lower_bound(v->begin(), v->end(), va,
                                   [](const Run& r, u64 x) { return r.va < x; });
        if (it != v->end()) next = std::min(next, it->va);
      }
  return next;
}

template <class F>
void TlbState::for_overlapping(u64 lo, u64 hi, F&& f) const {
  for (const SizeClass& c : classes_)
    for (const Layer& l : c.layers)
      for (const std::vector<Run>* v : {&l.runs, &l.fresh})
        overlapping(*v, lo, hi, [&](const Run& r) { f(c, r); });
}

TlbState::TableInfo* TlbState::info(u64 table_pa) {
  if (!k_->pool().in_window(engine::PhysAddr{table_pa})) return nullptr;
  const u64 slot = (table_pa - engine::TablePool::kBasePa) / k_->pool().table_bytes();
  if (slot >= tables_.size()) tables_.resize(slot + 1);
  return &tables_[slot];
}

void TlbState::on_reset() {
  forget_last();
  for (SizeClass& c : classes_)
    for (Layer& l : c.layers) {
      l.runs.clear();
      l.fresh.clear();
    }
  clear_lo_ = 1;
  clear_hi_ = 0;
  walks_.clear();
  for (TableInfo& t : tables_) t = {};
  last_base_ = nullptr;
  pending_.reset();
  if (k_->pgd_pa().v)
    seed_range(k_->pgd_pa().v, facts_->kernel_va_base, facts_->root_level, 0, ~u64{0});
}

// Registers the table at `table_pa` (entries from `va`, at `level`) and
// caches every leaf and walk under it that maps VAs in [lo, hi): all of it
// is valid now.
void TlbState::seed_range(u64 table_pa, u64 va, unsigned level, u64 lo, u64 hi) {
  run_next_ = nullptr;  // a run of this table's own pages may start below
  TableInfo* t = info(table_pa);
  if (!t) return;
  *t = {va, level, true};
  const u64* e = k_->pool().table(engine::PhysAddr{table_pa});
  if (!e) return;
  const u64 span = facts_->entry_size[level];
  const unsigned n = facts_->entries[level];
  const unsigned first = lo > va ? static_cast<unsigned>(std::min<u64>((lo - va) / span, n)) : 0;
  // A table the range covers whole and that holds nothing: one memcmp
  // rather than an instrumented load per entry (after an unmap, a flush
  // re-seeds a range of emptied tables).
  static constexpr u64 kZeros[8192] = {};
  const bool whole = first == 0 && (hi - va) / span >= n;
  if (whole && n <= std::size(kZeros) && std::memcmp(e, kZeros, n * sizeof(u64)) == 0) return;
  // whole_cont_group() of the group last asked about: its entries share it.
  unsigned group = ~0u;
  bool group_whole = true;
  const unsigned group_mask = facts_->cont_ptes > 1 ? ~(facts_->cont_ptes - 1) : ~0u;
  const bool arm64 = facts_->format == DescFormat::arm64;
  for (unsigned i = first; i < n; ++i) {
    const u64 eva = va + u64{i} * span;
    if (eva >= hi) break;
    if (e[i] == 0) continue;
    // The next page of a run, as on_store() takes it; not the first entry
    // of a CONT group, which must be found whole first.
    if (&e[i] == run_next_ && !(arm64 && (e[i] & kArm64Cont) && (i & group_mask) != group) &&
        continue_run(e[i])) {
      advance_run(e[i]);
      continue;
    }
    run_next_ = nullptr;
    switch (reference::classify(*facts_, e[i], level)) {
      case DescKind::table: {
        const u64 next = reference::output_address(*facts_, e[i], level);
        add_walk(eva, level, next);
        if (level < facts_->leaf_level && k_->pool().is_live(engine::PhysAddr{next}))
          seed_range(next, eva, level + 1, lo, hi);
        break;
      }
      case DescKind::block: add_leaf(eva, e[i], level); break;
      case DescKind::page:
        // A CONT group whose entries disagree (one a change left behind)
        // is the walker's malformed-cont to report; here each of its
        // entries only stands for its own page.
        if (!(e[i] & kArm64Cont) || !arm64) {
          add_leaf(eva, e[i], level);
        } else {
          if ((i & group_mask) != group) {
            group = i & group_mask;
            group_whole = whole_cont_group(e, i, level);
          }
          add_leaf(eva, group_whole ? e[i] : e[i] & ~kArm64Cont, level);
        }
        if (level == facts_->leaf_level && last_clear_)
          arm_run(e, &e[i], group_whole || !(e[i] & kArm64Cont) ? e[i] : e[i] & ~kArm64Cont, eva);
        break;
      case DescKind::invalid:
      case DescKind::reserved: break;
    }
  }
}

bool TlbState::malformed_group_at(u64 va) const {
  const reference::Translation tr = reference::translate(k_->pool(), k_->geo(), k_->pgd_pa().v, va);
  if (tr.steps.empty() || tr.steps.back().level != facts_->leaf_level) return false;
  const reference::WalkStep& s = tr.steps.back();
  const u64* e = k_->pool().table(engine::PhysAddr{s.table_pa});
  return e && (e[s.index] & kArm64Cont) && !whole_cont_group(e, s.index, s.level);
}

bool TlbState::whole_cont_group(const u64* e, unsigned i, unsigned level) const {
  if (facts_->format != DescFormat::arm64 || !(e[i] & kArm64Cont) || facts_->cont_ptes == 0)
    return true;
  const unsigned first = i & ~(facts_->cont_ptes - 1);
  const u64 oa = reference::output_address(*facts_, e[first], level);
  for (unsigned j = 0; j < facts_->cont_ptes; ++j) {
    const u64 d = e[first + j];
    if (reference::classify(*facts_, d, level) != DescKind::page || !(d & kArm64Cont) ||
        reference::output_address(*facts_, d, level) != oa + j * facts_->page_size ||
        ((d ^ e[first]) & ~facts_->oa_mask) != 0)
      return false;
  }
  return true;
}

void TlbState::violate(std::string check, unsigned level, std::string what, std::string detail,
                       u64 va) {
  if (pending_ || lenient_) return;  // the first one is what the op is judged by
  pending_ = Mismatch{std::move(check), level_name(level, facts_->leaf_level), std::move(what),
                      std::move(detail), va};
}

std::optional<Mismatch> TlbState::take_violation() {
  forget_last();  // a repeated check may report again
  std::optional<Mismatch> m = std::move(pending_);
  pending_.reset();
  return m;
}

void TlbState::add_walk(u64 va, unsigned level, u64 table) {
  const Walk w{va, facts_->entry_size[level], level, table};
  auto it = std::lower_bound(walks_.begin(), walks_.end(), w, [](const Walk& a, const Walk& b) {
    return a.va != b.va ? a.va < b.va : a.level < b.level;
  });
  for (auto j = it; j != walks_.end() && j->va == va && j->level == level; ++j)
    if (j->table == table) return;
  walks_.insert(it, w);
}

const TlbState::Walk* TlbState::walk_under(u64 va, u64 span, unsigned level, u64 table) const {
  auto it = std::lower_bound(walks_.begin(), walks_.end(), va,
                             [](const Walk& w, u64 v) { return w.va < v; });
  for (; it != walks_.end() && it->va < va + span; ++it)
    if (it->level > level || (it->level == level && it->table != table)) return &*it;
  return nullptr;
}

// A valid leaf `desc` at `level` for `va` goes into the TLB. Before it
// does, every cached translation it overlaps must be one it may coexist
// with: the same output address for every VA, the same size and CONT bit
// (unless BBML2_NOABORT), and attributes that differ only in bits the
// architecture lets change on a live entry.
void TlbState::add_leaf(u64 va, u64 desc, unsigned level) {
  const bool arm64 = facts_->format == DescFormat::arm64;
  const bool cont = arm64 && (desc & kArm64Cont);
  SizeClass& cls = size_class(level, cont);
  const u64 eva = va & ~(cls.size - 1);
  u64 addr_bits = facts_->oa_mask;
  if (facts_->format == DescFormat::x86_64 && level != facts_->leaf_level)
    addr_bits &= ~u64{0x1fff};  // a PS leaf's bit 12 is PAT
  const u64 leaf_pa = reference::output_address(*facts_, desc, level);
  const Leaf leaf{eva, leaf_pa - (va - eva), desc & ~addr_bits};
  const u64 end = eva + cls.size;
  const auto cls_index = static_cast<std::size_t>(&cls - classes_.data()) + 1;
  // The leaf the last call cached or found cached, nothing changed since:
  // the other entries of a CONT group or a re-store. Its checks would find
  // what they found then.
  if (last_class_ == cls_index && last_leaf_ == leaf) return;
  last_class_ = cls_index;
  last_leaf_ = leaf;
  if (clear_lo_ <= eva && end <= clear_hi_) {  // nothing cached to check against
    insert(cls, 0, leaf);
    clear_lo_ = end;
    last_clear_ = true;
    return;
  }
  last_clear_ = false;
  // What a cached leaf `old` of class `c` overlapping the new one is to it.
  enum class Clash { none, oa, size, attrs, size_attrs };
  auto clash = [&](const SizeClass& c, const Leaf& old) {
    if (old.pa - old.va != leaf.pa - leaf.va) return Clash::oa;
    if (facts_->format == DescFormat::x86_64) {
      // x86: translations of two page sizes for one VA may sit in the TLB
      // together, but only if they agree on the attributes.
      if (c.size == cls.size) return Clash::none;
      const reference::Attrs a =
          reference::decode_attrs(facts_->format, old.bits, c.level != facts_->leaf_level);
      const reference::Attrs b =
          reference::decode_attrs(facts_->format, leaf.bits, level != facts_->leaf_level);
      return a == b ? Clash::none : Clash::size_attrs;
    }
    if (!arm64) return Clash::none;  // break-before-make is an arm64 rule here
    if (c.size != cls.size || c.cont != cls.cont) return bbml2_ ? Clash::none : Clash::size;
    if ((old.bits ^ leaf.bits) & ~kArm64LiveSafe) return Clash::attrs;
    return Clash::none;
  };
  bool cached = false;
  bool overlaps = false;
  std::size_t free_layer = 0;  // the first layer of cls the leaf overlaps nowhere
  for (SizeClass& c : classes_) {
    // Every leaf of a run clashes alike, so the run's first leaf in the
    // new one's range stands for it; the first clash reported is that of
    // the lowest such leaf of the class, as if the leaves were one by one.
    std::optional<Leaf> first;
    Clash first_clash = Clash::none;
    for (std::size_t li = 0; li < c.layers.size(); ++li) {
      bool in_layer = false;
      for (const std::vector<Run>* v : {&c.layers[li].runs, &c.layers[li].fresh})
        overlapping(*v, eva, end, [&](const Run& r) {
          in_layer = true;
          const u64 ova = std::max(r.va, eva & ~(c.size - 1));
          const Leaf old{ova, r.pa + (ova - r.va), r.bits};
          if (&c == &cls && old == leaf) {
            cached = true;
            return;
          }
          const Clash k = clash(c, old);
          if (k != Clash::none && (!first || old < *first)) {
            first = old;
            first_clash = k;
          }
        });
      overlaps = overlaps || in_layer;
      if (&c == &cls && in_layer && free_layer == li) free_layer = li + 1;
    }
    if (!first) continue;
    const Leaf& old = *first;
    const u64 at = std::max(old.va, eva);
    switch (first_clash) {
      case Clash::oa:
        violate("bbm", level, "oa-change",
                "a live translation of " + hex(at) + " changes its output " + "address (cached " +
                    hex(old.pa + (at - old.va)) + ", new " + hex(leaf.pa + (at - eva)) +
                    ") without an invalid entry and a TLB invalidation in between",
                at);
        break;
      case Clash::size:
        violate("bbm", level, c.cont != cls.cont ? "cont-change" : "size-change",
                "the mapping of " + hex(at) + " changes from a cached " + hex(c.size) +
                    (c.cont ? " CONT" : "") + " leaf to a " + hex(cls.size) +
                    (cls.cont ? " CONT" : "") +
                    " leaf without an invalid entry and a TLB invalidation in between",
                at);
        break;
      case Clash::size_attrs:
        violate("bbm", level, "size-attrs",
                "the mapping of " + hex(at) + " changes from a cached " + hex(c.size) +
                    " leaf to a " + hex(cls.size) +
                    " leaf with other attributes without a TLB invalidation in between",
                at);
        break;
      case Clash::attrs:
        violate("bbm", level, "unsafe-attrs",
                "the attributes of the live leaf at " + hex(eva) + " change from " + hex(old.bits) +
                    " to " + hex(leaf.bits) + " in bits that need break-before-make",
                eva);
        break;
      case Clash::none: break;
    }
  }
  if (cached) return;
  insert(cls, free_layer, leaf);
  if (overlaps) {
    clear_lo_ = 1;
    clear_hi_ = 0;
  } else {
    clear_lo_ = end;
    clear_hi_ = next_start(end);
  }
}

void TlbState::arm_run(const u64* base, const u64* entry, u64 now, u64 va) {
  const u64 oa_mask = facts_->oa_mask;
  if (page_step_ == 0) {
    // Which output-address bit is worth one page: a descriptor's field is
    // not always the address shifted (arm64's 52-bit forms keep the top
    // bits low down, riscv64 a PPN at bit 10).
    page_step_ = ~u64{0};
    const unsigned level = facts_->leaf_level;
    const u64 attrs = now & ~oa_mask;
    const u64 pa0 = reference::output_address(*facts_, attrs, level);
    for (unsigned b = 0; b < 64; ++b) {
      const u64 bit = u64{1} << b;
      if ((oa_mask & bit) &&
          reference::output_address(*facts_, attrs | bit, level) - pa0 == facts_->page_size) {
        page_step_ = bit;
        break;
      }
    }
  }
  const u64 next = now + page_step_;
  // No step, or one carrying out of the field: decode the next store.
  if (page_step_ == ~u64{0} || ((next ^ now) & ~oa_mask) != 0) return;
  run_table_end_ = base + facts_->entries[facts_->leaf_level];
  if (entry + 1 >= run_table_end_) return;
  // The cached run last_leaf_ ends: the last of layer 0's fresh runs, where
  // the clear path put it (unless something settled the layer since).
  SizeClass& cls = classes_[last_class_ - 1];
  if (cls.layers.empty() || cls.layers[0].fresh.empty()) return;
  Run& r = cls.layers[0].fresh.back();
  if (r.end != last_leaf_.va + cls.size || r.bits != last_leaf_.bits ||
      r.pa + (last_leaf_.va - r.va) != last_leaf_.pa)
    return;
  run_ = &r;
  run_size_ = cls.size;
  run_next_ = entry + 1;
  run_desc_ = next;
  run_va_ = va + facts_->page_size;
}

bool TlbState::continue_run(u64 now) {
  const u64 va = run_va_;
  const u64 size = run_size_;
  if (now == run_desc_) {
    // Another page of the CONT group last_leaf_ is: cached with it.
    if ((va & (size - 1)) != 0) return true;
    // The next leaf of run_: it grows by one leaf.
    if (clear_lo_ > va || va + size > clear_hi_) return false;
    run_->end += size;
    last_leaf_.va = va;
    last_leaf_.pa += size;
    clear_lo_ = va + size;
    return true;
  }
  // The next page with the same attributes but another output address
  // (vmalloc's scattered pages): a leaf and a run of its own. In a CONT
  // group it is a malformed group's, for add_leaf() to judge.
  if (size != facts_->page_size || ((now ^ run_desc_) & ~facts_->oa_mask) != 0) return false;
  if (clear_lo_ > va || va + size > clear_hi_) return false;
  last_leaf_ =
      Leaf{va, reference::output_address(*facts_, now, facts_->leaf_level), last_leaf_.bits};
  SizeClass& cls = classes_[last_class_ - 1];
  insert(cls, 0, last_leaf_);
  run_ = &cls.layers[0].fresh.back();
  clear_lo_ = va + size;
  return true;
}

void TlbState::advance_run(u64 now) {
  const u64 next = now + page_step_;
  if (++run_next_ == run_table_end_ || ((next ^ now) & ~facts_->oa_mask) != 0) {
    run_next_ = nullptr;
    return;
  }
  run_desc_ = next;
  run_va_ += facts_->page_size;
}

void TlbState::on_store(const u64* entry, u64 /*old*/, u64 now) {
  if (entry == run_next_ && continue_run(now)) {
    advance_run(now);
    return;
  }
  run_next_ = nullptr;
  if (now == 0) return;  // an invalid entry: nothing new can be cached
  const u64 bytes = k_->pool().table_bytes();
  const auto* base = reinterpret_cast<const u64*>(reinterpret_cast<std::uintptr_t>(entry) &
                                                  ~static_cast<std::uintptr_t>(bytes - 1));
  if (base != last_base_) {
    const engine::PhysAddr pa = k_->pool().pa_of(base);
    if (pa.v == 0) return;  // not a live table: the structure checks report it
    last_base_ = base;
    last_pa_ = pa.v;
    last_slot_ = k_->pool().in_window(pa) ? (pa.v - engine::TablePool::kBasePa) / bytes : ~u64{0};
  }
  // A table not linked anywhere yet: nothing can walk it.
  if (last_slot_ >= tables_.size() || !tables_[last_slot_].known) return;
  const TableInfo t = tables_[last_slot_];
  const unsigned level = t.level;
  const u64 span = facts_->entry_size[level];
  const u64 va = t.va + static_cast<u64>(entry - base) * span;
  switch (reference::classify(*facts_, now, level)) {
    case DescKind::table: {
      const u64 next = reference::output_address(*facts_, now, level);
      // A cached walk of this slot to another table, or through it to one
      // below, may still be used next to the new table.
      if (const Walk* w = walk_under(va, span, level, next))
        violate("bbm", level, "table-replaced",
                "the table entry for " + hex(va) + " now points to " + hex(next) +
                    " while a walk through " + hex(w->table) + " may still be cached",
                va);
      // arm64 without BBML2_NOABORT: a block may not become a table while
      // it can still be cached. x86 allows it (the leaves of the new table
      // are checked against the cached block as they are cached, below).
      if (facts_->format == DescFormat::arm64 && !bbml2_) {
        for_overlapping(va, va + span, [&](const SizeClass& c, const Run& r) {
          if (c.level > level) return;
          const u64 at = std::max(std::max(r.va, va & ~(c.size - 1)), va);
          violate("bbm", level, "block-split",
                  "the leaf for " + hex(at) + " becomes a table while the " + hex(c.size) +
                      " leaf may still be cached",
                  at);
        });
      }
      add_walk(va, level, next);
      // A dangling table descriptor is the structure checks' to report. A
      // table linked with entries in it (a split) may be walked at once:
      // they are cached now.
      if (level < facts_->leaf_level && k_->pool().is_live(engine::PhysAddr{next}))
        seed_range(next, va, level + 1, va, va + span == 0 ? ~u64{0} : va + span);
      break;
    }
    case DescKind::block:
    case DescKind::page: {
      // A cached walk of this slot, or below it, may still lead to the
      // table this leaf replaces. (No table has PA 0, so every walk at this
      // slot counts. Walks are of table entries, all above the leaf level.)
      // x86 lets a large page replace a table of the same translations
      // while walks to it are cached (CPA's collapse): what must not happen
      // there is the table's free before the flush (walk-cache).
      const bool leaf_over_walk_ok = facts_->format == DescFormat::x86_64;
      if (const Walk* w = level < facts_->leaf_level && !leaf_over_walk_ok
                              ? walk_under(va, span, level, 0)
                              : nullptr)
        violate("bbm", level, "table-replaced",
                "the entry for " + hex(va) + " becomes a leaf while a walk through the table " +
                    hex(w->table) + " may still be cached",
                va);
      add_leaf(va, now, level);
      if (level == facts_->leaf_level && last_clear_) arm_run(base, entry, now, va);
      break;
    }
    case DescKind::invalid:
    case DescKind::reserved: break;  // nothing new can be cached
  }
}

void TlbState::on_free(engine::PhysAddr pa) {
  run_next_ = nullptr;  // the table may come back at another VA
  for (auto it = walks_.begin(); it != walks_.end(); ++it) {
    if (it->table != pa.v) continue;
    violate("walk-cache", it->level + 1, "freed-table",
            "the table at " + hex(pa.v) + " (for " + hex(it->va) +
                ") is freed while a cached walk may still read it: no " +
                "__flush_tlb_kernel_pgtable() of its range since it was unlinked",
            it->va);
    break;
  }
  std::erase_if(walks_, [&](const Walk& w) { return w.table == pa.v; });
  if (TableInfo* t = info(pa.v)) *t = {};
  if (last_pa_ == pa.v) last_base_ = nullptr;
}

// Drops every cached leaf overlapping [lo, hi), the leaves at VAs in
// [lo - size + 1, hi): a run loses the leaves in that range and keeps what
// lies below and above it.
void TlbState::drop_leaves(u64 lo, u64 hi) {
  forget_last();
  for (SizeClass& c : classes_) {
    const u64 from = lo & ~(c.size - 1);  // the leaf holding lo
    // The first leaf at or above hi; none below the top of the VA space.
    const bool to_top = hi > ~u64{0} - (c.size - 1);
    const u64 to = to_top ? 0 : (hi + c.size - 1) & ~(c.size - 1);
    if (!to_top && from >= to) continue;
    for (Layer& l : c.layers) {
      settle(l);
      std::vector<Run>& v = l.runs;
      auto first =
          std::upper_bound(v.begin(), v.end(), from, [](u64 x, const Run& r) { return x < r.va; });
      if (first != v.begin() && std::prev(first)->end > from) --first;
      auto last = first;
      while (last != v.end() && (to_top || last->va < to)) ++last;
      if (first == last) continue;
      Run pieces[2];
      std::size_t n = 0;
      if (from > first->va) pieces[n++] = Run{first->va, from, first->pa, first->bits};
      const Run& b = *std::prev(last);
      if (!to_top && to < b.end) pieces[n++] = Run{to, b.end, b.pa + (to - b.va), b.bits};
      const auto at = first - v.begin();
      if (n <= static_cast<std::size_t>(last - first)) {
        std::copy(pieces, pieces + n, first);
        v.erase(first + static_cast<std::ptrdiff_t>(n), last);
      } else {  // one run split in two
        *first = pieces[0];
        v.insert(v.begin() + at + 1, pieces[1]);
      }
    }
  }
}

void TlbState::resync(u64 lo, u64 hi) {
  drop_leaves(lo, hi);
  seed_range(k_->pgd_pa().v, facts_->kernel_va_base, facts_->root_level, lo, hi);
}

void TlbState::drop_walks(u64 lo, u64 hi) {
  std::erase_if(walks_, [&](const Walk& w) { return w.va < hi && lo < w.va + w.size; });
}

// After an invalidation the MMU may cache again whatever the tables hold
// in the range it covered: those entries are valid from this moment, so
// they are cached at once (re-seeded). A change written after the flush
// then leaves the entry it replaced cached, as on hardware: flushing
// before the change instead of after it is a stale translation.
//
// x86's invalidations (INVLPG per page, or a whole flush) drop every
// paging-structure cache entry whatever its VA (Intel SDM vol. 3A,
// 4.10.4.1), and x86's pud_free_pmd_page() counts on it: a flush of one
// page before it frees the PMD and PTE tables of a whole PUD slot. So on
// x86 every flush drops every cached walk, and the walks of the tables
// still linked are cached again.
void TlbState::on_flush(const common::Flush& f) {
  using common::FlushKind;
  const DescFormat format = facts_->format;
  const u64 root = k_->pgd_pa().v;
  auto reseed = [&](u64 lo, u64 hi) {
    if (!root) return;
    // Dropping every walk and caching those of the linked tables again
    // leaves exactly the walks whose entry still points to their table.
    if (format == DescFormat::x86_64)
      std::erase_if(walks_, [&](const Walk& w) { return !walk_still_linked(w); });
    seed_range(root, facts_->kernel_va_base, facts_->root_level, lo, hi);
  };
  switch (f.kind) {
    case FlushKind::tlb_kernel_range:
    case FlushKind::tlb_lazy_purge:
    case FlushKind::tlb_range:
      if (f.end.v <= f.start.v) return;
      drop_leaves(f.start.v, f.end.v);
      // arm64: TLBI VAALE1IS, last level only.
      if (format != DescFormat::arm64) drop_walks(f.start.v, f.end.v);
      reseed(f.start.v, f.end.v);
      return;
    case FlushKind::tlb_pgtable:
    case FlushKind::tlb_one_kernel:
      drop_leaves(f.start.v, f.start.v + 1);
      drop_walks(f.start.v, f.start.v + 1);
      reseed(f.start.v, f.start.v + 1);
      return;
    case FlushKind::tlb_all:
      drop_leaves(0, ~u64{0});
      walks_.clear();
      reseed(0, ~u64{0});
      return;
    case FlushKind::cache_vmap:
    case FlushKind::cache_vunmap:
    case FlushKind::sync_kernel_mappings:
    case FlushKind::count_: return;
  }
}

// Whether the tables still hold the walk `w`: the entry for w.va at
// w.level, reached from the root, is a table descriptor to w.table.
bool TlbState::walk_still_linked(const Walk& w) const {
  const u64* t = k_->pool().table(k_->pgd_pa());
  for (unsigned level = facts_->root_level; t; ++level) {
    const u64 d = t[facts_->index(w.va, level)];
    if (d == 0 || reference::classify(*facts_, d, level) != DescKind::table) return false;
    const u64 next = reference::output_address(*facts_, d, level);
    if (level == w.level) return next == w.table;
    if (level >= facts_->leaf_level || !k_->pool().is_live(engine::PhysAddr{next})) return false;
    t = k_->pool().table(engine::PhysAddr{next});
  }
  return false;
}

std::optional<Mismatch> TlbState::check_stale(const std::vector<reference::LeafRun>& runs, u64 lo,
                                              u64 hi) {
  forget_last();  // settle() below moves the fresh runs
  for (SizeClass& c : classes_) {
    // The lowest stale leaf of the class (by VA, output address, bits), as
    // if each leaf were checked on its own; within a run, the leaf holding
    // its first stale VA.
    std::optional<Leaf> first;
    u64 first_va = 0;
    std::string first_why;
    reference::Attrs first_attrs;
    for (Layer& l : c.layers) {
      settle(l);
      overlapping(l.runs, lo, hi, [&](const Run& run) {
        const u64 to = std::min(run.end, hi);
        const reference::Attrs attrs =
            reference::decode_attrs(facts_->format, run.bits, c.level != facts_->leaf_level);
        // Every VA of [from, to) must be in a run with this translation.
        u64 va = std::max(run.va, lo);
        std::vector<reference::LeafRun>::const_iterator r;
        const char* why = nullptr;
        u64 lva = 0;
        for (;;) {
          r = std::upper_bound(runs.begin(), runs.end(), va,
                               [](u64 v, const reference::LeafRun& x) { return v < x.va; });
          if (r != runs.begin()) --r;
          for (; va < to; ++r) {
            if (r == runs.end() || r->va > va || r->va + r->size <= va) {
              why = "unmapped";
              break;
            }
            if (r->pa - r->va != run.pa - run.va) {
              why = "oa";
              break;
            }
            if (r->attrs != attrs) {
              why = "attrs";
              break;
            }
            va = r->va + r->size;
          }
          if (!why) return;
          lva = va & ~(c.size - 1);
          // A CONT group whose entries now disagree translates
          // unpredictably: that is the walker's malformed-cont to judge
          // (expected only where the reference says a change leaves one),
          // not a stale entry. The run's leaves after it are still checked.
          if (!c.cont || !malformed_group_at(lva)) break;
          why = nullptr;
          va = lva + c.size;
          if (va >= to) return;
        }
        const Leaf leaf{lva, run.pa + (lva - run.va), run.bits};
        if (first && !(leaf < *first)) return;
        first = leaf;
        first_va = va;
        first_attrs = attrs;
        if (why[0] == 'u') first_why = "is not mapped any more";
        else if (why[0] == 'o') first_why = "now translates to " + hex(r->pa + (va - r->va));
        else
          first_why = "now has attributes " + reference::attrs_text(r->attrs) + " (cached " +
                      reference::attrs_text(attrs) + ")";
      });
    }
    if (!first) continue;
    return Mismatch{"tlb", level_name(c.level, facts_->leaf_level), "stale-translation",
                    "after the op the TLB may still hold " + hex(first->va) + " -> " +
                        hex(first->pa) + " (" + hex(c.size) + (c.cont ? " CONT" : "") + " leaf, " +
                        reference::attrs_text(first_attrs) + "), but " + hex(first_va) + " " +
                        first_why + ": no TLB invalidation covered it since",
                    first_va};
  }
  return std::nullopt;
}

std::size_t TlbState::cached_leaves() const {
  std::size_t n = 0;
  for (const SizeClass& c : classes_)
    for (const Layer& l : c.layers)
      for (const std::vector<Run>* v : {&l.runs, &l.fresh})
        for (const Run& r : *v) n += (r.end - r.va) / c.size;
  return n;
}

bool TlbState::caches(u64 va) const {
  bool found = false;
  for_overlapping(va, va + 1, [&](const SizeClass&, const Run&) { found = true; });
  return found;
}

TlbModel& tlb_of(engine::Kernel& k) {
  if (TlbModel* t = find_tlb(k)) return *t;
  auto t = std::make_unique<TlbModel>(k);
  TlbModel& ref = *t;
  k.set_observer(std::move(t));
  return ref;
}

bool tlb_model_on() {
  static const bool on = [] {
    const char* v = std::getenv("VMAPFUZZ_TLB_MODEL");
    if (!v || !*v || std::strcmp(v, "1") == 0 || std::strcmp(v, "on") == 0) return true;
    if (std::strcmp(v, "0") == 0 || std::strcmp(v, "off") == 0) {
      std::fputs(
          "vmapfuzz: VMAPFUZZ_TLB_MODEL=off: no TLB model, so no tlb:, bbm: or "
          "walk-cache: check runs\n",
          stderr);
      return false;
    }
    std::fprintf(stderr, "vmapfuzz: VMAPFUZZ_TLB_MODEL=%s: expected 1, on, 0 or off\n", v);
    std::exit(2);
  }();
  return on;
}

TlbModel* find_tlb(const engine::Kernel& k) { return dynamic_cast<TlbModel*>(k.observer()); }

}  // namespace vmapfuzz::harness
