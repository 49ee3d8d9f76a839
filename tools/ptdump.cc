// SPDX-License-Identifier: GPL-2.0-only
#include "tools/ptdump.h"

#include <algorithm>
#include <cstdio>
#include <tuple>
#include <vector>

#include "harness/runner.h"

namespace vmapfuzz::tools {
namespace {

using engine::u64;
using reference::KernelLevel;
using reference::LeafRun;

// The descriptor bits ptdump decodes, as they stand in one entry. Two
// entries print alike exactly when these are equal.
struct Prot {
  bool present = false;  // not a hole: the entry is not zero
  bool valid = false, user = false, rdonly = false, pxn = false, shared = false, af = false,
       ng = false, cont = false, table_bit = false, uxn = false, gp = false;
  unsigned attr_index = 0;
  friend bool operator==(const Prot&, const Prot&) = default;
};

struct Segment {
  u64 va = 0, end = 0;
  unsigned level = 0;
  Prot prot;
};

Prot prot_of(const LeafRun& r, unsigned leaf_level) {
  Prot p;
  p.present = true;
  // A mapped leaf has the valid bit; a page has bit 1 set, a block clear.
  // An entry a set_memory op left invalid keeps its two low bits in `raw`.
  p.valid = r.mapped ? true : (r.raw & 1) != 0;
  p.table_bit = r.mapped ? r.level == leaf_level : (r.raw & 2) != 0;
  p.user = r.attrs.user;
  p.rdonly = r.attrs.rdonly;
  p.pxn = r.attrs.pxn;
  p.shared = r.attrs.sh == 3;
  p.af = r.attrs.af;
  p.ng = r.attrs.ng;
  p.cont = r.cont;
  p.uxn = r.attrs.uxn;
  p.gp = r.attrs.gp;
  p.attr_index = r.attrs.attr_index & 7;
  return p;
}

// The level name ptdump prints: the kernel level whose entries live at
// hardware level `hw`, where a folded p4d or pud (the root of a 4- or
// 3-level tree) reads as PGD.
const char* level_name(const reference::GeometryFacts& f, unsigned hw) {
  const KernelLevel k = f.owner(hw);
  switch (k) {
    case KernelLevel::pgd:
    case KernelLevel::p4d: return "PGD";
    case KernelLevel::pud: return f.present(KernelLevel::pud) ? "PUD" : "PGD";
    case KernelLevel::pmd: return "PMD";
    case KernelLevel::pte: return "PTE";
  }
  return "?";
}

std::string line(const reference::GeometryFacts& f, const Segment& s) {
  static const char kUnits[] = "KMGTPE";
  char buf[96];
  u64 delta = (s.end - s.va) >> 10;
  const char* unit = kUnits;
  while (!(delta & 1023) && unit[1]) {
    delta >>= 10;
    ++unit;
  }
  std::snprintf(buf, sizeof buf, "0x%016llx-0x%016llx   %9llu%c %s",
                static_cast<unsigned long long>(s.va), static_cast<unsigned long long>(s.end),
                static_cast<unsigned long long>(delta), *unit, level_name(f, s.level));
  std::string out = buf;
  if (s.prot.present) {
    const Prot& p = s.prot;
    // Each field: " " and the text for the bit set or clear, in ptdump's order.
    const std::pair<bool, std::pair<const char*, const char*>> fields[] = {
        {p.valid, {" ", "F"}},   {p.user, {"USR", "   "}},   {p.rdonly, {"ro", "RW"}},
        {p.pxn, {"NX", "x "}},   {p.shared, {"SHD", "   "}}, {p.af, {"AF", "  "}},
        {p.ng, {"NG", "  "}},    {p.cont, {"CON", "   "}},   {p.table_bit, {"   ", "BLK"}},
        {p.uxn, {"UXN", "   "}}, {p.gp, {"GP", "  "}},
    };
    for (const auto& [on, text] : fields) out += std::string(" ") + (on ? text.first : text.second);
    // The memory type: MAIR index names of 6.12 (MT_NORMAL 0 ... MT_DEVICE_nGnRE 4).
    static const char* const kTypes[] = {"MEM/NORMAL", "MEM/NORMAL-TAGGED", "MEM/NORMAL-NC",
                                         "DEVICE/nGnRnE", "DEVICE/nGnRE"};
    if (p.attr_index < 5) out += std::string(" ") + kTypes[p.attr_index];
  }
  return out + "\n";
}

}  // namespace

std::string ptdump_arm64(const reference::RefKernel& ref, u64 lo, u64 hi) {
  const reference::GeometryFacts& f = ref.facts();
  std::vector<Segment> entries;
  for (const bool mapped : {true, false})
    for (const LeafRun& r : mapped ? ref.expected_runs(lo, hi) : ref.expected_invalid(lo, hi))
      entries.push_back({r.va, r.va + r.size, r.level, prot_of(r, f.leaf_level)});
  std::sort(entries.begin(), entries.end(),
            [](const Segment& a, const Segment& b) { return a.va < b.va; });
  // Holes between them, each at the level where the walk stops, one entry
  // of that level at most at a time.
  std::vector<Segment> all;
  u64 x = lo;
  std::size_t i = 0;
  while (x < hi) {
    if (i < entries.size() && entries[i].va <= x) {
      all.push_back(entries[i]);
      x = entries[i++].end;
      continue;
    }
    const u64 next = i < entries.size() ? entries[i].va : hi;
    const unsigned level = ref.hole_level(x);
    const u64 entry_end = (x | (f.entry_size[level] - 1)) + 1;
    all.push_back({x, std::min({next, hi, entry_end == 0 ? hi : entry_end}), level, Prot{}});
    x = all.back().end;
  }
  // ptdump prints a line when the level or the bits change.
  std::string s;
  for (std::size_t k = 0; k < all.size();) {
    Segment run = all[k++];
    while (k < all.size() && all[k].level == run.level && all[k].prot == run.prot)
      run.end = all[k++].end;
    s += line(f, run);
  }
  return s;
}

std::string ptdump_of_trace(const harness::Trace& t) {
  if (t.geo->arch != engine::Arch::arm64) return {};
  reference::RefKernel ref(*t.geo, t.variant, t.config);
  for (const harness::Op& op : t.ops)
    if (harness::predict(ref, op).bug != engine::BugId::none) break;
  u64 lo = ~u64{0}, hi = 0;
  for (const auto& [start, end] : ref.area_list()) {
    lo = std::min(lo, start);
    hi = std::max(hi, end);
  }
  for (const bool mapped : {true, false})
    for (const LeafRun& r : mapped ? ref.expected_runs() : ref.expected_invalid(0, ~u64{0})) {
      lo = std::min(lo, r.va);
      hi = std::max(hi, r.va + r.size);
    }
  std::string s = "---[ vmapfuzz: expected tables, " + std::string(t.geo->name) + ", " +
                  std::string(engine::variant_name(t.variant)) + " ]---\n";
  if (hi > lo) s += ptdump_arm64(ref, lo, hi);
  return s;
}

}  // namespace vmapfuzz::tools
