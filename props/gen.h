// SPDX-License-Identifier: GPL-2.0-only
// RapidCheck generators for the ops of harness/ops.h, biased toward what the
// mapping code decides on (kernel-brief §2.1): VAs on or next to CONT (64K),
// PMD (2M) and PUD (1G) boundaries of the engine's window; PAs aligned to a
// page, a CONT group or a block, or congruent (or not) with the VA modulo
// 64K/2M/1G; sizes of whole blocks, a block plus or minus a page, CONT
// batches of 64K..1M and a few pages. Most sizes stay under 8 MiB and 1 GiB
// sizes are rare and come with a 2M-congruent PA, so a run stays fast.
//
// Every Trace generated satisfies harness::validate(). Traces, ops and
// ranges print in the trace text form, so counterexamples read as traces.
#pragma once

#include <ostream>
#include <vector>

#include <rapidcheck.h>

#include "harness/ops.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::props {

using engine::u64;

// The geometry every property runs on (the engine's only one today).
const engine::Geometry& geo();

// A VA range [va, va + size).
struct Range {
  u64 va = 0, size = 0;
  u64 end() const { return va + size; }
  friend bool operator==(const Range&, const Range&) = default;
};

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

}  // namespace gen
}  // namespace vmapfuzz::props

// Printing for RapidCheck (found by argument-dependent lookup).
namespace vmapfuzz::engine {
void showValue(Variant v, std::ostream& os);   // variant_name()
void showValue(ProtName p, std::ostream& os);  // prot_name()
}  // namespace vmapfuzz::engine

namespace vmapfuzz::harness {
void showValue(const Trace& t, std::ostream& os);  // harness::to_text()
void showValue(const Op& op, std::ostream& os);    // harness::show()
void showValue(const IoremapOp& op, std::ostream& os);
void showValue(const VmapPageRangeOp& op, std::ostream& os);
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
