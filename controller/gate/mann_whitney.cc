#include "controller/gate/mann_whitney.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace swell::controller {

MannWhitney MannWhitneyU(const std::vector<double>& x,
                         const std::vector<double>& y) {
  assert(!x.empty() && !y.empty());
  std::vector<std::pair<double, bool>> all;  // value, from x
  all.reserve(x.size() + y.size());
  for (double v : x) all.emplace_back(v, true);
  for (double v : y) all.emplace_back(v, false);
  std::sort(all.begin(), all.end());

  const double nx = static_cast<double>(x.size());
  const double ny = static_cast<double>(y.size());
  const double n = nx + ny;
  double rank_sum_x = 0;
  double tie_term = 0;  // sum of t^3 - t over groups of ties
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    const double mean_rank = (static_cast<double>(i + 1 + j)) / 2;  // 1-based
    for (size_t k = i; k < j; ++k) {
      if (all[k].second) rank_sum_x += mean_rank;
    }
    tie_term += t * t * t - t;
    i = j;
  }

  MannWhitney out;
  out.u = rank_sum_x - nx * (nx + 1) / 2;
  const double mu = nx * ny / 2;
  const double variance =
      nx * ny / 12 * ((n + 1) - (n > 1 ? tie_term / (n * (n - 1)) : 0));
  if (variance <= 0) return out;  // every value tied: no evidence
  const double diff = out.u - mu;
  const double corrected = std::max(0.0, std::abs(diff) - 0.5);
  out.z = std::copysign(corrected / std::sqrt(variance), diff);
  if (corrected == 0) out.z = 0;
  out.p = std::erfc(std::abs(out.z) / std::sqrt(2.0));
  return out;
}

}  // namespace swell::controller
