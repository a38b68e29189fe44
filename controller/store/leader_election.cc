#include "controller/store/leader_election.h"

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "controller/store/pg_errors.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "pqxx/transaction"
#include "spdlog/spdlog.h"

namespace swell::controller {

LeaderElection::LeaderElection(std::string conninfo, Options options)
    : conninfo_(std::move(conninfo)), options_(std::move(options)) {}

LeaderElection::~LeaderElection() = default;

absl::Time LeaderElection::since() const {
  std::lock_guard<std::mutex> lock(mu_);
  return since_;
}

void LeaderElection::Connect() {
  conn_ = std::make_unique<pqxx::connection>(conninfo_);
  pqxx::nontransaction tx(*conn_);
  // The lease: a leader that stops speaking loses its session, and so the
  // lock, this long after.
  tx.exec(absl::StrCat("SET idle_session_timeout = ",
                       absl::ToInt64Milliseconds(options_.lease)));
}

void LeaderElection::Rest(const std::atomic<bool>& stop,
                          absl::Duration d) const {
  const absl::Time until = absl::Now() + d;
  while (!stop && absl::Now() < until) {
    absl::SleepFor(std::min(absl::Milliseconds(50), until - absl::Now()));
  }
}

absl::StatusOr<LeaderTerm> LeaderElection::ReadTerm() {
  absl::StatusOr<LeaderTerm> term = CatchPqxx(
      "reading the leadership row", [&]() -> absl::StatusOr<LeaderTerm> {
        if (conn_ == nullptr) Connect();
        pqxx::nontransaction tx(*conn_);
        pqxx::row r = tx.exec1(
            "SELECT epoch, leader, api_address, "
            "(extract(epoch FROM since) * 1000)::bigint "
            "FROM leadership WHERE id = 1");
        return LeaderTerm{r[0].as<int64_t>(), r[1].c_str(), r[2].c_str(),
                          absl::FromUnixMillis(r[3].as<int64_t>())};
      });
  if (term.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    seen_ = *term;
  }
  return term;
}

LeaderTerm LeaderElection::Leader() const {
  if (leading_) {
    std::lock_guard<std::mutex> lock(mu_);
    return {epoch_, options_.replica, options_.api_address, since_};
  }
  std::lock_guard<std::mutex> lock(mu_);
  return seen_;
}

absl::StatusOr<int64_t> LeaderElection::TryAcquire(int64_t expect) {
  return CatchPqxx("taking the leader lock", [&]() -> absl::StatusOr<int64_t> {
    if (conn_ == nullptr) Connect();
    {
      pqxx::nontransaction tx(*conn_);
      if (!tx.exec_params1("SELECT pg_try_advisory_lock($1)", kLeaderLockKey)[0]
               .as<bool>()) {
        return int64_t{0};
      }
    }
    pqxx::work tx(*conn_);
    pqxx::row term = tx.exec1(
        "SELECT epoch, leader FROM leadership WHERE id = 1 FOR UPDATE");
    if (expect > 0 && term[0].as<int64_t>() != expect) {
      tx.abort();
      pqxx::nontransaction(*conn_).exec_params("SELECT pg_advisory_unlock($1)",
                                               kLeaderLockKey);
      return absl::AbortedError(absl::StrCat(term[1].c_str(),
                                             " led meanwhile (epoch ",
                                             term[0].as<int64_t>(), ")"));
    }
    const int64_t epoch =
        tx.exec_params1(
              "UPDATE leadership SET epoch = epoch + 1, leader = $1, "
              "api_address = $2, since = now() WHERE id = 1 RETURNING epoch",
              options_.replica, options_.api_address)[0]
            .as<int64_t>();
    tx.commit();
    return epoch;
  });
}

int64_t LeaderElection::AwaitLeadership(const std::atomic<bool>& stop) {
  std::string reported;  // the leader last logged
  // After the database was away, the leader of before gets a lease to take
  // its lock again first, so that an outage does not move the lead.
  absl::Time db_error = absl::InfinitePast();
  while (!stop) {
    if (absl::Now() - db_error < options_.lease) {
      Rest(stop, options_.retry);
      if (!ReadTerm().ok()) {
        conn_.reset();
        db_error = absl::Now();
      }
      continue;
    }
    absl::StatusOr<int64_t> epoch = TryAcquire(0);
    if (epoch.ok() && *epoch > 0) {
      epoch_ = *epoch;
      leading_ = true;
      {
        std::lock_guard<std::mutex> lock(mu_);
        since_ = absl::Now();
      }
      spdlog::info("replica {} leads (epoch {})", options_.replica, *epoch);
      return *epoch;
    }
    if (!epoch.ok()) {
      conn_.reset();
      db_error = absl::Now();
      spdlog::warn("replica {} cannot try to lead yet: {}", options_.replica,
                   epoch.status().ToString());
    } else if (auto term = ReadTerm(); term.ok() && term->replica != reported) {
      reported = term->replica;
      spdlog::info("replica {} is a standby: {} leads (epoch {})",
                   options_.replica, term->replica, term->epoch);
    }
    Rest(stop, options_.retry);
  }
  return 0;
}

absl::Status LeaderElection::Hold(
    const std::atomic<bool>& stop,
    const std::function<void(int64_t)>& new_epoch) {
  int backend = -1;  // the lock session's server process
  while (!stop) {
    absl::StatusOr<std::pair<int64_t, int>> beat =
        CatchPqxx("keeping the leader lock",
                  [&]() -> absl::StatusOr<std::pair<int64_t, int>> {
                    pqxx::nontransaction tx(*conn_);
                    pqxx::row r = tx.exec1(
                        "SELECT epoch, pg_backend_pid() FROM leadership "
                        "WHERE id = 1");
                    return std::pair{r[0].as<int64_t>(), r[1].as<int>()};
                  });
    if (beat.ok() && backend < 0) backend = beat->second;
    if (beat.ok() && beat->first != epoch_) {
      leading_ = false;
      auto term = ReadTerm();
      return absl::AbortedError(absl::StrCat(
          "deposed: ", term.ok() ? term->replica : "another replica",
          " leads at epoch ", beat->first, ", this replica led at ",
          epoch_.load()));
    }
    // A broken session, or libpq's silent reconnection (another server
    // process), has lost the lock: take it again, for a new term.
    if (!beat.ok() || beat->second != backend) {
      spdlog::warn(
          "replica {} lost its leader lock session ({}); taking it "
          "again",
          options_.replica,
          beat.ok() ? "the connection was re-established"
                    : beat.status().ToString());
      conn_.reset();
      backend = -1;
      while (!stop) {
        absl::StatusOr<int64_t> again = TryAcquire(epoch_);
        if (again.ok() && *again > 0) {
          epoch_ = *again;
          new_epoch(*again);
          spdlog::info("replica {} leads again (epoch {})", options_.replica,
                       *again);
          break;
        }
        if (absl::IsAborted(again.status())) {
          leading_ = false;
          return absl::AbortedError(
              absl::StrCat("deposed: ", again.status().message()));
        }
        if (again.ok()) {  // another session holds the lock
          auto term = ReadTerm();
          if (term.ok() && term->epoch != epoch_) {
            leading_ = false;
            return absl::AbortedError(absl::StrCat(
                "deposed: ", term->replica, " leads at epoch ", term->epoch));
          }
        } else {
          conn_.reset();
        }
        Rest(stop, options_.retry);
      }
      continue;
    }
    Rest(stop, options_.lease / 3);
  }
  return absl::OkStatus();
}

}  // namespace swell::controller
