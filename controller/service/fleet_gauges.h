#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"
#include "prometheus/metric_family.h"

namespace swell::controller {

// What /metrics says of the model, counted at scrape time from a published
// snapshot (FleetSnapshots), so that the decision thread never pays for it.
struct FleetGauges {
  static constexpr RolloutState kStates[] = {
      RolloutState::kRunning,     RolloutState::kPaused,
      RolloutState::kHalted,      RolloutState::kSucceeded,
      RolloutState::kRollingBack, RolloutState::kRolledBack};
  static constexpr WavePhase kPhases[] = {
      WavePhase::kAdmitting, WavePhase::kConverging, WavePhase::kBaking};

  // One rollout not yet succeeded or rolled back.
  struct ActiveRollout {
    std::string id;
    std::string variable;
    RolloutState state = RolloutState::kRunning;
    WavePhase phase = WavePhase::kAdmitting;
    int wave = 0;  // 1-based, as swellctl shows it
    int wave_count = 0;
  };

  // Every rollout the model holds, indexed as kStates.
  std::array<int64_t, std::size(kStates)> rollouts{};
  std::vector<ActiveRollout> active;  // in id order
  // Hosts neither retired nor revoked: those whose agents should be here.
  int64_t hosts_known = 0;
  // Of those, hosts whose agent is not connected and was last heard from
  // longer than --agent_grace ago (an admitted one counts as failed).
  int64_t agents_silent = 0;
  // When the fleet was frozen; InfinitePast while it is not.
  absl::Time frozen_since = absl::InfinitePast();
};

// Pure but for `agents`' reads: the gauges of `fleet` at `now`.
FleetGauges CountFleet(const Fleet& fleet, const AgentObservations& agents,
                       absl::Time now, absl::Duration agent_grace);

// The families of `g`: swell_rollouts{state}, swell_rollout_state,
// swell_rollout_wave, swell_rollout_waves and swell_rollout_phase (labels
// rollout and variable; one series per active rollout, and the state and
// phase ones 1 for its current state or phase, 0 for the others),
// swell_hosts_known, swell_agents_silent and
// swell_fleet_frozen_since_seconds. Every family is present, with zeros,
// before the model is first loaded (`g` default-constructed).
std::vector<prometheus::MetricFamily> FleetFamilies(const FleetGauges& g);

}  // namespace swell::controller
