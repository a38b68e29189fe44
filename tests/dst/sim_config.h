#pragma once

// What one seed of the simulation looks like: the fleet's size and shape,
// how long each phase lasts, and how often each fault strikes. Everything
// here is drawn from the seed (DrawConfig), so a seed names one run.

#include <cstdint>
#include <random>
#include <string>

#include "absl/time/time.h"

namespace swell::dst {

struct FaultRates {
  // Per step (about a second of simulated time).
  double controller_crash = 0;
  double crash_after_commit = 0;  // the crash falls between commit and push
  double commit_failure = 0;
  double stream_drop = 0;  // per step, one random agent's stream
  double agent_crash = 0;  // per step, one random agent crashes
  double agent_silent = 0;
  double clock_jump = 0;
  double operator_action = 0;
  // Per message.
  double duplicate = 0;
  absl::Duration max_delay = absl::Milliseconds(200);
  // Per apply.
  double apply_fails = 0;
  double apply_hangs = 0;
  double stale_comeback = 0;  // a crashed agent returns with an older state
};

struct SimConfig {
  uint64_t seed = 0;
  int hosts = 0;
  int variables = 0;
  int sites = 0;
  double sick_share = 0;  // hosts made sick by a "bad" value
  bool domain_budget = false;
  bool per_role = false;
  absl::Duration step = absl::Seconds(1);
  int fault_steps = 0;     // steps with faults and operator commands
  int liveness_steps = 0;  // the bound on reaching terminal states after
  FaultRates faults;
};

// Draws a configuration from `seed`; `max_hosts` caps the fleet.
SimConfig DrawConfig(uint64_t seed, int max_hosts);

// A uniform draw in [0, 1).
inline double Uniform(std::mt19937_64& rng) {
  return std::uniform_real_distribution<double>(0, 1)(rng);
}
inline bool Chance(std::mt19937_64& rng, double p) { return Uniform(rng) < p; }
inline int64_t Between(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

}  // namespace swell::dst
