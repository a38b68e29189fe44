#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "controller/rollout/model.h"
#include "controller/store/store.h"

namespace swell::controller {

// A Store held in memory, for unit tests. It accepts, rejects and rounds
// exactly what PostgresStore does (see store_values.h), including the
// relations PostgreSQL enforces: a rollout host needs its rollout and host,
// a desired value its host, a verdict its rollout.
//
// A Mutation is applied as mutation.h defines.
//
// Not thread-safe, like every Store.
class MemoryStore final : public Store {
 public:
  MemoryStore() = default;

  absl::Status Migrate() override;
  absl::StatusOr<FleetState> Load() override;
  absl::Status Commit(const Mutation& m) override;
  absl::StatusOr<std::vector<VerdictRecord>> Verdicts(
      std::string_view rollout_id) override;
  absl::StatusOr<std::vector<AuditEvent>> Audit(std::string_view rollout_id,
                                                int limit) override;

  // Makes the next Commit return `status` and change nothing, so that tests
  // can exercise a caller's handling of kUnavailable or kAborted.
  void FailNextCommit(absl::Status status) { next_commit_error_ = status; }

  // Number of Commit calls that succeeded.
  int commits() const { return commits_; }

 private:
  // kInvalidArgument when `m` refers to a rollout or host that neither the
  // store nor `m` itself holds.
  absl::Status CheckRelations(const Mutation& m) const;

  std::map<std::string, Host> hosts_;
  std::map<std::string, std::map<std::string, HostDesired>> desired_;
  std::map<std::string, Rollout> rollouts_;
  // rollout id -> host id -> its row
  std::map<std::string, std::map<std::string, RolloutHost>> rollout_hosts_;
  std::vector<VerdictRecord> verdicts_;  // in commit order
  std::vector<AuditEvent> audit_;        // in commit order
  Freeze freeze_;
  absl::Status next_commit_error_;
  int commits_ = 0;
};

}  // namespace swell::controller
