// SPDX-License-Identifier: GPL-2.0-only
#include "reference/model.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace vmapfuzz::reference {

using common::BugId;
using common::FlushKind;
using common::WarnId;

namespace {

void flush(Outcome& out, FlushKind k, u64 a, u64 b) { out.flushes.push_back({k, {a}, {b}}); }
void warn(Outcome& out, WarnId id, u64 a) { out.warns.push_back({id, {a}}); }
void bug(Outcome& out, BugId id, u64 a) {
  out.bug = id;
  out.bug_addr = {a};
  out.ret = -common::kBUGGED;
}

// The pgattr_change_is_safe() rule, stated on decoded attributes: a live
// block may only be rewritten in place with the same output address and
// with at most PXN, read-only/write and global->nG changing (Normal and
// Normal-Tagged count as one memory type).
bool live_change_allowed(u64 old_pa, const Attrs& o, u64 new_pa, const Attrs& n) {
  if (old_pa != new_pa) return false;
  if (o.ng && !n.ng) return false;
  Attrs a = o, b = n;
  for (Attrs* x : {&a, &b}) {
    x->pxn = x->rdonly = x->dbm = x->ng = false;
    x->sw = 0;
    if (x->attr_index == 1) x->attr_index = 0;
  }
  return a == b;
}

}  // namespace

RefKernel::RefKernel(const common::GeometryConfig& g, common::Variant v, common::KernelConfig cfg)
    : g_(g), variant_(v), f_(&geometry_facts(g)), rules_(&variant_rules(v)), cfg_(cfg) {
  root_ = f_->root_level;
  pgd_ = f_->host_level(KernelLevel::pgd);
  pud_ = f_->host_level(KernelLevel::pud);
  pmd_ = f_->host_level(KernelLevel::pmd);
  pte_ = f_->host_level(KernelLevel::pte);
  pud_block_ = vmap_block_size(*f_, cfg_, KernelLevel::pud);
  pmd_block_ = vmap_block_size(*f_, cfg_, KernelLevel::pmd);
}

void RefKernel::reset() {
  std::vector<PlacedLeaf> leaves = std::move(leaves_);
  std::array<VaSet, kMaxHwLevels> tables = std::move(tables_);
  std::vector<Area> areas = std::move(areas_);
  std::vector<bool> step_batch = std::move(step_batch_);
  std::vector<PlacedLeaf> step_leaves = std::move(step_leaves_);
  *this = RefKernel(g_, variant_, cfg_);
  step_batch_ = std::move(step_batch);
  step_leaves_ = std::move(step_leaves);
  leaves.clear();
  leaves_ = std::move(leaves);
  for (VaSet& t : tables) t.clear();
  tables_ = std::move(tables);
  areas.clear();
  areas_ = std::move(areas);
}

u64 vmap_block_size(const GeometryFacts& f, const common::KernelConfig& cfg, KernelLevel level) {
  const bool x86 = f.format == DescFormat::x86_64;
  if (level == KernelLevel::pud) return x86 && cfg.nogbpages ? 0 : f.pud_block_size;
  return x86 && cfg.nopse ? 0 : f.pmd_block_size;
}

u64 RefKernel::slot_base(unsigned level, u64 x) const { return x & ~(entry_size(level) - 1); }

common::u32 RefKernel::level_bit(KernelLevel k) {
  switch (k) {
    case KernelLevel::pgd: return common::PGTBL_PGD_MODIFIED;
    case KernelLevel::p4d: return common::PGTBL_P4D_MODIFIED;
    case KernelLevel::pud: return common::PGTBL_PUD_MODIFIED;
    case KernelLevel::pmd: return common::PGTBL_PMD_MODIFIED;
    case KernelLevel::pte: return common::PGTBL_PTE_MODIFIED;
  }
  return 0;
}

// A table of level-`level` entries is linked into an entry of the level
// above; that entry's owner (its lowest kernel level) records the change.
common::u32 RefKernel::alloc_bit(unsigned level) const { return level_bit(f_->owner(level - 1)); }

