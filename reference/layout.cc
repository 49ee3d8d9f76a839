// SPDX-License-Identifier: GPL-2.0-only
#include "reference/layout.h"

#include <algorithm>

namespace vmapfuzz::reference {
namespace {

bool aligned(u64 x, u64 a) { return x % a == 0; }

// Largest power of two not above x (x > 0).
u64 pow2_floor(u64 x) {
  u64 p = 1;
  while (p <= x / 2) p *= 2;
  return p;
}

}  // namespace

const char* step_kind_name(Step::Kind k) {
  switch (k) {
    case Step::pud_block: return "pud";
    case Step::pmd_block: return "pmd";
    case Step::cont_batch: return "cont";
    case Step::pte: return "pte";
    case Step::unaligned: return "unaligned";
    case Step::past_end: return "past-end";
  }
  return "?";
}

unsigned step_level(Step::Kind k) {
  switch (k) {
    case Step::pud_block: return engine::kPudLevel;
    case Step::pmd_block: return engine::kPmdLevel;
    default: return engine::kPteLevel;
  }
}

std::vector<Step> plan_phys_range(const engine::Geometry& g, engine::Variant variant, u64 va,
                                  u64 end, u64 pa, unsigned max_page_shift) {
  const u64 page = g.page_size(), pmd = g.pmd_size(), pud = g.pud_size();
  const u64 cont = g.cont_pte_shift ? g.cont_pte_size() : 0;
  // Linux 6.12 has no CONT-PTE vmap mappings on arm64.
  const bool cont_ok =
      cont && max_page_shift >= g.cont_pte_shift && variant != engine::Variant::v6_12;
  std::vector<Step> steps;
  // Appends count writes of `size`, merging with the previous step when it
  // is the same kind of write in the same PTE table.
  auto emit = [&](Step::Kind kind, u64 x, u64 size, u64 count) {
    if (!steps.empty()) {
      Step& last = steps.back();
      const bool pte_level = kind == Step::pte || kind == Step::cont_batch;
      if (pte_level && last.kind == kind && last.size == size && last.va + last.bytes() == x &&
          last.va / pmd == x / pmd) {
        last.count += count;
        return;
      }
    }
    steps.push_back({kind, x, size, pa + (x - va), count});
  };
  u64 x = va;
  while (x < end) {
    const u64 p = pa + (x - va);
    if (g.pud_block && max_page_shift >= g.pud_shift() && aligned(x, pud) && end - x >= pud &&
        aligned(p, pud)) {
      emit(Step::pud_block, x, pud, 1);
      x += pud;
      continue;
    }
    if (g.pmd_block && max_page_shift >= g.pmd_shift() && aligned(x, pmd) && end - x >= pmd &&
        aligned(p, pmd)) {
      emit(Step::pmd_block, x, pmd, 1);
      x += pmd;
      continue;
    }
    // The PTE table holding x ends at the next PMD boundary (or at end).
    const u64 table_end = std::min(end, (x / pmd + 1) * pmd);
    if (!aligned(table_end - x, page)) {
      if (variant != engine::Variant::v6_12) {
        emit(Step::unaligned, x, table_end - x, 1);
        break;
      }
      // 6.12: pages up to and including the partial one, then past the end.
      const u64 n = (table_end - x + page - 1) / page;
      emit(Step::pte, x, page, n);
      steps.push_back({Step::past_end, x + n * page, 0, pa + (x + n * page - va), 1});
      break;
    }
    if (cont_ok && aligned(x, cont) && aligned(p, cont) && table_end - x >= cont) {
      u64 batch = cont;
      if (engine::has_series(variant)) {
        u64 cap = table_end - x;
        if (max_page_shift < 63) cap = std::min(cap, u64{1} << max_page_shift);
        batch = pow2_floor(std::min(cap, pmd / 2));
      }
      emit(Step::cont_batch, x, batch, 1);
      x += batch;
      continue;
    }
    // Single pages up to the next CONT-aligned VA (or the table end when VA
    // and PA can never both be CONT aligned, or CONT is off).
    u64 stop = table_end;
    if (cont_ok && aligned(x - p, cont)) stop = std::min(table_end, (x / cont + 1) * cont);
    emit(Step::pte, x, page, (stop - x) / page);
    x = stop;
  }
  return steps;
}

}  // namespace vmapfuzz::reference
