// SPDX-License-Identifier: GPL-2.0-only
// `vmapfuzz behaviour`: what a caller sees when it later touches PART of a
// mapping that the series may have made huge (docs/behaviour-changes.md).
//
// A case is one setup (a vmap() of one physically contiguous page run, or a
// vmalloc_huge()/ioremap() control), one partial op over one range of the
// area, then the caller's teardown of the area. Each case runs on the engine
// variants mainline, v4 and v4-fixed; what each variant did with the
// partial op is measured from outside (return code, WARNs, and the MMU
// walker's leaf runs compared with "exactly what was asked"), and each
// variant's result is classified relative to mainline's. The same trace
// also runs through harness::Runner, so every variant is held to its
// reference too: a behaviour change is by design and passes replay; a
// failure there is an engine or model bug and is reported as such.
//
// The three axes are tables: setups(), ranges() and partial_ops(). A new
// caller entry point is one more PartialKind row: its op, what "exactly
// what was asked" means for it, its kernel path and, if it needs one, the
// CPU configuration every variant of its cases runs with.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/geometry.h"
#include "harness/ops.h"
#include "reference/mmu_walker.h"

namespace vmapfuzz::tools::behaviour {

using engine::u64;
using reference::LeafRun;

// How the area is made and torn down, on geometry g.
struct Area {
  harness::Op map;       // the caller's mapping call
  harness::Op teardown;  // the caller's full teardown of it (vunmap/vfree/iounmap)
  u64 va = 0, size = 0;  // the usable range the partial ops are taken from
  u64 pages = 0;         // size in pages, for "smallest reproducer first"
};
struct SetupKind {
  std::string_view name;  // "vmap-one-cont"
  std::string_view what;  // one line for reports
  bool control;           // vmalloc_huge/ioremap: mainline maps them huge as well
  Area (*make)(const engine::Geometry& g);
};
std::span<const SetupKind> setups();

// A range of the area, [off, off + len) from its start; nullopt where the
// area has no such range (a CONT boundary in a sub-CONT area).
struct RangeKind {
  std::string_view name;  // "first-page"
  std::optional<std::pair<u64, u64>> (*pick)(const engine::Geometry& g, u64 area_size);
};
std::span<const RangeKind> ranges();

struct Result;

// One caller entry point that acts on part of a mapping.
struct PartialKind {
  // The row's name: the entry point ("vunmap_range", "set_memory_invalid"),
  // with "-bbml2" when it runs under that configuration.
  std::string_view name;
  // The token of the class when a variant touches more pages than asked.
  std::string_view over;  // "over-unmap"
  // What a changed page is called in reports: "unmapped", "made invalid".
  std::string_view verb;
  harness::Op (*make)(const engine::Geometry& g, u64 va, u64 size);
  // The leaves after the op if it did exactly what was asked over [lo, hi).
  std::vector<LeafRun> (*asked)(const std::vector<LeafRun>& before, u64 lo, u64 hi);
  // The kernel functions a result went through, in one line.
  std::string (*kernel_path)(const Result& r);
  // The configuration of every variant's kernel (mainline's included).
  engine::KernelConfig config = {};
  // The geometries the row runs on (nullptr: all): arm64's pageattr.c rows
  // and x86's CPA rows each on their own architecture.
  bool (*applies)(const engine::Geometry& g) = nullptr;
};
std::span<const PartialKind> partial_ops();

// The variants every case runs on; the first is the baseline.
std::span<const engine::Variant> variants();

// What one variant did in one case.
struct Result {
  int ret = 0;                         // of the partial op
  std::vector<std::string> warns;      // of the partial op, first occurrence order
  std::string bug;                     // a modelled BUG of any op ("" none)
  std::string_view verb = "unmapped";  // PartialKind::verb, for text()
  u64 pages_changed = 0;               // translating otherwise (or not at all) after the partial op
  u64 pages_over = 0;                  // outside the range: differing from what was asked (changed)
  u64 pages_short = 0;                 // inside the range: differing from what was asked (not done)
  u64 malformed = 0;                   // CONT groups the op left malformed (reference::Issue)
  bool split = false;                  // the range cuts a CONT group or block
  u64 tables = 0;                      // page tables the partial op allocated (a split's)
  std::vector<std::string> teardown_warns;
  u64 left_mapped = 0;      // pages still mapped after the teardown
  std::string leaf_before;  // "pte", "cont", "pmd", "pte+cont", ...
  // "1 unmapped" or "WARN x; 16 unmapped (15 more than asked); split".
  std::string text() const;
};

struct Case {
  const engine::Geometry* geo = nullptr;
  const SetupKind* setup = nullptr;
  const RangeKind* range = nullptr;
  const PartialKind* op = nullptr;
  Area area;
  u64 lo = 0, hi = 0;                 // the partial op's range
  std::vector<Result> results;        // per variants()
  std::vector<std::string> classes;   // per variants(): the class vs the baseline
  std::vector<std::string> verdicts;  // per trace variant (v4, v4-fixed): "PASS" or a signature
  // The trace of the case on variant v.
  harness::Trace trace(engine::Variant v) const;
  std::string id() const;  // "arm64-4k-48/vmap-one-cont/first-page/vunmap_range"
};

// The class of `r` relative to the baseline `base`: "same", or tokens joined
// by '+' (bug, error, warn, over-unmap, short, malformed, split,
// teardown-warn, left-mapped; no-warn, fewer-pages, no-short, no-malformed,
// no-split, no-teardown-warn the other way), with the
// variant's WARNs in brackets: "warn+over-unmap+split[vunmap_pte_range:cont-partial]".
std::string classify(const PartialKind& op, const Result& base, const Result& r);
// The bucket of a class: "behaviour:<op>:<class>", never a failure signature.
std::string bucket(const PartialKind& op, const std::string& cls);

struct Filter {
  std::vector<const engine::Geometry*> geos;     // empty: every arm64 geometry and x86-64-4l
  std::vector<std::string> setups, ranges, ops;  // empty: all
};

// Runs every case the filter selects. Never fails on a case: a Runner
// failure is recorded in Case::verdicts.
std::vector<Case> run_cases(const Filter& f);

// The markdown report: summary per class and variant, results per variant,
// the reproducers (if `repro_dir` is not empty, as paths there), and with
// `per_case` one row per case.
std::string markdown(const std::vector<Case>& cases, bool per_case, std::string_view repro_dir);
// One line per case and variant, tab-separated:
// geometry setup range op variant result-text class verdict.
std::string tsv(const std::vector<Case>& cases);

// One reproducer per distinct (op, class) of v4 and v4-fixed: the smallest
// case showing it, on the first variant that shows it. File name and text.
struct Reproducer {
  std::string file;    // "<op>-<class slug>.trace"
  std::string bucket;  // behaviour:<op>:<class>
  std::string text;
};
std::vector<Reproducer> reproducers(const std::vector<Case>& cases, std::string_view command);

// How many cases failed replay (a harness failure, not a behaviour change).
std::size_t replay_failures(const std::vector<Case>& cases);

}  // namespace vmapfuzz::tools::behaviour