// pXd_bad() of an empty entry of the kernel level owning hardware level
// `hw` (checks of levels above a folded one are constant false and never
// count): arm64 calls every non-table bad; x86's pud_bad and p4d_bad only
// flag unexpected bits; riscv's pXd_bad is !present.
bool RefKernel::none_is_bad(unsigned hw) const {
  const KernelLevel k = f_->owner(hw);
  if (f_->format == DescFormat::x86_64) return k == KernelLevel::pmd || k == KernelLevel::pgd;
  return true;
}

void RefKernel::begin_walk() { walk_mask_ = 0; }

void RefKernel::end_walk(Outcome& out, u64 start, u64 end) {
  // ARCH_PAGE_TABLE_SYNC_MASK of x86-64: the topmost level that is not
  // folded (PGD with five levels, else P4D).
  if (f_->format != DescFormat::x86_64) return;
  const common::u32 sync = f_->leaf_level - f_->root_level == 4 ? common::PGTBL_PGD_MODIFIED
                                                                : common::PGTBL_P4D_MODIFIED;
  if (walk_mask_ & sync) flush(out, FlushKind::sync_kernel_mappings, start, end);
}

void RefKernel::set_mask(Outcome& out, common::u32 bits) {
  out.mod_mask |= bits;
  walk_mask_ |= bits;
}

std::size_t RefKernel::first_after(u64 x) const {
  // Maps go in increasing VA order: most look-ups are at or past the last
  // leaf.
  if (leaves_.empty() || x >= leaves_.back().va) return leaves_.size();
  auto it = std::upper_bound(leaves_.begin(), leaves_.end(), x,
                             [](u64 v, const PlacedLeaf& p) { return v < p.va; });
  return static_cast<std::size_t>(it - leaves_.begin());
}

const RefKernel::Leaf* RefKernel::leaf_at(u64 x, u64* start) const {
  const std::size_t i = first_after(x);
  if (i == 0) return nullptr;
  const PlacedLeaf& p = leaves_[i - 1];
  if (x - p.va >= p.leaf.size) return nullptr;
  if (start) *start = p.va;
  return &p.leaf;
}

RefKernel::Entry RefKernel::entry_at(unsigned level, u64 x) const {
  if (level < pte_ && tables_[level + 1].contains(slot_base(level, x))) return Entry::table;
  const Leaf* l = leaf_at(x);
  return l && l->level == level ? Entry::leaf : Entry::none;
}

// The leaves overlapping [a, b) go; of the first and the last, the parts
// outside [a, b) stay.
void RefKernel::merge_with_next(std::size_t i) {
  if (i + 1 >= leaves_.size() || !continues(leaves_[i], leaves_[i + 1])) return;
  leaves_[i].leaf.size += leaves_[i + 1].leaf.size;
  leaves_.erase(leaves_.begin() + static_cast<std::ptrdiff_t>(i + 1));
}

void RefKernel::replace_leaf(u64 va, const Leaf& n) {
  const std::size_t i = first_after(va);
  if (i > 0 && leaves_[i - 1].va == va && leaves_[i - 1].leaf.size == n.size) {
    // The leaf is exactly [va, va + n.size): rewrite it in place, as
    // erase_range() and insert_leaf() would leave it, without moving the
    // leaves after it (a change page by page over pages that are each a
    // leaf of their own would otherwise be quadratic).
    leaves_[i - 1].leaf = n;
    merge_with_next(i - 1);
    if (i > 1) merge_with_next(i - 2);
    return;
  }
  erase_range(va, va + n.size);
  insert_leaf(va, n);
}

void RefKernel::erase_range(u64 a, u64 b) {
  std::size_t first = first_after(a);
  if (first > 0 && leaves_[first - 1].va + leaves_[first - 1].leaf.size > a) --first;
  std::size_t last = first;  // one past the last leaf starting before b
  while (last < leaves_.size() && leaves_[last].va < b) ++last;
  if (first == last) return;
  PlacedLeaf keep[2];
  std::size_t kept = 0;
  const PlacedLeaf lo = leaves_[first], hi = leaves_[last - 1];
  if (lo.va < a) {
    keep[kept] = lo;
    keep[kept++].leaf.size = a - lo.va;
  }
  if (const u64 e = hi.va + hi.leaf.size; e > b) {
    keep[kept] = {b, hi.leaf};
    keep[kept].leaf.size = e - b;
    keep[kept++].leaf.pa = hi.leaf.pa + (b - hi.va);
  }
  const auto pos = leaves_.erase(leaves_.begin() + static_cast<std::ptrdiff_t>(first),
                                 leaves_.begin() + static_cast<std::ptrdiff_t>(last));
  leaves_.insert(pos, keep, keep + kept);
}

