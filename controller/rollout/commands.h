#pragma once

// What on-call and deployers can ask of rollouts, as pure functions from
// the model to the mutation that carries the request out. Each returns the
// status code that tells the caller what to do: kInvalidArgument for bad
// input, kFailedPrecondition when the state forbids it (frozen fleet,
// conflicting rollout, finished rollout), kNotFound for an unknown id.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/host_presence.h"
#include "controller/rollout/step_context.h"

namespace swell::controller {

struct Request {
  std::string actor;
  std::string reason;
  absl::Time now;
};

// Creates rollout `id` from a validated plan: selects its targets among the
// known hosts, freezes their waves, and records the submit in the audit.
// `policy` is the policy `plan` was resolved against (nullptr when it names
// none); its text is kept with the rollout, so that the rollout keeps it
// whatever later happens to the policy's file. A `policy` that is not the
// one `plan` names is a caller's bug: kInternal, nothing stored.
// The hosts are ordered with `seed` (0: the plan's DefaultWaveSeed), which
// is stored with the rollout: PreviewWaves with the same seed and fleet
// names the same waves.
// Only hosts `presence` deems targetable are targeted (SelectTargetsNow:
// never a retired or stale host); kFailedPrecondition when none is.
absl::StatusOr<Mutation> SubmitRollout(
    const Fleet& fleet, const Plan& plan, const Policy* policy,
    const std::string& plan_yaml, const std::string& plan_file,
    const std::string& id, const Request& req, GenerationPlan* gens,
    uint32_t seed = 0, const PresenceView& presence = {});

// The waves a plan would get if it were submitted now with `seed` (0: the
// plan's default) and `presence`. Nothing is stored.
absl::StatusOr<std::vector<std::vector<std::string>>> PreviewWaves(
    const Fleet& fleet, const Plan& plan, uint32_t seed,
    const PresenceView& presence = {});

absl::StatusOr<Mutation> HaltRollout(const Fleet& fleet, const std::string& id,
                                     const Request& req);
absl::StatusOr<Mutation> ResumeRollout(Fleet& fleet, const std::string& id,
                                       const Request& req);
absl::StatusOr<Mutation> RollbackRollout(const Fleet& fleet,
                                         const std::string& id,
                                         const Request& req,
                                         GenerationPlan* gens);

// Halts every running rollout and refuses submits and resumes until lifted
// or `expires`. Freezing a frozen fleet replaces its reason.
absl::StatusOr<Mutation> FreezeFleet(const Fleet& fleet, const Request& req,
                                     absl::Time expires);
absl::StatusOr<Mutation> UnfreezeFleet(const Fleet& fleet, const Request& req);

}  // namespace swell::controller
