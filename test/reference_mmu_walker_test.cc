// SPDX-License-Identifier: GPL-2.0-only
// The reference's MMU walker (reference/mmu_walker.h) per descriptor
// format, on hand-written descriptors: how each format's MMU classifies an
// entry at each level, where its output address is, and what a translation
// and a scan of a small hand-built table tree (engine::TablePool, 4 KiB
// tables) find: runs, attributes and every kind of issue; and that it
// reads what the engine writes on every geometry.
#include <gtest/gtest.h>

#include <array>
#include <ostream>
#include <string>
#include <vector>

#include "engine/arch.h"
#include "engine/kernel.h"
#include "engine/table_pool.h"
#include "engine/vmap_range.h"
#include "reference/geometry_facts.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::reference {
// Printers for failure messages.
void PrintTo(const LeafRun& r, std::ostream* os) {
  *os << "{va=0x" << std::hex << r.va << " size=0x" << r.size << " pa=0x" << r.pa << std::dec
      << " L" << r.level << (r.cont ? " cont " : " ") << attrs_text(r.attrs) << "}";
}
}  // namespace vmapfuzz::reference

namespace vmapfuzz::test {
namespace {

using common::ProtName;
using common::u64;
using reference::DescFormat;
using reference::DescKind;
using reference::Issue;
using reference::LeafRun;

constexpr u64 K = u64{1} << 10, M = K * K, G = M * K;

const reference::GeometryFacts& facts(const char* name) {
  const reference::GeometryFacts* f = reference::find_geometry_facts(name);
  EXPECT_NE(f, nullptr) << name;
  return *f;
}

struct KindCase {
  const char* geometry;
  u64 desc;
  unsigned level;
  DescKind kind;
  u64 oa;  // output_address()
};

void check_kinds(std::initializer_list<KindCase> cases) {
  for (const KindCase& c : cases) {
    SCOPED_TRACE(std::string(c.geometry) + " L" + std::to_string(c.level) + " desc " +
                 std::to_string(c.desc));
    const auto& f = facts(c.geometry);
    EXPECT_EQ(reference::desc_kind_name(reference::classify(f, c.desc, c.level)),
              std::string(reference::desc_kind_name(c.kind)));
    EXPECT_EQ(reference::output_address(f, c.desc, c.level), c.oa);
  }
}

TEST(ReferenceMmuWalker, ClassifiesArm64Descriptors) {
  check_kinds({
      {"arm64-4k-48", 0, 2, DescKind::invalid, 0},
      {"arm64-4k-48", 0x0000'f000'0000'1003, 0, DescKind::table, 0xf000'0000'1000},
      {"arm64-4k-48", 0x0068'0001'0000'0711, 0, DescKind::reserved, 0},
      {"arm64-4k-48", 0x0068'0001'0000'0711, 1, DescKind::block, 0x1'0000'0000},
      {"arm64-4k-48", 0x0068'0001'0020'0711, 2, DescKind::block, 0x1'0020'0000},
      {"arm64-4k-48", 0x0068'0001'0000'0711, 3, DescKind::reserved, 0},
      {"arm64-4k-48", 0x0078'0001'0000'1713, 3, DescKind::page, 0x1'0000'1000},
      // 1 GiB blocks at the root of 4k-39 (Arm level 1).
      {"arm64-4k-39", 0x0068'0001'0000'0711, 1, DescKind::block, 0x1'0000'0000},
      // 16K: no level-1 block; 64K-42: 512 MiB blocks at the root (level 2).
      {"arm64-16k-47", 0x0068'0001'0000'0711, 1, DescKind::reserved, 0},
      {"arm64-16k-47", 0x0068'0001'0200'0711, 2, DescKind::block, 0x1'0200'0000},
      {"arm64-16k-48", 0x0000'f000'0000'4003, 0, DescKind::table, 0xf000'0000'4000},
      {"arm64-64k-42", 0x0068'0001'2000'0711, 2, DescKind::block, 0x1'2000'0000},
      {"arm64-64k-48", 0x0068'0400'0000'0711, 1, DescKind::reserved, 0},
      {"arm64-64k-48", 0x0000'f000'0001'0003, 1, DescKind::table, 0xf000'0001'0000},
  });
}

// x86-64: P (bit 0); PS (bit 7) makes a PDPT or PD entry a leaf and is
// reserved in a PML4 or PML5 entry; in a PT entry bit 7 is PAT. A PS
// leaf's bit 12 is PAT, not address.
TEST(ReferenceMmuWalker, ClassifiesX86Descriptors) {
  check_kinds({
      {"x86-64-4l", 0, 0, DescKind::invalid, 0},
      {"x86-64-4l", 0x8000'0000'0000'0162, 3, DescKind::invalid, 0},  // P clear
      {"x86-64-4l", 0x0000'0000'0000'0060, 2, DescKind::invalid, 0},  // A/D only
      {"x86-64-4l", 0x0000'f000'0000'1067, 0, DescKind::table, 0xf000'0000'1000},
      {"x86-64-4l", 0x0000'f000'0000'1067, 1, DescKind::table, 0xf000'0000'1000},
      {"x86-64-4l", 0x0000'f000'0000'1067, 2, DescKind::table, 0xf000'0000'1000},
      {"x86-64-4l", 0x0008'0000'0000'1063, 2, DescKind::table, 0x0008'0000'0000'1000},
      {"x86-64-4l", 0x8000'0000'4000'01e3, 0, DescKind::reserved, 0},
      {"x86-64-4l", 0x8000'0000'4000'01e3, 1, DescKind::block, 0x4000'0000},
      {"x86-64-4l", 0x8000'0000'4020'11fb, 2, DescKind::block, 0x4020'0000},
      {"x86-64-4l", 0x8000'0000'4000'11e3, 3, DescKind::page, 0x4000'1000},
      {"x86-64-4l", 0x800f'ffff'ffff'f163, 3, DescKind::page, 0x000f'ffff'ffff'f000},
      {"x86-64-5l", 0x8000'0000'4000'01e3, 0, DescKind::reserved, 0},
      {"x86-64-5l", 0x8000'0000'4000'01e3, 1, DescKind::reserved, 0},
      {"x86-64-5l", 0x8000'0000'4000'01e3, 2, DescKind::block, 0x4000'0000},
      {"x86-64-5l", 0x8000'0000'4000'01e3, 3, DescKind::block, 0x4000'0000},
      {"x86-64-5l", 0x8000'0000'4000'0163, 4, DescKind::page, 0x4000'0000},
      {"x86-64-5l", 0x0000'f000'0000'2067, 1, DescKind::table, 0xf000'0000'2000},
  });
}

// riscv64: V (bit 0); R=W=X=0 points to the next level (reserved at the
// page level, or with PBMT bits); W without R, PBMT 3, N (bit 63) and
// bits 60:54 are reserved; any other leaf is accepted at any level. The
// PPN (bits 53:10) holds PA >> 12.
TEST(ReferenceMmuWalker, ClassifiesRiscvDescriptors) {
  const u64 ppn = u64{0x80001} << 10;  // PA 0x8000'1000
  check_kinds({
      {"riscv64-sv39", 0, 1, DescKind::invalid, 0},
      {"riscv64-sv39", ppn | 0xe6, 3, DescKind::invalid, 0},  // V clear
      {"riscv64-sv39", ppn | 0x01, 1, DescKind::table, 0x8000'1000},
      {"riscv64-sv39", ppn | 0x01, 2, DescKind::table, 0x8000'1000},
      {"riscv64-sv39", ppn | 0x01, 3, DescKind::reserved, 0},
      {"riscv64-sv39", ppn | 0x4000'0000'0000'0001, 2, DescKind::reserved, 0},
      {"riscv64-sv39", ppn | 0xe7, 1, DescKind::block, 0x8000'1000},
      {"riscv64-sv39", ppn | 0xe7, 2, DescKind::block, 0x8000'1000},
      {"riscv64-sv39", ppn | 0xe7, 3, DescKind::page, 0x8000'1000},
      {"riscv64-sv39", ppn | 0x4000'0000'0000'00e7, 3, DescKind::page, 0x8000'1000},
      {"riscv64-sv39", ppn | 0x2000'0000'0000'00e7, 3, DescKind::page, 0x8000'1000},
      {"riscv64-sv39", ppn | 0x6000'0000'0000'00e7, 3, DescKind::reserved, 0},
      {"riscv64-sv39", ppn | 0xc9, 3, DescKind::page, 0x8000'1000},             // X only
      {"riscv64-sv39", ppn | 0xc5, 3, DescKind::reserved, 0},                   // W only
      {"riscv64-sv39", ppn | 0xcd, 3, DescKind::reserved, 0},                   // W and X
      {"riscv64-sv39", ppn | 0x8000'0000'0000'00e7, 3, DescKind::reserved, 0},  // N
      {"riscv64-sv39", ppn | 0x0040'0000'0000'00e7, 3, DescKind::reserved, 0},  // bit 54
      {"riscv64-sv39", ppn | 0x1000'0000'0000'00e7, 3, DescKind::reserved, 0},  // bit 60
      {"riscv64-sv39", 0x003f'ffff'ffff'fce7, 3, DescKind::page, 0x00ff'ffff'ffff'f000},
      {"riscv64-sv48", ppn | 0xe7, 0, DescKind::block, 0x8000'1000},  // terapage
      {"riscv64-sv57", ppn | 0xe7, 0, DescKind::block, 0x8000'1000},  // petapage
      {"riscv64-sv57", ppn | 0xe7, 4, DescKind::page, 0x8000'1000},
  });
}

// A hand-built table tree in a pool of 4 KiB tables.
struct Tree {
  engine::TablePool pool{12};
  u64 table() { return pool.alloc().v; }
  u64& at(u64 table_pa, unsigned i) { return pool.table(common::PhysAddr{table_pa})[i]; }
};

struct IssueShape {
  Issue::Kind kind;
  unsigned level;
  u64 va;
};

void expect_issues(const std::vector<Issue>& got, const std::vector<IssueShape>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("issue " + std::to_string(i) + ": " + got[i].detail);
    EXPECT_STREQ(reference::issue_kind_name(got[i].kind), reference::issue_kind_name(want[i].kind));
    EXPECT_EQ(got[i].level, want[i].level);
    EXPECT_EQ(got[i].va, want[i].va) << std::hex << got[i].va;
  }
}

// x86-64-4l: PML4 entry 0x180 (VA 0xffff'c000'0000'0000) holds a PDPT
// with a 1 GiB leaf, a PD and a dangling entry; the PD a 2M WT leaf (PAT
// in bit 12), a PT and a misaligned 2M leaf; the PT four PAGE_KERNEL
// pages, one PAGE_KERNEL_RO page and an A/D-only entry. PML4 entry 0x181
// has PS set; one more table is live and unreachable.
TEST(ReferenceMmuWalker, ScansAnX86Tree) {
  const common::GeometryConfig g{.name = "x86-64-4l"};
  const u64 base = 0xffff'c000'0000'0000;
  Tree t;
  const u64 root = t.table(), pdpt = t.table(), pd = t.table(), pt = t.table();
  t.table();  // leaked
  constexpr u64 kKernel = 0x8000'0000'0000'0163, kRo = 0x8000'0000'0000'0121;
  constexpr u64 kLarge = 0x8000'0000'0000'01e3;
  t.at(root, 0x180) = pdpt | 0x67;
  t.at(root, 0x181) = 0x80'0000'0000 | kLarge;
  t.at(pdpt, 0) = 0x4000'0000 | kLarge;
  t.at(pdpt, 1) = pd | 0x67;
  t.at(pdpt, 2) = 0xdead'0000 | 0x67;
  t.at(pd, 0) = 0xa0'0000 | 0x8000'0000'0000'11fb;  // PAT_LARGE|PCD|PWT: WT
  t.at(pd, 1) = pt | 0x67;
  t.at(pd, 2) = 0x30'2000 | kLarge;
  for (unsigned j = 0; j < 4; ++j) t.at(pt, j) = (0x10'0000 + j * 0x1000) | kKernel;
  t.at(pt, 4) = 0x10'4000 | kRo;
  t.at(pt, 5) = 0x60;  // A and D only: garbage
  // Not present (P and G clear), its address field inverted: 0x10'6000.
  t.at(pt, 6) = (~u64{0x10'6000} & 0x000f'ffff'ffff'f000) | (kKernel & ~u64{0x101});

  const auto normal = reference::expected_attrs(DescFormat::x86_64, ProtName::normal, true);
  const auto ro = reference::expected_attrs(DescFormat::x86_64, ProtName::kernel_ro, true);
  auto wt = normal;
  wt.mem_type = 7;
  const reference::TableScan s = reference::scan_tables(t.pool, g, root);
  const std::vector<LeafRun> runs = {
      {base, G, 0x4000'0000, 1, false, normal},
      {base + G, 2 * M, 0xa0'0000, 2, false, wt},
      {base + G + 2 * M, 16 * K, 0x10'0000, 3, false, normal},
      {base + G + 2 * M + 16 * K, 4 * K, 0x10'4000, 3, false, ro},
      {base + G + 4 * M, 2 * M, 0x20'0000, 2, false, normal},
  };
  EXPECT_EQ(s.runs, runs);
  auto gone = normal;
  gone.global = false;
  EXPECT_EQ(s.invalid, (std::vector<LeafRun>{{base + G + 2 * M + 24 * K, 4 * K, 0x10'6000, 3, false,
                                              gone, false, 0}}));
  expect_issues(s.issues, {
                              {Issue::garbage_desc, 3, base + G + 2 * M + 20 * K},
                              {Issue::misaligned_block, 2, base + G + 4 * M},
                              {Issue::dangling_table, 1, base + 2 * G},
                              {Issue::reserved_desc, 0, base + 512 * G},
                              {Issue::leaked_table, 0, 0},
                          });

  // A range: clipped runs, no leak check, nothing outside it.
  const reference::TableScan r =
      reference::scan_range(t.pool, g, root, base + G + 2 * M + 4 * K, base + G + 2 * M + 12 * K);
  EXPECT_EQ(r.runs,
            (std::vector<LeafRun>{{base + G + 2 * M + 4 * K, 8 * K, 0x10'1000, 3, false, normal}}));
  EXPECT_TRUE(r.issues.empty());

  // Translations: through each kind of leaf, and each kind of fault.
  auto tr = reference::translate(t.pool, g, root, base + 0x12'3456);
  EXPECT_TRUE(tr.mapped);
  EXPECT_EQ(tr.pa, 0x4012'3456u);
  EXPECT_EQ(tr.level, 1u);
  EXPECT_FALSE(tr.cont);
  EXPECT_EQ(tr.attrs, normal);
  ASSERT_EQ(tr.steps.size(), 2u);
  EXPECT_EQ(tr.steps[0].index, 0x180u);
  EXPECT_EQ(tr.steps[0].oa, pdpt);
  EXPECT_EQ(tr.steps[1].kind, DescKind::block);
  EXPECT_EQ(tr.steps[1].oa, 0x4000'0000u);
  tr = reference::translate(t.pool, g, root, base + G + 0x1234);
  EXPECT_EQ(tr.pa, 0xa0'1234u);
  EXPECT_EQ(tr.level, 2u);
  EXPECT_EQ(tr.attrs, wt);
  EXPECT_EQ(reference::attrs_text(tr.attrs), "RW NX GLB AD WT");
  tr = reference::translate(t.pool, g, root, base + G + 2 * M + 16 * K + 5);
  EXPECT_EQ(tr.pa, 0x10'4005u);
  EXPECT_EQ(tr.level, 3u);
  EXPECT_EQ(tr.attrs, ro);
  ASSERT_EQ(tr.steps.size(), 4u);
  EXPECT_EQ(tr.steps[3].kind, DescKind::page);
  tr = reference::translate(t.pool, g, root, base + G + 4 * M + 0x10);
  EXPECT_EQ(tr.pa, 0x20'0010u) << "a misaligned block translates as if aligned";
  EXPECT_EQ(reference::translate(t.pool, g, root, base + 512 * G).fault, "reserved L0");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + G + 2 * M + 20 * K).fault,
            "translation L3");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + 2 * G).fault, "table not live L2");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + 3 * G).fault, "translation L1");
}

// riscv64-sv39: root (level 1, here) entry 0x100 (VA 0xffff'ffc0'0000'0000)
// is a gigapage, 0x101 a PMD table, 0x102 dangling, 0x103 a table with
// PBMT bits; the PMD table an IO megapage, a PTE table, a misaligned
// megapage and one with N set; the PTE table four PAGE_KERNEL pages, a
// PAGE_KERNEL_READ page, a table pointer, a W-only entry and an entry
// without V.
TEST(ReferenceMmuWalker, ScansARiscvTree) {
  const common::GeometryConfig g{.name = "riscv64-sv39"};
  const u64 base = 0xffff'ffc0'0000'0000;
  auto rv = [](u64 pa, u64 flags) { return ((pa >> 12) << 10) | flags; };
  Tree t;
  const u64 root = t.table(), pmd = t.table(), pt = t.table();
  t.table();  // leaked
  t.at(root, 0x100) = rv(0x4000'0000, 0xe7);
  t.at(root, 0x101) = rv(pmd, 0x01);
  t.at(root, 0x102) = rv(0xdead'0000, 0x01);
  t.at(root, 0x103) = rv(pt, 0x4000'0000'0000'0001);
  t.at(pmd, 0) = rv(0xa0'0000, 0x4000'0000'0000'00e7);
  t.at(pmd, 1) = rv(pt, 0x01);
  t.at(pmd, 2) = rv(0x30'2000, 0xe7);
  t.at(pmd, 3) = rv(0x40'0000, 0x8000'0000'0000'00e7);
  for (unsigned j = 0; j < 4; ++j) t.at(pt, j) = rv(0x10'0000 + j * 0x1000, 0xe7);
  t.at(pt, 4) = rv(0x10'4000, 0xe3);
  t.at(pt, 5) = rv(0x20'0000, 0x01);
  t.at(pt, 6) = rv(0x20'0000, 0xc5);
  t.at(pt, 7) = 0xe6;

  using reference::expected_attrs;
  const auto normal = expected_attrs(DescFormat::riscv64, ProtName::normal, true);
  const auto io = expected_attrs(DescFormat::riscv64, ProtName::device, true);
  const auto ro = expected_attrs(DescFormat::riscv64, ProtName::kernel_ro, true);
  const reference::TableScan s = reference::scan_tables(t.pool, g, root);
  const std::vector<LeafRun> runs = {
      {base, G, 0x4000'0000, 1, false, normal},
      {base + G, 2 * M, 0xa0'0000, 2, false, io},
      {base + G + 2 * M, 16 * K, 0x10'0000, 3, false, normal},
      {base + G + 2 * M + 16 * K, 4 * K, 0x10'4000, 3, false, ro},
      {base + G + 4 * M, 2 * M, 0x20'0000, 2, false, normal},
  };
  EXPECT_EQ(s.runs, runs);
  expect_issues(s.issues, {
                              {Issue::reserved_desc, 3, base + G + 2 * M + 20 * K},
                              {Issue::reserved_desc, 3, base + G + 2 * M + 24 * K},
                              {Issue::garbage_desc, 3, base + G + 2 * M + 28 * K},
                              {Issue::misaligned_block, 2, base + G + 4 * M},
                              {Issue::reserved_desc, 2, base + G + 6 * M},
                              {Issue::dangling_table, 1, base + 2 * G},
                              {Issue::reserved_desc, 1, base + 3 * G},
                              {Issue::leaked_table, 0, 0},
                          });

  const reference::TableScan r =
      reference::scan_range(t.pool, g, root, base + G - 4 * K, base + G + 4 * K);
  EXPECT_EQ(r.runs, (std::vector<LeafRun>{{base + G - 4 * K, 4 * K, 0x7fff'f000, 1, false, normal},
                                          {base + G, 4 * K, 0xa0'0000, 2, false, io}}));
  EXPECT_TRUE(r.issues.empty());

  auto tr = reference::translate(t.pool, g, root, base + 0x3fff'ffff);
  EXPECT_EQ(tr.pa, 0x7fff'ffffu);
  EXPECT_EQ(tr.level, 1u);
  ASSERT_EQ(tr.steps.size(), 1u);
  EXPECT_EQ(tr.steps[0].index, 0x100u);
  tr = reference::translate(t.pool, g, root, base + G + 2 * M + 12 * K + 0x10);
  EXPECT_EQ(tr.pa, 0x10'3010u);
  EXPECT_EQ(tr.level, 3u);
  EXPECT_EQ(tr.attrs, normal);
  ASSERT_EQ(tr.steps.size(), 3u);
  EXPECT_EQ(tr.steps[0].oa, pmd);
  EXPECT_EQ(tr.steps[1].oa, pt);
  EXPECT_EQ(tr.steps[2].oa, 0x10'3000u);
  EXPECT_EQ(reference::attrs_text(reference::translate(t.pool, g, root, base + G + 0x10).attrs),
            "RW NX G AD IO");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + G + 2 * M + 20 * K).fault, "reserved L3");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + G + 2 * M + 28 * K).fault,
            "translation L3");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + G + 6 * M).fault, "reserved L2");
  EXPECT_EQ(reference::translate(t.pool, g, root, base + 2 * G).fault, "table not live L2");
}

// arm64-4k-48: root entry 0x100 (VA 0xffff'8000'0000'0000) holds a PUD table whose
// entries 0 and 1 both point to one PMD table; its entry 0 to a PTE table with two CONT
// groups that break the architecture's rules after their first entry: one output
// address out of sequence in the first, other attributes (read-only) in the second.
TEST(ReferenceMmuWalker, ReportsSharedTablesAndMalformedContGroups) {
  const common::GeometryConfig g{.name = "arm64-4k-48"};
  const u64 base = 0xffff'8000'0000'0000;
  constexpr u64 kTable = 0x3, kContPage = 0x0078'0000'0000'0713, kRdonly = 0x80;
  const u64 pa = 0x1'0000'0000;  // CONT aligned
  Tree t;
  const u64 root = t.table(), pud = t.table(), pmd = t.table(), pt = t.table();
  t.at(root, 0x100) = pud | kTable;
  t.at(pud, 0) = pmd | kTable;
  t.at(pud, 1) = pmd | kTable;
  t.at(pmd, 0) = pt | kTable;
  for (unsigned j = 0; j < 32; ++j) t.at(pt, j) = (pa + u64{j} * 4 * K) | kContPage;
  t.at(pt, 5) += 4 * K;         // the page of entry 6
  t.at(pt, 16 + 7) |= kRdonly;  // the second group's entry 7

  const reference::TableScan s = reference::scan_tables(t.pool, g, root);
  expect_issues(s.issues, {
                              {Issue::malformed_cont, 3, base},
                              {Issue::malformed_cont, 3, base + 64 * K},
                              {Issue::shared_table, 1, base + G},
                          });
  ASSERT_EQ(s.issues.size(), 3u);
  EXPECT_EQ(s.issues[0].detail, "entry 5 output address not consecutive");
  EXPECT_EQ(s.issues[1].detail, "entry 7 attributes differ");
  EXPECT_STREQ(reference::issue_kind_name(Issue::shared_table), "shared-table");
  // The leaves are read as they are: the out-of-sequence page and the read-only one
  // split the runs, and the shared table's leaves are not read a second time.
  const std::vector<std::array<u64, 3>> runs = {
      {0, 20 * K, 0},
      {20 * K, 4 * K, 24 * K},
      {24 * K, 68 * K, 24 * K},
      {92 * K, 4 * K, 92 * K},
      {96 * K, 32 * K, 96 * K}};  // VA offset, size, PA offset
  ASSERT_EQ(s.runs.size(), runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i) {
    SCOPED_TRACE("run " + std::to_string(i));
    EXPECT_EQ(s.runs[i].va, base + runs[i][0]);
    EXPECT_EQ(s.runs[i].size, runs[i][1]);
    EXPECT_EQ(s.runs[i].pa, pa + runs[i][2]);
    EXPECT_TRUE(s.runs[i].cont);
    EXPECT_EQ(s.runs[i].level, 3u);
  }
  EXPECT_NE(s.runs[3].attrs, s.runs[2].attrs);
  EXPECT_EQ(reference::translate(t.pool, g, root, base + 20 * K).pa, pa + 24 * K);
  EXPECT_EQ(reference::translate(t.pool, g, root, base + G + 20 * K).pa, pa + 24 * K)
      << "the MMU follows either entry to the shared table";
}

// Five levels: a riscv Sv57 petapage at the root and an x86-64 5-level
// walk down to a page.
TEST(ReferenceMmuWalker, WalksFiveLevels) {
  {
    const common::GeometryConfig g{.name = "riscv64-sv57"};
    Tree t;
    const u64 root = t.table();
    t.at(root, 0x180) = 0xe7;  // PPN 0: 256 TiB at PA 0
    const auto tr = reference::translate(t.pool, g, root, 0xff80'0000'1234'5678);
    EXPECT_TRUE(tr.mapped);
    EXPECT_EQ(tr.pa, 0x1234'5678u);
    EXPECT_EQ(tr.level, 0u);
    const auto s = reference::scan_tables(t.pool, g, root);
    ASSERT_EQ(s.runs.size(), 1u);
    EXPECT_EQ(s.runs[0].va, 0xff80'0000'0000'0000u);
    EXPECT_EQ(s.runs[0].size, u64{1} << 48);
    EXPECT_TRUE(s.issues.empty());
  }
  {
    const common::GeometryConfig g{.name = "x86-64-5l"};
    Tree t;
    const u64 pml5 = t.table(), pml4 = t.table(), pdpt = t.table(), pd = t.table(), pt = t.table();
    const u64 va = 0xffa0'0080'4020'3000;  // indices 0x1a0, 0x001, 0x001, 0x001, 0x003
    t.at(pml5, 0x1a0) = pml4 | 0x67;
    t.at(pml4, 0x001) = pdpt | 0x67;
    t.at(pdpt, 0x001) = pd | 0x67;
    t.at(pd, 0x001) = pt | 0x67;
    t.at(pt, 0x003) = 0x5000 | 0x8000'0000'0000'0163;
    const auto tr = reference::translate(t.pool, g, pml5, va + 0x21);
    EXPECT_TRUE(tr.mapped);
    EXPECT_EQ(tr.pa, 0x5021u);
    EXPECT_EQ(tr.level, 4u);
    EXPECT_EQ(tr.steps.size(), 5u);
    const auto s = reference::scan_tables(t.pool, g, pml5);
    EXPECT_EQ(s.runs, (std::vector<LeafRun>{{va, 4 * K, 0x5000, 4, false,
                                             reference::expected_attrs(DescFormat::x86_64,
                                                                       ProtName::normal, true)}}));
    EXPECT_TRUE(s.issues.empty());
  }
}

// The engine's tables on every geometry: vmap_page_range() of the largest
// block the geometry's vmap code writes plus one page, read back by the
// walker as one block at the level that hosts it and one page, with the
// attributes the reference expects, and no issue (tables, leaks).
TEST(ReferenceMmuWalker, ReadsWhatTheEngineWritesOnEveryGeometry) {
  for (const engine::Geometry* g : engine::all_geometries()) {
    SCOPED_TRACE(std::string(g->name));
    const reference::GeometryFacts& f = reference::geometry_facts(*g);
    const bool pud = f.pud_block_size != 0;
    const u64 block = pud ? f.pud_block_size : f.pmd_block_size;
    const unsigned level =
        f.host_level(pud ? reference::KernelLevel::pud : reference::KernelLevel::pmd);
    const u64 va = g->vmalloc_start, pa = u64{1} << 32;
    engine::Kernel k(*g, engine::Variant::mainline);
    ASSERT_EQ(
        engine::vmap_page_range(k, engine::VirtAddr{va}, engine::VirtAddr{va + block + f.page_size},
                                engine::PhysAddr{pa}, engine::prot_value(*g, ProtName::device)),
        0);
    const auto attrs = reference::expected_attrs(f.format, ProtName::device, true);
    const std::vector<LeafRun> runs = {
        {va, block, pa, level, false, attrs},
        {va + block, f.page_size, pa + block, f.leaf_level, false, attrs}};
    const reference::TableScan s = reference::scan_tables(k.pool(), *g, k.pgd_pa().v);
    EXPECT_EQ(s.runs, runs);
    for (const Issue& i : s.issues)
      ADD_FAILURE() << reference::issue_kind_name(i.kind) << " " << i.detail;
    EXPECT_EQ(reference::scan_range(k.pool(), *g, k.pgd_pa().v, va, va + block + f.page_size).runs,
              runs);
    const auto tr = reference::translate(k.pool(), *g, k.pgd_pa().v, va + block + 0x10);
    EXPECT_TRUE(tr.mapped);
    EXPECT_EQ(tr.pa, pa + block + 0x10);
    EXPECT_EQ(tr.steps.size(), f.leaf_level + 1 - f.root_level);
  }
}

}  // namespace
}  // namespace vmapfuzz::test
