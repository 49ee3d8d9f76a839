// SPDX-License-Identifier: GPL-2.0-only
#include "bench/measure.h"

#include <fstream>
#include <sstream>

namespace vmapfuzz::bench {
namespace {

// A field of /proc/self/status in KiB ("VmHWM", "VmRSS"), or -1.
long status_kib(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    std::istringstream s(line.substr(field.size() + 1));
    long kib = -1;
    s >> kib;
    return kib;
  }
  return -1;
}

// Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
bool reset_peak_rss() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5" << std::flush;
  return static_cast<bool>(out);
}

std::string check(const Kernel& k, int ret, const Workload& w, const char* op) {
  if (ret == 0 && !k.bugged() && k.out().warns.empty()) return "";
  std::string what = w.name + " " + op + ": ";
  if (k.bugged()) return what + "BUG " + std::string(engine::bug_name(k.out().bug));
  if (!k.out().warns.empty())
    return what + "WARN " + std::string(engine::warn_name(k.out().warns[0].id));
  return what + "returned " + std::to_string(ret);
}

}  // namespace

Counters operator-(const Counters& a, const Counters& b) {
  Counters d;
  d.walks = a.walks - b.walks;
  d.set_pte_at = a.set_pte_at - b.set_pte_at;
  d.set_huge_pte_at = a.set_huge_pte_at - b.set_huge_pte_at;
  d.pmd_set_huge = a.pmd_set_huge - b.pmd_set_huge;
  d.pud_set_huge = a.pud_set_huge - b.pud_set_huge;
  d.descriptors_written = a.descriptors_written - b.descriptors_written;
  d.flushes = a.flushes - b.flushes;
  d.pmd_blocks = a.pmd_blocks - b.pmd_blocks;
  d.pud_blocks = a.pud_blocks - b.pud_blocks;
  d.unmap_blocks = a.unmap_blocks - b.unmap_blocks;
  d.unmap_cont_groups = a.unmap_cont_groups - b.unmap_cont_groups;
  d.unmap_ptes = a.unmap_ptes - b.unmap_ptes;
  return d;
}

u64 kernel_calls(const Counters& c) {
  return c.walks + c.set_pte_at + c.set_huge_pte_at + c.pmd_set_huge + c.pud_set_huge;
}

std::string map_batch(Kernel& k, const Workload& w) {
  int ret = 0;
  for (unsigned i = 0; i < w.batch; ++i) ret |= w.map(k, i);
  std::string e = check(k, ret, w, "map");
  k.out().clear();
  return e;
}

std::string unmap_batch(Kernel& k, const Workload& w) {
  for (unsigned i = 0; i < w.batch; ++i) w.unmap(k, i);
  std::string e = check(k, 0, w, "unmap");
  k.out().clear();
  return e;
}

Measured measure(const Workload& w, engine::Variant v) {
  Measured m;
  const long rss_before = status_kib("VmRSS");
  const bool peak_reset = reset_peak_rss();
  Kernel k(*w.geo, v);
  k.out().clear();
  m.error = check(k, w.map(k, 0), w, "map");
  m.tables = k.out().tables_allocated;
  k.out().clear();
  w.unmap(k, 0);
  if (m.error.empty()) m.error = check(k, 0, w, "unmap");
  const long peak = status_kib("VmHWM");
  if (peak_reset && peak >= 0 && rss_before >= 0) m.peak_rss_kib = peak - rss_before;

  Counters before = k.counters();
  k.out().clear();
  if (m.error.empty()) m.error = check(k, w.map(k, 0), w, "map");
  m.map = k.counters() - before;
  before = k.counters();
  k.out().clear();
  w.unmap(k, 0);
  if (m.error.empty()) m.error = check(k, 0, w, "unmap");
  m.unmap = k.counters() - before;
  return m;
}

}  // namespace vmapfuzz::bench
