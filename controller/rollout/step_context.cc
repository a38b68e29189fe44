#include "controller/rollout/step_context.h"

namespace swell::controller {

int64_t GenerationPlan::Touch(const std::string& host) {
  auto it = touched_.find(host);
  if (it != touched_.end()) return it->second;
  int64_t current = 0;
  auto h = fleet_->hosts.find(host);
  if (h != fleet_->hosts.end()) current = h->second.desired_generation;
  touched_[host] = current + 1;
  return current + 1;
}

}  // namespace swell::controller
