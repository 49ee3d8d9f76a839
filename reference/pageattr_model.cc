// SPDX-License-Identifier: GPL-2.0-only
// arm64's set_memory_* on the reference state, from the rules of
// docs/pageattr.md (not from the engine's code): which calls are refused,
// which entries change which bits, where the change stops with a WARN,
// what is flushed, and with BBML2_NOABORT which leaves are split first.
#include <algorithm>
#include <bit>

#include "reference/model.h"

namespace vmapfuzz::reference {

using common::FlushKind;
using common::SetMemoryMode;
using common::WarnId;

namespace {

// CONT_PMD_SIZE by granule: the Arm ARM's contiguous block entries at
// level 2 (16 for 4K, 32 for 16K and 64K).
u64 cont_pmd_size(const GeometryFacts& f, u64 pmd_size) {
  return pmd_size * (f.page_size == 4096 ? 16 : 32);
}

}  // namespace

// A leaf that stands for an entry of value zero: a none entry.
bool RefKernel::is_zero_entry(const Leaf& l) {
  return !l.mapped && l.raw == 0 && l.pa == 0 && !l.cont && l.attrs == Attrs{};
}

// One permission change: what it does to an entry.
struct RefKernel::Change {
  enum class Kind { ro, rw, x, nx, valid, invalid } kind;
  // valid/invalid also clear/set PTE_PRESENT_INVALID (nG): the 2026 trees.
  bool present_invalid = false;

