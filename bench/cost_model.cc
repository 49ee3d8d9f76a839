// SPDX-License-Identifier: GPL-2.0-only
#include "bench/cost_model.h"

namespace vmapfuzz::bench {

CostModel fit_cost_model(std::span<const CostPoint> points) {
  // Minimise sum((a*c + b*d) / t - 1)^2: the normal equations of the
  // rows (c/t, d/t) against 1.
  double scc = 0, scd = 0, sdd = 0, sc = 0, sd = 0;
  for (const CostPoint& p : points) {
    const double c = p.calls / p.ns, d = p.descriptors / p.ns;
    scc += c * c;
    scd += c * d;
    sdd += d * d;
    sc += c;
    sd += d;
  }
  const double det = scc * sdd - scd * scd;
  if (det == 0) return {};
  return {(sc * sdd - scd * sd) / det, (scc * sd - scd * sc) / det};
}

}  // namespace vmapfuzz::bench
