// SPDX-License-Identifier: GPL-2.0-only
// RapidCheck generators for the ops of harness/ops.h, biased toward what the
// mapping code decides on (docs/mapping-rules.md): VAs on or next to CONT (64K),
// PMD (2M) and PUD (1G) boundaries of the engine's window; PAs aligned to a
// page, a CONT group or a block, or congruent (or not) with the VA modulo
// 64K/2M/1G; sizes of whole blocks, a block plus or minus a page, CONT
// batches of 64K..1M and a few pages. Most sizes stay under 8 MiB and 1 GiB
// sizes are rare and come with a 2M-congruent PA, so a run stays fast.
// The page-array paths (docs/vmalloc.md, docs/vmap.md; gen_pages.cc) get page
// arrays of the run shapes vmap()'s batching decides on, vmap VAs around
// 64K/2M boundaries, vmalloc sizes around 64K/2M multiples, and traces of
// any op set aimed at live areas, with a budget of PTE-level pages.
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

// The geometry every property runs on (the engine's only one today).
const engine::Geometry& geo();

namespace gen {

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

// 1..12 ops of every kind: iounmap and vunmap_range mostly aim at earlier
// ranges, ioremap_page_range often at an earlier ioremap's area. Variant
// mainline or v4; rarely booted with nohugeiomap.
rc::Gen<harness::Trace> trace();
// trace() without the ops that would map over a live mapping (the caller
// bug after which the variants may differ; harness/oracle.h).
rc::Gen<harness::Trace> contract_trace();

// --- Page arrays, vmalloc and vmap (docs/vmalloc.md, docs/vmap.md; gen_pages.cc) ---

rc::Gen<engine::Variant> vmap_variant();  // mainline, v4-fixed, v6.12 or v6.1 (v4: a vmap finding)
rc::Gen<engine::Variant> any_variant();   // mainline, v4, v4-fixed, v6.12 or v6.1

// A page array of 1..max_pages pages (max_pages >= 1), as runs, built from
// segments the batching decides on: dma-buf-like mixes of aligned order
// 8/4/0 blocks in descending order, aligned order-9/10 blocks, contiguous
// runs aligned to 2^k only, runs that continue the previous one, miss it by
// a page or repeat its last page; now and then a NULL entry or a pfn with
// no memory behind it.
rc::Gen<std::vector<harness::PageRun>> page_runs(u64 max_pages);
// Only the dma-buf mix: naturally aligned order 8, then 4, then 0 blocks
// (orders 9/10 sometimes first), never physically adjacent, all valid.
rc::Gen<std::vector<harness::PageRun>> dmabuf_runs(u64 max_pages);
// A vmap VA for `pages` pages: on a 2M boundary, a few 64K groups or a
// page before or after one, or at the start, the end or mostly one guard
// page after the end of an earlier range; the area stays inside the window.
rc::Gen<u64> vmap_va(u64 pages, const std::vector<Range>& earlier);
rc::Gen<harness::VmapOp> vmap(const std::vector<Range>& earlier, u64 max_pages);
// vmalloc sizes: a few pages, n * 64K or n * 2M (n small) exact or a page
// off either way, rarely not page aligned.
rc::Gen<u64> vmalloc_size();
// Huge three times in four; the hint near a 64K/2M boundary or an earlier
// range.
rc::Gen<harness::VmallocOp> vmalloc(const std::vector<Range>& earlier);
rc::Gen<harness::FailPageAllocOp> fail_page_alloc();

// The ops a trace draws from, with weights (indexed by harness::OpKind).
using OpWeights = std::array<int, harness::kOpKinds>;
extern const OpWeights kVmallocOps;  // vmalloc, vfree, vunmap_range, fail_alloc, fail_page_alloc
extern const OpWeights kVmallocAllocOps;  // vmalloc, vfree, fail_page_alloc
extern const OpWeights kVmapOps;          // vmap, vunmap, vunmap_range, fail_alloc
extern const OpWeights kMixedOps;         // every op

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

// 1..12 ops of `w`, on a variant of `variants`, rarely booted with
// nohugevmalloc (or nohugeiomap, if the set has ioremap ops); at most
// kTracePages pages by pte_pages() in all. Each trace satisfies
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
