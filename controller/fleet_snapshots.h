#pragma once

#include <cstdint>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "controller/rollout/fleet.h"

namespace swell::controller {

// The model as of the newest commit, for reads (list, status, watch, hosts,
// preview) that must never wait for, nor slow, the decision thread (DESIGN
// "controller threads"). The reconciler publishes an immutable copy after
// each commit that changed the model, and after each (re)load; readers take
// a reference and keep it as long as they like. Thread-safe.
class FleetSnapshots {
 public:
  struct View {
    std::shared_ptr<const Fleet> fleet;    // null before the first load
    uint64_t version = 0;                  // grows with every publish
    absl::Time at = absl::InfinitePast();  // when it was published
  };

  void Publish(std::shared_ptr<const Fleet> fleet, absl::Time at) {
    absl::MutexLock lock(&mu_);
    latest_.fleet = std::move(fleet);
    latest_.version++;
    latest_.at = at;
    published_.SignalAll();
  }

  View Latest() const {
    absl::MutexLock lock(&mu_);
    return latest_;
  }

  // The latest view once one newer than `version` is published, or at
  // `deadline` whatever is latest then (long polls wait here).
  View WaitNewer(uint64_t version, absl::Time deadline) const {
    absl::MutexLock lock(&mu_);
    while (latest_.version <= version) {
      if (published_.WaitWithDeadline(&mu_, deadline)) break;  // timed out
    }
    return latest_;
  }

 private:
  mutable absl::Mutex mu_;
  mutable absl::CondVar published_;
  View latest_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swell::controller
