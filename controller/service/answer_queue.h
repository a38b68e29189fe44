#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace swell::controller {

// One thread that answers mutating API calls once the reconciler decided
// them, so that reading the published model and the history store (a
// database round trip) never runs on the decision thread. Answers run in
// the order they were posted.
class AnswerQueue {
 public:
  AnswerQueue() : thread_([this] { Run(); }) {}
  ~AnswerQueue() { Stop(); }
  AnswerQueue(const AnswerQueue&) = delete;
  AnswerQueue& operator=(const AnswerQueue&) = delete;

  // Thread-safe. After Stop(), runs `answer` on the caller's thread, so
  // that no call is left unanswered.
  void Post(std::function<void()> answer) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stopped_) {
        queue_.push_back(std::move(answer));
        cv_.notify_one();
        return;
      }
    }
    answer();
  }

  // Runs every answer posted so far, then ends the thread.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [this] { return stopped_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopped, and nothing left
      std::function<void()> answer = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      answer();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopped_ = false;
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace swell::controller
