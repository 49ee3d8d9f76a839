// SPDX-License-Identifier: GPL-2.0-only
#include "harness/tlb.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

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

}  // namespace

TlbModel::TlbModel(const engine::Kernel& k)
    : k_(&k), facts_(&reference::geometry_facts(k.geo())), bbml2_(k.config().bbml2_noabort) {
  on_reset();
}

unsigned TlbModel::cont_entries(unsigned level) const {
  if (facts_->format != DescFormat::arm64) return 1;
  if (level == facts_->leaf_level) return facts_->cont_ptes ? facts_->cont_ptes : 1;
  // The CONT-PMD group: 16 entries with 4K pages, 32 with 16K and 64K.
  if (level + 1 == facts_->leaf_level) return facts_->page_shift == 12 ? 16 : 32;
  return 1;
}

TlbModel::SizeClass& TlbModel::size_class(unsigned level, bool cont) {
  for (SizeClass& c : classes_)
    if (c.level == level && c.cont == cont) return c;
  SizeClass& c = classes_.emplace_back();
  c.level = level;
  c.cont = cont;
  c.size = facts_->entry_size[level] * (cont ? cont_entries(level) : 1);
  return c;
}

void TlbModel::settle(SizeClass& c) {
  if (c.fresh.empty()) return;
  merged_.resize(c.entries.size() + c.fresh.size());
  const auto end = std::merge(c.entries.begin(), c.entries.end(), c.fresh.begin(), c.fresh.end(),
                              merged_.begin());
  merged_.erase(std::unique(merged_.begin(), end), merged_.end());
  c.entries.swap(merged_);
  c.fresh.clear();
}

template <class F>
void TlbModel::for_overlapping(u64 lo, u64 hi, F&& f) const {
  for (const SizeClass& c : classes_) {
    const Leaf from{lo >= c.size ? lo - c.size + 1 : 0, 0, 0};
    for (const std::vector<Leaf>* v : {&c.entries, &c.fresh})
      for (auto it = std::lower_bound(v->begin(), v->end(), from); it != v->end() && it->va < hi;
           ++it)
        f(c, *it);
  }
}

TlbModel::TableInfo* TlbModel::info(u64 table_pa) {
  if (!k_->pool().in_window(engine::PhysAddr{table_pa})) return nullptr;
  const u64 slot = (table_pa - engine::TablePool::kBasePa) / k_->pool().table_bytes();
  if (slot >= tables_.size()) tables_.resize(slot + 1);
  return &tables_[slot];
}

void TlbModel::on_reset() {
  for (SizeClass& c : classes_) {
    c.entries.clear();
    c.fresh.clear();
  }
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
void TlbModel::seed_range(u64 table_pa, u64 va, unsigned level, u64 lo, u64 hi) {
  TableInfo* t = info(table_pa);
  if (!t) return;
  *t = {va, level, true};
  const u64* e = k_->pool().table(engine::PhysAddr{table_pa});
  if (!e) return;
  const u64 span = facts_->entry_size[level];
  const unsigned n = facts_->entries[level];
  const unsigned first = lo > va ? static_cast<unsigned>(std::min<u64>((lo - va) / span, n)) : 0;
  for (unsigned i = first; i < n; ++i) {
    const u64 eva = va + u64{i} * span;
    if (eva >= hi) break;
    if (e[i] == 0) continue;
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
        add_leaf(eva, whole_cont_group(e, i, level) ? e[i] : e[i] & ~kArm64Cont, level);
        break;
      case DescKind::invalid:
      case DescKind::reserved: break;
    }
  }
}

bool TlbModel::malformed_group_at(u64 va) const {
  const reference::Translation tr = reference::translate(k_->pool(), k_->geo(), k_->pgd_pa().v, va);
  if (tr.steps.empty() || tr.steps.back().level != facts_->leaf_level) return false;
  const reference::WalkStep& s = tr.steps.back();
  const u64* e = k_->pool().table(engine::PhysAddr{s.table_pa});
  return e && (e[s.index] & kArm64Cont) && !whole_cont_group(e, s.index, s.level);
}

