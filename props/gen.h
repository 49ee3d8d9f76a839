// SPDX-License-Identifier: GPL-2.0-only
// RapidCheck generators for the ops of harness/ops.h, biased toward what the
// mapping code decides on (docs/mapping-rules.md), on every geometry the
// reference knows: each test case first picks one (gen::geometry()), and
// every size and alignment below scales with it. VAs on or next to CONT
// (64K with 4K pages, 2M with 16K and 64K), PMD (2M, 32M, 512M) and PUD (1G;
// with 16K and 64K pages, where there are no PUD blocks, the next table
// boundary) boundaries of the engine's window; PAs aligned to a page, a
// CONT group or a block, or congruent (or not) with the VA modulo those;
// sizes of whole blocks, a block plus or minus a page, CONT batches and a
// few pages. Where there is no contiguous hint (x86-64, riscv64) a
// "small granule" of 16 pages stands in for the CONT group. Most sizes stay
// under a few PMD blocks and the largest ones (a PUD block, or two PMD
// blocks where there is none) are rare and come with a PMD-congruent PA, so
// a run stays fast.
// The page-array paths (docs/vmalloc.md, docs/vmap.md; gen_pages.cc) get page
// arrays of the run shapes vmap()'s batching decides on (orders up to the
// PMD order and one more), vmap VAs around CONT/PMD boundaries, vmalloc
// sizes around CONT/PMD multiples, and traces of any op set aimed at live
// areas, with a budget of PTE-level pages.
//
// Every Trace generated satisfies harness::validate(). Traces, ops and
// ranges print in the trace text form, so counterexamples read as traces.
#pragma once

#include <rapidcheck.h>

#include <array>
#include <ostream>
#include <vector>

#include "harness/ops.h"
#include "props/checks.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::props {

using engine::u64;

// The geometry of the current test case: the last one gen::geometry()
// picked (arm64-4k-48 before any), which every generator below reads.
// Every property picks its geometry first, so that a test case, and each
// of its shrinks (which replay the pick), runs on one geometry throughout.
const engine::Geometry& geo();

