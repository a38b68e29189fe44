#include "tests/dst/invariants.h"

#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/rollout/domain_budget.h"
#include "controller/rollout/wave_sizes.h"

namespace swell::dst {
namespace {

using controller::Fleet;
using controller::HostState;
using controller::RolloutHost;
using controller::RolloutRecord;
using controller::RolloutState;

const RolloutRecord* Find(const Fleet* fleet, const std::string& id) {
  if (fleet == nullptr) return nullptr;
  auto it = fleet->rollouts.find(id);
  return it == fleet->rollouts.end() ? nullptr : &it->second;
}

// A host's row before the step; a host of a rollout new this step was
// waiting.
RolloutHost Before(const RolloutRecord* before, const std::string& host) {
  if (before != nullptr) {
    auto it = before->hosts.find(host);
    if (it != before->hosts.end()) return it->second;
  }
  return RolloutHost{};
}

std::optional<swell::v1::Value> DesiredOf(const Fleet& fleet,
                                          const std::string& host,
                                          const std::string& var) {
  auto d = fleet.desired.find(host);
  if (d == fleet.desired.end()) return std::nullopt;
  auto v = d->second.find(var);
  if (v == d->second.end()) return std::nullopt;
  return v->second.value;
}

bool Admitting(HostState s) {
  return s == HostState::kAdmitting || s == HostState::kApplying;
}

// Whether the step moved a host further into admission: its wave came
// (waiting -> admitting or applying), or its desired value was set
// (admitting -> applying).
bool Entered(HostState before, HostState after) {
  return (before == HostState::kWaiting && Admitting(after)) ||
         (before == HostState::kAdmitting && after == HostState::kApplying);
}

}  // namespace

std::optional<std::string> InvariantChecker::OnPush(
    const std::string& host, const swell::v1::DesiredState& state) {
  std::string content;
  (void)state.SerializePartialToString(&content);
  auto [it, fresh] = pushed_.try_emplace(host);
  Pushed& last = it->second;
  if (!fresh && state.generation() < last.generation) {
    return absl::StrCat("invariant 6 (generations only grow): pushed ", host,
                        " generation ", state.generation(), " after ",
                        last.generation);
  }
  if (!fresh && state.generation() == last.generation &&
      content != last.content) {
    return absl::StrCat("invariant 6 (one generation, one content): pushed ",
                        host, " generation ", state.generation(),
                        " twice with different variables");
  }
  last = Pushed{state.generation(), std::move(content)};
  return std::nullopt;
}

std::optional<std::string> InvariantChecker::AfterStep(
    const Fleet* prev, const Fleet& cur, const StepFacts& facts,
    const controller::AgentObservations& agents) {
  if (Error e = CheckGenerations(prev, cur)) return e;
  if (Error e = CheckExclusive(cur)) return e;
  std::set<std::string> admitted;  // hosts that left kWaiting this step
  for (const auto& [id, rec] : cur.rollouts) {
    if (Error e = CheckRollout(prev, cur, rec, facts, agents)) return e;
    const RolloutRecord* before = Find(prev, id);
    for (const auto& [host, h] : rec.hosts) {
      if (Before(before, host).state == HostState::kWaiting &&
          Admitting(h.state)) {
        admitted.insert(host);
      }
    }
  }
  return CheckBudget(prev, cur, admitted);
}

InvariantChecker::Error InvariantChecker::CheckGenerations(const Fleet* prev,
                                                           const Fleet& cur) {
  if (prev == nullptr) return std::nullopt;
  for (const auto& [id, h] : prev->hosts) {
    auto it = cur.hosts.find(id);
    if (it == cur.hosts.end()) {
      return absl::StrCat("invariant 6: host ", id, " vanished from the store");
    }
    if (it->second.desired_generation < h.desired_generation) {
      return absl::StrCat("invariant 6 (generations only grow): ", id,
                          " went from generation ", h.desired_generation,
                          " to ", it->second.desired_generation,
                          " in the store");
    }
  }
  return std::nullopt;
}

InvariantChecker::Error InvariantChecker::CheckExclusive(const Fleet& cur) {
  std::map<std::pair<std::string, std::string>, std::string> mover;
  for (const auto& [id, rec] : cur.rollouts) {
    if (!controller::IsActive(rec.rollout)) continue;
    for (const auto& [host, h] : rec.hosts) {
      if (h.state == HostState::kSkipped) continue;
      auto [it, fresh] = mover.try_emplace({host, rec.rollout.variable}, id);
      if (!fresh) {
        return absl::StrCat(
            "invariant 1 (one mover per variable and host): ", it->second,
            " and ", id, " both move ", rec.rollout.variable, " on ", host);
      }
    }
  }
  return std::nullopt;
}

InvariantChecker::Error InvariantChecker::CheckRollout(
    const Fleet* prev, const Fleet& cur, const RolloutRecord& rec,
    const StepFacts& facts, const controller::AgentObservations& agents) {
  const std::string& id = rec.rollout.id;
  const RolloutRecord* before = Find(prev, id);
  if (before == nullptr) {
    if (Error e = CheckNewRollout(prev, cur, rec)) return e;
  }
  Record& record = records_[id];
  const RolloutState was =
      before != nullptr ? before->rollout.state : RolloutState::kRunning;
  const bool may_admit =
      (was == RolloutState::kRunning || facts.resumed.count(id)) &&
      rec.rollout.state != RolloutState::kHalted && !cur.freeze.active;
  for (const auto& [host, h] : rec.hosts) {
    const RolloutHost b = Before(before, host);
    if (Entered(b.state, h.state)) {
      if (!may_admit) {
        return absl::StrCat(
            "invariant 5 (nothing admitted while frozen or halted): ", id,
            " admitted ", host, " (rollout was ",
            std::string(controller::RolloutStateName(was)), ", is ",
            std::string(controller::RolloutStateName(rec.rollout.state)),
            cur.freeze.active ? ", fleet frozen" : "", ")");
      }
      if (h.wave != rec.rollout.current_wave) {
        return absl::StrCat("invariant 2 (waves in order): ", id, " admitted ",
                            host, " of wave ", h.wave + 1, " during wave ",
                            rec.rollout.current_wave + 1);
      }
    }
    if (!b.previous_known && h.previous_known) {
      if (record.previous.count(host)) {
        return absl::StrCat("invariant 2 (no host admitted twice): ", id,
                            " admitted ", host, " again");
      }
      std::optional<swell::v1::Value> value =
          prev != nullptr ? DesiredOf(*prev, host, rec.rollout.variable)
                          : std::nullopt;
      if (!value) value = agents.Actual(host, rec.rollout.variable);
      record.previous[host] = value.value_or(swell::v1::Value());
    } else if (b.previous_known && h.state == HostState::kApplying &&
               b.state != HostState::kApplying) {
      return absl::StrCat("invariant 2 (no host admitted twice): ", id,
                          " moved ", host, " from ",
                          std::string(controller::HostStateName(b.state)),
                          " back to applying");
    }
  }
  if (before != nullptr &&
      rec.rollout.current_wave != before->rollout.current_wave) {
    if (Error e = CheckWaveAdvance(before, rec, facts)) return e;
  }
  if (rec.rollout.state == RolloutState::kRolledBack && !record.finished) {
    if (Error e = CheckRolledBack(cur, rec)) return e;
  }
  if (controller::IsTerminal(rec.rollout.state) && !record.finished) {
    record.finished = true;
    outcomes_[std::string(
        std::string(controller::RolloutStateName(rec.rollout.state)))]++;
  }
  return std::nullopt;
}

}  // namespace swell::dst
