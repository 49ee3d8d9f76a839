// SPDX-License-Identifier: GPL-2.0-only
// Operations: one value type per kernel entry point the suite drives, and
// the trace (geometry + variant + boot options + ops) they make up. A trace
// is the unit of corpus files, reproduction and minimization.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/set_memory.h"
#include "engine/geometry.h"
#include "engine/kernel.h"
#include "engine/pgtable.h"

namespace vmapfuzz::harness {

using common::SetMemoryMode;
using engine::ProtName;
using engine::u64;

// ioremap_prot() with the VA chosen by the caller: reserve a VM_IOREMAP
// area at `va` (as __get_vm_area_caller with a fixed window does), map it
// with ioremap_page_range(), free the area again if that fails.
struct IoremapOp {
  u64 va = 0, size = 0, pa = 0;
  ProtName prot = ProtName::device;
  friend bool operator==(const IoremapOp&, const IoremapOp&) = default;
};
// ioremap_page_range() on whatever area is there (none, a mismatching one,
// an already mapped one).
struct IoremapPageRangeOp {
  u64 va = 0, size = 0, pa = 0;
  ProtName prot = ProtName::device;
  friend bool operator==(const IoremapPageRangeOp&, const IoremapPageRangeOp&) = default;
};
// vmap_page_range(): the phys-range mapping without any area check, as the
// PCI I/O space code uses it. The only entry where `size` may be unaligned.
struct VmapPageRangeOp {
  u64 va = 0, size = 0, pa = 0;
  ProtName prot = ProtName::device;
  friend bool operator==(const VmapPageRangeOp&, const VmapPageRangeOp&) = default;
};
// iounmap()/vunmap(): free the area containing `va` and unmap all of it.
struct IounmapOp {
  u64 va = 0;
  friend bool operator==(const IounmapOp&, const IounmapOp&) = default;
};
// vunmap_range() of any page-aligned range, partial blocks included.
struct VunmapRangeOp {
  u64 va = 0, size = 0;
  friend bool operator==(const VunmapRangeOp&, const VunmapRangeOp&) = default;
};
// Make the nth page-table allocation from now fail (0 disarms).
struct FailAllocOp {
  unsigned nth = 1;
  friend bool operator==(const FailAllocOp&, const FailAllocOp&) = default;
};

// vmalloc(size) (vmalloc_huge() with `huge`: VM_ALLOW_HUGE_VMAP); the area
// goes at the first suitably aligned address from the hint `va`.
struct VmallocOp {
  u64 va = 0, size = 0;
  bool huge = false;
  ProtName prot = ProtName::normal;
  friend bool operator==(const VmallocOp&, const VmallocOp&) = default;
};
// `count` struct pages from `pfn` on (pfn + 0, + 1, ...), or NULL entries
// when pfn is engine::kNullPage.
struct PageRun {
  u64 pfn = 0, count = 1;
  friend bool operator==(const PageRun&, const PageRun&) = default;
};
// vmap() of the page array the runs spell, at the hint `va`.
struct VmapOp {
  u64 va = 0;
  ProtName prot = ProtName::normal;
  std::vector<PageRun> runs;
  std::vector<u64> pages() const;  // the page array, run by run
  u64 page_count() const;
  friend bool operator==(const VmapOp&, const VmapOp&) = default;
};
// vfree() / vunmap() of the area containing `va`.
struct VfreeOp {
  u64 va = 0;
  friend bool operator==(const VfreeOp&, const VfreeOp&) = default;
};
struct VunmapOp {
  u64 va = 0;
  friend bool operator==(const VunmapOp&, const VunmapOp&) = default;
};
// Make the nth page allocation from now of order >= min_order fail, and
// the `times - 1` such allocations after it too (fault injection's
// `times`: the single-page fallback retries an order-0 failure, so it
// takes two to fail an order-0 vmalloc).
struct FailPageAllocOp {
  unsigned nth = 1, min_order = 0, times = 1;
  friend bool operator==(const FailPageAllocOp&, const FailPageAllocOp&) = default;
};

// arm64's set_memory_ro/rw/x/nx/rox(va, numpages), or set_memory_valid(va,
// numpages, 1 or 0) (modes valid and invalid). With `unaligned`, the
// address passed is va + kSetMemoryUnalignedOffset (change_memory_common
// WARNs and aligns it down; the set_memory_valid callers always pass
// pages, so validate() refuses it there). arm64 only (docs/pageattr.md).
struct SetMemoryOp {
  u64 va = 0;
  unsigned numpages = 1;
  SetMemoryMode mode = SetMemoryMode::ro;
  bool unaligned = false;
  friend bool operator==(const SetMemoryOp&, const SetMemoryOp&) = default;
};
inline constexpr u64 kSetMemoryUnalignedOffset = 0x80;
// The most pages one set_memory op may name (its byte form holds 16 bits).
inline constexpr unsigned kMaxSetMemoryPages = 0xffff;

using Op =
    std::variant<IoremapOp, IoremapPageRangeOp, VmapPageRangeOp, IounmapOp, VunmapRangeOp,
                 FailAllocOp, VmallocOp, VmapOp, VfreeOp, VunmapOp, FailPageAllocOp, SetMemoryOp>;

// Op kinds by variant index, for the byte form's per-target opcode tables.
// harness/op_desc.h checks that each enumerator names the alternative at its
// index, and describes every op once (name, fields, their text and byte
// forms, validation and shrinking).
enum class OpKind : std::uint8_t {
  ioremap,
  ioremap_page_range,
  vmap_page_range,
  iounmap,
  vunmap_range,
  fail_alloc,
  vmalloc,
  vmap,
  vfree,
  vunmap,
  fail_page_alloc,
  set_memory
};
inline constexpr unsigned kOpKinds = std::variant_size_v<Op>;
inline OpKind op_kind(const Op& op) { return static_cast<OpKind>(op.index()); }

// Stable name of the op kind, as written in traces and signatures.
std::string_view op_name(const Op& op);
// The op's canonical text line (without newline).
std::string show(const Op& op);

struct Trace {
  const engine::Geometry* geo = &engine::arm64_4k_48();
  engine::Variant variant = engine::Variant::v4;
  engine::KernelConfig config;
  std::vector<Op> ops;
  // Comment lines ("# ..." without the "# ") and the index of the op they
  // precede; kept so that text -> trace -> text is exact.
  std::vector<std::pair<std::size_t, std::string>> comments;

