#include "controller/store/postgres_store.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "controller/store/commit_listener.h"
#include "controller/store/pg_errors.h"
#include "controller/store/pg_migrations.h"
#include "controller/store/pg_read.h"
#include "controller/store/pg_write.h"
#include "controller/store/store_values.h"
#include "pqxx/nontransaction"
#include "pqxx/transaction"

namespace swell::controller {
namespace {

// Whole-model reads see one snapshot.
using SnapshotRead = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

constexpr int kMinServerVersion = 140000;  // extract() returns exact numeric

}  // namespace

pqxx::row LockTermForCommit(pqxx::dbtransaction& tx, absl::Duration lease) {
  // The lease is a number of our own: one simple query, as before the
  // timeout was set here. The notification wakes the standbys
  // (CommitListener); it is sent only if this transaction commits.
  return tx.exec1(absl::StrCat(
      "SELECT epoch, leader, set_config("
      "'idle_in_transaction_session_timeout', '",
      absl::ToInt64Milliseconds(lease), "', true), pg_notify('",
      kCommittedChannel, "', '') FROM leadership WHERE id = 1 FOR SHARE"));
}

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Connect(
    std::string conninfo) {
  std::unique_ptr<pqxx::connection> conn;
  SWELL_RETURN_IF_ERROR(
      CatchPqxx("connecting to PostgreSQL", [&]() -> absl::Status {
        conn = std::make_unique<pqxx::connection>(conninfo);
        // Set through libpqxx so that it survives a reconnection.
        conn->set_variable("client_encoding", "'UTF8'");
        if (conn->server_version() < kMinServerVersion) {
          return absl::FailedPreconditionError(
              absl::StrCat("PostgreSQL server version ", conn->server_version(),
                           " is older than 14"));
        }
        pqxx::nontransaction tx(*conn);
        std::string encoding = tx.exec("SHOW server_encoding")[0][0].c_str();
        if (encoding != "UTF8") {
          return absl::FailedPreconditionError(
              absl::StrCat("database encoding is ", encoding, ", not UTF8"));
        }
        return absl::OkStatus();
      }));
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(conn)));
}

absl::Status PostgresStore::Migrate() {
  return CatchPqxx("migrating the schema", [&] {
    ApplyMigrations(*conn_);
    return absl::OkStatus();
  });
}

absl::StatusOr<FleetState> PostgresStore::Load() {
  return CatchPqxx("loading the model", [&]() -> absl::StatusOr<FleetState> {
    SnapshotRead tx(*conn_);
    return ReadFleet(tx);
  });
}

absl::Status PostgresStore::Commit(const Mutation& m) {
  SWELL_RETURN_IF_ERROR(CheckTransmittable(m));
  if (m.empty()) return absl::OkStatus();
  return CatchPqxx("committing", [&] {
    pqxx::work tx(*conn_);
    if (const int64_t epoch = epoch_; epoch != 0) {
      pqxx::row term =
          LockTermForCommit(tx, absl::Milliseconds(lease_ms_.load()));
      if (term[0].as<int64_t>() != epoch) {
        fenced_commits_++;
        absl::Status refused = absl::AbortedError(
            absl::StrCat("fenced: this replica led at epoch ", epoch, "; ",
                         term[1].c_str(), " leads at epoch ",
                         term[0].as<int64_t>(), " (nothing was written)"));
        if (on_fenced_) on_fenced_(refused);
        return refused;
      }
    }
    WriteMutation(tx, m);
    tx.commit();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<VerdictRecord>> PostgresStore::Verdicts(
    std::string_view rollout_id) {
  SWELL_RETURN_IF_ERROR(CheckNoNul("rollout_id", rollout_id));
  return CatchPqxx("reading verdicts",
                   [&]() -> absl::StatusOr<std::vector<VerdictRecord>> {
                     pqxx::read_transaction tx(*conn_);
                     return ReadVerdicts(tx, rollout_id);
                   });
}

absl::StatusOr<std::vector<AuditEvent>> PostgresStore::Audit(
    std::string_view rollout_id, int limit) {
  SWELL_RETURN_IF_ERROR(CheckNoNul("rollout_id", rollout_id));
  if (limit < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit limit ", limit, " is negative"));
  }
  return CatchPqxx("reading audit events",
                   [&]() -> absl::StatusOr<std::vector<AuditEvent>> {
                     pqxx::read_transaction tx(*conn_);
                     return ReadAudit(tx, rollout_id, limit);
                   });
}

}  // namespace swell::controller
