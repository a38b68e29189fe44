#pragma once

// Wakes a replica when the leader commits (issue 12: LISTEN/NOTIFY used only
// as a wake-up, then a read). Every fenced commit notifies
// kCommittedChannel inside its own transaction (PostgresStore::Commit), so
// the notification is delivered when, and only if, the commit is. This
// listens on a connection of its own and calls `on_commit` for each one,
// and once each time it starts listening (again): whatever was committed
// while it was not listening is then read too.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace swell::controller {

inline constexpr char kCommittedChannel[] = "swell_committed";

class CommitListener {
 public:
  CommitListener(std::string conninfo, std::function<void()> on_commit);
  ~CommitListener();  // stops

  void Start();
  // Returns within about 200 ms. Idempotent.
  void Stop();

  // Whether LISTEN is in place now.
  bool listening() const { return listening_.load(); }
  // Notifications received.
  uint64_t notifications() const { return notifications_.load(); }

 private:
  void Run();
  // One connection's life: listens until it breaks or Stop is called.
  void Listen();

  const std::string conninfo_;
  const std::function<void()> on_commit_;
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> listening_{false};
  std::atomic<uint64_t> notifications_{0};
};

}  // namespace swell::controller
