#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "controller/plan/plan.h"
#include "controller/rollout/model.h"

namespace swell::controller {

// A host a plan may target, as the scheduler sees it.
struct TargetHost {
  std::string id;
  std::map<std::string, std::string> labels;
};

// The hosts of `fleet` whose labels match every pair of the plan's
// selector, in host id order.
std::vector<TargetHost> SelectTargets(const Plan& plan,
                                      const std::map<std::string, Host>& fleet);

// Orders `targets` and cuts them into waves; returns each wave's host ids.
// Pure and deterministic: the same targets and rollout id give the same
// waves on every run and every replica.
//
// Order: hosts labelled canary=true first, then failure domain by failure
// domain (label `site`, then `rack`), then a stable hash of host id and
// rollout id. Wave sizes are cumulative: [1, 25%, 100%] over 12 hosts
// admits 1, then up to 3 (ceil of 25 %), then all 12. A size that does not
// add a host is dropped, so no wave is empty. Every target lands in exactly
// one wave.
std::vector<std::vector<std::string>> AssignWaves(
    const std::vector<WaveSize>& sizes, std::vector<TargetHost> targets,
    std::string_view rollout_id);

// 64-bit FNV-1a: a hash that is the same on every platform and run.
uint64_t StableHash(std::string_view a, std::string_view b);

}  // namespace swell::controller
