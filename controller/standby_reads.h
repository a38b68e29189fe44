#pragma once

// What a standby replica answers reads from (issue 12). The leader's
// reconciler publishes its model after each commit; a standby has no
// reconciler, so this publishes the model as the database has it, read
// before each read (Refresh), when the leader commits (Wake, from a
// CommitListener: watch's long polls see a change at once) and every
// `period` in case a wake-up was missed, until the replica leads. swellctl's
// list, status and watch then work through any replica; changes are the
// leader's (RolloutServiceImpl answers them with the leader's address).

#include <atomic>
#include <cstdint>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "controller/fleet_snapshots.h"
#include "controller/plan/policy.h"
#include "controller/store/store.h"

namespace swell::controller {

class StandbyReads {
 public:
  // All must outlive this; `store` is used by this thread alone until
  // Stop returns.
  // Wakes load at most once per `min_interval`: a fleet reconnecting makes
  // the leader commit every tick.
  StandbyReads(Store* store, const PolicySet* policies,
               FleetSnapshots* snapshots, const common::Clock* clock,
               absl::Duration period = absl::Seconds(1),
               absl::Duration min_interval = absl::Milliseconds(250));
  ~StandbyReads();  // stops

  void Start();
  // Returns once no load is in flight, and none will start: the store is
  // the caller's again (the reconciler's, once this replica leads).
  // Idempotent.
  void Stop();

  // Loads the model once and publishes it. OK, or why it could not.
  absl::Status PublishOnce();

  // Before a read: publishes the model as committed now, so that a read
  // sees every change the leader answered before it (a swellctl halt sent
  // to the leader, then a status asked of this standby). Concurrent reads
  // share one load that began after they asked.
  absl::Status Refresh();

  // The leader committed: load and publish soon, on this one's thread.
  void Wake();

  // Loads done, for tests and metrics.
  uint64_t loads() const { return loads_.load(); }

 private:
  void Run();
  absl::Status LoadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(load_mu_);
  absl::Status Load();  // one load and publish

  Store* const store_;
  const PolicySet* const policies_;
  FleetSnapshots* const snapshots_;
  const common::Clock* const clock_;
  const absl::Duration period_;
  const absl::Duration min_interval_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> loads_{0};
  // Held while loading: store_ is one connection.
  absl::Mutex load_mu_;
  absl::Time last_load_start_ ABSL_GUARDED_BY(load_mu_) = absl::InfinitePast();
  absl::Status last_load_ ABSL_GUARDED_BY(load_mu_);
  bool stopped_ ABSL_GUARDED_BY(load_mu_) = false;  // loads no more
};

}  // namespace swell::controller
