#pragma once

// Whether a known host may be targeted by a new rollout. A host stays in
// the fleet once its agent has said hello; an operator may retire it, and
// one whose agent has been away too long is stale. Neither is targeted.
// Pure: a function of the host's record, whether its agent is connected,
// and the time.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "controller/plan/plan.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/model.h"
#include "controller/rollout/wave_scheduler.h"

namespace swell::controller {

enum class HostPresence {
  kConnected,     // its agent is connected now, however old last_seen is
  kDisconnected,  // not connected, last seen within the stale threshold
  kStale,         // not connected, and not seen for longer than that
  kRetired,       // retired by an operator, until its agent says hello
  kRevoked,       // revoked by an operator: its streams are refused
};

// "connected", "disconnected", "stale", "retired", "revoked".
std::string_view HostPresenceName(HostPresence p);

// The controller's default for --host_stale_after.
inline constexpr absl::Duration kDefaultHostStaleAfter = absl::Hours(7 * 24);

// How targeting sees the fleet at one moment.
struct PresenceView {
  absl::Time now = absl::InfinitePast();
  // Which agents are connected now; null: none is.
  const AgentObservations* agents = nullptr;
  // A host whose agent is not connected and that was last seen longer ago
  // than this is stale. The default makes no host stale.
  absl::Duration stale_after = absl::InfiniteDuration();
};

// Revoked wins over everything (its agent cannot connect until an
// operator unrevokes it), then retired (an operator said so; the agent's
// next hello undoes it), then connected, then the stale threshold.
HostPresence PresenceOf(const Host& host, bool connected, absl::Time now,
                        absl::Duration stale_after);
HostPresence PresenceOf(const Host& host, const PresenceView& view);

// New rollouts target connected and disconnected hosts, never stale,
// retired or revoked ones. (A disconnected host that is not stale yet is
// targeted: an agent restarting must not drop out of a rollout submitted
// meanwhile.)
bool IsTargetable(HostPresence p);

// A host a plan's selector matches that is not targeted, and why.
struct ExcludedHost {
  std::string id;
  HostPresence presence = HostPresence::kStale;  // kStale, kRetired, kRevoked
  std::string reason;  // one line: "retired 2025-01-02 10:00 UTC: ..."
};

struct TargetSelection {
  std::vector<TargetHost> targets;     // in host id order
  std::vector<ExcludedHost> excluded;  // in host id order
};

// The hosts whose labels match every pair of the plan's selector
// (SelectTargets), split into those a new rollout may target now and those
// it may not.
TargetSelection SelectTargetsNow(const Plan& plan,
                                 const std::map<std::string, Host>& hosts,
                                 const PresenceView& view);

}  // namespace swell::controller
