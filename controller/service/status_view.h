#pragma once

// Pure translations of the model into the API's messages.

#include <string>
#include <vector>

#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/host_presence.h"
#include "swell/v1/rollout.pb.h"

namespace swell::controller {

int64_t UnixMillis(absl::Time t);

// Host counts: hosts_failed counts every host that failed at any point
// (RolloutHost::failure), also one rolled back since; hosts_rolled_back
// those back at their previous value.
swell::v1::RolloutSummary Summarize(const RolloutRecord& rec);

// The full status; with `host` set, only that host's detail is listed,
// otherwise every host that failed (at any point) or is not in a settled
// state. A host that failed carries why in `failure`.
swell::v1::RolloutStatus DescribeRollout(
    const RolloutRecord& rec, const std::vector<VerdictRecord>& verdicts,
    const std::vector<AuditEvent>& audit, const std::string& host);

// Every known host with its presence at `now` (connected, disconnected,
// stale after `stale_after`, or retired). A connected host's last seen is
// when its agent was last heard; any other's is its stored last_seen.
swell::v1::HostStatus DescribeHost(const Fleet& fleet, const Host& host,
                                   const AgentObservations& agents,
                                   absl::Time now, absl::Duration stale_after);
swell::v1::ListHostsResponse DescribeHosts(const Fleet& fleet,
                                           const AgentObservations& agents,
                                           absl::Time now,
                                           absl::Duration stale_after);

// `waves` are the plan's waves drawn with `seed` (a nonzero seed, as
// EffectiveWaveSeed returns).
swell::v1::PreviewResponse DescribePreview(
    const Fleet& fleet, const Plan& plan,
    const std::vector<std::vector<std::string>>& waves, uint32_t seed,
    const std::vector<ExcludedHost>& excluded = {});

swell::v1::FreezeStatus DescribeFreeze(const Freeze& freeze);

}  // namespace swell::controller
