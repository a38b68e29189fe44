#pragma once

#include <cstdint>
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

// The seed that orders a plan's hosts within each failure domain when the
// submitter names none: a hash of the variable's name and its new value,
// so that `preview` and `submit` of the same change draw the same order
// without being told a seed, and different changes draw different ones.
// Never 0 (0 in a request means "the default").
uint32_t DefaultWaveSeed(const Plan& plan);

// `requested`, or DefaultWaveSeed(plan) when it is 0.
uint32_t EffectiveWaveSeed(const Plan& plan, uint32_t requested);

// Sorts `targets` into admission order: hosts labelled
// <order.canary_label>=true first, then failure domain by failure domain
// (the values of order.domains, in that order; a missing label sorts as
// ""), then a stable hash of host id and `seed`, then host id.
std::vector<TargetHost> OrderTargets(const WaveOrder& order,
                                     std::vector<TargetHost> targets,
                                     uint32_t seed);

// Orders the targets (OrderTargets with plan.order) and cuts them into
// waves; returns each wave's host ids in admission order. Pure and
// deterministic: the same targets, in any input order, and seed give the
// same waves on every run and every replica, whatever rollout they are
// for. Every target lands in exactly one wave and no wave is empty.
//
// Wave sizes come from CumulativeWaveTargets (wave_sizes.h). With
// plan.per_role, for each value of its label among the targets (a missing
// label is the value ""), per wave:
// - the ceiling (max, of that role's targets, at least 1) caps the role's
//   hosts in the wave;
// - the floor (min) gives every role that has hosts left at least that
//   many (or all it has left);
// - conflicts: a ceiling beats a floor; a floor beats the wave's size (the
//   wave grows); a ceiling beats the size (the wave shrinks, and waves are
//   added after the last size until every target is placed). Sizes stay
//   cumulative, so a wave that grew makes the next one smaller.
std::vector<std::vector<std::string>> AssignWaves(
    const Plan& plan, std::vector<TargetHost> targets, uint32_t seed);

// AssignWaves for an explicit list of sizes with the default order and no
// per-role limits.
std::vector<std::vector<std::string>> AssignWaves(
    const std::vector<WaveSize>& sizes, std::vector<TargetHost> targets,
    uint32_t seed);

// 64-bit FNV-1a: a hash that is the same on every platform and run.
uint64_t StableHash(std::string_view a, std::string_view b);

}  // namespace swell::controller
