#pragma once

// On-call and deployers, at random moments: commands posted to the
// reconciler exactly as controller/service/rollout_service.cc builds them
// (a decide that calls the pure command of controller/rollout/commands.h,
// and a respond), with plans written as YAML and parsed by the real
// parser.

#include <string>
#include <vector>

#include "controller/reconciler.h"

namespace swell::dst {

class World;

class SimOperator {
 public:
  explicit SimOperator(World* world) : world_(world) {}

  // One random command: submit (often of a variable another rollout
  // moves), halt, resume, rollback, freeze or unfreeze.
  void Act();
  // After the faults: lift any freeze and resume what is halted or paused.
  void Calm();

 private:
  void Submit();
  void Halt(const std::string& id);
  void Resume(const std::string& id);
  void Rollback(const std::string& id);
  void Freeze();
  void Unfreeze();
  std::string PlanYaml(int n);
  // Ids of rollouts in the newest published model that are active.
  std::vector<std::string> Active() const;
  void Post(std::string what,
            std::function<absl::StatusOr<controller::Mutation>(
                controller::CommandContext&)>
                decide);

  World* world_;
  int plans_ = 0;
};

}  // namespace swell::dst
