#pragma once

// One tick's decisions as one pure function: from the model and what the
// tick gathered to the next model, the mutation to commit, the hosts to push
// and which commands were refused. No I/O, no clock, no locks of its own:
// the reconciler gathers the input, calls Decide, commits, pushes and
// answers (docs/architecture.md, "The decision loop").

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/gate/health_reader.h"
#include "controller/gate/promql.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/step_context.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// What a command's decision sees: the model as the tick left it so far
// (earlier commands' changes applied), the generations this tick hands out,
// and where it puts the plans of the rollouts it creates.
struct CommandContext {
  Fleet& fleet;
  GenerationPlan* gens;
  absl::Time now;
  std::map<std::string, Plan>* new_plans;
};

// An operator's request, decided in the tick: the mutation that carries it
// out, or why it is refused (nothing of it is kept).
using CommandDecision =
    std::function<absl::StatusOr<Mutation>(CommandContext&)>;

struct TickInput {
  absl::Time now;
  // Hellos and ends of streams heard since the last tick.
  std::vector<swell::v1::Hello> hellos;
  std::vector<std::string> gone;
  // The operators' requests, in the order they arrived.
  std::vector<CommandDecision> commands;
  // Whether the last_seen of long-connected agents is refreshed this tick
  // (RefreshLastSeen).
  bool refresh_last_seen = false;
  // What agents said, the health they reported and Prometheus' answers:
  // values that nothing changes while Decide runs (the reconciler passes
  // its copies: AgentSnapshot, HealthSnapshotFor, a PromqlReadings copy).
  // `promql` may be null (PromQL gates get no answer).
  const AgentObservations* agents = nullptr;
  const HealthReader* health = nullptr;
  const PromqlReadings* promql = nullptr;
  // How silence is judged (StepContext).
  absl::Duration agent_grace = absl::Seconds(30);
  absl::Duration agent_reconnect = absl::Seconds(5);
  absl::Time started = absl::InfinitePast();
  absl::Time agents_back_by = absl::InfinitePast();
};

struct TickOutput {
  // The model with every decision of the tick applied. It runs ahead of the
  // store until `mutation` is committed; if the commit fails, the model is
  // reloaded.
  Fleet fleet;
  // Everything to commit, compacted (empty: nothing to commit).
  Mutation mutation;
  // Hosts whose desired state to push once committed: those that said
  // hello, and those whose desired generation grew.
  std::set<std::string> push;
  // One per input command, in order: OK when decided (answer once the
  // mutation is committed), else why it was refused (answer at once).
  std::vector<absl::Status> commands;
  int64_t active_rollouts = 0;
};

// The tick's decisions, in order: host records from hellos and ends of
// streams (and refreshed last_seen), the commands, the freeze's expiry,
// then one step of every active rollout. Each part sees the model with the
// parts before it applied. `fleet` is taken by value and returned in the
// output, so that the caller can move its model through without a copy.
TickOutput Decide(Fleet fleet, const TickInput& input);

}  // namespace swell::controller
