// SPDX-License-Identifier: GPL-2.0-only
// Reads page tables the way the MMU does: from the root table, level by
// level, decoding each raw descriptor from the geometry's architectural
// format (GeometryFacts::format: VMSAv8-64 stage 1, x86-64 4- and 5-level
// paging, riscv64 Sv39/48/57). It reads the engine's memory only through
// TablePool's read accessors, takes every architectural number (level
// shifts, entries per table, where blocks exist, CONT groups, the VA sign
// extension, the output-address field) from the reference's own table
// (geometry_facts.h), and shares no decision code with the engine's
// walkers or its Geometry.
//
// What each format's MMU accepts (a "block" is a leaf above the page
// level; every other encoding of a valid entry is `reserved`, a fault):
//   arm64   bit 0 valid; bit 1 set: table above the page level, page at
//           it; bit 1 clear: block where mmu_block says so. CONT is bit 52.
//   x86-64  bit 0 present; at the page level a page; above it PS (bit 7)
//           set: block where mmu_block says so (PDPT, PD), clear: table.
//           A block's address field is bits 51:13 (bit 12 is PAT). No CONT.
//   riscv64 bit 0 valid; bits 60:54 or N (63) set: reserved; R=W=X=0: a
//           table (reserved at the page level, or with PBMT bits set); W
//           without R, or PBMT 3: reserved; else a leaf at any level.
//           No CONT (vmap writes no NAPOT entries).
// Blocks whose output address is not aligned to their size are reported
// (misaligned_block) and translated as if aligned.
#pragma once

#include <string>
#include <vector>

#include "common/geometry_config.h"
#include "engine/table_pool.h"
#include "reference/attrs.h"
#include "reference/geometry_facts.h"

namespace vmapfuzz::reference {

enum class DescKind : std::uint8_t { invalid, table, block, page, reserved };
const char* desc_kind_name(DescKind k);

// How the MMU reads descriptor `d` at hardware level `level`.
DescKind classify(const GeometryFacts& f, u64 d, unsigned level);

// The output address of a table, block or page descriptor `d` at hardware
// level `level` (the next table, or the leaf's output address as its
// field holds it, not aligned down); 0 for an invalid or reserved one.
u64 output_address(const GeometryFacts& f, u64 d, unsigned level);

// One level of a translation walk. Levels are hardware levels
// (GeometryFacts::root_level .. leaf_level).
struct WalkStep {
  unsigned level = 0;
  unsigned index = 0;
  u64 table_pa = 0;  // the table read at this level
  u64 desc = 0;
  DescKind kind = DescKind::invalid;
  u64 oa = 0;  // output_address() of desc: the next table or the leaf's
};

struct Translation {
  std::vector<WalkStep> steps;
  bool mapped = false;
  u64 pa = 0;
  unsigned level = 0;  // level of the leaf
  bool cont = false;   // arm64 only
  Attrs attrs;         // in the geometry's format
  std::string fault;   // empty when mapped: "translation L2", "reserved L3", ...
};

// Translate one virtual address.
Translation translate(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa,
                      u64 va);

// A run of leaves: same level, same attributes, same contiguous flag and
// output addresses that continue each other. Both sides of a comparison use
// this same canonical form (see coalesce()).
struct LeafRun {
  u64 va = 0;
  u64 size = 0;
  u64 pa = 0;
  unsigned level = 0;
  bool cont = false;  // arm64 only
  Attrs attrs;
  // false (TableScan::invalid only): an arm64 entry that is not zero and
  // translates nothing (valid bit clear, or a page-level entry with the
  // valid bit and not the page bit); `raw` is its two low bits.
  bool mapped = true;
  std::uint8_t raw = 0;
  friend bool operator==(const LeafRun&, const LeafRun&) = default;
};

// Appends `r` to `runs`, merging it into the last run when they continue
// each other.
void append_run(std::vector<LeafRun>& runs, const LeafRun& r);

// A structural problem found in the tables themselves.
struct Issue {
  enum Kind : std::uint8_t {
    dangling_table,    // table descriptor to a page that is not a live table
    shared_table,      // one table reachable from two entries
    leaked_table,      // live table reachable from nowhere
    reserved_desc,     // valid descriptor with a reserved encoding
    garbage_desc,      // invalid but non-zero descriptor
    misaligned_block,  // block output address not aligned to its size
    malformed_cont,    // a CONT group breaking the architecture's rules
  } kind;
  unsigned level = 0;
  u64 va = 0;
  std::string detail;
};
const char* issue_kind_name(Issue::Kind k);

struct TableScan {
  std::vector<LeafRun> runs;  // every valid leaf, coalesced, by VA
  // arm64 and x86-64: every non-zero entry that translates nothing where a
  // leaf could be (what set_memory_valid(0), set_memory_np() and an arm64
  // set_memory op over empty PTEs leave), coalesced, by VA. riscv64 reports
  // them as garbage_desc.
  std::vector<LeafRun> invalid;
  std::vector<Issue> issues;
};

// Walks the whole tree under `root_pa` (the kernel half of the VA space:
// the root table's entries sign-extended from va_bits) and checks its
// structure.
TableScan scan_tables(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa);

// The same for the leaves translating VAs in [lo, hi) only (runs clipped to
// it; no leak check). What the harness runs after each op.
TableScan scan_range(const engine::TablePool& pool, const common::GeometryConfig& g, u64 root_pa,
                     u64 lo, u64 hi);

}  // namespace vmapfuzz::reference
