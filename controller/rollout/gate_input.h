#pragma once

#include <map>
#include <string>

#include "absl/time/time.h"
#include "controller/gate/gate_evaluator.h"
#include "controller/gate/health_reader.h"
#include "controller/gate/health_snapshot.h"
#include "controller/gate/health_window.h"
#include "controller/rollout/fleet.h"
#include "controller/rollout/model.h"

namespace swell::controller {

// What gate `gate` looks at in a rollout whose hosts are `hosts`:
// - every gate: the admitted and the failed hosts;
// - threshold gates: each converged host's newest sample taken since it
//   converged;
// - baseline gates: every good sample since `phase_started` (the bake's
//   start, once baking) of converged hosts (taken since they converged)
//   and of waiting hosts, with each one's value of the gate's role label
//   from `fleet_hosts`.
// Samples whose collector failed are never values.
GateInput GateInputFor(const GateSpec& gate,
                       const std::map<std::string, RolloutHost>& hosts,
                       const std::map<std::string, Host>& fleet_hosts,
                       const HealthReader& health, absl::Time phase_started);

// The metrics that the gates of `fleet`'s active rollouts read from the
// health window (threshold, fraction and baseline gates): what the tick's
// HealthSnapshot holds. A rollout submitted in the tick is not in `fleet`
// yet; none of its hosts can have converged, so its gates have no sample
// to read before the next tick.
HealthSnapshot::MetricSet GatedMetrics(const Fleet& fleet);

// A PromQL gate's query for a rollout whose hosts are `hosts`: `{{hosts}}`
// stands for the hosts admitted so far (applying, converged or failed).
std::string PromqlQueryFor(const GateSpec& gate, const std::string& rollout_id,
                           const std::map<std::string, RolloutHost>& hosts);

// How old a PromQL answer may be before the gate stops trusting it: three
// missed polls, plus the poller's timeout.
absl::Duration PromqlStaleAfter(const GateSpec& gate);

// Fills `in`'s PromQL fields: the query as it stands now, and the newest
// reading in `readings` (may be null: none) if it answers that query, was
// taken at or after `phase_started` and is not stale at `now`.
void AddPromqlInput(const GateSpec& gate, const std::string& rollout_id,
                    const std::map<std::string, RolloutHost>& hosts,
                    const PromqlReadings* readings, absl::Time phase_started,
                    absl::Time now, GateInput* in);

}  // namespace swell::controller
