// SPDX-License-Identifier: GPL-2.0-only
// The reference's own tables (reference/geometry_facts.h,
// reference/variant_rules.h): the arm64-4k-48 row pinned number by number
// and a few numbers of every other row; every row consistent in itself;
// every engine geometry with a reference row that agrees with the engine's
// arithmetic (a differential test of the geometry code: a mistake on
// either side shows up here); every variant with a rule row that agrees
// with the engine's own variant decisions.
#include <gtest/gtest.h>

#include <bit>
#include <string>

#include "engine/arch.h"
#include "engine/geometry.h"
#include "engine/types.h"
#include "reference/geometry_facts.h"
#include "reference/model.h"
#include "reference/variant_rules.h"

namespace vmapfuzz::test {
namespace {

using engine::u64;
using reference::GeometryFacts;
using reference::KernelLevel;
using reference::VariantRules;

constexpr KernelLevel kKernelLevels[] = {KernelLevel::pgd, KernelLevel::p4d, KernelLevel::pud,
                                         KernelLevel::pmd, KernelLevel::pte};

TEST(ReferenceGeometryFacts, PinsTheArm64_4k_48Row) {
  const GeometryFacts* f = reference::find_geometry_facts("arm64-4k-48");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->page_shift, 12u);
  EXPECT_EQ(f->page_size, 0x1000u);
  EXPECT_EQ(f->va_bits, 48u);
  EXPECT_EQ(f->kernel_va_base, 0xffff'0000'0000'0000u);
  EXPECT_EQ(f->oa_mask, 0x0000'ffff'ffff'f000u);
  EXPECT_EQ(f->oa_shift, 0u);
  EXPECT_EQ(f->format, reference::DescFormat::arm64);
  EXPECT_EQ(f->root_level, 0u);
  EXPECT_EQ(f->leaf_level, 3u);
  const unsigned shift[] = {39, 30, 21, 12};
  const u64 entry_size[] = {0x80'0000'0000, 0x4000'0000, 0x20'0000, 0x1000};
  const bool mmu_block[] = {false, true, true, false};
  for (unsigned l = 0; l <= 3; ++l) {
    SCOPED_TRACE("level " + std::to_string(l));
    EXPECT_EQ(f->shift[l], shift[l]);
    EXPECT_EQ(f->entry_size[l], entry_size[l]);
    EXPECT_EQ(f->entries[l], 512u);
    EXPECT_EQ(f->mmu_block[l], mmu_block[l]);
  }
  EXPECT_EQ(f->hw_level[0], 0);                   // pgd
  EXPECT_EQ(f->hw_level[1], reference::kFolded);  // p4d
  EXPECT_EQ(f->hw_level[2], 1);                   // pud
  EXPECT_EQ(f->hw_level[3], 2);                   // pmd
  EXPECT_EQ(f->hw_level[4], 3);                   // pte
  EXPECT_EQ(f->host_level(KernelLevel::p4d), 0u);
  EXPECT_EQ(f->owner(0), KernelLevel::p4d);
  EXPECT_EQ(f->owner(1), KernelLevel::pud);
  EXPECT_EQ(f->owner(3), KernelLevel::pte);
  EXPECT_EQ(f->pud_block_size, 0x4000'0000u);
  EXPECT_EQ(f->pmd_block_size, 0x20'0000u);
  EXPECT_EQ(f->pgdir_size, 0x80'0000'0000u);
  EXPECT_EQ(f->cont_pte_shift, 16u);
  EXPECT_EQ(f->cont_pte_size, 0x1'0000u);
  EXPECT_EQ(f->cont_ptes, 16u);
  // A few translations by hand: index of a VA at each level.
  const u64 va = 0xffff'8040'7020'1234;
  EXPECT_EQ(f->index(va, 0), 0x100u);
  EXPECT_EQ(f->index(va, 1), 0x101u);
  EXPECT_EQ(f->index(va, 2), 0x181u);
  EXPECT_EQ(f->index(va, 3), 0x001u);
  EXPECT_EQ(f->sign_extend(0x8000'0000'0000), 0xffff'8000'0000'0000u);
}

// What every row must satisfy on its own, whatever the architecture.
TEST(ReferenceGeometryFacts, EveryRowIsConsistentInItself) {
  ASSERT_FALSE(reference::all_geometry_facts().empty());
  for (const GeometryFacts& f : reference::all_geometry_facts()) {
    SCOPED_TRACE(std::string(f.name));
    EXPECT_EQ(reference::find_geometry_facts(f.name), &f) << "names must be unique";
    EXPECT_EQ(f.page_size, u64{1} << f.page_shift);
    EXPECT_EQ(f.kernel_va_base, ~((u64{1} << f.va_bits) - 1));
    // The address field holds whole pages, below bit 56.
    EXPECT_EQ((f.oa_mask << f.oa_shift) & (f.page_size - 1), 0u);
    EXPECT_EQ((f.oa_mask << f.oa_shift) >> f.oa_shift, f.oa_mask);
    EXPECT_EQ(f.oa(f.oa_mask) >> 56, 0u);
    ASSERT_LE(f.root_level, f.leaf_level);
    ASSERT_LT(f.leaf_level, reference::kMaxHwLevels);
    EXPECT_EQ(f.shift[f.leaf_level], f.page_shift);
    EXPECT_FALSE(f.mmu_block[f.leaf_level]) << "the leaf level holds pages, not blocks";
    for (unsigned l = f.root_level; l <= f.leaf_level; ++l) {
      SCOPED_TRACE("level " + std::to_string(l));
      EXPECT_EQ(f.entry_size[l], u64{1} << f.shift[l]);
      ASSERT_TRUE(std::has_single_bit(f.entries[l]));
      const unsigned bits = static_cast<unsigned>(std::countr_zero(f.entries[l]));
      if (l < f.leaf_level) {
        // One entry here spans a whole table of the level below.
        const unsigned below = static_cast<unsigned>(std::countr_zero(f.entries[l + 1]));
        EXPECT_EQ(f.shift[l], f.shift[l + 1] + below);
      } else {
        EXPECT_EQ(bits, f.page_shift - 3) << "a page-level table fills one page";
      }
      if (l == f.root_level) {
        EXPECT_EQ(f.shift[l] + bits, f.va_bits);
      }
    }
    // Kernel levels: the pte is the leaf, present levels in order, and a
    // folded level sits below a present one.
    EXPECT_TRUE(f.present(KernelLevel::pgd));
    EXPECT_TRUE(f.present(KernelLevel::pte));
    EXPECT_EQ(f.level(KernelLevel::pgd), f.root_level);
    EXPECT_EQ(f.level(KernelLevel::pte), f.leaf_level);
    int last = -1;
    for (KernelLevel k : kKernelLevels) {
      if (!f.present(k)) continue;
      EXPECT_GT(f.hw_level[static_cast<unsigned>(k)], last);
      last = f.hw_level[static_cast<unsigned>(k)];
    }
    EXPECT_EQ(f.pgdir_size, f.entry_size[f.root_level]);
    // Where each kernel level's entries live, and whose each hardware
    // level's are: a present level hosts itself, a folded one lives in the
    // nearest present level above; every hardware level has one owner, the
    // lowest level it hosts.
    for (KernelLevel k : kKernelLevels) {
      SCOPED_TRACE("kernel level " + std::to_string(static_cast<unsigned>(k)));
      if (f.present(k)) {
        EXPECT_EQ(f.host_level(k), f.level(k));
      } else {
        EXPECT_EQ(f.host_level(k),
                  f.host_level(static_cast<KernelLevel>(static_cast<unsigned>(k) - 1)));
      }
      EXPECT_GE(f.host_level(k), f.root_level);
      EXPECT_LE(f.host_level(k), f.leaf_level);
    }
    for (unsigned hw = f.root_level; hw <= f.leaf_level; ++hw) {
      SCOPED_TRACE("hw level " + std::to_string(hw));
      const KernelLevel o = f.owner(hw);
      EXPECT_EQ(f.host_level(o), hw);
      for (unsigned k = static_cast<unsigned>(o) + 1; k < 5; ++k)
        EXPECT_NE(f.host_level(static_cast<KernelLevel>(k)), hw);
    }
    EXPECT_EQ(f.owner(f.leaf_level), KernelLevel::pte);
    // The vmap code writes blocks only where the MMU accepts them, of the
    // size one entry there maps. A folded level's blocks are written in the
    // entry it is folded into (arm64-4k-39 makes 1 GiB blocks at its root).
    for (auto [k, size] : {std::pair{KernelLevel::pud, f.pud_block_size},
                           std::pair{KernelLevel::pmd, f.pmd_block_size}}) {
      if (!size) continue;
      EXPECT_TRUE(f.mmu_block[f.host_level(k)]);
      EXPECT_EQ(size, f.entry_size[f.host_level(k)]);
    }
    // Only arm64 has a contiguous hint.
    if (f.format != reference::DescFormat::arm64) {
      EXPECT_EQ(f.cont_pte_shift, 0u);
    }
    if (f.cont_pte_shift) {
      EXPECT_EQ(f.cont_pte_size, u64{1} << f.cont_pte_shift);
      EXPECT_EQ(f.cont_pte_size, f.cont_ptes * f.page_size);
    } else {
      EXPECT_EQ(f.cont_pte_size, 0u);
      EXPECT_EQ(f.cont_ptes, 0u);
    }
  }
}

// The engine's level for a kernel level name (same order).
engine::PgLevel engine_level(KernelLevel k) { return static_cast<engine::PgLevel>(k); }

TEST(ReferenceGeometryFacts, AgreeWithEveryEngineGeometry) {
  for (const engine::Geometry* g : engine::all_geometries()) {
    SCOPED_TRACE(std::string(g->name));
    const GeometryFacts* f = reference::find_geometry_facts(g->name);
    ASSERT_NE(f, nullptr) << "the reference has no row for this engine geometry";
    EXPECT_EQ(&reference::geometry_facts(*g), f);  // an engine::Geometry is a GeometryConfig
    EXPECT_EQ(f->page_shift, g->page_shift);
    EXPECT_EQ(f->page_size, g->page_size());
    EXPECT_EQ(f->va_bits, g->va_bits);
    EXPECT_EQ(f->leaf_level + 1 - f->root_level, g->levels);
    EXPECT_EQ(f->kernel_va_base, ~((u64{1} << g->va_bits) - 1));
    EXPECT_STREQ(reference::desc_format_name(f->format), engine::arch_name(g->arch));
    EXPECT_EQ(g->vmalloc_start & f->kernel_va_base, f->kernel_va_base)
        << "the harness's VA window lies in the kernel half";
    // Every present kernel level: same shift, table size and index; the
    // folded ones agree on which they are.
    unsigned present = 0;
    for (KernelLevel k : kKernelLevels) {
      const engine::PgLevel e = engine_level(k);
      SCOPED_TRACE(std::string(engine::level_text(e)));
      ASSERT_EQ(f->present(k), !g->is_folded(e));
      // A folded level's shift is its host's.
      EXPECT_EQ(f->shift[f->host_level(k)], g->level_shift(e));
      if (!f->present(k)) continue;
      ++present;
      const unsigned l = f->level(k);
      EXPECT_EQ(f->shift[l], g->level_shift(e));
      EXPECT_EQ(f->entry_size[l], u64{1} << g->level_shift(e));
      EXPECT_EQ(f->entries[l], g->ptrs[engine::idx(e)]);
      for (u64 va : {g->vmalloc_start, g->vmalloc_start + g->vmalloc_size - 1,
                     g->vmalloc_start + 0x40'3020'1000, f->kernel_va_base, ~u64{0}})
        EXPECT_EQ(f->index(va, l), g->index(engine::VirtAddr{va}, e)) << std::hex << va;
    }
    EXPECT_EQ(present, g->levels);
    EXPECT_EQ(f->pgdir_size, g->pgdir_size());
    EXPECT_EQ(f->pud_block_size, g->pud_block ? g->pud_size() : 0);
    EXPECT_EQ(f->pmd_block_size, g->pmd_block ? g->pmd_size() : 0);
    EXPECT_EQ(f->cont_pte_shift, g->cont_pte_shift);
    if (g->cont_pte_shift) {
      EXPECT_EQ(f->cont_pte_size, g->cont_pte_size());
      EXPECT_EQ(f->cont_ptes, g->cont_ptes());
    }
    // The output-address field: what the engine writes for a page (every
    // named protection) and for a table reads back as the address it was
    // given, and the other way round.
    for (u64 pa : {g->page_size(), g->phys_limit - g->page_size(), u64{0x1234} << 21}) {
      SCOPED_TRACE(std::to_string(pa));
      const u64 pfn = pa >> g->page_shift;
      for (common::ProtName p : common::kAllProts) {
        const engine::pte_t d = engine::pfn_pte(*g, pfn, engine::prot_value(*g, p));
        EXPECT_EQ(f->oa(d), pa) << std::hex << d;
      }
      EXPECT_EQ(f->oa(engine::mk_kernel_table(*g, engine::PhysAddr{pa})), pa);
      EXPECT_EQ(engine::pxd_table_pa(*g, f->oa_mask & (pa >> f->oa_shift)).v, pa);
    }
  }
}

// A few literal numbers of every row but arm64-4k-48 (pinned above), written
// out by hand from the kernel's headers (the geometry's PGDIR_SHIFT,
// PTRS_PER_PGD, folding, arch_vmap_pud/pmd_supported(), CONT_PTES), never
// computed.
struct RowPins {
  std::string_view name;
  reference::DescFormat format;
  unsigned page_shift, va_bits, root_level, leaf_level;
  unsigned root_entries, root_shift;
  u64 pud_block, pmd_block;
  unsigned cont_ptes;
  int hw_level[5];
  KernelLevel root_owner;
  bool root_block;
};

TEST(ReferenceGeometryFacts, PinsAFewNumbersOfEveryOtherRow) {
  using reference::DescFormat;
  constexpr int F = reference::kFolded;
  constexpr u64 K = 1024, M = K * K, G = M * K;
  const RowPins pins[] = {
      {"arm64-4k-39",
       DescFormat::arm64,
       12,
       39,
       1,
       3,
       512,
       30,
       G,
       2 * M,
       16,
       {1, F, F, 2, 3},
       KernelLevel::pud,
       true},
      {"arm64-16k-47",
       DescFormat::arm64,
       14,
       47,
       1,
       3,
       2048,
       36,
       0,
       32 * M,
       128,
       {1, F, F, 2, 3},
       KernelLevel::pud,
       false},
      {"arm64-16k-48",
       DescFormat::arm64,
       14,
       48,
       0,
       3,
       2,
       47,
       0,
       32 * M,
       128,
       {0, F, 1, 2, 3},
       KernelLevel::p4d,
       false},
      {"arm64-64k-42",
       DescFormat::arm64,
       16,
       42,
       2,
       3,
       8192,
       29,
       0,
       512 * M,
       32,
       {2, F, F, F, 3},
       KernelLevel::pmd,
       true},
      {"arm64-64k-48",
       DescFormat::arm64,
       16,
       48,
       1,
       3,
       64,
       42,
       0,
       512 * M,
       32,
       {1, F, F, 2, 3},
       KernelLevel::pud,
       false},
      {"x86-64-4l",
       DescFormat::x86_64,
       12,
       48,
       0,
       3,
       512,
       39,
       G,
       2 * M,
       0,
       {0, F, 1, 2, 3},
       KernelLevel::p4d,
       false},
      {"x86-64-5l",
       DescFormat::x86_64,
       12,
       57,
       0,
       4,
       512,
       48,
       G,
       2 * M,
       0,
       {0, 1, 2, 3, 4},
       KernelLevel::pgd,
       false},
      {"riscv64-sv39",
       DescFormat::riscv64,
       12,
       39,
       1,
       3,
       512,
       30,
       0,
       2 * M,
       0,
       {1, F, F, 2, 3},
       KernelLevel::pud,
       true},
      {"riscv64-sv48",
       DescFormat::riscv64,
       12,
       48,
       0,
       3,
       512,
       39,
       G,
       2 * M,
       0,
       {0, F, 1, 2, 3},
       KernelLevel::p4d,
       true},
      {"riscv64-sv57",
       DescFormat::riscv64,
       12,
       57,
       0,
       4,
       512,
       48,
       G,
       2 * M,
       0,
       {0, 1, 2, 3, 4},
       KernelLevel::pgd,
       true},
  };
  EXPECT_EQ(std::size(pins) + 1, reference::all_geometry_facts().size());
  for (const RowPins& p : pins) {
    SCOPED_TRACE(std::string(p.name));
    const GeometryFacts* f = reference::find_geometry_facts(p.name);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->format, p.format);
    EXPECT_EQ(f->page_shift, p.page_shift);
    EXPECT_EQ(f->va_bits, p.va_bits);
    EXPECT_EQ(f->root_level, p.root_level);
    EXPECT_EQ(f->leaf_level, p.leaf_level);
    EXPECT_EQ(f->entries[p.root_level], p.root_entries);
    EXPECT_EQ(f->shift[p.root_level], p.root_shift);
    EXPECT_EQ(f->pud_block_size, p.pud_block);
    EXPECT_EQ(f->pmd_block_size, p.pmd_block);
    EXPECT_EQ(f->cont_ptes, p.cont_ptes);
    for (unsigned k = 0; k < 5; ++k) EXPECT_EQ(f->hw_level[k], p.hw_level[k]) << "level " << k;
    EXPECT_EQ(f->owner(p.root_level), p.root_owner);
    EXPECT_EQ(f->mmu_block[p.root_level], p.root_block);
  }
  // Where the blocks of a folded level go: the root.
  EXPECT_EQ(reference::find_geometry_facts("arm64-4k-39")->host_level(KernelLevel::pud), 1u);
  EXPECT_EQ(reference::find_geometry_facts("arm64-64k-42")->host_level(KernelLevel::pmd), 2u);
  EXPECT_EQ(reference::find_geometry_facts("arm64-64k-42")->host_level(KernelLevel::pud), 2u);
  EXPECT_EQ(reference::find_geometry_facts("riscv64-sv39")->host_level(KernelLevel::p4d), 1u);
  // The output-address fields.
  EXPECT_EQ(reference::find_geometry_facts("arm64-16k-47")->oa_mask, 0x0000'ffff'ffff'c000u);
  EXPECT_EQ(reference::find_geometry_facts("arm64-64k-42")->oa_mask, 0x0000'ffff'ffff'0000u);
  EXPECT_EQ(reference::find_geometry_facts("x86-64-5l")->oa_mask, 0x000f'ffff'ffff'f000u);
  const GeometryFacts* rv = reference::find_geometry_facts("riscv64-sv48");
  EXPECT_EQ(rv->oa_mask, 0x003f'ffff'ffff'fc00u);
  EXPECT_EQ(rv->oa(0x0000'0000'2000'04e7), 0x8000'1000u);  // PPN 0x80001
  EXPECT_EQ(rv->oa(0xc03f'ffff'ffff'fcffu), 0x00ff'ffff'ffff'f000u);
  EXPECT_EQ(reference::find_geometry_facts("x86-64-4l")->kernel_va_base, 0xffff'0000'0000'0000u);
  EXPECT_EQ(reference::find_geometry_facts("riscv64-sv57")->kernel_va_base, 0xfe00'0000'0000'0000u);
}

TEST(ReferenceVariantRules, EveryVariantHasOneRow) {
  EXPECT_EQ(reference::all_variant_rules().size(), std::size(engine::kAllVariants));
  for (engine::Variant v : engine::kAllVariants) {
    SCOPED_TRACE(std::string(engine::variant_name(v)));
    const VariantRules* r = reference::find_variant_rules(v);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->variant, v);
    EXPECT_EQ(&reference::variant_rules(v), r);
  }
}

// The rows against the engine's own variant decisions: has_series() for
// the series' changes, before_cont_vmap() (v6.12 and v6.1) for the era
// rules, and the two 6.1 differences by name.
TEST(ReferenceVariantRules, AgreeWithTheEnginesVariantDecisions) {
  for (engine::Variant v : engine::kAllVariants) {
    SCOPED_TRACE(std::string(engine::variant_name(v)));
    const VariantRules& r = reference::variant_rules(v);
    const bool series = engine::has_series(v);
    EXPECT_EQ(r.multi_group_cont_batches, series);
    EXPECT_EQ(r.huge_pages_one_walk, series);
    EXPECT_EQ(r.pages_walk_pmd_blocks, series);
    EXPECT_EQ(r.pages_walk_cont_batches, series);
    EXPECT_EQ(r.pages_errors_propagate, series);
    EXPECT_EQ(r.vmap_batching, series);
    EXPECT_EQ(r.vmap_aligned_area, series);
    const bool era_2026 = !engine::before_cont_vmap(v);
    EXPECT_EQ(r.cont_pte_mappings, era_2026);
    EXPECT_EQ(r.unaligned_size_warn, era_2026);
    EXPECT_EQ(r.partial_block_warn, era_2026);
    EXPECT_EQ(r.vmalloc_cont_shift, era_2026);
    EXPECT_EQ(r.opportunistic_orders, era_2026);
    EXPECT_EQ(r.pud_cleared_before_pte_tables, era_2026);
    // 6.1 alone (tested by name in engine/).
    const bool v6_1 = v == engine::Variant::v6_1;
    EXPECT_EQ(r.ioremap_area_check, !v6_1);
    EXPECT_EQ(r.vmalloc_warn_alloc, !v6_1);
  }
}

// The model takes its numbers and rules from those rows.
TEST(ReferenceModel, UsesItsOwnRows) {
  for (const engine::Geometry* g : engine::all_geometries()) {
    for (engine::Variant v : engine::kAllVariants) {
      const reference::RefKernel ref(*g, v);
      EXPECT_EQ(&ref.facts(), reference::find_geometry_facts(g->name));
      EXPECT_EQ(&ref.rules(), reference::find_variant_rules(v));
      EXPECT_EQ(ref.geo().name, g->name);
      EXPECT_EQ(ref.geo().vmalloc_start, g->vmalloc_start);
      EXPECT_EQ(ref.geo().vmalloc_size, g->vmalloc_size);
      EXPECT_EQ(ref.geo().phys_limit, g->phys_limit);
      EXPECT_EQ(&engine::geometry_of(ref.geo()), g);
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