bool RefKernel::overlaps_mapping(u64 va, u64 end) const {
  if (end == 0) return false;
  // The last leaf starting before end.
  const std::size_t i = first_after(end - 1);
  if (i == 0) return false;
  const PlacedLeaf& p = leaves_[i - 1];
  return p.va + p.leaf.size > va;
}

std::vector<LeafRun> RefKernel::expected_runs() const { return expected_runs(0, ~u64{0}); }

std::vector<LeafRun> RefKernel::expected_runs(u64 lo, u64 hi) const {
  return leaves_in(lo, hi, true);
}

std::vector<LeafRun> RefKernel::leaves_in(u64 lo, u64 hi, bool mapped) const {
  std::vector<LeafRun> runs;
  std::size_t i = first_after(lo);
  if (i > 0) --i;
  for (; i < leaves_.size() && leaves_[i].va < hi; ++i) {
    const u64 va = leaves_[i].va;
    const Leaf& l = leaves_[i].leaf;
    const u64 cs = std::max(va, lo), ce = std::min(va + l.size, hi);
    if (cs >= ce || l.mapped != mapped) continue;
    append_run(runs, {cs, ce - cs, l.pa + (cs - va), l.level, l.cont, l.attrs, l.mapped, l.raw});
  }
  return runs;
}

std::pair<u64, u64> RefKernel::leaf_extent(u64 a, u64 b) const {
  u64 start = 0;
  if (const Leaf* l = leaf_at(a, &start)) {
    // Blocks and CONT groups go whole; plain pages alone.
    const u64 unit = l->cont ? f_->cont_pte_size : entry_size(l->level);
    a = std::min(a, a & ~(unit - 1));
  }
  if (const Leaf* l = leaf_at(b - 1, &start)) {
    const u64 unit = l->cont ? f_->cont_pte_size : entry_size(l->level);
    b = std::max(b, ((b - 1) & ~(unit - 1)) + unit);
  }
  return {a, b};
}

std::pair<u64, u64> RefKernel::area_extent(u64 va) const {
  const Area* a = area_containing(va);
  return a ? std::pair<u64, u64>{a->va, a->va + a->size} : std::pair<u64, u64>{0, 0};
}

unsigned RefKernel::hole_level(u64 va) const {
  unsigned level = root_;
  while (level < pte_ && entry_at(level, va) == Entry::table) ++level;
  return level;
}

std::vector<std::pair<u64, u64>> RefKernel::area_list() const {
  std::vector<std::pair<u64, u64>> out;
  out.reserve(areas_.size());
  for (const Area& a : areas_) out.emplace_back(a.va, a.va + a.size);
  std::sort(out.begin(), out.end());
  return out;
}

u64 RefKernel::table_count() const {
  u64 n = 1 + unlinked_tables_;  // the root, and tables a BUG left unlinked
  for (const VaSet& t : tables_) n += t.size();
  return n;
}

void RefKernel::warn_once(Outcome& out, WarnId id, u64 addr) {
  const std::uint64_t b = std::uint64_t{1} << static_cast<unsigned>(id);
  if (warned_once_ & b) return;
  warned_once_ |= b;
  warn(out, id, addr);
}

bool RefKernel::alloc_table() {
  if (fail_countdown_ != 0 && --fail_countdown_ == 0) return false;
  return true;
}

// Makes the table that holds level-`level` entries for x exist.
bool RefKernel::ensure_table(Outcome& out, unsigned level, u64 x) {
  const u64 base = slot_base(level - 1, x);
  if (tables_[level].contains(base)) return true;
  if (entry_at(level - 1, x) == Entry::leaf) {
    bug(out, BugId::leaf_used_as_table, x);
    return false;
  }
  if (!alloc_table()) {
    out.ret = -common::kENOMEM;
    return false;
  }
  tables_[level].insert(base);
  ++out.tables_allocated;
  set_mask(out, alloc_bit(level));
  return true;
}

