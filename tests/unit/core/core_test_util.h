#pragma once

// Small builders for model values in core tests. Aggregate initialisation
// would leave fields unnamed, which -Wmissing-field-initializers rejects.

#include <map>
#include <string>

#include "controller/rollout/model.h"

namespace swell::controller::fixtures {

// A plan that moves app-config on every host in one wave, baking 4 s.
inline constexpr char kWholeFleetPlan[] = R"(name: app-workers
change:
  variable: app-config
  kind: file
  path: /etc/app/app.conf
  content: "workers = 4\n"
target:
  selector: {}
strategy:
  waves: [100%]
  bake: 4s
on_failure: rollback
)";

inline Host MakeHost(std::string id,
                     std::map<std::string, std::string> labels) {
  Host h;
  h.id = std::move(id);
  h.labels = std::move(labels);
  return h;
}

inline RolloutHost MakeRolloutHost(std::string rollout, std::string host,
                                   HostState state) {
  RolloutHost h;
  h.rollout_id = std::move(rollout);
  h.host_id = std::move(host);
  h.state = state;
  return h;
}

}  // namespace swell::controller::fixtures
