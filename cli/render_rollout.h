#pragma once

// Text views of rollouts for `list` and `status`. Pure: `now` is passed in.
// Wave indexes are 0-based in the API and shown 1-based to people.

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "swell/v1/rollout.pb.h"

namespace swell::cli {

// A rollout state as the API spells it ("rolled_back"), normalised so that
// "Rolled-Back" or "rolled back" compare equal to it.
std::string NormalizedState(absl::string_view state);

// "2/4 baking" while running; "4/4" once it has stopped or ended; "-" for a
// rollout without waves.
std::string WaveCell(const v1::RolloutSummary& s);

// "12/14/20" (converged/admitted/total), then ", 1 failed" when any failed
// (at any point) and ", 6 rolled back" when any is back at its previous
// value.
std::string HostsCell(const v1::RolloutSummary& s);

// The `list` table: ID NAME VARIABLE STATE WAVE HOSTS AGE.
std::string RenderRolloutTable(const v1::ListRolloutsResponse& list,
                               absl::Time now);

// The `status` view: summary, one row per wave, gate verdicts in words,
// failed hosts with their messages, and the most recent audit events.
// The hosts line counts a host that failed as failed also after a rollback
// returned it ("1 failed, then all 6 rolled back"), and the failed hosts
// list each one with its state now and why it failed.
std::string RenderRolloutStatus(const v1::RolloutStatus& status,
                                absl::Time now);

// One host of a rollout for `status --host`: its wave, state, message and
// output tail. Returns "" when `host_id` is not among `status.hosts()`.
std::string RenderRolloutHost(const v1::RolloutStatus& status,
                              absl::string_view host_id);

}  // namespace swell::cli