// pmd_free_pte_page(): the PTE table under a PMD slot goes, with the
// architecture's TLB maintenance for the table walk cache: arm64 one
// __flush_tlb_kernel_pgtable; x86 an INVLPG-style flush of one page; riscv
// the whole PMD's VA range.
void RefKernel::free_pte_table(Outcome& out, u64 slot) {
  tables_[pte_].erase(slot);
  erase_range(slot, slot + entry_size(pmd_));
  switch (f_->format) {
    case DescFormat::arm64: flush(out, FlushKind::tlb_pgtable, slot, slot); break;
    case DescFormat::x86_64:
      flush(out, FlushKind::tlb_kernel_range, slot, slot + f_->page_size - 1);
      break;
    case DescFormat::riscv64:
      flush(out, FlushKind::tlb_kernel_range, slot, slot + entry_size(pmd_));
      break;
  }
  ++out.tables_freed;
}

// pXd_free_*_page() of x86 or riscv over a leaf: the kernel would free its
// data page as a table, and the model stops there. x86's pmd_free_pte_page()
// of the 2026 trees clears the entry and flushes one page first.
void RefKernel::leaf_freed_as_table(Outcome& out, u64 slot, bool pud) {
  if (!pud && f_->format == DescFormat::x86_64 && rules_->x86_pmd_cleared_before_table_freed) {
    erase_range(slot, slot + entry_size(pmd_));
    flush(out, FlushKind::tlb_kernel_range, slot, slot + f_->page_size - 1);
  }
  bug(out, BugId::leaf_used_as_table, slot);
}

// pud_free_pmd_page(). arm64: the PUD entry goes (and its flush) before or
// after the PTE tables by era, a PMD leaf under it WARNs. x86: every PMD
// entry and the PUD entry are cleared, one flush of a page, then the
// tables are freed. riscv: the PUD entry, a flush of its whole range, then
// the tables. x86 and riscv free whatever a non-empty PMD entry names, in
// slot order: at a PMD leaf the kernel would free its data page as a
// table, so the model stops there (BUG at the PUD's address, false), the
// mappings under the PUD gone and the tables before the leaf freed.
bool RefKernel::free_pmd_table(Outcome& out, u64 slot) {
  const u64 span = entry_size(pud_), pmd = entry_size(pmd_);
  if (f_->format != DescFormat::arm64) {
    std::vector<std::pair<u64, Entry>> under;
    for (u64 m = slot; m < slot + span; m += pmd) {
      const Entry e = entry_at(pmd_, m);
      if (e != Entry::none) under.emplace_back(m, e);
    }
    erase_range(slot, slot + span);
    const bool x86 = f_->format == DescFormat::x86_64;
    flush(out, FlushKind::tlb_kernel_range, slot, slot + (x86 ? f_->page_size - 1 : span));
    // Every table under the PUD is unlinked now; the ones before a leaf
    // are freed too.
    bool freeing = true;
    for (const auto& [m, e] : under) {
      if (e == Entry::leaf && freeing) {
        bug(out, BugId::leaf_used_as_table, slot);
        freeing = false;
      }
      if (e != Entry::table) continue;
      tables_[pte_].erase(m);
      if (freeing) ++out.tables_freed;
      else ++unlinked_tables_;
    }
    tables_[pmd_].erase(slot);
    if (freeing) ++out.tables_freed;
    else ++unlinked_tables_;
    return freeing;
  }
  const bool clear_first = rules_->pud_cleared_before_pte_tables;
  if (clear_first) flush(out, FlushKind::tlb_pgtable, slot, slot);
  for (u64 m = slot; m < slot + span; m += pmd) {
    const Entry e = entry_at(pmd_, m);
    if (e == Entry::table) free_pte_table(out, m);
    else if (e == Entry::leaf) warn(out, WarnId::pmd_free_pte_page_not_table, m);
  }
  tables_[pmd_].erase(slot);
  erase_range(slot, slot + span);
  if (!clear_first) flush(out, FlushKind::tlb_pgtable, slot, slot);
  ++out.tables_freed;
  return true;
}