bool TlbModel::whole_cont_group(const u64* e, unsigned i, unsigned level) const {
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

void TlbModel::violate(std::string check, unsigned level, std::string what, std::string detail,
                       u64 va) {
  if (pending_ || lenient_) return;  // the first one is what the op is judged by
  pending_ = Mismatch{std::move(check), level_name(level, facts_->leaf_level), std::move(what),
                      std::move(detail), va};
}

std::optional<Mismatch> TlbModel::take_violation() {
  std::optional<Mismatch> m = std::move(pending_);
  pending_.reset();
  return m;
}

void TlbModel::add_walk(u64 va, unsigned level, u64 table) {
  const Walk w{va, facts_->entry_size[level], level, table};
  auto it = std::lower_bound(walks_.begin(), walks_.end(), w, [](const Walk& a, const Walk& b) {
    return a.va != b.va ? a.va < b.va : a.level < b.level;
  });
  for (auto j = it; j != walks_.end() && j->va == va && j->level == level; ++j)
    if (j->table == table) return;
  walks_.insert(it, w);
}

const TlbModel::Walk* TlbModel::walk_under(u64 va, u64 span, unsigned level, u64 table) const {
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
void TlbModel::add_leaf(u64 va, u64 desc, unsigned level) {
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
  bool cached = false;
  for_overlapping(eva, end, [&](const SizeClass& c, const Leaf& old) {
    if (old.va + c.size <= eva) return;
    if (&c == &cls && old == leaf) {
      cached = true;
      return;
    }
    {
      if (old.pa - old.va != leaf.pa - leaf.va) {
        violate("bbm", level, "oa-change",
                "a live translation of " + hex(std::max(old.va, eva)) + " changes its output " +
                    "address (cached " + hex(old.pa + (std::max(old.va, eva) - old.va)) + ", new " +
                    hex(leaf.pa + (std::max(old.va, eva) - eva)) +
                    ") without an invalid entry and a TLB invalidation in between",
                std::max(old.va, eva));
        return;
      }
      if (!arm64) return;  // break-before-make is an arm64 rule here
      if (c.size != cls.size || c.cont != cls.cont) {
        if (bbml2_) return;  // FEAT_BBM level 2: size changes need no break
        violate("bbm", level, c.cont != cls.cont ? "cont-change" : "size-change",
                "the mapping of " + hex(std::max(old.va, eva)) + " changes from a cached " +
                    hex(c.size) + (c.cont ? " CONT" : "") + " leaf to a " + hex(cls.size) +
                    (cls.cont ? " CONT" : "") +
                    " leaf without an invalid entry and a TLB invalidation in between",
                std::max(old.va, eva));
        return;
      }
      if ((old.bits ^ leaf.bits) & ~kArm64LiveSafe) {
        violate("bbm", level, "unsafe-attrs",
                "the attributes of the live leaf at " + hex(eva) + " change from " + hex(old.bits) +
                    " to " + hex(leaf.bits) + " in bits that need break-before-make",
                eva);
      }
    }
  });
  if (cached) return;
  if (!cls.fresh.empty() && leaf < cls.fresh.back()) settle(cls);
  cls.fresh.push_back(leaf);
}

void TlbModel::on_store(const u64* entry, u64 /*old*/, u64 now) {
  const u64 bytes = k_->pool().table_bytes();
  const auto* base = reinterpret_cast<const u64*>(reinterpret_cast<std::uintptr_t>(entry) &
                                                  ~static_cast<std::uintptr_t>(bytes - 1));
  if (base != last_base_) {
    const engine::PhysAddr pa = k_->pool().pa_of(base);
    if (pa.v == 0) return;  // not a live table: the structure checks report it
    last_base_ = base;
    last_pa_ = pa.v;
  }
  const TableInfo* ti = info(last_pa_);
  if (!ti || !ti->known) return;
  const TableInfo t = *ti;  // a table not linked anywhere yet: nothing can walk it
  const unsigned level = t.level;
  const u64 va = t.va + static_cast<u64>(entry - base) * facts_->entry_size[level];
  const u64 span = facts_->entry_size[level];
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
      if (!bbml2_ || facts_->format != DescFormat::arm64) {
        for_overlapping(va, va + span, [&](const SizeClass& c, const Leaf& l) {
          if (c.level > level) return;
          violate("bbm", level, "block-split",
                  "the leaf for " + hex(std::max(l.va, va)) + " becomes a table while the " +
                      hex(c.size) + " leaf may still be cached",
                  std::max(l.va, va));
        });
      }
      add_walk(va, level, next);
      // A dangling table descriptor is the structure checks' to report.
      if (level < facts_->leaf_level && k_->pool().is_live(engine::PhysAddr{next}))
        *info(next) = {va, level + 1, true};
      break;
    }
    case DescKind::block:
    case DescKind::page: {
      // A cached walk of this slot, or below it, may still lead to the
      // table this leaf replaces.
      // (No table has PA 0, so every walk at this slot counts.)
      if (const Walk* w = walk_under(va, span, level, 0))
        violate("bbm", level, "table-replaced",
                "the entry for " + hex(va) + " becomes a leaf while a walk through the table " +
                    hex(w->table) + " may still be cached",
                va);
      add_leaf(va, now, level);
      break;
    }
    case DescKind::invalid:
    case DescKind::reserved: break;  // nothing new can be cached
  }
}

