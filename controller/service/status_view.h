#pragma once

// Pure translations of the model into the API's messages.

#include <string>
#include <vector>

#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"
#include "swell/v1/rollout.pb.h"

namespace swell::controller {

int64_t UnixMillis(absl::Time t);

swell::v1::RolloutSummary Summarize(const RolloutRecord& rec);

// The full status; with `host` set, only that host's detail is listed,
// otherwise every host that is failed or not in a settled state.
swell::v1::RolloutStatus DescribeRollout(
    const RolloutRecord& rec, const std::vector<VerdictRecord>& verdicts,
    const std::vector<AuditEvent>& audit, const std::string& host);

swell::v1::ListHostsResponse DescribeHosts(const Fleet& fleet,
                                           const AgentObservations& agents);

// `waves` are the plan's waves drawn with `seed` (a nonzero seed, as
// EffectiveWaveSeed returns).
swell::v1::PreviewResponse DescribePreview(
    const Fleet& fleet, const Plan& plan,
    const std::vector<std::vector<std::string>>& waves, uint32_t seed);

swell::v1::FreezeStatus DescribeFreeze(const Freeze& freeze);

}  // namespace swell::controller
