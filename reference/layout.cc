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
  std::vector<Step> steps;
  u64 x = va;
  while (x < end) {
    const u64 p = pa + (x - va);
    if (g.pud_block && max_page_shift >= g.pud_shift() && aligned(x, pud) && end - x >= pud &&
        aligned(p, pud)) {
      steps.push_back({Step::pud_block, x, pud, p});
      x += pud;
      continue;
    }
    if (g.pmd_block && max_page_shift >= g.pmd_shift() && aligned(x, pmd) && end - x >= pmd &&
        aligned(p, pmd)) {
      steps.push_back({Step::pmd_block, x, pmd, p});
      x += pmd;
      continue;
    }
    // The PTE table holding x ends at the next PMD boundary (or at end).
    const u64 table_end = std::min(end, (x / pmd + 1) * pmd);
    if (!aligned(table_end - x, page)) {
      steps.push_back({Step::unaligned, x, table_end - x, p});
      break;
    }
    if (cont && max_page_shift >= g.cont_pte_shift && aligned(x, cont) && aligned(p, cont) &&
        table_end - x >= cont) {
      u64 batch = cont;
      if (variant != engine::Variant::mainline) {
        u64 cap = table_end - x;
        if (max_page_shift < 63) cap = std::min(cap, u64{1} << max_page_shift);
        batch = pow2_floor(std::min(cap, pmd / 2));
      }
      steps.push_back({Step::cont_batch, x, batch, p});
      x += batch;
      continue;
    }
    steps.push_back({Step::pte, x, page, p});
    x += page;
  }
  return steps;
}

}  // namespace vmapfuzz::reference
