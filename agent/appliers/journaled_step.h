#pragma once

#include <optional>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "agent/appliers/applier.h"
#include "agent/appliers/step_command.h"

namespace swell::agent {

// One step of a multi-step apply, run at most once per apply:
// - already recorded in ctx.steps (an interrupted attempt finished it):
//   skipped;
// - ctx superseded: not started; the outcome says superseded;
// - otherwise `run` runs; on success the step is recorded with `run`'s
//   status as its detail, and a failure to record it stops the apply.
// Returns nullopt when the apply goes on, else the outcome to return (the
// failure message is "<step> failed: <run's message>"). `transcript`
// collects every command's exit, duration and output.
std::optional<ApplyOutcome> RunJournaledStep(ApplyContext& ctx,
                                             absl::string_view step,
                                             std::string* transcript,
                                             absl::FunctionRef<StepRun()> run);

// The outcome of an apply that stopped before `next_step` because a newer
// desired state changed the variable.
ApplyOutcome SupersededBefore(absl::string_view next_step,
                              std::string transcript);

}  // namespace swell::agent