  void apply(Leaf& l, bool page_level) const {
    switch (kind) {
      case Kind::ro:
        l.attrs.rdonly = true;
        l.attrs.dbm = false;
        break;
      case Kind::rw:
        l.attrs.dbm = true;
        l.attrs.rdonly = false;
        break;
      case Kind::x: l.attrs.pxn = false; break;  // and PTE_MAYBE_GP (0: no BTI)
      case Kind::nx: l.attrs.pxn = true; break;
      case Kind::valid:
        if (l.mapped) break;
        if (present_invalid) l.attrs.ng = false;
        l.raw |= 1;
        // A page needs both low bits, a block the valid bit alone.
        if (l.raw == (page_level ? 3 : 1)) {
          l.mapped = true;
          l.raw = 0;
        }
        break;
      case Kind::invalid:
        if (l.mapped) {
          l.mapped = false;
          l.raw = page_level ? 2 : 0;
        } else {
          l.raw &= 2;
        }
        if (present_invalid) l.attrs.ng = true;
        break;
    }
  }
};

void RefKernel::change_leaf_part(u64 a, u64 b, const Change& c) {
  u64 ls = 0;
  const Leaf* l = leaf_at(a, &ls);
  Leaf n = *l;
  n.size = b - a;
  n.pa = l->pa + (a - ls);
  c.apply(n, n.level == pte_);
  erase_range(a, b);
  // An entry the change cleared to zero (set_memory_valid(0) after (1) on an
  // empty PTE) is none again: nothing to keep.
  if (!is_zero_entry(n)) insert_leaf(a, n);
}

// Every PTE of [a, b), inside one PTE table: mapped or not, each gets the
// change; an empty one becomes the change applied to a zero entry, which
// may stay zero. The new leaves of [a, b) are built first and replace the
// old ones at once: a change over many single-page leaves (what earlier
// changes of empty PTEs leave) stays linear.
void RefKernel::change_pages(u64 a, u64 b, const Change& c, bool) {
  std::vector<PlacedLeaf> next;
  auto add = [&](u64 va, const Leaf& l) {
    if (is_zero_entry(l)) return;
    const PlacedLeaf p{va, l};
    if (!next.empty() && continues(next.back(), p)) next.back().leaf.size += l.size;
    else next.push_back(p);
  };
  auto gap = [&](u64 from, u64 to) {
    for (u64 x = from; x < to; x += f_->page_size) {
      Leaf junk{f_->page_size, 0, pte_, false, Attrs{}, false, 0};
      c.apply(junk, true);
      add(x, junk);
    }
  };
  u64 x = a;
  std::size_t i = first_after(a);
  if (i > 0 && leaves_[i - 1].va + leaves_[i - 1].leaf.size > a) --i;
  for (; i < leaves_.size() && leaves_[i].va < b; ++i) {
    const PlacedLeaf& p = leaves_[i];
    const u64 s = std::max(p.va, a), e = std::min(p.va + p.leaf.size, b);
    gap(x, s);
    Leaf n = p.leaf;
    n.size = e - s;
    n.pa = p.leaf.pa + (s - p.va);
    c.apply(n, n.level == pte_);
    add(s, n);
    x = e;
  }
  gap(x, b);
  erase_range(a, b);
  const std::size_t at = first_after(a);
  leaves_.insert(leaves_.begin() + static_cast<std::ptrdiff_t>(at), next.begin(), next.end());
  if (!next.empty()) merge_with_next(at + next.size() - 1);
  if (at > 0) merge_with_next(at - 1);
}

void RefKernel::set_cont(u64 a, u64 b, unsigned level, bool cont) {
  u64 x = a;
  while (x < b) {
    u64 ls = 0;
    const Leaf* l = leaf_at(x, &ls);
    if (!l) {
      const std::size_t i = first_after(x);
      x = i < leaves_.size() ? std::min(b, leaves_[i].va) : b;
      continue;
    }
    const u64 e = std::min(b, ls + l->size);
    if (l->level == level && l->cont != cont) {
      Leaf n = *l;
      n.size = e - x;
      n.pa = l->pa + (x - ls);
      n.cont = cont;
      erase_range(x, e);
      insert_leaf(x, n);
    }
    x = e;
  }
}

// With BBML2_NOABORT: make `b` a leaf boundary by splitting what maps it,
// from the top: a PUD block into a table of CONT PMD blocks, a CONT PMD
// group into plain PMD blocks, a PMD block into a table of CONT pages, a
// CONT page group into plain pages. It stops at the first size `b` is
// aligned to, and at an entry that is not present. A present-invalid block
// splits into present-invalid entries.
int RefKernel::bbml2_split_at(u64 b) {
  const u64 pud = entry_size(pud_), pmd = entry_size(pmd_);
  if (b % entry_size(root_) == 0 || b % pud == 0) return 0;
  u64 ls = 0;
  const Leaf* l = leaf_at(b, &ls);
  auto split = [&](unsigned table_level, u64 slot, u64 span) {
    if (!alloc_table()) return false;
    tables_[table_level].insert(slot);
    ++split_out_->tables_allocated;
    u64 s0 = 0;
    const Leaf* old = leaf_at(slot, &s0);
    Leaf n = *old;
    n.size = span;
    n.pa = old->pa + (slot - s0);
    n.level = table_level;
    n.cont = true;
    // Page entries need the page bit: a present-invalid page is 0b10.
    if (!n.mapped) n.raw = table_level == pte_ ? 2 : 0;
    erase_range(slot, slot + span);
    insert_leaf(slot, n);
    return true;
  };
  if (l && present(*l) && l->level == pud_ && pud_ != pmd_) {
    if (!split(pmd_, slot_base(pud_, b), pud)) return -common::kENOMEM;
    l = leaf_at(b, &ls);
  }
  const u64 cpmd = cont_pmd_size(*f_, pmd);
  if (b % cpmd == 0) return 0;
  if (l && present(*l) && l->level == pmd_) {
    if (l->cont) {
      const u64 g = b & ~(cpmd - 1);
      set_cont(g, g + cpmd, pmd_, false);
    }
    if (b % pmd == 0) return 0;
    if (!split(pte_, slot_base(pmd_, b), pmd)) return -common::kENOMEM;
    l = leaf_at(b, &ls);
  }
  const u64 group = f_->cont_pte_size;
  if (group == 0 || b % group == 0) return 0;
  if (l && present(*l) && l->level == pte_ && l->cont) {
    const u64 g = b & ~(group - 1);
    set_cont(g, g + group, pte_, false);
  }
  return 0;
}

int RefKernel::bbml2_split(Outcome& out, u64 start, u64 end) {
  if (!cfg_.bbml2_noabort) return 0;
  if (start % f_->page_size || end % f_->page_size) return -common::kEINVAL;
  split_out_ = &out;
  if (end - start == f_->page_size) {
    // The two ends lie in one CONT group: splitting at the less aligned one
    // is enough.
    return bbml2_split_at(std::countr_zero(start) < std::countr_zero(end) ? start : end);
  }
  const int r = bbml2_split_at(start);
  return r ? r : bbml2_split_at(end);
}

// 2026: the walk over the tables that exist. A block (pXd_leaf: valid or
// present-invalid) is rewritten whole if the range covers it, else the walk
// stops with a WARN and -EINVAL; a block that is not present is passed
// over; every PTE of an existing PTE table in range is changed, empty ones
// included.
int RefKernel::walk_existing(Outcome& out, u64 start, u64 end, const Change& c) {
  if (start >= end) return -common::kEINVAL;
  u64 x = start;
  while (x < end) {
    u64 ls = 0;
    const Leaf* l = leaf_at(x, &ls);
    if (l && l->level < pte_) {
      const u64 span = entry_size(l->level);
      const u64 bs = slot_base(l->level, x), be = bs + span;
      if (!present(*l)) {
        x = std::min(be, end);
        continue;
      }
      if (bs < start || be > end) {
        warn_once(out,
                  l->level == pmd_ ? WarnId::pageattr_pmd_entry_partial
                                   : WarnId::pageattr_pud_entry_partial,
                  x);
        return -common::kEINVAL;
      }
      change_leaf_part(bs, be, c);
      x = be;
      continue;
    }
    const u64 slot = slot_base(pmd_, x);
    const u64 seg_end = std::min(slot + entry_size(pmd_), end);
    if (tables_[pte_].contains(slot)) change_pages(x, seg_end, c, true);
    x = seg_end;
  }
  return 0;
}

// 6.12, 6.1: apply_to_page_range() creates every missing table on the way
// (pgtbl_mod_mask as a map does), refuses any block it meets with a WARN
// and -EINVAL, and changes every PTE of the range, empty ones included.
int RefKernel::walk_creating(Outcome& out, u64 start, u64 end, const Change& c) {
  if (start >= end) {
    out.warns.push_back({WarnId::apply_to_page_range_empty, {start}});
    return -common::kEINVAL;
  }
  u64 x = start;
  while (x < end) {
    for (unsigned hw = root_; hw < pte_; ++hw) {
      if (hw > root_ && !ensure_table(out, hw, x)) return -common::kENOMEM;
      if (entry_at(hw, x) == Entry::leaf) {
        warn_once(out,
                  f_->owner(hw) == KernelLevel::pud ? WarnId::apply_to_pud_range_leaf
                                                    : WarnId::apply_to_pmd_range_leaf,
                  x);
        return -common::kEINVAL;
      }
    }
    if (!ensure_table(out, pte_, x)) return -common::kENOMEM;
    const u64 seg_end = std::min(slot_base(pmd_, x) + entry_size(pmd_), end);
    change_pages(x, seg_end, c, true);
    set_mask(out, common::PGTBL_PTE_MODIFIED);
    x = seg_end;
  }
  return 0;
}

// __change_memory_common: the change, then the TLB flush of the range
// (not after a change that only sets the valid bit, in the 2026 trees).
int RefKernel::change_range(Outcome& out, u64 start, u64 size, const Change& c) {
  int ret = 0;
  if (rules_->setmem_pagewalk) {
    ret = bbml2_split(out, start, start + size);
    if (ret) warn_once(out, WarnId::update_range_prot_split_failed, start);
    else ret = walk_existing(out, start, start + size, c);
  } else {
    ret = walk_creating(out, start, start + size, c);
  }
  if (!(rules_->setmem_valid_needs_no_flush && c.kind == Change::Kind::valid))
    out.flushes.push_back({FlushKind::tlb_kernel_range, {start}, {start + size}});
  return ret;
}

// change_memory_common: the area check, then the change.
int RefKernel::change_common(Outcome& out, u64 addr, u64 numpages, const Change& c) {
  const u64 page = f_->page_size;
  const u64 start = addr & ~(page - 1), size = numpages * page;
  if (addr != start) warn_once(out, WarnId::change_memory_common_unaligned, addr);
  const Area* a = area_containing(addr);
  if (!a || start + size > a->va + a->size || !(a->flags & common::VM_ALLOC) ||
      (rules_->setmem_refuses_huge_area && (a->flags & common::VM_ALLOW_HUGE_VMAP)))
    return -common::kEINVAL;
  if (numpages == 0) return 0;
  return change_range(out, start, size, c);
}

Outcome RefKernel::set_memory(u64 va, unsigned numpages, SetMemoryMode mode, bool unaligned) {
  const u64 addr = unaligned ? va + 0x80 : va;
  Outcome out;
  if (f_->format == DescFormat::x86_64) {
    if (mode != SetMemoryMode::rox || rules_->cpa_has_rox) {
      out.ret = x86_set_memory(out, addr, numpages, mode);
      return out;
    }
    // The generic set_memory_rox(): ro, then x if that succeeded.
    out.ret = x86_set_memory(out, addr, numpages, SetMemoryMode::ro);
    if (out.ret == 0) out.ret = x86_set_memory(out, addr, numpages, SetMemoryMode::x);
    return out;
  }
  using K = Change::Kind;
  switch (mode) {
    case SetMemoryMode::ro: out.ret = change_common(out, addr, numpages, {K::ro}); break;
    case SetMemoryMode::rw: out.ret = change_common(out, addr, numpages, {K::rw}); break;
    case SetMemoryMode::x: out.ret = change_common(out, addr, numpages, {K::x}); break;
    case SetMemoryMode::nx: out.ret = change_common(out, addr, numpages, {K::nx}); break;
    case SetMemoryMode::rox:
      out.ret = change_common(out, addr, numpages, {K::ro});
      if (out.ret == 0) out.ret = change_common(out, addr, numpages, {K::x});
      break;
    case SetMemoryMode::valid:
      out.ret = change_range(out, addr, u64{numpages} * f_->page_size,
                             {K::valid, rules_->setmem_present_invalid});
      break;
    case SetMemoryMode::invalid:
      out.ret = change_range(out, addr, u64{numpages} * f_->page_size,
                             {K::invalid, rules_->setmem_present_invalid});
      break;
  }
  return out;
}

std::vector<LeafRun> RefKernel::expected_invalid(u64 lo, u64 hi) const {
  return leaves_in(lo, hi, false);
}

std::vector<u64> RefKernel::expected_malformed_cont(u64 lo, u64 hi) const {
  std::vector<u64> out;
  const u64 group = f_->cont_pte_size, page = f_->page_size;
  if (group == 0) return out;
  std::size_t i = first_after(lo);
  if (i > 0) --i;
  for (; i < leaves_.size() && leaves_[i].va < hi; ++i) {
    const PlacedLeaf& p = leaves_[i];
    if (!p.leaf.mapped || !p.leaf.cont || p.leaf.level != pte_) continue;
    for (u64 g = p.va & ~(group - 1); g < p.va + p.leaf.size; g += group) {
      if (!out.empty() && out.back() == g) continue;
      // The group's first mapped CONT page is where the walker checks it.
      u64 first = 0, ls = 0;
      bool found = false, ok = true;
      const Leaf* l0 = nullptr;
      u64 pa0 = 0;
      for (u64 x = g; x < g + group; x += page) {
        const Leaf* l = leaf_at(x, &ls);
        const bool vc = l && l->mapped && l->cont && l->level == pte_;
        if (vc && !found) {
          found = true;
          first = x;
        }
        if (x == g) {
          l0 = vc ? l : nullptr;
          pa0 = vc ? l->pa + (x - ls) : 0;
        }
        if (!vc || !l0 || !(l->attrs == l0->attrs) || l->pa + (x - ls) != pa0 + (x - g)) ok = false;
      }
      if (!ok && found && first >= lo && first < hi) out.push_back(g);
    }
  }
  return out;
}

}  // namespace vmapfuzz::reference