// x86's pmd_set_huge()/pud_set_huge() refuse a block whose physical range
// is not one MTRR memory type (the model's one boundary, mtrr_split).
bool RefKernel::mtrr_refuses(u64 pa, u64 size) const {
  const u64 split = cfg_.mtrr_split;
  return f_->format == DescFormat::x86_64 && split != 0 && pa < split && split < pa + size;
}

bool RefKernel::install_block(Outcome& out, const Step& s, const Attrs& attrs) {
  const bool pud = s.kind == Step::pud_block;
  const unsigned level = pud ? pud_ : pmd_;
  switch (entry_at(level, s.va)) {
    case Entry::none: break;
    case Entry::table:
      if (pud) {
        if (!free_pmd_table(out, s.va)) return false;
      } else {
        free_pte_table(out, s.va);
      }
      break;
    case Entry::leaf: {
      // A block a change made invalid (6.12, 6.1) is not pXd_present(): no
      // pXd_free_*_page(), and *_set_huge() may take it down (creating a
      // mapping over an invalid entry is always safe). A present-invalid
      // one (2026) is present: the leaf path below.
      if (const Leaf* l = leaf_at(s.va); l && !present(*l)) break;
      if (f_->format != DescFormat::arm64) {
        // x86 and riscv free the "table" a leaf names.
        leaf_freed_as_table(out, s.va, pud);
        return false;
      }
      warn(out, pud ? WarnId::pud_free_pmd_page_not_table : WarnId::pmd_free_pte_page_not_table,
           s.va);
      u64 start = 0;
      const Leaf* old = leaf_at(s.va, &start);
      const u64 old_pa = old->pa + (s.va - start);
      // Writing over a present-invalid block is "creating a mapping".
      if (old->mapped && !live_change_allowed(old_pa, old->attrs, s.pa, attrs)) {
        // *_set_huge refuses; the walker descends into the block.
        bug(out, BugId::leaf_used_as_table, s.va);
        return false;
      }
      break;
    }
  }
  erase_range(s.va, s.va + s.size);
  insert_leaf(s.va, {s.size, s.pa, level, false, attrs});
  set_mask(out, pud ? common::PGTBL_PUD_MODIFIED : common::PGTBL_PMD_MODIFIED);
  return true;
}

void RefKernel::map_steps(Outcome& out, const std::vector<Step>& steps, const Attrs& attrs,
                          unsigned max_shift) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    const unsigned top = s.kind == Step::pud_block                                ? pud_
                         : s.kind == Step::pmd_block || s.kind == Step::unaligned ? pmd_
                                                                                  : pte_;
    if (s.kind == Step::past_end) {
      // v6.12: the PTE loop stepped over its end; the model stops there.
      bug(out, BugId::walk_ran_past_end, s.va);
      return;
    }
    if (s.kind == Step::unaligned) {
      for (unsigned level = root_ + 1; level <= pmd_; ++level)
        if (!ensure_table(out, level, s.va)) return;
      warn_once(out, WarnId::vmap_pte_range_size_unaligned, s.va);
      out.ret = -common::kEINVAL;
      return;
    }
    for (unsigned level = root_ + 1; level <= top; ++level)
      if (!ensure_table(out, level, s.va)) return;
    if (s.kind == Step::pud_block || s.kind == Step::pmd_block) {
      if (mtrr_refuses(s.pa, s.size)) {
        // The old table goes first (pXd_free_*), then pXd_set_huge
        // refuses and the walk maps the slot one level down.
        const bool pud = s.kind == Step::pud_block;
        const Entry old = entry_at(pud ? pud_ : pmd_, s.va);
        if (old == Entry::leaf) {
          leaf_freed_as_table(out, s.va, pud);
          return;
        }
        if (old == Entry::table) {
          if (!pud) free_pte_table(out, s.va);
          else if (!free_pmd_table(out, s.va)) return;
        }
        const unsigned below = pud ? f_->shift[pmd_] : f_->page_shift;
        map_steps(out,
                  plan_phys_range(g_, variant_, s.va, s.va + s.size, s.pa,
                                  std::min(max_shift, below), pud_block_, pmd_block_),
                  attrs, std::min(max_shift, below));
        if (out.ret != 0 || out.bug != BugId::none) return;
        continue;
      }
      if (!install_block(out, s, attrs)) return;
      continue;
    }
    // PTE level: each set_pte_at/set_huge_pte_at call checks its first
    // entry only, and BUGs if it is present; the rest are overwritten.
    const u64 bug_at = first_present_call(s);
    const u64 done = bug_at - s.va;
    if (done) {
      erase_range(s.va, s.va + done);
      insert_leaf(s.va, {done, s.pa, pte_, s.kind == Step::cont_batch, attrs});
    }
    if (done != s.bytes()) {
      bug(out, BugId::vmap_pte_range_remap, bug_at);
      return;
    }
    // (A past_end step ends this table's loop without its mask bit.)
    const bool last_in_table =
        i + 1 == steps.size() || (steps[i + 1].kind != Step::past_end &&
                                  slot_base(pmd_, steps[i + 1].va) != slot_base(pmd_, s.va));
    if (last_in_table) set_mask(out, common::PGTBL_PTE_MODIFIED);
  }
}

