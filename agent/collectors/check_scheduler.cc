#include "agent/collectors/check_scheduler.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace swell::agent {

CheckScheduler::CheckScheduler(std::vector<CheckSpec> checks,
                               std::map<std::string, std::string> env,
                               Sink sink, std::vector<ScheduledSource> sources)
    : checks_(std::move(checks)),
      sources_(std::move(sources)),
      env_(std::move(env)),
      sink_(std::move(sink)) {}

CheckScheduler::~CheckScheduler() { Stop(); }

void CheckScheduler::Start() {
  if ((checks_.empty() && sources_.empty()) || thread_.joinable()) return;
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

void CheckScheduler::RunAllNow() {
  absl::MutexLock lock(&mu_);
  run_all_ = true;
}

void CheckScheduler::Run() {
  // Checks first, then sources, in one cadence table.
  const size_t n = checks_.size() + sources_.size();
  auto interval = [&](size_t i) {
    return i < checks_.size() ? checks_[i].interval
                              : sources_[i - checks_.size()].interval;
  };
  std::vector<absl::Time> next_due(n, absl::Now());
  while (true) {
    absl::Time wake = *std::min_element(next_due.begin(), next_due.end());
    bool all;
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithDeadline(
          absl::Condition(
              +[](CheckScheduler* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                   self->mu_) { return self->stopping_ || self->run_all_; },
              this),
          wake);
      if (stopping_) return;
      all = run_all_;
      run_all_ = false;
    }
    const absl::Time now = absl::Now();
    std::vector<swell::v1::Sample> batch;
    for (size_t i = 0; i < n; ++i) {
      if (!all && next_due[i] > now) continue;
      if (i < checks_.size()) {
        batch.push_back(RunCheck(checks_[i], env_, &cancel_));
      } else {
        for (swell::v1::Sample& s :
             sources_[i - checks_.size()].source->Collect(cancel_)) {
          batch.push_back(std::move(s));
        }
      }
      if (cancel_) return;
      // Keep the cadence, but never try to catch up on missed runs.
      next_due[i] = std::max(next_due[i] + interval(i), absl::Now());
    }
    if (!batch.empty() || all) sink_(std::move(batch));
  }
}

}  // namespace swell::agent
