#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/rollout/model.h"
#include "controller/store/store.h"
#include "pqxx/connection"
#include "pqxx/dbtransaction"
#include "pqxx/row"

namespace swell::controller {

// The leadership row (epoch, leader), locked FOR SHARE for the rest of `tx`
// so that a new term waits for it; `tx` is ended by the server if it stays
// idle longer than `lease`. What a fenced commit reads first.
pqxx::row LockTermForCommit(pqxx::dbtransaction& tx, absl::Duration lease);

// The Store in PostgreSQL (14 or newer, database encoding UTF8), through one
// libpqxx connection. After a lost connection, the next call reconnects.
//
// What it stores, and how values round-trip, is described in store_values.h:
// times to the microsecond, text as UTF-8 without NUL bytes. Verdict
// evidence is kept as jsonb and so comes back as an equivalent JSON
// document, normalized by PostgreSQL (key order, spacing), not byte for
// byte.
//
// Within one Mutation, a later entry with the same key replaces an earlier
// one, and desired_removed applies after desired. A rollout host needs its
// rollout and host, a desired value its host, a verdict its rollout; each
// may come in the same Mutation.
//
// Not thread-safe, like every Store.
class PostgresStore final : public Store {
 public:
  // Connects to `conninfo` (libpq "key=value ..." or URI form).
  // kUnavailable when the server cannot be reached, kFailedPrecondition
  // when it is older than 14 or its database is not UTF8.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PostgresStore>> Connect(
      std::string conninfo);

  absl::Status Migrate() override;
  absl::StatusOr<FleetState> Load() override;
  absl::Status Commit(const Mutation& m) override;
  absl::StatusOr<std::vector<VerdictRecord>> Verdicts(
      std::string_view rollout_id) override;
  absl::StatusOr<std::vector<AuditEvent>> Audit(std::string_view rollout_id,
                                                int limit) override;

  // Fencing: from now on every Commit first reads the leadership row (FOR
  // SHARE, so a new term waits for it) and is refused with kAborted "fenced:
  // ..." unless its epoch is still `epoch`. A commit's transaction left idle
  // longer than `lease` (its leader paused mid-commit) is ended by the
  // server, so that it cannot hold the next term up. Thread-safe; epoch 0:
  // no check.
  void FenceWith(int64_t epoch, absl::Duration lease) {
    lease_ms_ = absl::ToInt64Milliseconds(lease);
    epoch_ = epoch;
  }
  // Called on the committing thread with each refusal, before Commit
  // returns it: a replica that sees a newer term stops deciding at once.
  // Set before the first Commit.
  void OnFenced(std::function<void(const absl::Status&)> f) {
    on_fenced_ = std::move(f);
  }
  // Commits refused by the check.
  uint64_t fenced_commits() const { return fenced_commits_; }

 private:
  explicit PostgresStore(std::unique_ptr<pqxx::connection> conn)
      : conn_(std::move(conn)) {}

  std::unique_ptr<pqxx::connection> conn_;
  std::atomic<int64_t> epoch_{0};
  std::atomic<int64_t> lease_ms_{0};
  std::function<void(const absl::Status&)> on_fenced_;
  std::atomic<uint64_t> fenced_commits_{0};
};

}  // namespace swell::controller