void TlbModel::on_free(engine::PhysAddr pa) {
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

void TlbModel::drop_leaves(u64 lo, u64 hi) {
  for (SizeClass& c : classes_) {
    settle(c);
    auto first = std::lower_bound(c.entries.begin(), c.entries.end(),
                                  Leaf{lo >= c.size ? lo - c.size + 1 : 0, 0, 0});
    auto last = std::lower_bound(first, c.entries.end(), Leaf{hi, 0, 0});
    c.entries.erase(first, last);
  }
}

void TlbModel::resync(u64 lo, u64 hi) {
  drop_leaves(lo, hi);
  seed_range(k_->pgd_pa().v, facts_->kernel_va_base, facts_->root_level, lo, hi);
}

void TlbModel::drop_walks(u64 lo, u64 hi) {
  std::erase_if(walks_, [&](const Walk& w) { return w.va < hi && lo < w.va + w.size; });
}

void TlbModel::on_flush(const common::Flush& f) {
  using common::FlushKind;
  const bool arm64 = facts_->format == DescFormat::arm64;
  switch (f.kind) {
    case FlushKind::tlb_kernel_range:
    case FlushKind::tlb_lazy_purge:
    case FlushKind::tlb_range:
      if (f.end.v <= f.start.v) return;
      drop_leaves(f.start.v, f.end.v);
      if (!arm64) drop_walks(f.start.v, f.end.v);
      return;
    case FlushKind::tlb_pgtable:
      drop_leaves(f.start.v, f.start.v + 1);
      drop_walks(f.start.v, f.start.v + 1);
      return;
    case FlushKind::cache_vmap:
    case FlushKind::cache_vunmap:
    case FlushKind::sync_kernel_mappings:
    case FlushKind::count_: return;
  }
}

std::optional<Mismatch> TlbModel::check_stale(const std::vector<reference::LeafRun>& runs, u64 lo,
                                              u64 hi) {
  for (SizeClass& c : classes_) {
    settle(c);
    auto it = std::lower_bound(c.entries.begin(), c.entries.end(),
                               Leaf{lo >= c.size ? lo - c.size + 1 : 0, 0, 0});
    for (; it != c.entries.end() && it->va < hi; ++it) {
      const u64 from = std::max(it->va, lo);
      const u64 to = std::min(it->va + c.size, hi);
      const reference::Attrs attrs =
          reference::decode_attrs(facts_->format, it->bits, c.level != facts_->leaf_level);
      // Every VA of [from, to) must be in a run with this translation.
      u64 va = from;
      auto r = std::upper_bound(runs.begin(), runs.end(), va,
                                [](u64 v, const reference::LeafRun& x) { return v < x.va; });
      if (r != runs.begin()) --r;
      std::string why;
      for (; va < to; ++r) {
        if (r == runs.end() || r->va > va || r->va + r->size <= va) {
          why = "is not mapped any more";
          break;
        }
        if (r->pa - r->va != it->pa - it->va) {
          why = "now translates to " + hex(r->pa + (va - r->va));
          break;
        }
        if (r->attrs != attrs) {
          why = "now has attributes " + reference::attrs_text(r->attrs) + " (cached " +
                reference::attrs_text(attrs) + ")";
          break;
        }
        va = r->va + r->size;
      }
      if (why.empty()) continue;
      // A CONT group whose entries now disagree translates unpredictably:
      // that is the walker's malformed-cont to judge (expected only where
      // the reference says a change leaves one), not a stale entry.
      if (c.cont && malformed_group_at(it->va)) continue;
      return Mismatch{"tlb", level_name(c.level, facts_->leaf_level), "stale-translation",
                      "after the op the TLB may still hold " + hex(it->va) + " -> " + hex(it->pa) +
                          " (" + hex(c.size) + (c.cont ? " CONT" : "") + " leaf, " +
                          reference::attrs_text(attrs) + "), but " + hex(std::max(va, from)) + " " +
                          why + ": no TLB invalidation covered it since",
                      std::max(va, from)};
    }
  }
  return std::nullopt;
}

std::size_t TlbModel::cached_leaves() const {
  std::size_t n = 0;
  for (const SizeClass& c : classes_) n += c.entries.size() + c.fresh.size();
  return n;
}

bool TlbModel::caches(u64 va) const {
  bool found = false;
  for_overlapping(va, va + 1, [&](const SizeClass&, const Leaf&) { found = true; });
  return found;
}

TlbModel& tlb_of(engine::Kernel& k) {
  if (TlbModel* t = find_tlb(k)) return *t;
  auto t = std::make_unique<TlbModel>(k);
  TlbModel& ref = *t;
  k.set_observer(std::move(t));
  return ref;
}

TlbModel* find_tlb(const engine::Kernel& k) { return dynamic_cast<TlbModel*>(k.observer()); }

}  // namespace vmapfuzz::harness
