#include "tests/sim/timer_queue.h"

#include <utility>

namespace swell::sim {

TimerQueue::TimerQueue(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] { Work(); });
  }
}

TimerQueue::~TimerQueue() { Stop(); }

void TimerQueue::At(absl::Time when, std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  queue_.push(Entry{when, next_sequence_++, std::move(task)});
}

size_t TimerQueue::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void TimerQueue::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    queue_ = {};
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void TimerQueue::Work() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      while (true) {
        if (stopping_) return;
        if (queue_.empty()) {
          auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
            return stopping_ || !queue_.empty();
          };
          mu_.Await(absl::Condition(&ready));
          continue;
        }
        const absl::Time due = queue_.top().when;
        if (absl::Now() >= due) break;
        // Woken early by a task due sooner, by another thread taking this
        // one, or by Stop.
        auto sooner = [this, due]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return stopping_ || queue_.empty() || queue_.top().when < due;
        };
        mu_.AwaitWithDeadline(absl::Condition(&sooner), due);
      }
      // priority_queue::top is const: the task is moved out through a cast,
      // then popped at once.
      task = std::move(const_cast<Entry&>(queue_.top()).task);
      queue_.pop();
    }
    task();
  }
}

}  // namespace swell::sim
