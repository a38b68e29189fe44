#pragma once

#include <string_view>
#include <vector>

#include "controller/store/memory_store.h"
#include "controller/store/store.h"

namespace swell::dst {

// The store, able to take the controller down right after a commit
// succeeds, before the tick pushes anything: the pushes of that tick are
// lost, as they would be in a crash between commit and push.
class CrashingStore final : public controller::Store {
 public:
  explicit CrashingStore(controller::MemoryStore* inner) : inner_(inner) {}
  absl::Status Migrate() override { return inner_->Migrate(); }
  absl::StatusOr<controller::FleetState> Load() override {
    return inner_->Load();
  }
  absl::Status Commit(const controller::Mutation& m) override {
    absl::Status s = inner_->Commit(m);
    if (s.ok() && armed) crashed = true;
    return s;
  }
  absl::StatusOr<std::vector<controller::VerdictRecord>> Verdicts(
      std::string_view rollout_id) override {
    return inner_->Verdicts(rollout_id);
  }
  absl::StatusOr<std::vector<controller::AuditEvent>> Audit(
      std::string_view rollout_id, int limit) override {
    return inner_->Audit(rollout_id, limit);
  }

  bool armed = false;    // crash after the next successful commit
  bool crashed = false;  // it did: nothing more leaves the controller

 private:
  controller::MemoryStore* inner_;
};

}  // namespace swell::dst
