// SPDX-License-Identifier: GPL-2.0-only
#include "bench/report.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace vmapfuzz::bench {
namespace {

using engine::Variant;

std::string printf_str(const char* fmt, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

// Whole ns below 1 µs, else three significant digits in µs or ms.
std::string fmt_ns(double ns) {
  if (ns < 0) return "-";
  if (ns < 1e3) return printf_str("%.0f ns", ns);
  const bool ms = ns >= 1e6;
  const double x = ns / (ms ? 1e6 : 1e3);
  return printf_str(x >= 100 ? "%.0f" : x >= 10 ? "%.1f" : "%.2f", x) + (ms ? " ms" : " µs");
}

std::string fmt_count(u64 v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string fmt_ratio(double r) { return printf_str(r >= 10 ? "%.1fx" : "%.2fx", r); }

std::string fmt_percent(double rel) { return printf_str("%+.0f%%", rel * 100); }

// A series variant's count, with how it compares to mainline's.
std::string fmt_counter(u64 v, u64 mainline, bool is_mainline) {
  if (is_mainline || v == mainline || v == 0 || mainline == 0) return fmt_count(v);
  const double r = static_cast<double>(mainline) / static_cast<double>(v);
  return fmt_count(v) +
         (r > 1 ? " (÷" + printf_str("%.3g", r) + ")" : " (×" + printf_str("%.3g", 1 / r) + ")");
}

double model_ns(const CostModel& model, const Counters& c) {
  return model.predict(static_cast<double>(kernel_calls(c)),
                       static_cast<double>(c.descriptors_written));
}

// The series' figure for this variant's map, if it measured one.
double series_ns(const Workload& w, Variant v) {
  if (!w.series || v == Variant::v4_fixed) return -1;
  return v == Variant::mainline ? w.series->mainline_ns : w.series->v4_ns;
}

struct RowView {
  const WorkloadResult& r;
  const VariantResult& vr;
  const VariantResult& ml;
  bool map;
  double ns() const { return map ? vr.map_ns : vr.unmap_ns; }
  double ml_ns() const { return map ? ml.map_ns : ml.unmap_ns; }
  double limit() const { return map ? r.limit_map_ns : r.limit_unmap_ns; }
  const Counters& c() const { return map ? vr.measured.map : vr.measured.unmap; }
  const Counters& ml_c() const { return map ? ml.measured.map : ml.measured.unmap; }
};

// What an unmap cleared: single PTEs / whole CONT groups / blocks.
std::string unmap_clears(const RowView& row) {
  if (row.map) return "-";
  const Counters& c = row.c();
  return fmt_count(c.unmap_ptes) + " / " + fmt_count(c.unmap_cont_groups) + " / " +
         fmt_count(c.unmap_blocks);
}

void print_row(std::ostream& out, const RowView& row, const CostModel& model) {
  const Workload& w = *row.r.workload;
  const bool is_ml = row.vr.variant == Variant::mainline;
  std::string speedup = "-", series = "-", predicted = "-", vs_limit = "-";
  if (row.ns() > 0 && row.ml_ns() > 0) speedup = fmt_ratio(row.ml_ns() / row.ns());
  if (row.ns() > 0 && row.limit() > 0) vs_limit = fmt_ratio(row.ns() / row.limit());
  if (row.map) {
    const double s = series_ns(w, row.vr.variant);
    const double s_ml = w.series ? w.series->mainline_ns : 0;
    if (s > 0) series = fmt_ns(s) + (is_ml ? "" : " (" + fmt_ratio(s_ml / s) + ")");
    const double p = model_ns(model, row.c());
    if (model.per_call_ns > 0)
      predicted = fmt_ns(p) + (s > 0 ? " (" + fmt_percent(p / s - 1) + ")" : "");
  }
  auto counter = [&](u64 Counters::*f) { return fmt_counter(row.c().*f, row.ml_c().*f, is_ml); };
  const Measured& m = row.vr.measured;
  out << "| " << w.name << " | " << (row.map ? "map" : "unmap") << " | "
      << engine::variant_name(row.vr.variant) << " | " << fmt_ns(row.ns()) << " | " << speedup
      << " | " << series << " | " << predicted << " | " << counter(&Counters::walks) << " | "
      << counter(&Counters::set_pte_at) << " | " << counter(&Counters::set_huge_pte_at) << " | "
      << counter(&Counters::pmd_set_huge) << " | " << counter(&Counters::descriptors_written)
      << " | " << counter(&Counters::flushes) << " | " << unmap_clears(row) << " | "
      << fmt_ns(row.limit()) << " | " << vs_limit << " | " << (row.map ? fmt_count(m.tables) : "-")
      << " | "
      << (row.map && m.peak_rss_kib >= 0 ? fmt_count(static_cast<u64>(m.peak_rss_kib)) : "-")
      << " |\n";
}

template <typename F>
void for_each_row(const std::vector<WorkloadResult>& results, F&& f) {
  for (const WorkloadResult& r : results)
    for (bool map : {true, false})
      for (const VariantResult& vr : r.variants) f(RowView{r, vr, r.variants[0], map});
}

}  // namespace

CostModel fit_to_series(const std::vector<WorkloadResult>& results) {
  std::vector<CostPoint> points;
  for (const WorkloadResult& r : results) {
    if (!r.workload->series) continue;
    const Counters& c = r.variants[0].measured.map;
    points.push_back({static_cast<double>(kernel_calls(c)),
                      static_cast<double>(c.descriptors_written), r.workload->series->mainline_ns});
  }
  return fit_cost_model(points);
}

void print_table(std::ostream& out, const std::vector<WorkloadResult>& results,
                 const CostModel& model) {
  out << "| workload | op | variant | time/op | vs mainline | series RK3588 | model (kernel) "
         "| walks | set_pte_at | set_huge_pte_at | pmd_set_huge | descriptors | flushes "
         "| unmap clears PTE / CONT / block | store limit | x limit | table pages "
         "| peak RSS KiB |\n"
         "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n";
  for_each_row(results, [&](const RowView& row) { print_row(out, row, model); });
}

void print_geometry_table(std::ostream& out, const std::vector<GeometryResult>& geometries) {
  out << "Per geometry: the series' three workloads, kernel-cost counters of one map (page "
         "tables already\npresent; no timing), v4 against mainline. vmap-100M-o8 keeps order-8 "
         "pages on every granule:\n1 MiB blocks with 4K pages, 4 MiB with 16K, 16 MiB with 64K "
         "(there 100 MiB is 6.25 blocks).\n\n"
         "| geometry | workload | variant | walks | set_pte_at | set_huge_pte_at | pmd_set_huge "
         "| pud_set_huge | descriptors | flushes | PMD / PUD blocks | table pages | error |\n"
         "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n";
  for (const GeometryResult& gr : geometries)
    for (const WorkloadResult& r : gr.results)
      for (const VariantResult& vr : r.variants) {
        const bool is_ml = vr.variant == Variant::mainline;
        const Counters& c = vr.measured.map;
        const Counters& ml = r.variants[0].measured.map;
        auto counter = [&](u64 Counters::*f) { return fmt_counter(c.*f, ml.*f, is_ml); };
        out << "| " << gr.geo->name << " | " << r.workload->name << " | "
            << engine::variant_name(vr.variant) << " | " << counter(&Counters::walks) << " | "
            << counter(&Counters::set_pte_at) << " | " << counter(&Counters::set_huge_pte_at)
            << " | " << counter(&Counters::pmd_set_huge) << " | "
            << counter(&Counters::pud_set_huge) << " | " << counter(&Counters::descriptors_written)
            << " | " << counter(&Counters::flushes) << " | " << fmt_count(c.pmd_blocks) << " / "
            << fmt_count(c.pud_blocks) << " | " << fmt_count(vr.measured.tables) << " | "
            << (vr.measured.error.empty() ? "-" : vr.measured.error) << " |\n";
      }
  // The workloads whose description differs from arm64-4k-48's.
  std::vector<std::string> base;
  if (!geometries.empty())
    for (const WorkloadResult& r : geometries.front().results) base.push_back(r.workload->what);
  out << "\nWorkloads per geometry (as on "
      << (geometries.empty() ? "" : geometries.front().geo->name) << " unless listed):\n";
  for (const GeometryResult& gr : geometries)
    for (std::size_t i = 0; i < gr.results.size(); ++i)
      if (i >= base.size() || gr.results[i].workload->what != base[i])
        out << "  " << gr.geo->name << " " << gr.results[i].workload->name << ": "
            << gr.results[i].workload->what << "\n";
}

void print_workloads(std::ostream& out, const std::vector<WorkloadResult>& results) {
  out << "Workloads (arm64 4K pages, 48-bit VA; time per op over batches of instances at\n"
         "their own VAs, page tables already present; x limit = time / store limit):\n";
  for (const WorkloadResult& r : results)
    out << "  " << r.workload->name << ": " << r.workload->what << "; batch " << r.workload->batch
        << "\n";
}

void print_cost_model(std::ostream& out, const std::vector<WorkloadResult>& results,
                      const CostModel& model) {
  out << "Cost model, fitted to the series' three mainline figures (least squares, relative): "
      << printf_str("%.1f", model.per_call_ns) << " ns per call (walk or arch set call) + "
      << printf_str("%.2f", model.per_descriptor_ns) << " ns per descriptor.\n";
  for (const WorkloadResult& r : results) {
    const Workload& w = *r.workload;
    if (!w.series) continue;
    const double ml = model_ns(model, r.variants[0].measured.map);
    const double v4 = model_ns(model, r.variants[1].measured.map);
    out << "  " << w.name << ": mainline fit " << fmt_ns(ml) << " vs "
        << fmt_ns(w.series->mainline_ns) << " (" << fmt_percent(ml / w.series->mainline_ns - 1)
        << "); v4 predicted " << fmt_ns(v4) << " vs " << fmt_ns(w.series->v4_ns) << " ("
        << fmt_percent(v4 / w.series->v4_ns - 1) << "), speedup predicted " << fmt_ratio(ml / v4)
        << " vs " << fmt_ratio(w.series->mainline_ns / w.series->v4_ns) << "\n";
  }
}

int print_goals(std::ostream& out, const std::vector<WorkloadResult>& results, double noise) {
  int failed = 0;  // correctness goals only
  auto verdict = [&](const char* goal, const std::string& bad, const std::string& note,
                     bool correctness = false) {
    out << (bad.empty() ? "met     " : "NOT met ") << goal << note << bad << "\n";
    failed += correctness && !bad.empty();
  };

  std::string bad, errors;
  double worst = 0;
  for_each_row(results, [&](const RowView& row) {
    if (row.vr.variant == Variant::mainline || row.ns() <= 0 || row.ml_ns() <= 0) return;
    const double slower = row.ns() / row.ml_ns() - 1;
    worst = std::max(worst, slower);
    if (slower > noise)
      bad += "; " + row.r.workload->name + " " + (row.map ? "map " : "unmap ") +
             std::string(engine::variant_name(row.vr.variant)) + " " + fmt_percent(slower);
  });
  verdict("v4 never slower than mainline", bad,
          " (worst " + fmt_percent(worst) + ", noise allowance " + fmt_percent(noise) + ")");

  bad.clear();
  for (const WorkloadResult& r : results) {
    for (const CounterClaim& claim : r.workload->claims) {
      for (const VariantResult& vr : r.variants) {
        const u64 want = vr.variant == Variant::mainline ? claim.mainline : claim.v4;
        const u64 got = vr.measured.map.*claim.field;
        if (got != want)
          bad += "; " + r.workload->name + " " + std::string(engine::variant_name(vr.variant)) +
                 " " + claim.counter + " " + fmt_count(got) + " != " + fmt_count(want);
      }
      out << "        " << r.workload->name << ": " << claim.counter << " "
          << fmt_count(claim.mainline) << " -> " << fmt_count(claim.v4) << "\n";
    }
    for (const VariantResult& vr : r.variants)
      if (!vr.measured.error.empty()) errors += "; " + vr.measured.error;
  }
  verdict("the counters show the series' mechanism exactly", bad, "", true);

  bad.clear();
  worst = 0;
  for_each_row(results, [&](const RowView& row) {
    if (!row.map || row.ns() <= 0 || row.limit() <= 0) return;
    const double x = row.ns() / row.limit();
    worst = std::max(worst, x);
    if (x > 2)
      bad += "; " + row.r.workload->name + " " + std::string(engine::variant_name(row.vr.variant)) +
             " " + fmt_ratio(x);
  });
  verdict("every map within 2x of the plain-store limit", bad, " (worst " + fmt_ratio(worst) + ")");
  verdict("no op failed, WARNed or BUGged", errors, "", true);
  return failed;
}

}  // namespace vmapfuzz::bench
