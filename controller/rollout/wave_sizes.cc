#include "controller/rollout/wave_sizes.h"

#include <algorithm>
#include <cmath>

namespace swell::controller {
namespace {

std::vector<size_t> FromList(const std::vector<WaveSize>& sizes, size_t n) {
  std::vector<size_t> out;
  for (const WaveSize& s : sizes) {
    size_t cumulative = std::min(HostsOf(s, n), n);
    if (cumulative > (out.empty() ? 0 : out.back())) out.push_back(cumulative);
  }
  if (out.empty() || out.back() < n) out.push_back(n);
  return out;
}

std::vector<size_t> Geometric(const GeometricGrowth& g, size_t n) {
  const size_t cap = std::max<size_t>(1, HostsOf(g.max_step, n));
  std::vector<size_t> out;
  size_t step = std::min<size_t>(std::max(g.start, 1), cap);
  size_t total = 0;
  while (total < n) {
    total = std::min(n, total + step);
    out.push_back(total);
    double next = std::ceil(static_cast<double>(step) * g.factor);
    step = next >= static_cast<double>(cap) ? cap : static_cast<size_t>(next);
  }
  return out;
}

std::vector<size_t> Linear(const LinearRamp& ramp, size_t n) {
  int64_t steps = 1;
  if (ramp.step > absl::ZeroDuration()) {
    steps = std::max<int64_t>(1, absl::Ceil(ramp.over, ramp.step) / ramp.step);
  }
  const size_t waves = std::min(static_cast<size_t>(steps), n);
  std::vector<size_t> out;
  for (size_t k = 1; k <= waves; ++k)
    out.push_back((k * n + waves - 1) / waves);
  return out;
}

}  // namespace

size_t HostsOf(const WaveSize& size, size_t total) {
  if (!size.percent) return static_cast<size_t>(size.value);
  // The epsilon keeps 7 % of 100 at 7 despite floating point.
  return static_cast<size_t>(
      std::ceil(size.value * static_cast<double>(total) / 100.0 - 1e-9));
}

std::vector<size_t> CumulativeWaveTargets(const Plan& plan, size_t targets) {
  if (targets == 0) return {};
  switch (plan.shape) {
    case WaveShape::kList:
      return FromList(plan.waves, targets);
    case WaveShape::kGeometric:
      return Geometric(plan.geometric, targets);
    case WaveShape::kLinear:
      return Linear(plan.linear, targets);
  }
  return {targets};
}

absl::Duration WaveBake(const Plan& plan, int wave_count) {
  if (plan.shape != WaveShape::kLinear) return plan.bake;
  return plan.linear.over / std::max(1, wave_count);
}

absl::Duration EarliestFinish(const Plan& plan, int wave_count) {
  return WaveBake(plan, wave_count) * static_cast<int64_t>(wave_count);
}

}  // namespace swell::controller
