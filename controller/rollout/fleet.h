#pragma once

#include <map>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "controller/gate/gate_evaluator.h"
#include "controller/plan/plan.h"
#include "controller/plan/policy.h"
#include "controller/rollout/model.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// Gate bookkeeping that lives in memory only: consecutive breaches, and
// which verdicts were already recorded (so a verdict is stored when it
// matters, not on every tick).
struct GateMemory {
  std::map<std::string, int> breaches;  // gate name -> consecutive breaches
  // Gate name -> GateVerdict::data_at of the last breach counted.
  std::map<std::string, absl::Time> breach_data;
  std::set<std::string> recorded;  // "<wave>/<gate>/<result>"
};

// One rollout with its parsed plan and its hosts keyed by host id.
struct RolloutRecord {
  Rollout rollout;
  Plan plan;
  std::map<std::string, RolloutHost> hosts;
  GateMemory gates;
};

// The reconciler's in-memory model: FleetState indexed for its decisions.
struct Fleet {
  std::map<std::string, Host> hosts;
  std::map<std::string, std::map<std::string, HostDesired>> desired;
  std::map<std::string, RolloutRecord> rollouts;
  Freeze freeze;
};

// Indexes a loaded state and parses every rollout's plan. A plan that names
// a policy is resolved against the policy stored with its rollout
// (Rollout::policy_yaml), so that editing or removing a policy file never
// changes a submitted rollout; a rollout stored without one (before policies
// were kept) is resolved against `policies`. kDataLoss, naming the rollout,
// when a stored plan or policy no longer parses (the store was edited by
// hand, or an old rollout's policy is no longer loaded).
absl::StatusOr<Fleet> BuildFleet(FleetState state);
absl::StatusOr<Fleet> BuildFleet(FleetState state, const PolicySet& policies);

// Applies a committed (or about to be committed) mutation to the model, as
// the stores do (mutation.h). `plans` supplies the parsed plan of rollouts
// that are new in `m`; a rollout host of an unknown rollout is ignored.
void ApplyMutation(const Mutation& m, const std::map<std::string, Plan>& plans,
                   Fleet* fleet);

// True while a rollout may still change hosts (not succeeded/rolled back).
bool IsActive(const Rollout& r);

// The whole desired state of `host`: every enforced value, plus an
// observe-only entry for each variable an active rollout will move on it
// but has not yet (so that its agent reports the current value, which
// becomes the host's recorded previous value at admission).
swell::v1::DesiredState DesiredStateFor(const Fleet& fleet,
                                        const std::string& host);

}  // namespace swell::controller
