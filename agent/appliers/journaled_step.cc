#include "agent/appliers/journaled_step.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swell::agent {

ApplyOutcome SupersededBefore(absl::string_view next_step,
                              std::string transcript) {
  ApplyOutcome out = ApplyOutcome::Fail(
      absl::StrCat("stopped before step ", next_step), std::move(transcript));
  out.superseded = true;
  return out;
}

std::optional<ApplyOutcome> RunJournaledStep(ApplyContext& ctx,
                                             absl::string_view step,
                                             std::string* transcript,
                                             absl::FunctionRef<StepRun()> run) {
  if (ctx.steps->Done(step).has_value()) {
    absl::StrAppend(transcript, "# ", step,
                    ": finished before the agent restarted\n");
    return std::nullopt;
  }
  if (ctx.superseded()) return SupersededBefore(step, *transcript);
  StepRun result = run();
  if (result.cancelled || (!result.ok && ctx.Cancelled())) {
    ApplyOutcome out = ApplyOutcome::Fail(
        absl::StrCat(step, " cancelled: ", result.message), *transcript);
    out.cancelled = true;
    return out;
  }
  if (!result.ok) {
    return ApplyOutcome::Fail(absl::StrCat(step, " failed: ", result.message),
                              *transcript);
  }
  if (absl::Status s = ctx.steps->Record(step, result.status); !s.ok()) {
    return ApplyOutcome::Fail(
        absl::StrCat("cannot journal step ", step, ": ", s.message()),
        *transcript);
  }
  return std::nullopt;
}

}  // namespace swell::agent
