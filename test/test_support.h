// SPDX-License-Identifier: GPL-2.0-only
// Shared vocabulary of the unit tests: sizes, addresses in the vmalloc
// window, and the shape of what the MMU sees after an engine call, read
// back through the reference walker (never through the engine's own code).
#pragma once

#include <initializer_list>
#include <ostream>
#include <vector>

#include "engine/kernel.h"
#include "harness/oracle.h"
#include "harness/runner.h"
#include "reference/mmu_walker.h"
#include "reference/model.h"

namespace vmapfuzz::test {

using engine::PhysAddr;
using engine::u64;
using engine::VirtAddr;

inline constexpr u64 K = u64{1} << 10;
inline constexpr u64 M = u64{1} << 20;
inline constexpr u64 G = u64{1} << 30;

// Output addresses used by the tests: 1 GiB aligned, far from the table pool.
inline constexpr u64 kPa = 4 * G;

inline const engine::Geometry& geo() { return engine::arm64_4k_48(); }

// A VA `off` bytes into the vmalloc window (which is 1 GiB aligned).
inline VirtAddr va(u64 off) { return VirtAddr{geo().vmalloc_start + off}; }
inline PhysAddr pa(u64 off) { return PhysAddr{kPa + off}; }

// One coalesced run of leaves, without attributes, VA as a window offset.
struct Shape {
  u64 off = 0;
  u64 size = 0;
  u64 pa = 0;
  unsigned level = 0;
  bool cont = false;
  friend bool operator==(const Shape&, const Shape&) = default;
  friend std::ostream& operator<<(std::ostream& os, const Shape& s) {
    return os << "{off=0x" << std::hex << s.off << " size=0x" << s.size << " pa=0x" << s.pa
              << std::dec << " L" << s.level << (s.cont ? " cont}" : "}");
  }
};

// Shorthands for expected shapes.
inline Shape pud_run(u64 off, u64 size, u64 pa) {
  return {off, size, pa, engine::kPudLevel, false};
}
inline Shape pmd_run(u64 off, u64 size, u64 pa) {
  return {off, size, pa, engine::kPmdLevel, false};
}
inline Shape cont_run(u64 off, u64 size, u64 pa) {
  return {off, size, pa, engine::kPteLevel, true};
}
inline Shape pte_run(u64 off, u64 size, u64 pa) {
  return {off, size, pa, engine::kPteLevel, false};
}

// The variants of the 2026 code base (mainline and the series): vmalloc
// with vm_shift()'s CONT_PTE_SHIFT and opportunistic larger page orders.
// Tests of those details loop over these; test/era_6_12_test.cc states
// the same cases for v6.12.
inline constexpr engine::Variant kVariants2026[] = {engine::Variant::mainline, engine::Variant::v4,
                                                    engine::Variant::v4_fixed};

// Linux 6.12 and 6.1 map no CONT-PTE groups on any vmap path: what the other
// variants map as CONT runs it maps as plain PTEs, same pages.
inline bool maps_cont(engine::Variant v) { return !engine::before_cont_vmap(v); }
inline std::vector<Shape> on_variant(engine::Variant v, std::vector<Shape> shapes) {
  if (!maps_cont(v)) {
    std::vector<Shape> out;
    for (Shape s : shapes) {
      s.cont = false;
      if (!out.empty() && out.back().level == s.level && !out.back().cont &&
          out.back().off + out.back().size == s.off && out.back().pa + out.back().size == s.pa)
        out.back().size += s.size;
      else out.push_back(s);
    }
    return out;
  }
  return shapes;
}

inline reference::TableScan scan(const engine::Kernel& k) {
  return reference::scan_tables(k.pool(), k.geo(), k.pgd_pa().v);
}

// Runs `ops` on an engine kernel and on the reference, checking after each
// op what Runner checks: Outcome, structure, leaves, live table count.
// Stops after a BUG, as the kernel would.
inline void expect_engine_matches_reference(engine::Variant variant,
                                            const engine::KernelConfig& cfg,
                                            const std::vector<harness::Op>& ops) {
  engine::Kernel k(engine::arm64_4k_48(), variant, cfg);
  reference::RefKernel ref(engine::arm64_4k_48(), variant, cfg);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    SCOPED_TRACE("op " + std::to_string(i + 1) + ": " + harness::show(ops[i]));
    const engine::Outcome expected = harness::predict(ref, ops[i]);
    const engine::Outcome actual = harness::execute(k, ops[i]);
    const auto m = harness::compare_outcomes(expected, actual);
    EXPECT_FALSE(m) << m->check << ":" << m->what << "\n" << m->detail;
    const reference::TableScan sc = scan(k);
    const auto st = harness::check_structure(sc, ref.facts().leaf_level);
    EXPECT_FALSE(st) << st->detail;
    const auto lv = harness::compare_leaves(ref.expected_runs(), sc.runs, ref.facts().leaf_level);
    EXPECT_FALSE(lv) << lv->check << ":" << lv->what << "\n" << lv->detail;
    EXPECT_EQ(k.pool().live_count(), ref.table_count());
    if (actual.bug != engine::BugId::none) break;
  }
}

