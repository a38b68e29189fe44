#include "controller/standby_reads.h"

#include <memory>

#include "controller/rollout/fleet.h"
#include "spdlog/spdlog.h"

namespace swell::controller {

StandbyReads::StandbyReads(Store* store, const PolicySet* policies,
                           FleetSnapshots* snapshots,
                           const common::Clock* clock, absl::Duration period,
                           absl::Duration min_interval)
    : store_(store),
      policies_(policies),
      snapshots_(snapshots),
      clock_(clock),
      period_(period),
      min_interval_(min_interval) {}

StandbyReads::~StandbyReads() { Stop(); }

void StandbyReads::Start() {
  thread_ = std::thread([this] { Run(); });
}

void StandbyReads::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&load_mu_);  // waits for a Refresh in flight
  stopped_ = true;
}

absl::Status StandbyReads::Refresh() {
  const absl::Time asked = absl::Now();
  absl::MutexLock lock(&load_mu_);
  if (stopped_) return absl::OkStatus();  // leading: the reconciler publishes
  if (last_load_start_ > asked) return last_load_;  // began after we asked
  return LoadLocked();
}

void StandbyReads::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

absl::Status StandbyReads::PublishOnce() {
  absl::MutexLock lock(&load_mu_);
  if (stopped_) return absl::OkStatus();
  return LoadLocked();
}

absl::Status StandbyReads::LoadLocked() {
  last_load_start_ = absl::Now();
  loads_++;
  last_load_ = Load();
  return last_load_;
}

absl::Status StandbyReads::Load() {
  absl::StatusOr<FleetState> state = store_->Load();
  if (!state.ok()) return state.status();
  absl::StatusOr<Fleet> fleet = BuildFleet(*std::move(state), *policies_);
  if (!fleet.ok()) return fleet.status();
  snapshots_->Publish(std::make_shared<const Fleet>(*std::move(fleet)),
                      clock_->Now());
  return absl::OkStatus();
}

void StandbyReads::Run() {
  absl::Time last_error = absl::InfinitePast();
  auto woken_or_stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return woken_ || stopping_;
  };
  while (true) {
    const absl::Time started = absl::Now();
    if (absl::Status s = PublishOnce();
        !s.ok() && absl::Now() - last_error > absl::Seconds(10)) {
      spdlog::warn("standby: cannot read the model for reads: {}",
                   s.ToString());
      last_error = absl::Now();
    }
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithDeadline(absl::Condition(&woken_or_stopping),
                          started + period_);
    if (stopping_) return;
    // Woken (or the period is over): at most one load per min_interval.
    if (mu_.AwaitWithDeadline(absl::Condition(&stopping_),
                              started + min_interval_)) {
      return;
    }
    woken_ = false;
  }
}

}  // namespace swell::controller