  friend bool operator==(const Trace& a, const Trace& b) {
    return a.geo == b.geo && a.variant == b.variant && a.config == b.config && a.ops == b.ops &&
           a.comments == b.comments;
  }
};

// Limits of what the harness runs; inputs beyond them are rejected.
inline constexpr std::size_t kMaxOps = 64;
inline constexpr u64 kMaxOpSize = u64{1} << 32;
// Pages, not bytes: 1 GiB with 4K pages, 16 GiB with 64K pages (where one
// PMD block is 2^13 pages). kMaxOpSize lets every geometry map a few PMD
// blocks in one op (the largest, 512 MiB with 64K pages).
inline constexpr u64 kMaxVmapPages = u64{1} << 18;
// The fuzz targets' budget of pages a trace may map at the PTE level
// (single pages and CONT batches): every such page costs a descriptor
// write, a walk and a comparison, and bugs do not need 4 GiB of them to
// show. Blocks are not limited; replay and tests have no budget.
inline constexpr u64 kFuzzMaxPtePages = u64{1} << 16;

// Why `t` is outside the kernel's contract or the harness's limits, or
// nullopt if it may run. (e.g. a zero size would hit BUG_ON(addr >= end),
// which is the caller's bug, not the code's.)
std::optional<std::string> validate(const Trace& t);
// Whether the engine models set_memory_* on `g`'s architecture: arm64's
// pageattr.c and x86-64's CPA, not riscv64's pageattr.c. validate(), the
// byte decoder and the generators all ask this.
bool set_memory_modelled(const engine::Geometry& g);
// set_memory_rox appeared in 6.2: on v6.1 a set_memory op with mode=rox
// becomes mode=ro, what a caller there would write; x86-64's 6.1 has no
// set_memory_p, so mode=valid becomes mode=rw there. Other ops are left
// alone. Generators use it to stay inside validate().
void fit_set_memory_to_era(Op& op, const engine::Geometry& g, engine::Variant v);
// Why boot options `cfg` cannot go with geometry `g`, or nullopt: the
// x86-64 options (nogbpages, nopse, mtrr_split) are refused on every other
// architecture, and an MTRR split must be a page-aligned PA below the PA
// limit. validate() checks it; the text parser reports it at the config line.
std::optional<std::string> config_problem(const engine::Geometry& g,
                                          const engine::KernelConfig& cfg);

// Pages the trace's mapping ops would map at the PTE level, by the rule.
// It plans every range op, one step per PTE table or block: call it on a
// trace validate() accepts (sizes up to kMaxOpSize).
u64 pte_level_pages(const Trace& t);

// The vm area `op` places and the alignment the area allocator of variant
// `v` asks for first (docs/placement.md); align 0 for an op whose
// placement the harness does not check (all but vmap()).
struct Placement {
  u64 va = 0;
  u64 align = 0;
  bool beyond_rule() const { return align != 0 && (va & (align - 1)) != 0; }
};
Placement checked_placement(const engine::Geometry& g, engine::Variant v,
                            const engine::KernelConfig& cfg, const Op& op);

}  // namespace vmapfuzz::harness
