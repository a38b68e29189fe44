#pragma once

// What hellos, disconnects and operators change in the fleet's host
// records, as pure functions from the model to a Mutation.
//
// last_seen is kept fresh without a commit per heartbeat: it is written on
// every hello and every disconnect, and for agents that stay connected at
// most once per kLastSeenRefreshAfter (so that a controller that crashes
// does not later count a long-connected host as unseen since its hello).

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/fleet.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

inline constexpr absl::Duration kLastSeenRefreshAfter = absl::Hours(1);

// The host records that hellos and disconnects, all heard at `now`, change:
// - a hello creates its host, or replaces its labels and agent version,
//   and sets last_seen to `now`;
// - a hello from a retired host un-retires it, with a "host_returned"
//   audit event naming the host and its retirement;
// - a disconnect (`gone`) sets last_seen to `now`; unknown ids are ignored.
Mutation HostsHeard(const std::map<std::string, Host>& hosts,
                    const std::vector<swell::v1::Hello>& hellos,
                    const std::vector<std::string>& gone, absl::Time now);

// The hosts whose agent is connected and whose last_seen is older than
// `refresh_after`, with last_seen set to `now`.
std::vector<Host> RefreshLastSeen(const std::map<std::string, Host>& hosts,
                                  const AgentObservations& agents,
                                  absl::Time now, absl::Duration refresh_after);

// Retires `host_id`: new rollouts stop targeting it until its agent says
// hello again. Writes the host and a "retire_host" audit event (the reason
// names the host), in one mutation. `connected`: its agent is connected
// now.
// - kInvalidArgument: no reason;
// - kNotFound: no such host;
// - kFailedPrecondition: its agent is connected (it would be back at
//   once: stop the agent first), or an active rollout targets it (a
//   rollout keeps the hosts it was submitted with, so retiring would not
//   take the host out of it: the error names the rollout);
// - a host already retired is left as it is (an empty mutation).
absl::StatusOr<Mutation> RetireHost(const Fleet& fleet,
                                    const std::string& host_id, bool connected,
                                    const Request& req);

}  // namespace swell::controller
