#pragma once

#include <vector>

#include "controller/gate/promql.h"
#include "controller/rollout/fleet.h"

namespace swell::controller {

// The PromQL queries the controller should be asking now: one for each
// PromQL gate of every running rollout, with its
// placeholders expanded for the rollout's current hosts (PromqlQueryFor).
// Paused, halted and finished rollouts evaluate no gates, so they ask
// nothing.
std::vector<PromqlTarget> PromqlTargetsFor(const Fleet& fleet);

}  // namespace swell::controller
