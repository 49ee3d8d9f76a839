// SPDX-License-Identifier: GPL-2.0-only
// The reference model's page-array paths: vmalloc and vmap, stated from
// docs/vmalloc.md and docs/vmap.md as rules over the model state. What page
// i of an area must translate to is pages[i], always; the rules below only
// decide which leaves (PMD block, CONT batch, single page) carry it and
// which WARN/error a step meets.
#include <algorithm>

#include "reference/model.h"

namespace vmapfuzz::reference {

using common::BugId;
using common::FlushKind;
using common::WarnId;

namespace {

constexpr u64 kNull = common::kNullPage;

void flush(Outcome& out, FlushKind k, u64 a, u64 b) { out.flushes.push_back({k, {a}, {b}}); }
void warn(Outcome& out, WarnId id, u64 a) { out.warns.push_back({id, {a}}); }

unsigned log2_floor(u64 x) {
  unsigned n = 0;
  while (x >>= 1) ++n;
  return n;
}
unsigned trailing_zeros(u64 x) {
  unsigned n = 0;
  while (!(x & 1)) {
    x >>= 1;
    ++n;
  }
  return n;
}
u64 pow2_floor(u64 x) { return u64{1} << log2_floor(x); }

}  // namespace

// The environment's page allocator, the twin of the policy stated in
// common/page_alloc.h: aligned blocks bumped upward, one page apart.
u64 RefKernel::alloc_pages(unsigned order) {
  if (page_fail_countdown_ != 0 && order >= page_fail_min_order_ && --page_fail_countdown_ == 0) {
    // fault injection's `times`: the following qualifying ones fail too
    if (page_fail_times_ > 1) {
      --page_fail_times_;
      page_fail_countdown_ = 1;
    }
    return kNull;
  }
  const u64 n = u64{1} << order;
  const u64 pfn = (next_pfn_ + n - 1) / n * n;
  next_pfn_ = pfn + n + 1;
  return pfn;
}

// vmalloc's page array: if the variant takes opportunistic orders, greedy
// larger orders first while they fit in what is left (each failure lowers
// the cap for good); then the requested order until done or a failure
// (order 0: twice, bulk then single pages).
bool RefKernel::alloc_vmalloc_pages(unsigned order, u64 nr, std::vector<u64>& pages) {
  unsigned cap = common::kMaxPageOrder;
  auto take = [&](u64 pfn, unsigned o) {
    for (u64 j = 0; j < (u64{1} << o); ++j) pages.push_back(pfn + j);
  };
  const bool larger_orders_first = rules_->opportunistic_orders;
  while (larger_orders_first && pages.size() < nr) {
    const unsigned o = std::min(cap, log2_floor(nr - pages.size()));
    if (o <= order) break;
    const u64 pfn = alloc_pages(o);
    if (pfn == kNull) cap = o - 1;
    else take(pfn, o);
  }
  // Order 0: the bulk allocator, then, if it came up short, the single-page
  // allocator, which tries the failed allocation again.
  for (int attempt = order == 0 ? 0 : 1; attempt < 2; ++attempt) {
    while (pages.size() < nr) {
      const u64 pfn = alloc_pages(order);
      if (pfn == kNull) break;
      take(pfn, order);
    }
  }
  return pages.size() >= nr;
}

bool RefKernel::place_area(u64 hint, u64 size, u64 align, unsigned flags, u64* va) {
  const u64 a = (hint + align - 1) / align * align;
  const u64 total = size + f_->page_size;
  if (a < hint || a < g_.vmalloc_start || total > g_.vmalloc_size ||
      a - g_.vmalloc_start > g_.vmalloc_size - total)
    return false;
  for (const Area& x : areas_)
    if (a < x.va + x.size && x.va < a + total) return false;
  areas_.push_back({a, total, flags});
  *va = a;
  return true;
}

// The pages of a pages walk's steps over [from, to) (pages[k] at from + k
// pages; batch[k]: whether its step was a CONT batch) into leaves_ at once:
// runs of physically contiguous pages of the same kind as one leaf each,
// merged with the leaves they continue.
void RefKernel::insert_steps(u64 from, u64 to, std::span<const u64> pages,
                             const std::vector<bool>& batch, const Attrs& attrs) {
  if (from >= to) return;
  const u64 page = f_->page_size;
  const std::size_t n = (to - from) / page;
  std::vector<PlacedLeaf>& block = step_leaves_;
  block.clear();
  for (std::size_t k = 0; k < n; ++k) {
    const PlacedLeaf p{from + k * page, {page, pages[k] * page, pte_, batch[k], attrs}};
    if (!block.empty() && continues(block.back(), p)) block.back().leaf.size += page;
    else block.push_back(p);
  }
  erase_range(from, to);
  const std::size_t at = first_after(from);
  leaves_.insert(leaves_.begin() + static_cast<std::ptrdiff_t>(at), block.begin(), block.end());
  // Merged with the leaves they continue, as insert_leaf() does.
  merge_with_next(at + block.size() - 1);
  if (at > 0) merge_with_next(at - 1);
}

// One PTE table's part of a pages walk: each step checks its first entry
// (empty, else -EBUSY), its page (NULL: -ENOMEM; no memory: -EINVAL), each
// with a WARN; with the rule pages_walk_cont_batches a step may be a CONT
// batch of up to 2^shift bytes, never past the end of the table,
// PMD_SIZE/2, or the end of the 2^shift chunk of pages it starts in.
int RefKernel::pages_pte_steps(Outcome& out, u64 x, u64 slot_end, std::span<const u64> pages,
                               u64* i, unsigned shift, const Attrs& attrs) {
  const u64 page = f_->page_size, cont = f_->cont_pte_size;
  const u64 pmd = entry_size(pmd_);
  const bool batches = rules_->pages_walk_cont_batches && cont != 0;
  // The steps' leaves go into leaves_ together when the table is done (or
  // the walk stops): one insertion per table, not one per page, which
  // would move every leaf above the range each time. A step's check of its
  // first entry is not affected: the leaves waiting all lie below it.
  const u64 from = x;
  const std::span<const u64> from_pages = pages.subspan(*i);
  step_batch_.clear();
  auto done = [&](int ret) {
    insert_steps(from, x, from_pages, step_batch_, attrs);
    return ret;
  };
  while (x < slot_end) {
    const u64 pfn = pages[*i];
    if (leaf_at(x)) {
      warn(out, WarnId::vmap_pages_pte_busy, x);
      return done(-common::kEBUSY);
    }
    if (pfn == kNull) {
      warn(out, WarnId::vmap_pages_pte_null_page, x);
      return done(-common::kENOMEM);
    }
    if (pfn >= g_.phys_limit / page) {
      warn(out, WarnId::vmap_pages_pte_invalid_pfn, x);
      return done(-common::kEINVAL);
    }
    u64 size = page;
    if (batches && shift >= f_->cont_pte_shift && x % cont == 0 && (pfn * page) % cont == 0 &&
        slot_end - x >= cont) {
      const u64 chunk_pages = u64{1} << (shift - f_->page_shift);
      const u64 chunk_left = (chunk_pages - *i % chunk_pages) * page;
      size = pow2_floor(std::min({slot_end - x, u64{1} << shift, pmd / 2, chunk_left}));
      if (size < cont) size = page;
    }
    step_batch_.insert(step_batch_.end(), size / page, size != page);  // per page
    x += size;
    *i += size / page;
  }
  return done(0);
}

// A pages walk over [va, va + pages.size() pages) with chunks of 2^shift:
// mainline's vmap_small_pages_range_noflush (shift = PAGE_SHIFT; any error
// comes back as -ENOMEM) or the series' single walk, which tries a PMD
// block in every PMD slot when shift allows (after WARN checks of the
// slot's first page) and passes errors up unchanged; the variant's rules
// (pages_walk_*, pages_errors_propagate) say which.
int RefKernel::walk_pages(Outcome& out, u64 va, std::span<const u64> pages, unsigned shift,
                          const Attrs& attrs) {
  const u64 page = f_->page_size, pmd = entry_size(pmd_);
  const unsigned pmd_shift = f_->shift[pmd_];
  const u64 end = va + pages.size() * page;
  u64 x = va, i = 0;
  int err = 0;
  begin_walk();
  // pgd_bad() is checked per pgd entry; it counts only where the pgd is
  // not folded onto a lower level (five levels).
  const bool pgd_check = f_->owner(root_) == KernelLevel::pgd && none_is_bad(root_);
  u64 pgd_seen = ~u64{0};
  while (x < end && !err) {
    const u64 slot_end = std::min(end, (x / pmd + 1) * pmd);
    if (pgd_check && slot_base(root_, x) != pgd_seen) {
      pgd_seen = slot_base(root_, x);
      if (entry_at(root_, x) != Entry::table) set_mask(out, common::PGTBL_PGD_MODIFIED);
    }
    bool tables = true;
    for (unsigned level = root_ + 1; level <= pmd_ && tables; ++level)
      tables = ensure_table(out, level, x);
    if (!tables) {
      err = out.bug != BugId::none ? -common::kBUGGED : -common::kENOMEM;
      break;
    }
    if (rules_->pages_walk_pmd_blocks && shift >= pmd_shift) {
      const u64 pfn = pages[i];
      if (pfn == kNull) {
        warn(out, WarnId::vmap_pages_pmd_null_page, x);
        err = -common::kENOMEM;
        break;
      }
      if (pfn >= g_.phys_limit / page) {
        warn(out, WarnId::vmap_pages_pmd_invalid_pfn, x);
        err = -common::kEINVAL;
        break;
      }
      if (x % pmd == 0 && slot_end - x == pmd && (pfn * page) % pmd == 0) {
        if (!install_block(out, {Step::pmd_block, x, pmd, pfn * page, 1}, attrs))
          return -common::kBUGGED;
        x = slot_end;
        i += pmd / page;
        continue;
      }
    }
    if (!ensure_table(out, pte_, x)) {
      err = out.bug != BugId::none ? -common::kBUGGED : -common::kENOMEM;
      break;
    }
    err = pages_pte_steps(out, x, slot_end, pages, &i, shift, attrs);
    set_mask(out, common::PGTBL_PTE_MODIFIED);
    x = slot_end;
  }
  if (out.bug == BugId::none) end_walk(out, va, end);
  if (err && err != -common::kBUGGED && !rules_->pages_errors_propagate) err = -common::kENOMEM;
  return err;
}

// __vmap_pages_range_noflush + flush_cache_vmap: mainline maps huge
// chunks one phys-range walk each, the series with one pages walk (rule
// huge_pages_one_walk).
int RefKernel::map_pages(Outcome& out, u64 va, std::span<const u64> pages, unsigned shift,
                         const Attrs& attrs) {
  const u64 page = f_->page_size;
  int err = 0;
  if (rules_->huge_pages_one_walk || shift == f_->page_shift) {
    err = walk_pages(out, va, pages, shift, attrs);
  } else {
    const u64 chunk = u64{1} << shift;
    for (u64 i = 0; i < pages.size() && !err; i += chunk / page) {
      const u64 x = va + i * page;
      begin_walk();
      map_steps(out,
                plan_phys_range(g_, variant_, x, x + chunk, pages[i] * page, shift, pud_block_,
                                pmd_block_),
                attrs, shift);
      if (out.bug == BugId::none) end_walk(out, x, x + chunk);
      err = out.ret;
    }
  }
  return err;
}

Outcome RefKernel::vmalloc(u64 hint, u64 size, bool huge, common::ProtName prot) {
  Outcome out;
  const u64 page = f_->page_size;
  const unsigned page_shift = f_->page_shift;
  const u64 real_size = (size + page - 1) / page * page;
  unsigned shift = page_shift;
  if (!cfg_.nohugevmalloc && huge) {
    // vm_shift(): PMD_SHIFT from a PMD block's size, CONT_PTE_SHIFT from
    // a CONT group's (if the variant's rules allow it), else PAGE_SHIFT.
    const bool cont_shift = f_->cont_pte_shift && rules_->vmalloc_cont_shift;
    // The caller's size decides, before any rounding.
    if (pmd_block_ && size >= pmd_block_) shift = f_->shift[pmd_];
    else if (cont_shift && size >= f_->cont_pte_size) shift = f_->cont_pte_shift;
  }
  const Attrs attrs = expected_attrs(f_->format, prot, /*nx=*/false);
  for (;;) {
    const u64 chunk = u64{1} << shift;
    const u64 sz = (real_size + chunk - 1) / chunk * chunk;
    u64 va = 0;
    int err = 0;
    // vmalloc_huge() marks its area VM_ALLOW_HUGE_VMAP, retry included.
    const unsigned flags = common::VM_ALLOC | (huge ? common::VM_ALLOW_HUGE_VMAP : 0u);
    if (!place_area(hint, sz, std::max(page, chunk), flags, &va)) {
      warn(out, WarnId::vmalloc_area_failed, hint);
      err = -common::kENOMEM;
    } else {
      std::vector<u64> pages;
      if (!alloc_vmalloc_pages(shift - page_shift, sz / page, pages)) {
        // No warning for a huge allocation: it is retried with small pages.
        if (rules_->vmalloc_warn_alloc && shift == page_shift)
          warn(out, WarnId::vmalloc_pages_failed, va);
        free_area(out, areas_.size() - 1);
        err = -common::kENOMEM;
      } else {
        out.ret = 0;
        err = map_pages(out, va, pages, shift, attrs);
        if (out.bug != BugId::none) return out;
        flush(out, FlushKind::cache_vmap, va, va + sz);
        if (!err) {
          out.ret = 0;
          return out;
        }
        if (rules_->vmalloc_warn_alloc) warn(out, WarnId::vmalloc_map_failed, va);
        for (std::size_t a = 0; a < areas_.size(); ++a)
          if (areas_[a].va == va) free_area(out, a);
      }
    }
    out.ret = err;
    if (shift == page_shift) return out;
    shift = page_shift;
  }
}

namespace {

u64 area_align(const GeometryFacts& f, const VariantRules& r, u64 size, u64 pmd_block) {
  if (!r.vmap_aligned_area) return f.page_size;
  if (pmd_block && size >= pmd_block) return pmd_block;
  if (f.cont_pte_size && size >= f.cont_pte_size) return f.cont_pte_size;
  return f.page_size;
}

}  // namespace

u64 vmap_area_align(const common::GeometryConfig& g, common::Variant v, u64 size,
                    const common::KernelConfig& cfg) {
  const GeometryFacts& f = geometry_facts(g);
  return area_align(f, variant_rules(v), size, vmap_block_size(f, cfg, KernelLevel::pmd));
}

u64 RefKernel::vmap_area_align(u64 size) const {
  return area_align(*f_, *rules_, size, pmd_block_);
}

Outcome RefKernel::vmap(u64 hint, std::span<const u64> pages, common::ProtName prot) {
  Outcome out;
  const u64 page = f_->page_size;
  const Attrs attrs = expected_attrs(f_->format, prot, /*nx=*/true);
  const u64 align = vmap_area_align(pages.size() * page);
  if (!cfg_.placement_any && hint % align != 0) {
    out.unreachable_align = align;
    out.ret = -common::kENOMEM;  // as the engine's: no area
    return out;
  }
  u64 va = 0;
  if (!place_area(hint, pages.size() * page, page, common::VM_MAP, &va)) {
    out.ret = -common::kENOMEM;
    return out;
  }
  const u64 end = va + pages.size() * page;
  int err = 0;
  if (!rules_->vmap_batching) {
    err = walk_pages(out, va, pages, f_->page_shift, attrs);
  } else {
    // Runs of physically contiguous pages, each cut to the largest order
    // its first pfn is aligned to; runs that make no arch block (below
    // 64 KiB) end the batching: from there on everything is single pages.
    // Consecutive runs of one order are mapped in one walk.
    std::size_t i = 0, group = 0;
    unsigned group_shift = 0;
    while (i < pages.size() && !err) {
      std::size_t run = 1;
      if (pages[i] != kNull)
        while (i + run < pages.size() && pages[i + run] == pages[i] + run) ++run;
      unsigned order = 0;
      if (run >= 2) {
        order = log2_floor(run);
        if (pages[i] > 0) order = std::min(order, trailing_zeros(pages[i]));
        // No arch block of that size (vm_shift() is PAGE_SHIFT): a PMD
        // block or, where the arch has one, a CONT group.
        const u64 bytes = page << order;
        if (!(pmd_block_ && bytes >= pmd_block_) &&
            !(f_->cont_pte_size && bytes >= f_->cont_pte_size))
          order = 0;
      }
      const unsigned shift = f_->page_shift + order;
      if (i == 0) group_shift = shift;
      if (shift != group_shift) {
        err =
            walk_pages(out, va + group * page, pages.subspan(group, i - group), group_shift, attrs);
        group = i;
        group_shift = shift;
      }
      if (order == 0) break;
      i += std::size_t{1} << order;
    }
    if (!err && group < pages.size())
      err = walk_pages(out, va + group * page, pages.subspan(group), group_shift, attrs);
  }
  if (out.bug != BugId::none) return out;
  flush(out, FlushKind::cache_vmap, va, end);
  out.ret = err;
  if (err) {
    for (std::size_t a = 0; a < areas_.size(); ++a)
      if (areas_[a].va == va) free_area(out, a);
  }
  return out;
}

Outcome RefKernel::vfree(u64 va) {
  Outcome out;
  const Area* a = area_containing(va);
  if (!a) {
    warn(out, WarnId::vfree_nonexistent_area, va);
    return out;
  }
  free_area(out, static_cast<std::size_t>(a - areas_.data()));
  return out;
}

Outcome RefKernel::vunmap(u64 va) { return iounmap(va); }

}  // namespace vmapfuzz::reference
