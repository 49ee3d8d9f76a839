// SPDX-License-Identifier: GPL-2.0-only
// The dispatch of the arch layer (engine/arch.cc) where it does not reach an arm64 hook:
// the asm-generic hugetlb helpers x86-64 and riscv64 get, and the descriptor helpers of
// every geometry's format.
#include "engine/arch.h"

#include <gtest/gtest.h>

#include <string>

#include "engine/geometry.h"
#include "test/test_support.h"

namespace vmapfuzz::test {
namespace {

using engine::Kernel;
using engine::ProtName;
using engine::pte_t;

// Neither architecture batches PTEs (their map and unmap sizes are PAGE_SIZE), so
// vmalloc.c never calls these there; the asm-generic forms write and clear the one
// entry they are given, whatever size they are told.
TEST(ArchGenericHugetlb, WritesAndClearsOneEntryOnX86AndRiscv) {
  for (const char* name : {"x86-64-4l", "riscv64-sv39"}) {
    SCOPED_TRACE(name);
    const engine::Geometry& g = *engine::find_geometry(name);
    Kernel k(g, engine::Variant::mainline);
    pte_t* t = k.pool().table(k.pool().alloc());
    ASSERT_NE(t, nullptr);
    const VirtAddr addr{g.vmalloc_start};
    const pte_t entry =
        engine::pfn_pte(g, kPa >> g.page_shift, engine::prot_value(g, ProtName::normal));
    EXPECT_EQ(engine::arch_make_huge_pte(k, entry, g.pmd_shift()), entry);
    ASSERT_TRUE(engine::set_huge_pte_at(k, addr, t, entry, g.pmd_size()));
    EXPECT_EQ(t[0], entry);
    EXPECT_EQ(t[1], 0u);
    EXPECT_EQ(k.counters().set_huge_pte_at, 1u);
    EXPECT_EQ(k.counters().set_pte_at, 1u);
    EXPECT_EQ(k.counters().descriptors_written, 1u);
    EXPECT_EQ(engine::huge_ptep_get_and_clear(k, addr, t, g.pmd_size()), entry);
    EXPECT_EQ(t[0], 0u);
    EXPECT_EQ(k.counters().unmap_ptes, 1u);
    EXPECT_EQ(k.counters().unmap_cont_groups, 0u);
    EXPECT_TRUE(k.out().flushes.empty());
    EXPECT_EQ(k.out().bug, engine::BugId::none);
  }
}

// pte_pfn() reads back the page frame pfn_pte() wrote, for every protection, on every
// geometry: the lowest frame, one with bits spread over the field, and the last frame
// below the geometry's output-address limit.
TEST(ArchDescriptors, PtePfnReadsBackWhatPfnPteWrote) {
  for (const engine::Geometry* g : engine::all_geometries()) {
    SCOPED_TRACE(std::string(g->name));
    const u64 last = (g->phys_limit >> g->page_shift) - 1;
    for (const u64 pfn : {u64{1}, u64{0x12345} & last, last}) {
      for (ProtName p : engine::kAllProts) {
        SCOPED_TRACE("pfn " + std::to_string(pfn) + " " + std::string(engine::prot_name(p)));
        const pte_t pte = engine::pfn_pte(*g, pfn, engine::prot_value(*g, p));
        EXPECT_EQ(engine::pte_pfn(*g, pte), pfn);
        EXPECT_TRUE(engine::pte_present(*g, pte));
        EXPECT_FALSE(engine::pte_none(*g, pte));
      }
    }
  }
}

}  // namespace
}  // namespace vmapfuzz::test
