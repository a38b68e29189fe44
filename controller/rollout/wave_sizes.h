#pragma once

// How many targets each wave brings a rollout to, and how long each wave
// bakes, from the plan's wave shape. Pure.

#include <cstddef>
#include <vector>

#include "absl/time/time.h"
#include "controller/plan/plan.h"

namespace swell::controller {

// The number of targets admitted once each wave is admitted, before
// per-role limits: strictly increasing and ending at `targets` (empty when
// there are none).
//
// - waves: each size is cumulative; a percentage is rounded up (25 % of 10
//   is 3); sizes that add no host are dropped; a list that stops short of
//   every target gets a last wave with the rest.
// - geometric: the first wave has `start` hosts, each next one `factor`
//   times the previous (rounded up), none more than `max_step` (at least
//   one host); the last wave takes what is left.
// - linear: with N = ceil(over / step) steps and W = min(N, targets)
//   waves, wave k (1-based) brings the rollout to ceil(k * targets / W):
//   an even ramp, never an empty wave.
std::vector<size_t> CumulativeWaveTargets(const Plan& plan, size_t targets);

// How long each wave of a rollout with `wave_count` waves bakes: the plan's
// bake, except for a linear ramp, whose waves share the ramp evenly
// (over / wave_count) so that the last wave's bake ends `over` after the
// first admission, convergence time aside.
absl::Duration WaveBake(const Plan& plan, int wave_count);

// The earliest time from submit to success if every gate passes at once
// and every host converges instantly: wave_count bakes.
absl::Duration EarliestFinish(const Plan& plan, int wave_count);

// The number of hosts a WaveSize means among `total`: a count as is, a
// percentage rounded up.
size_t HostsOf(const WaveSize& size, size_t total);

}  // namespace swell::controller