u64 RefKernel::first_present_call(const Step& s) const {
  const u64 end = s.va + s.bytes();
  std::size_t i = first_after(s.va);
  if (i > 0) --i;
  for (; i < leaves_.size() && leaves_[i].va < end; ++i) {
    const u64 ls = std::max(leaves_[i].va, s.va), le = leaves_[i].va + leaves_[i].leaf.size;
    if (le <= s.va) continue;
    // The first call start at or after ls.
    const u64 k = (ls - s.va + s.size - 1) / s.size;
    const u64 x = s.va + k * s.size;
    if (x < le && x < end) return x;
  }
  return end;
}

void RefKernel::insert_leaf(u64 va, const Leaf& l) {
  // leaves_[i - 1] starts before va, leaves_[i] after it.
  const std::size_t i = first_after(va);
  const PlacedLeaf p{va, l};
  const bool with_prev = i > 0 && continues(leaves_[i - 1], p);
  const bool with_next = i < leaves_.size() && continues(p, leaves_[i]);
  if (with_prev && with_next) {
    leaves_[i - 1].leaf.size += l.size + leaves_[i].leaf.size;
    leaves_.erase(leaves_.begin() + static_cast<std::ptrdiff_t>(i));
  } else if (with_prev) {
    leaves_[i - 1].leaf.size += l.size;
  } else if (with_next) {
    leaves_[i].leaf.size += l.size;
    leaves_[i].leaf.pa = l.pa;
    leaves_[i].va = va;
  } else {
    leaves_.insert(leaves_.begin() + static_cast<std::ptrdiff_t>(i), {va, l});
  }
}

Outcome RefKernel::vmap_page_range(u64 va, u64 size, u64 pa, common::ProtName prot) {
  Outcome out;
  const unsigned max_shift = cfg_.nohugeiomap ? f_->page_shift : 63;
  begin_walk();
  map_steps(out,
            plan_phys_range(g_, variant_, va, va + size, pa, max_shift, pud_block_, pmd_block_),
            expected_attrs(f_->format, prot, /*nx=*/true), max_shift);
  if (out.bug != BugId::none) return out;
  end_walk(out, va, va + size);
  flush(out, FlushKind::cache_vmap, va, va + size);
  return out;
}

const RefKernel::Area* RefKernel::area_containing(u64 va) const {
  for (const Area& a : areas_)
    if (va >= a.va && va - a.va < a.size) return &a;
  return nullptr;
}

bool RefKernel::ioremap_range_is_area(u64 va, u64 size) const {
  const Area* a = area_containing(va);
  return a && (a->flags & common::VM_IOREMAP) && va == a->va && size == a->size - f_->page_size;
}

