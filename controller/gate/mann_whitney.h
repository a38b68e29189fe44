#pragma once

// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided, by the normal
// approximation with tie and continuity corrections:
//
//   rank x and y together, ties getting the mean of their ranks;
//   U  = R_x - n_x (n_x + 1) / 2          (R_x: the sum of x's ranks)
//      = pairs (x_i, y_j) with x_i > y_j, plus half the ties;
//   mu = n_x n_y / 2;
//   sigma^2 = n_x n_y / 12 * ((n + 1) - sum(t^3 - t) / (n (n - 1))),
//      n = n_x + n_y, t the size of each group of tied values;
//   z  = (|U - mu| - 1/2) / sigma, at least 0, signed like U - mu;
//   p  = 2 (1 - Phi(|z|)) = erfc(|z| / sqrt 2).
//
// The approximation is good from about 10 values a side; baseline gates
// require min_samples a side. Samples are treated as independent, which
// repeated samples of one host are not quite: read p as a strength of
// evidence, not an exact probability.

#include <vector>

namespace swell::controller {

struct MannWhitney {
  double u = 0;  // U of x
  double z = 0;  // > 0 when x tends to be larger than y
  double p = 1;  // two-sided; 1 when every value is tied
};

// Requires both x and y non-empty.
MannWhitney MannWhitneyU(const std::vector<double>& x,
                         const std::vector<double>& y);

}  // namespace swell::controller
