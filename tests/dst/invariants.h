#pragma once

// The properties every step of the simulation must keep (issue 9), checked
// from the outside: the model the reconciler published after its commit
// (what the store holds), the desired states it pushed, and the sim's own
// record of what each host's value was when a rollout admitted it.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/fleet.h"
#include "swell/v1/types.pb.h"

namespace swell::dst {

// What the sim knows about one step besides the model.
struct StepFacts {
  absl::Time now;
  std::set<std::string> resumed;  // rollouts an operator resumed this tick
};

class InvariantChecker {
 public:
  // A desired state the controller pushed to `host`: generations pushed to
  // a host never go down, and one generation always carries one content
  // (invariant 6). Returns the violation, if any.
  std::optional<std::string> OnPush(const std::string& host,
                                    const swell::v1::DesiredState& state);

  // After a step: `prev` is the model before it (null before the first
  // load), `cur` after; `agents` what the controller had heard at the tick
  // (the step reads it and does not change it).
  std::optional<std::string> AfterStep(
      const controller::Fleet* prev, const controller::Fleet& cur,
      const StepFacts& facts, const controller::AgentObservations& agents);

  // Invariant 7, at the end of the calm phase: every rollout is terminal.
  std::optional<std::string> Unfinished(const controller::Fleet& cur) const;

  // Rollouts that reached a terminal state, by state name.
  const std::map<std::string, int>& outcomes() const { return outcomes_; }

 private:
  // The sim's record of one rollout.
  struct Record {
    // Admitted host -> its value just before admission: what the store
    // enforced there, else what its agent had reported.
    std::map<std::string, swell::v1::Value> previous;
    // Target host -> what the store enforced for the variable at submit.
    std::map<std::string, std::optional<swell::v1::Value>> before;
    bool finished = false;
  };
  using Error = std::optional<std::string>;

  Error CheckRollout(const controller::Fleet* prev,
                     const controller::Fleet& cur,
                     const controller::RolloutRecord& rec,
                     const StepFacts& facts,
                     const controller::AgentObservations& agents);
  Error CheckNewRollout(const controller::Fleet* prev,
                        const controller::Fleet& cur,
                        const controller::RolloutRecord& rec);
  Error CheckWaveAdvance(const controller::RolloutRecord* before,
                         const controller::RolloutRecord& rec,
                         const StepFacts& facts) const;
  Error CheckRolledBack(const controller::Fleet& cur,
                        const controller::RolloutRecord& rec);
  Error CheckBudget(const controller::Fleet* prev, const controller::Fleet& cur,
                    const std::set<std::string>& admitted) const;
  static Error CheckExclusive(const controller::Fleet& cur);
  static Error CheckGenerations(const controller::Fleet* prev,
                                const controller::Fleet& cur);

  std::map<std::string, Record> records_;
  struct Pushed {
    int64_t generation = 0;
    std::string content;
  };
  std::map<std::string, Pushed> pushed_;
  std::map<std::string, int> outcomes_;
};

}  // namespace swell::dst
