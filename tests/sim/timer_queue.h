#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace swell::sim {

// Runs tasks at given times on a few threads of its own, so that thousands
// of simulated agents share them instead of holding a thread each. Tasks
// due at the same time run in the order they were added when the queue has
// one thread; with more, they may run concurrently. A task that blocks
// holds up the tasks behind it on its thread only.
//
// Thread-safe. Tasks added after Stop, and those still pending at Stop,
// never run.
class TimerQueue {
 public:
  explicit TimerQueue(int threads = 1);
  ~TimerQueue();  // Stop()s

  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  void At(absl::Time when, std::function<void()> task);
  void After(absl::Duration delay, std::function<void()> task) {
    At(absl::Now() + delay, std::move(task));
  }

  // Drops pending tasks, waits for the running ones and joins. Idempotent;
  // not from a task.
  void Stop();

  // Tasks waiting to run.
  size_t pending() const;

 private:
  struct Entry {
    absl::Time when;
    uint64_t sequence;  // keeps tasks due together in order
    std::function<void()> task;
    bool operator>(const Entry& other) const {
      return when != other.when ? when > other.when : sequence > other.sequence;
    }
  };

  void Work();

  mutable absl::Mutex mu_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> queue_
      ABSL_GUARDED_BY(mu_);
  uint64_t next_sequence_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace swell::sim