namespace gen {

// A geometry of engine::all_geometries() that the reference has facts for
// (reference/geometry_facts.h), uniformly, and made current (geo());
// shrinks toward arm64-4k-48. geometry_where() only picks among those
// `pred` accepts (there must be one), e.g. those with PUD blocks.
rc::Gen<const engine::Geometry*> geometry();
rc::Gen<const engine::Geometry*> geometry_where(bool (*pred)(const engine::Geometry&));

// Sizes of the current geometry that the generators aim at.
u64 small_granule();   // CONT_PTE_SIZE, or 16 pages where there is no CONT
u64 largest_block();   // PUD_SIZE with PUD blocks, else PMD_SIZE
unsigned pmd_order();  // PMD_SHIFT - PAGE_SHIFT
// Pages one vmap() of the page-array properties may have: 4096, or four
// PMD blocks where that is more (16K and 64K pages).
u64 max_vmap_pages();

rc::Gen<engine::Variant> variant();  // mainline or v4
rc::Gen<engine::ProtName> prot();    // any of engine::kAllProts

// A page-aligned VA in the window, on or a few pages off a boundary; mostly
// in the first GiBs, sometimes just below a PGD-entry boundary.
rc::Gen<u64> va();
// Like va(), but often at, just after, or one guard page after an earlier
// range, so that ops meet in the same tables.
rc::Gen<u64> va_near(const std::vector<Range>& earlier);
// A page-aligned PA for a mapping of `size` bytes at `va`: aligned to
// 4K/64K/2M/1G, congruent with va modulo 64K/2M/1G, or incongruent.
rc::Gen<u64> pa_for(u64 va, u64 size);
// A page-aligned, non-zero size.
rc::Gen<u64> size();
// size(), rarely with half a page more (only vmap_page_range accepts it).
rc::Gen<u64> byte_size();
// A non-empty page-aligned part of `r`: all of it, its first or last page,
// a block-aligned middle part, or any page range.
rc::Gen<Range> subrange(Range r);
// The n of fail_alloc: mostly the next few allocations, sometimes 0.
rc::Gen<unsigned> fail_nth();

// One range op (ioremap, ioremap_page_range, vmap_page_range) with fields
// from the generators above; page-aligned sizes except for vmap_page_range.
rc::Gen<harness::IoremapOp> ioremap();
rc::Gen<harness::IoremapOp> ioremap_near(const std::vector<Range>& earlier);
rc::Gen<harness::VmapPageRangeOp> vmap_page_range_near(const std::vector<Range>& earlier);

// 1..12 ops of every kind, on a geometry of geometry(): iounmap and
// vunmap_range mostly aim at earlier ranges, ioremap_page_range often at an
// earlier ioremap's area. Variant mainline or v4; rarely booted with
// nohugeiomap, and on x86-64 rarely with nogbpages, nopse or an MTRR split
// next to a block boundary (x86_config()).
rc::Gen<harness::Trace> trace();
// trace() without the ops that would map over a live mapping (the caller
// bug after which the variants may differ; harness/oracle.h).
rc::Gen<harness::Trace> contract_trace();
// The x86-64 boot options of a trace on the current geometry: none on
// other architectures; on x86-64 mostly none, now and then nogbpages, nopse
// or an MTRR split inside a PMD or PUD block of the PAs pa_for() makes.
rc::Gen<engine::KernelConfig> x86_config(engine::KernelConfig base);

// --- Page arrays, vmalloc and vmap (docs/vmalloc.md, docs/vmap.md; gen_pages.cc) ---

rc::Gen<engine::Variant> vmap_variant();  // mainline, v4-fixed, v6.12 or v6.1 (v4: a vmap finding)
rc::Gen<engine::Variant> any_variant();   // mainline, v4, v4-fixed, v6.12 or v6.1

// A page array of 1..max_pages pages (max_pages >= 1), as runs, built from
// segments the batching decides on: dma-buf-like mixes of aligned order
// 8/4/0 blocks in descending order, aligned blocks of the PMD order and one
// more (9/10 with 4K pages), contiguous runs aligned to 2^k only, runs that
// continue the previous one, miss it by a page or repeat its last page; now
// and then a NULL entry or a pfn with no memory behind it.
rc::Gen<std::vector<harness::PageRun>> page_runs(u64 max_pages);
// Only the dma-buf mix: naturally aligned order 8, then 4, then 0 blocks
// (the PMD order or one more sometimes first), never physically adjacent,
// all valid.
rc::Gen<std::vector<harness::PageRun>> dmabuf_runs(u64 max_pages);
// A vmap VA for `pages` pages: on a PMD boundary, a few small granules or
// a page before or after one, or at the start, the end or mostly one guard
// page after the end of an earlier range; the area stays inside the window.
rc::Gen<u64> vmap_va(u64 pages, const std::vector<Range>& earlier);
rc::Gen<harness::VmapOp> vmap(const std::vector<Range>& earlier, u64 max_pages);
// vmalloc sizes: a few pages, n small granules or n PMD blocks (n small)
// exact or a page off either way, rarely not page aligned.
rc::Gen<u64> vmalloc_size();
// Huge three times in four; the hint near a small granule or PMD boundary
// or an earlier range.
rc::Gen<harness::VmallocOp> vmalloc(const std::vector<Range>& earlier);
rc::Gen<harness::FailPageAllocOp> fail_page_alloc();
// set_memory_* (docs/pageattr.md) on arm64 only: mostly a part of one of
// `earlier` (a CONT group or block boundary inside it, its first or last
// page, all of it), sometimes with the guard page after it or anywhere;
// any mode, rarely unaligned (not for valid/invalid). No `rox` on v6.1,
// which has no set_memory_rox (trace_of() turns it into `ro`).
rc::Gen<harness::SetMemoryOp> set_memory(const std::vector<Range>& earlier);

// The ops a trace draws from, with weights (indexed by harness::OpKind).
using OpWeights = std::array<int, harness::kOpKinds>;
extern const OpWeights kVmallocOps;  // vmalloc, vfree, vunmap_range, fail_alloc, fail_page_alloc
extern const OpWeights kVmallocAllocOps;  // vmalloc, vfree, fail_page_alloc
extern const OpWeights kVmapOps;          // vmap, vunmap, vunmap_range, fail_alloc
extern const OpWeights kMixedOps;         // every op (set_memory on arm64)

// The pages `op` maps at the PTE level, as a budget counts them: all of a
// vmalloc (its size rounded up as a huge one does) or vmap, the PTE and
// CONT pages of a range op under `cfg` (harness::pte_level_pages).
u64 pte_pages(const harness::Op& op, const engine::KernelConfig& cfg);

// One op of `w`, aimed with `live` (frees mostly at live areas of the
// right kind, vunmap_range at parts of earlier ranges); a mapping op maps
// at most `max_pages` pages by pte_pages() (a smaller size if need be;
// none if max_pages is 0).
rc::Gen<harness::Op> op_of(const OpWeights& w, const LiveAreas& live, u64 max_pages,
                           engine::KernelConfig cfg = {});

// 1..12 ops of `w`, on a geometry of geometry() and a variant of
// `variants`, rarely booted with nohugevmalloc (or nohugeiomap and the x86
// options, if the set has ioremap ops); at most kTracePages pages by
// pte_pages() in all. Each trace satisfies
// harness::validate(); shrinking also drops single ops.
inline constexpr u64 kTracePages = 16384;
rc::Gen<harness::Trace> trace_of(const OpWeights& w, const rc::Gen<engine::Variant>& variants);

// `g` with shrinks that also remove single ops anywhere in the trace.
rc::Gen<harness::Trace> with_op_removal(const rc::Gen<harness::Trace>& g);

}  // namespace gen
}  // namespace vmapfuzz::props

// Printing for RapidCheck (found by argument-dependent lookup, so in the
// namespace the types live in).
namespace vmapfuzz::common {
void showValue(Variant v, std::ostream& os);   // variant_name()
void showValue(ProtName p, std::ostream& os);  // prot_name()
}  // namespace vmapfuzz::common

namespace vmapfuzz::harness {
void showValue(const Trace& t, std::ostream& os);  // harness::to_text()
void showValue(const Op& op, std::ostream& os);    // harness::show()
void showValue(const IoremapOp& op, std::ostream& os);
void showValue(const VmapPageRangeOp& op, std::ostream& os);
void showValue(const VmallocOp& op, std::ostream& os);
void showValue(const VmapOp& op, std::ostream& os);
void showValue(const PageRun& r, std::ostream& os);
}  // namespace vmapfuzz::harness

namespace vmapfuzz::reference {
void showValue(const LeafRun& r, std::ostream& os);
void showValue(const Attrs& a, std::ostream& os);  // attrs_text()
}  // namespace vmapfuzz::reference

namespace vmapfuzz::props {
void showValue(const Range& r, std::ostream& os);
}  // namespace vmapfuzz::props

namespace rc {
template <>
struct Arbitrary<vmapfuzz::harness::Trace> {
  static Gen<vmapfuzz::harness::Trace> arbitrary() { return vmapfuzz::props::gen::trace(); }
};
}  // namespace rc
