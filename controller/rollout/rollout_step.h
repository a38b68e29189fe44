#pragma once

#include <string>

#include "absl/time/time.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/step_context.h"

namespace swell::controller {

// Decides the next step of one rollout: admissions, convergence, gate
// verdicts, advancing, finishing and rolling back. Pure except for the
// rollout's in-memory GateMemory, which it updates. Every change goes into
// `out`; hosts whose desired state changes are touched in `gens`.
void StepRollout(RolloutRecord& rec, const StepContext& ctx,
                 GenerationPlan* gens, Mutation* out);

// Starts returning every admitted host of `rec` to its previous value.
// Used by the step (a failed gate) and by the rollback command.
void StartRollback(const RolloutRecord& rec, const std::string& reason,
                   absl::Time now, GenerationPlan* gens, Mutation* out);

}  // namespace swell::controller
