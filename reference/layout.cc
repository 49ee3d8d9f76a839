// SPDX-License-Identifier: GPL-2.0-only
#include "reference/layout.h"

#include <algorithm>

#include "reference/variant_rules.h"

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

unsigned step_level(const GeometryFacts& f, Step::Kind k) {
  switch (k) {
    case Step::pud_block: return f.host_level(KernelLevel::pud);
    case Step::pmd_block: return f.host_level(KernelLevel::pmd);
    default: return f.leaf_level;
  }
}

std::vector<Step> plan_phys_range(const common::GeometryConfig& g, common::Variant variant, u64 va,
                                  u64 end, u64 pa, unsigned max_page_shift, u64 pud_block,
                                  u64 pmd_block) {
  const GeometryFacts& f = geometry_facts(g);
  const VariantRules& rules = variant_rules(variant);
  const u64 page = f.page_size;
  // VA range of one PTE table, and the blocks the vmap code may write.
  const u64 pmd = f.entry_size[f.host_level(KernelLevel::pmd)];
  const unsigned pmd_shift = f.shift[f.host_level(KernelLevel::pmd)];
  const unsigned pud_shift = f.shift[f.host_level(KernelLevel::pud)];
  if (pud_block == kRowBlocks) pud_block = f.pud_block_size;
  if (pmd_block == kRowBlocks) pmd_block = f.pmd_block_size;
  const u64 cont = f.cont_pte_size;
  const bool cont_ok = cont && max_page_shift >= f.cont_pte_shift && rules.cont_pte_mappings;
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
    if (pud_block && max_page_shift >= pud_shift && aligned(x, pud_block) && end - x >= pud_block &&
        aligned(p, pud_block)) {
      emit(Step::pud_block, x, pud_block, 1);
      x += pud_block;
      continue;
    }
    if (pmd_block && max_page_shift >= pmd_shift && aligned(x, pmd_block) && end - x >= pmd_block &&
        aligned(p, pmd_block)) {
      emit(Step::pmd_block, x, pmd_block, 1);
      x += pmd_block;
      continue;
    }
    // The PTE table holding x ends at the next PMD boundary (or at end).
    const u64 table_end = std::min(end, (x / pmd + 1) * pmd);
    if (!aligned(table_end - x, page)) {
      if (rules.unaligned_size_warn) {
        emit(Step::unaligned, x, table_end - x, 1);
        break;
      }
      // No check: pages up to and including the partial one, then past the
      // end.
      const u64 n = (table_end - x + page - 1) / page;
      emit(Step::pte, x, page, n);
      steps.push_back({Step::past_end, x + n * page, 0, pa + (x + n * page - va), 1});
      break;
    }
    if (cont_ok && aligned(x, cont) && aligned(p, cont) && table_end - x >= cont) {
      u64 batch = cont;
      if (rules.multi_group_cont_batches) {
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
