#include "controller/rollout/promql_targets.h"

#include "controller/rollout/gate_input.h"

namespace swell::controller {

std::vector<PromqlTarget> PromqlTargetsFor(const Fleet& fleet) {
  std::vector<PromqlTarget> out;
  for (const auto& [id, rec] : fleet.rollouts) {
    if (rec.rollout.state != RolloutState::kRunning) continue;
    for (const GateSpec& g : rec.plan.gates) {
      if (g.kind != GateKind::kPromql) continue;
      out.push_back(PromqlTarget{
          PromqlKey(id, g.name), g.promql.url, PromqlQueryFor(g, id, rec.hosts),
          g.promql.interval, g.promql.ca_file, g.promql.bearer_token_file});
    }
  }
  return out;
}

}  // namespace swell::controller
