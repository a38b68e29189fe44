#pragma once

#include <map>
#include <string>
#include <vector>

#include "controller/rollout/fleet.h"
#include "controller/rollout/step_context.h"

namespace swell::controller {

// What one evaluation of all of a rollout's gates concluded.
struct GateRoundResult {
  // The summary of the first acting gate that failed for real (not dry run,
  // enough consecutive breaches), or "" when none did.
  std::string failure;
  bool all_pass = true;      // every acting gate passed
  std::string inconclusive;  // the first acting inconclusive gate's summary
  // Some gate lacks samples from agents that are away (reconnecting, or
  // every agent right after a controller start), or a converged host's
  // first health report since converging: no verdict yet.
  bool awaiting_agents = false;
  std::vector<VerdictRecord> verdicts;  // those worth storing
};

// Evaluates every gate of `rec`'s plan, plus `failed_hosts <= 0` when the
// plan has no failed-hosts gate, over `hosts` (the step's current view).
// Counts consecutive breaches in `rec.gates` (one per new sample) and
// stores a verdict when it decides something: a failure, a dry-run
// failure, or any verdict at the end of a bake (`final`).
GateRoundResult EvaluateGateRound(
    RolloutRecord& rec, const Rollout& rollout,
    const std::map<std::string, RolloutHost>& hosts, const StepContext& ctx,
    bool final);

}  // namespace swell::controller
