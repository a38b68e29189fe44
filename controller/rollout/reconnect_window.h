#pragma once

// After the controller (re)loads its model, when an agent's silence may
// start to count against its host (StepContext::agents_back_by).
//
// A controller that was away cannot have heard from anyone, so silence
// counts from `agent_reconnect` (every agent's backoff cap) after the load
// at the earliest. A fleet of thousands takes longer than that: handshakes
// wait their turn, and they finish together, so no hello may arrive for
// many seconds and then all of them do (1,000 agents over TLS came back
// 11 s after a restart on a 2-core machine). The window therefore stays
// open while
// - most of the hosts whose silence counts are still away: the controller,
//   not the fleet, is what is missing (at most kFleetReturnLimit), and
// - after that, while hellos keep arriving (at most --agent_grace): the
//   last of the fleet is still shaking hands.
// Pure: the reconciler calls Note once a tick.

#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"

namespace swell::controller {

// The longest the window waits for most of the fleet to come back.
inline constexpr absl::Duration kFleetReturnLimit = absl::Minutes(1);

// The share of watched agents that must be back for the fleet to be.
inline constexpr double kFleetBackShare = 0.9;

// The hosts whose agent's silence would count now (admitted hosts of
// active rollouts, not yet failed or done), and how many are connected.
struct WatchedAgents {
  int watched = 0;
  int connected = 0;
};
WatchedAgents CountWatchedAgents(const Fleet& fleet,
                                 const AgentObservations& agents);

class ReconnectWindow {
 public:
  // Opens the window at a load: agents are back `reconnect` later at the
  // earliest.
  void Open(absl::Time loaded, absl::Duration reconnect, absl::Duration grace);

  // Whether the window still needs CountWatchedAgents (the fleet is not
  // back yet): the count costs a pass over every rollout's hosts.
  bool NeedsCount() const { return !fleet_back_; }

  // One tick at `now`: whether it heard hellos, and the watched agents
  // (ignored once the fleet is back).
  void Note(absl::Time now, bool heard_hellos, WatchedAgents watched);

  absl::Time back_by() const { return back_by_; }

 private:
  absl::Time loaded_ = absl::InfinitePast();
  absl::Duration reconnect_;
  absl::Duration grace_;
  absl::Time back_by_ = absl::InfinitePast();
  bool fleet_back_ = true;
};

}  // namespace swell::controller
