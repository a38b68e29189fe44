#include "tests/dst/sim_config.h"

#include <algorithm>

namespace swell::dst {

SimConfig DrawConfig(uint64_t seed, int max_hosts) {
  std::mt19937_64 rng(seed);
  SimConfig c;
  c.seed = seed;
  const int min_hosts = std::min(20, max_hosts);
  c.hosts = static_cast<int>(Between(rng, min_hosts, max_hosts));
  c.variables = static_cast<int>(Between(rng, 1, 3));
  c.sites = static_cast<int>(Between(rng, 1, 4));
  c.sick_share = Chance(rng, 0.5) ? Uniform(rng) * 0.3 : 0;
  c.domain_budget = Chance(rng, 0.4);
  c.per_role = Chance(rng, 0.4);
  c.fault_steps = static_cast<int>(Between(rng, 150, 400));
  c.liveness_steps = 1200;  // 20 simulated minutes

  FaultRates& f = c.faults;
  // Each fault is off in some seeds and frequent in others.
  auto rate = [&](double max) {
    return Chance(rng, 0.25) ? 0 : Uniform(rng) * max;
  };
  f.controller_crash = rate(0.02);
  f.crash_after_commit = Uniform(rng);
  f.commit_failure = rate(0.05);
  f.stream_drop = rate(0.2);
  f.agent_crash = rate(0.1);
  f.agent_silent = rate(0.05);
  f.clock_jump = rate(0.01);
  f.operator_action = 0.02 + Uniform(rng) * 0.08;
  f.duplicate = rate(0.1);
  f.max_delay = absl::Milliseconds(Between(rng, 10, 3000));
  f.apply_fails = rate(0.1);
  f.apply_hangs = rate(0.05);
  f.stale_comeback = rate(0.5);
  return c;
}

}  // namespace swell::dst