inline std::vector<Shape> shapes(const engine::Kernel& k) {
  std::vector<Shape> out;
  for (const reference::LeafRun& r : scan(k).runs)
    out.push_back({r.va - k.geo().vmalloc_start, r.size, r.pa, r.level, r.cont});
  return out;
}

inline reference::Translation translate(const engine::Kernel& k, VirtAddr v) {
  return reference::translate(k.pool(), k.geo(), k.pgd_pa().v, v.v);
}

// The raw leaf descriptor mapping `v`, or 0 if unmapped.
inline u64 leaf_desc(const engine::Kernel& k, VirtAddr v) {
  const reference::Translation t = translate(k, v);
  return t.mapped ? t.steps.back().desc : 0;
}

// Page arrays (the struct page pointers of vmap/vmalloc, as pfns): `count`
// consecutive pfns from `pfn`, or `count` NULL entries for engine::kNullPage.
struct Pfns {
  u64 pfn = 0, count = 1;
};
inline std::vector<u64> page_array(std::initializer_list<Pfns> runs) {
  std::vector<u64> out;
  for (const Pfns& r : runs)
    for (u64 i = 0; i < r.count; ++i) out.push_back(r.pfn == engine::kNullPage ? r.pfn : r.pfn + i);
  return out;
}
inline u64 pfn_pa(u64 pfn) { return pfn << geo().page_shift; }
// kPa as a pfn: 4 GiB, aligned to any order the tests use.
inline constexpr u64 kPfn = kPa >> 12;

inline std::vector<engine::WarnId> warn_ids(const engine::Outcome& o) {
  std::vector<engine::WarnId> ids;
  for (const engine::Warn& w : o.warns) ids.push_back(w.id);
  return ids;
}
// Whether `o` holds a WARN `id`.
inline bool warned(const engine::Outcome& o, engine::WarnId id) {
  for (const engine::Warn& w : o.warns)
    if (w.id == id) return true;
  return false;
}

}  // namespace vmapfuzz::test

// gtest printers for the shared records, so failures name the WARN or BUG.
// In the namespace of the types (common/), where argument-dependent lookup
// finds them.
namespace vmapfuzz::common {
inline void PrintTo(WarnId id, std::ostream* os) { *os << warn_name(id); }
inline void PrintTo(BugId id, std::ostream* os) { *os << bug_name(id); }
inline void PrintTo(const Warn& w, std::ostream* os) {
  *os << warn_name(w.id) << "@0x" << std::hex << w.addr.v << std::dec;
}
inline void PrintTo(const Flush& f, std::ostream* os) {
  *os << flush_name(f.kind) << "(0x" << std::hex << f.start.v << ",0x" << f.end.v << ")"
      << std::dec;
}
inline void PrintTo(VirtAddr v, std::ostream* os) { *os << "VA 0x" << std::hex << v.v << std::dec; }
inline void PrintTo(Variant v, std::ostream* os) { *os << variant_name(v); }
}  // namespace vmapfuzz::common
