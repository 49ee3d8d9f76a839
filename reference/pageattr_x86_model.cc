// SPDX-License-Identifier: GPL-2.0-only
// x86-64's set_memory_* on the reference state, from the rules of
// docs/pageattr.md ("x86-64"), not from the engine's code: page by page
// from the start, a 4K entry gets the change; a large page whose
// protection would not change is passed over whole, one the rest of the
// range covers whole is rewritten, any other is split one level down
// (a new table and a flush of the whole TLB) and looked at again; a none
// entry WARNs and ends the call with -EFAULT. Then the TLB flush the
// change needs, and with the 2026 set_memory_rox the collapse of what it
// left uniform.
#include <algorithm>

#include "reference/model.h"

namespace vmapfuzz::reference {

using common::FlushKind;
using common::SetMemoryMode;
using common::WarnId;

namespace {

// tlb_single_page_flush_ceiling: more pages than this are flushed with
// one flush of the whole TLB.
constexpr u64 kSinglePageFlushCeiling = 33;

}  // namespace

// What one x86 set_memory_* does to an entry, as the leaf's attributes and
// its present bit.
struct RefKernel::CpaChange {
  bool read_only = false;  // clears R/W
  bool clean = false;      // clears D (6.12 on: set_memory_ro and _rox)
  bool writable = false;   // sets R/W
  bool no_exec = false;    // sets XD
  bool exec = false;       // clears XD
  bool present = false;    // sets P
  bool absent = false;     // clears P
  // A change of XD alone (set_memory_x, set_memory_nx).
  bool exec_only() const {
    return (no_exec || exec) && !(read_only || clean || writable || present || absent);
  }
  Leaf apply(Leaf l) const {
    if (read_only) l.attrs.writable = false;
    if (clean) l.attrs.dirty = false;
    if (writable) l.attrs.writable = true;
    if (no_exec) l.attrs.exec = false;
    if (exec) l.attrs.exec = true;
    if (present) l.mapped = true;
    if (absent) l.mapped = false;
    // G of a not-present entry would read as PROT_NONE: it goes.
    if (!l.mapped) l.attrs.global = false;
    return l;
  }
  // The change makes the leaf writable and executable, from something
  // else in either bit (the tables above never take W or X away here).
  static bool makes_wx(const Leaf& old, const Leaf& now) {
    const bool changed =
        old.attrs.writable != now.attrs.writable || old.attrs.exec != now.attrs.exec;
    return changed && now.attrs.writable && now.attrs.exec;
  }
};

// Does [a, a + size) hold one uniform run at `level`: mapped entries
// with the same attributes, output addresses continuing from an address
// aligned to `size`? (What the collapse of a table into one large page
// asks of its 512 entries.)
bool RefKernel::uniform_run(u64 a, u64 size, unsigned level) const {
  u64 ls = 0;
  const Leaf* first = leaf_at(a, &ls);
  if (!first || !first->mapped || first->level != level) return false;
  const u64 pa0 = first->pa + (a - ls);
  if (pa0 & (size - 1)) return false;
  u64 x = a;
  while (x < a + size) {
    const Leaf* l = leaf_at(x, &ls);
    if (!l || !l->mapped || l->level != level || !(l->attrs == first->attrs) ||
        l->pa + (x - ls) != pa0 + (x - a))
      return false;
    x = ls + l->size;
  }
  return true;
}

// The 2026 set_memory_rox: every PTE table under the range's 2M slots
// whose entries are one uniform run becomes a 2M page, and then its 1G
// slot a 1G page if its PMD entries are one uniform run (with 1G pages);
// one flush of the whole TLB, then the tables are freed.
void RefKernel::cpa_collapse(Outcome& out, u64 start, u64 end) {
  const u64 pmd = entry_size(pmd_), pud = entry_size(pud_);
  unsigned freed = 0;
  // The table of level-`level + 1` entries at slot `a` becomes one leaf of
  // `level` and `size`.
  auto collapse = [&](u64 a, u64 size, unsigned level) {
    u64 ls = 0;
    Leaf n = *leaf_at(a, &ls);
    n.pa += a - ls;
    n.size = size;
    n.level = level;
    erase_range(a, a + size);
    insert_leaf(a, n);
    tables_[level + 1].erase(a);
    ++freed;
  };
  const u64 first = start & ~(pmd - 1);
  for (u64 a = first; a >= first && a < end; a += pmd) {
    if (cfg_.nopse || !tables_[pte_].contains(a) || !uniform_run(a, pmd, pte_)) continue;
    collapse(a, pmd, pmd_);
    const u64 b = a & ~(pud - 1);
    if (pud_block_ != 0 && uniform_run(b, pud, pmd_)) collapse(b, pud, pud_);
  }
  if (freed == 0) return;
  out.flushes.push_back({FlushKind::tlb_all, {0}, {0}});
  out.tables_freed += freed;
}

int RefKernel::x86_set_memory(Outcome& out, u64 addr, unsigned numpages, SetMemoryMode mode) {
  CpaChange c;
  bool collapse = false;
  switch (mode) {
    case SetMemoryMode::ro:
      c.read_only = true;
      c.clean = rules_->cpa_ro_clears_dirty;
      break;
    case SetMemoryMode::rw: c.writable = true; break;
    case SetMemoryMode::x: c.exec = true; break;
    case SetMemoryMode::nx: c.no_exec = true; break;
    case SetMemoryMode::rox:
      c.read_only = c.clean = c.exec = true;
      collapse = rules_->cpa_rox_collapses;
      break;
    case SetMemoryMode::valid: c.present = true; break;
    case SetMemoryMode::invalid: c.absent = true; break;
  }
  const u64 page = f_->page_size;
  const u64 start = addr & ~(page - 1);
  if (start != addr) warn_once(out, WarnId::cpa_unaligned, start);
  // 6.1 checks no alias, and passes over holes, for a change of XD alone.
  const bool primary = rules_->cpa_nx_change_is_primary || !c.exec_only();
  // Whether a change that makes a leaf writable and executable WARNs.
  const bool wx_check = !rules_->cpa_wx_check_dead;
  bool changed = false, flush_all = false;
  int ret = 0;
  u64 x = start, rem = numpages;
  while (rem > 0) {
    u64 ls = 0;
    const Leaf* l = leaf_at(x, &ls);
    if (!l) {
      if (primary) {
        out.warns.push_back({WarnId::cpa_zero_pte, {x}});
        ret = -common::kEFAULT;
        break;
      }
      x += page;
      --rem;
      continue;
    }
    const Leaf old = *l;
    const u64 pa = old.pa + (x - ls);
    u64 done = 1;
    if (old.level == pte_) {
      Leaf n = c.apply(old);
      if (wx_check && CpaChange::makes_wx(old, n)) warn_once(out, WarnId::cpa_wx_violation, x);
      if (!(n.attrs == old.attrs) || n.mapped != old.mapped) {
        n.size = page;
        n.pa = pa;
        replace_leaf(x, n);
        changed = true;
      }
    } else {
      const u64 span = entry_size(old.level), base = slot_base(old.level, x);
      done = std::min(rem, (base + span - x) / page);
      Leaf n = c.apply(old);
      if (!(n.attrs == old.attrs) || n.mapped != old.mapped) {
        n.size = span;
        n.pa = old.pa + (base - ls);
        if (x == base && done == span / page) {
          if (wx_check && CpaChange::makes_wx(old, n))
            warn_once(out, WarnId::cpa_wx_violation, base);
          erase_range(base, base + span);
          insert_leaf(base, n);
          changed = true;
        } else {
          // Split one level down and look again.
          if (!alloc_table()) {
            ret = -common::kENOMEM;
            break;
          }
          tables_[old.level + 1].insert(base);
          ++out.tables_allocated;
          Leaf s = old;
          s.size = span;
          s.pa = n.pa;
          s.level = old.level + 1;
          erase_range(base, base + span);
          insert_leaf(base, s);
          out.flushes.push_back({FlushKind::tlb_all, {0}, {0}});
          continue;
        }
      }
    }
    // A page of RAM has its direct-map alias changed too: the whole TLB
    // is flushed at the end.
    if (primary && pa / page >= common::kPageAllocBasePfn && pa < g_.phys_limit) flush_all = true;
    x += done * page;
    rem -= done;
  }
  if (changed) {
    if (ret != 0 || flush_all || numpages > kSinglePageFlushCeiling) {
      out.flushes.push_back({FlushKind::tlb_all, {0}, {0}});
    } else {
      for (u64 i = 0; i < numpages; ++i)
        out.flushes.push_back({FlushKind::tlb_one_kernel, {start + i * page}, {start + i * page}});
    }
    if (ret == 0 && collapse) cpa_collapse(out, start, start + u64{numpages} * page);
  }
  return ret;
}

}  // namespace vmapfuzz::reference
