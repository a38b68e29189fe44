#include "agent/collectors/check_scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace swell::agent {

CheckScheduler::CheckScheduler(std::vector<CheckSpec> checks,
                               std::map<std::string, std::string> env,
                               Sink sink)
    : checks_(std::move(checks)),
      env_(std::move(env)),
      sink_(std::move(sink)) {}

CheckScheduler::~CheckScheduler() { Stop(); }

void CheckScheduler::Start() {
  if (checks_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void CheckScheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

void CheckScheduler::Run() {
  std::vector<absl::Time> next_due(checks_.size(), absl::Now());
  while (true) {
    absl::Time wake = *std::min_element(next_due.begin(), next_due.end());
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithDeadline(absl::Condition(&stopping_), wake);
      if (stopping_) return;
    }
    const absl::Time now = absl::Now();
    std::vector<swell::v1::Sample> batch;
    for (size_t i = 0; i < checks_.size(); ++i) {
      if (next_due[i] > now) continue;
      batch.push_back(RunCheck(checks_[i], env_, &cancel_));
      if (cancel_) return;
      // Keep the cadence, but never try to catch up on missed runs.
      next_due[i] = std::max(next_due[i] + checks_[i].interval, absl::Now());
    }
    if (!batch.empty()) sink_(std::move(batch));
  }
}

}  // namespace swell::agent
