#pragma once

// Which of several swell-controller replicas against one PostgreSQL decides
// (DESIGN "Growing past one controller"). The leader holds a session-level
// advisory lock on a connection of its own, and each term takes a new epoch
// from the leadership row in the transaction that names the new leader.
//
// - The lock session has idle_session_timeout = the lease, and the leader
//   speaks on it every lease/3: a leader that stops (crash, SIGSTOP, lost
//   network) loses the lock within the lease, and a standby takes it.
// - Safety does not rest on the lock: every commit of the leader checks its
//   epoch inside its own transaction (PostgresStore::FenceWith), so a
//   deposed leader's late write is refused, never merged.
// - A leader whose lock session breaks (the database restarted) takes the
//   lock again; when no other replica led meanwhile it goes on with a new
//   epoch, otherwise it is deposed. A standby that could not reach the
//   database waits a lease after it can again before it tries, so that the
//   leader of before, if alive, leads on.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "pqxx/connection"

namespace swell::controller {

// The advisory lock's key: "SWELLLEA".
inline constexpr long long kLeaderLockKey = 0x5357454c4c4c4541;

// One term of leadership, as the leadership row records it.
struct LeaderTerm {
  int64_t epoch = 0;
  std::string replica;      // "" before any replica led
  std::string api_address;  // its --api_listen, where swellctl reaches it
  absl::Time since = absl::InfinitePast();
};

class LeaderElection {
 public:
  struct Options {
    std::string replica;  // this replica's name, as logs and metrics show it
    // How long a silent leader keeps the lock (the lock session's
    // idle_session_timeout), hence about the longest failover.
    absl::Duration lease = absl::Seconds(10);
    absl::Duration retry = absl::Seconds(1);  // between attempts to lead
    // Where swellctl reaches this replica (--api_listen); standbys name it
    // when they refuse a change.
    std::string api_address = "";
  };

  LeaderElection(std::string conninfo, Options options);
  ~LeaderElection();

  // Blocks until this replica leads, and returns its epoch; 0 once `stop`
  // is set. Database errors are logged and retried.
  int64_t AwaitLeadership(const std::atomic<bool>& stop);

  // Keeps leading until `stop` is set (OK) or another replica leads
  // (kAborted saying which, at which epoch). After a broken lock session,
  // calls `new_epoch` with the epoch of the term it took again.
  absl::Status Hold(const std::atomic<bool>& stop,
                    const std::function<void(int64_t)>& new_epoch);

  // Thread-safe, for /metrics and logs.
  bool leading() const { return leading_; }
  int64_t epoch() const { return epoch_; }
  absl::Time since() const;
  const std::string& replica() const { return options_.replica; }
  // The newest term this replica knows of: its own while it leads; while
  // it waits, the leader's as last read (once a retry, about a second).
  LeaderTerm Leader() const;

 private:
  // One attempt: the lock, then a new epoch. The new epoch; 0 when another
  // session holds the lock; kAborted when `expect` > 0 and the row's epoch
  // moved past it (another replica led since).
  absl::StatusOr<int64_t> TryAcquire(int64_t expect);
  // The row's term, on the lock session (or a new one); remembered for
  // Leader().
  absl::StatusOr<LeaderTerm> ReadTerm();
  void Connect();
  void Rest(const std::atomic<bool>& stop, absl::Duration d) const;

  const std::string conninfo_;
  const Options options_;
  std::unique_ptr<pqxx::connection> conn_;  // the lock session
  std::atomic<bool> leading_{false};
  std::atomic<int64_t> epoch_{0};
  mutable std::mutex mu_;
  absl::Time since_ = absl::InfinitePast();  // guarded by mu_
  LeaderTerm seen_;                          // guarded by mu_
};

}  // namespace swell::controller