Outcome RefKernel::ioremap_page_range(u64 va, u64 size, u64 pa, common::ProtName prot) {
  if (!rules_->ioremap_area_check) return vmap_page_range(va, size, pa, prot);
  const Area* a = area_containing(va);
  if (!a || !(a->flags & common::VM_IOREMAP)) {
    Outcome out;
    warn_once(out, WarnId::ioremap_area_not_ioremap, va);
    out.ret = -common::kEINVAL;
    return out;
  }
  if (va != a->va || size != a->size - f_->page_size) {
    Outcome out;
    warn_once(out, WarnId::ioremap_range_mismatch, va);
    out.ret = -common::kERANGE;
    return out;
  }
  return vmap_page_range(va, size, pa, prot);
}

Outcome RefKernel::ioremap(u64 va, u64 size, u64 pa, common::ProtName prot) {
  const u64 total = size + f_->page_size;
  bool free = va >= g_.vmalloc_start && total <= g_.vmalloc_size &&
              va - g_.vmalloc_start <= g_.vmalloc_size - total;
  for (const Area& a : areas_)
    if (va < a.va + a.size && a.va < va + total) free = false;
  if (!free) {
    Outcome out;
    out.ret = -common::kENOMEM;
    return out;
  }
  areas_.push_back({va, total, common::VM_IOREMAP});
  Outcome out = ioremap_page_range(va, size, pa, prot);
  if (out.ret != 0 && out.bug == BugId::none) free_area(out, areas_.size() - 1);
  return out;
}

void RefKernel::free_area(Outcome& out, std::size_t index) {
  const Area a = areas_[index];
  areas_.erase(areas_.begin() + static_cast<std::ptrdiff_t>(index));
  flush(out, FlushKind::cache_vunmap, a.va, a.va + a.size);
  unmap_walk(out, a.va, a.va + a.size);
  flush(out, FlushKind::tlb_lazy_purge, a.va, a.va + a.size);
}

Outcome RefKernel::iounmap(u64 va) {
  Outcome out;
  const Area* a = area_containing(va);
  if (!a) {
    warn(out, WarnId::vunmap_nonexistent_area, va);
    return out;
  }
  free_area(out, static_cast<std::size_t>(a - areas_.data()));
  return out;
}

Outcome RefKernel::vunmap_range(u64 va, u64 size) {
  Outcome out;
  flush(out, FlushKind::cache_vunmap, va, va + size);
  unmap_walk(out, va, va + size);
  flush(out, FlushKind::tlb_kernel_range, va, va + size);
  return out;
}

// Unmapping, stated on the reference state: blocks go whole (WARN when the
// range covers only part, if the variant's rules say so), page tables
// stay. At each level the entry's owner (its lowest kernel level) does
// the checks: a cleared block marks that level modified, and so does an
// empty entry where the architecture's pXd_bad() calls it bad
// (none_is_bad()). One walk: x86 syncs after it as after a map.
void RefKernel::unmap_walk(Outcome& out, u64 a, u64 b) {
  begin_walk();
  unmap_level(out, root_, a, b);
  end_walk(out, a, b);
}

void RefKernel::unmap_level(Outcome& out, unsigned level, u64 a, u64 b) {
  const u64 span = entry_size(level);
  const KernelLevel k = f_->owner(level);
  // (slot + span wraps to 0 after the last slot of the address space.)
  for (u64 slot = slot_base(level, a); slot < b && slot >= slot_base(level, a); slot += span) {
    const u64 s = std::max(a, slot), e = slot + span - 1 < b - 1 ? slot + span : b;
    const Entry ent = entry_at(level, slot);
    if (ent == Entry::leaf && !present(*leaf_at(slot))) {
      // A block set_memory_valid(0) left (6.12, 6.1: valid bit clear, not
      // present): pXd_clear_huge() sees no block, pXd_none_or_clear_bad()
      // clears it as bad. A present-invalid one (2026) is a leaf: below.
      set_mask(out, level_bit(k));
      erase_range(slot, slot + span);
      warn(out, k == KernelLevel::pud ? WarnId::pud_bad : WarnId::pmd_bad, s);
      continue;
    }
    if (ent == Entry::leaf) {
      set_mask(out, level_bit(k));
      erase_range(slot, slot + span);
      if (e - s < span && rules_->partial_block_warn)
        warn(out,
             k == KernelLevel::pud ? WarnId::vunmap_pud_partial_block
                                   : WarnId::vunmap_pmd_partial_block,
             s);
      continue;
    }
    if (ent == Entry::none) {
      if (none_is_bad(level)) set_mask(out, level_bit(k));
      continue;
    }
    if (level + 1 == pte_) {
      unmap_pte_table(out, s, e);
      set_mask(out, common::PGTBL_PTE_MODIFIED);
    } else {
      unmap_level(out, level + 1, s, e);
    }
  }
}

