#pragma once

// What a rollout's step reads besides the rollout (StepContext), and the
// generations a tick hands out (GenerationPlan): shared by the step, its
// gate rounds, the commands and Decide, apart from any of them.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "controller/gate/health_reader.h"
#include "controller/gate/promql.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"

namespace swell::controller {

// Everything a decision may look at besides the rollout itself.
struct StepContext {
  const Fleet* fleet = nullptr;
  const AgentObservations* agents = nullptr;
  const HealthReader* health = nullptr;
  absl::Time now;
  // An agent silent this long counts as failed.
  absl::Duration agent_grace = absl::Seconds(30);
  // When the controller loaded its model. Until agent_grace after agents
  // could be back (AgentsBackBy), gates that lack samples neither fail nor
  // conclude a bake: the health window starts empty.
  absl::Time started = absl::InfinitePast();
  // The newest answers to PromQL gates' queries; null: none.
  const PromqlReadings* promql = nullptr;
  // The longest an agent waits between two connection attempts (its
  // reconnect backoff's cap). A controller that was away cannot hear from
  // an agent before `started + agent_reconnect`, so silence is judged from
  // then at the earliest: the controller's own absence never counts
  // against a host.
  absl::Duration agent_reconnect = absl::Seconds(5);
  // Later, while a fleet is still reconnecting after the start: every
  // agent's backoff has run out, but handshakes wait their turn
  // (ReconnectWindow).
  absl::Time agents_back_by = absl::InfinitePast();

  // The earliest time every agent can have reconnected after the start.
  absl::Time AgentsBackBy() const {
    return std::max(started + agent_reconnect, agents_back_by);
  }
};

// The generations this tick's pushes will carry: a host whose desired state
// changes this tick gets its stored generation + 1, once.
class GenerationPlan {
 public:
  explicit GenerationPlan(const Fleet* fleet) : fleet_(fleet) {}
  // Marks `host` as changing this tick; returns its new generation.
  int64_t Touch(const std::string& host);
  const std::map<std::string, int64_t>& touched() const { return touched_; }

 private:
  const Fleet* fleet_;
  std::map<std::string, int64_t> touched_;
};

}  // namespace swell::controller