// One PTE table's part [s, e): single pages are cleared one by one; a valid
// CONT entry clears its whole naturally aligned group, WARNing when the
// group starts before s or ends after e.
void RefKernel::unmap_pte_table(Outcome& out, u64 s, u64 e) {
  const u64 group = f_->cont_pte_size;
  u64 x = s;
  while (x < e) {
    u64 start = 0;
    const Leaf* l = leaf_at(x, &start);
    if (!l) {
      const std::size_t next = first_after(x);
      x = next == leaves_.size() ? e : std::min(e, leaves_[next].va);
      continue;
    }
    if (!l->mapped) {
      // Not translating, so never a CONT batch: cleared page by page. The
      // kernel's pte_present() counts the valid bit (bits 01,
      // set_memory_valid over an empty PTE) and a present-invalid entry
      // (nG without it, 2026's set_memory_valid(0)): those are cleared
      // quietly; the others are neither none nor present: a WARN each.
      // This leaf and the not-translating ones after it, up to e or the
      // next translating leaf, leave the model in one erase (a change can
      // leave one leaf per page: one erase each would be quadratic).
      u64 stop = x;
      const Leaf* cur = l;
      u64 cur_start = start;
      for (std::size_t n = first_after(x);; ++n) {
        const u64 from = std::max(stop, cur_start), to = std::min(e, cur_start + cur->size);
        if (!present(*cur))
          for (u64 p = from; p < to; p += f_->page_size)
            warn(out, WarnId::vunmap_pte_not_present, p);
        stop = to;
        if (n >= leaves_.size() || leaves_[n].va >= e || leaves_[n].leaf.mapped) break;
        cur = &leaves_[n].leaf;
        cur_start = leaves_[n].va;
      }
      erase_range(x, stop);
      x = stop;
      continue;
    }
    if (!l->cont) {
      // This plain leaf and the plain ones after it, up to e or the next
      // CONT leaf, are cleared page by page; they leave the model in one
      // erase (one per leaf would move the rest of leaves_ each time).
      u64 stop = std::min(e, start + l->size);
      for (std::size_t n = first_after(x); n < leaves_.size() && leaves_[n].va < e; ++n) {
        if (leaves_[n].leaf.cont || !leaves_[n].leaf.mapped) break;
        stop = std::min(e, leaves_[n].va + leaves_[n].leaf.size);
      }
      erase_range(x, stop);
      x = stop;
      continue;
    }
    // huge_ptep_get_and_clear() returns the group's first entry; when the
    // walk stepped back to a first entry a change made invalid (neither
    // none nor present), the WARN on it follows the group's clearing.
    bool first_not_present = false;
    if (x % group) {
      warn(out, WarnId::vunmap_pte_cont_misaligned, x);
      x -= x % group;
      u64 fs = 0;
      const Leaf* first = leaf_at(x, &fs);
      first_not_present = first && !present(*first);
    }
    // Whole groups of this run that end by e go at once; a group that
    // reaches past e goes whole too, with a WARN, and ends this table. A
    // run that ends inside a group (one a set_memory_valid(0) left
    // malformed, docs/pageattr.md) still takes that whole group: the
    // kernel decides on the group's first entry.
    const u64 run_end = (start + l->size + group - 1) / group * group;
    const u64 full_end = std::max(x, std::min(run_end, e - (e - x) % group));
    if (full_end > x) {
      erase_range(x, full_end);
      if (first_not_present) warn(out, WarnId::vunmap_pte_not_present, x);
      x = full_end;
      continue;
    }
    erase_range(x, x + group);
    warn(out, WarnId::vunmap_pte_cont_partial, x);
    if (first_not_present) warn(out, WarnId::vunmap_pte_not_present, x);
    return;
  }
}

}  // namespace vmapfuzz::reference
