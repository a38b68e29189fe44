#pragma once

// The fixture of the reconciler's tests: a reconciler over the in-memory
// store, with one connected host (h1) whose stream records what it is
// pushed, a store whose commits and history reads a test can hold, and a
// fake clock.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/synchronization/notification.h"
#include "controller/reconciler.h"
#include "controller/rollout/commands.h"
#include "controller/service/agent_tracker.h"
#include "controller/service/session_registry.h"
#include "controller/store/memory_store.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/unit/agent/test_util.h"

namespace swell::controller {

using ::swell::agent::testing::WaitFor;

// A store whose commits wait while `hold` is set, so that a test can look
// at the controller in the middle of a tick.
class HeldStore final : public Store {
 public:
  absl::Status Migrate() override { return inner.Migrate(); }
  absl::StatusOr<FleetState> Load() override { return inner.Load(); }
  absl::Status Commit(const Mutation& m) override {
    std::unique_lock<std::mutex> lock(mu_);
    committing_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_; });
    committing_ = false;
    return inner.Commit(m);
  }
  absl::StatusOr<std::vector<VerdictRecord>> Verdicts(
      std::string_view id) override {
    std::unique_lock<std::mutex> lock(mu_);
    reading_history_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return !hold_history_; });
    reading_history_ = false;
    return inner.Verdicts(id);
  }
  absl::StatusOr<std::vector<AuditEvent>> Audit(std::string_view id,
                                                int limit) override {
    return inner.Audit(id, limit);
  }

  // While set, reading verdicts waits (history reads, as answers make).
  void HoldHistory(bool hold) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_history_ = hold;
    cv_.notify_all();
  }
  // Waits until a history read is held; false after `timeout`.
  bool AwaitHeldHistory(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return reading_history_; });
  }

  void Hold(bool hold) {
    std::lock_guard<std::mutex> lock(mu_);
    hold_ = hold;
    cv_.notify_all();
  }
  // Waits until a commit is held; false after `timeout`.
  bool AwaitHeldCommit(absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoNanoseconds(timeout),
                        [&] { return committing_; });
  }

  MemoryStore inner;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false;
  bool committing_ = false;
  bool hold_history_ = false;
  bool reading_history_ = false;
};

// Records what the reconciler pushes to one host's stream.
class RecordingSink final : public DesiredStateSink {
 public:
  void PushDesired(const swell::v1::DesiredState& state) override {
    std::lock_guard<std::mutex> lock(mu_);
    pushed_.push_back(state);
  }
  void Supersede() override {}
  void End(const absl::Status& why) override {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = why;
  }
  absl::Status ended() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  size_t pushes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return pushed_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<swell::v1::DesiredState> pushed_;
  absl::Status ended_;
};

class ReconcilerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    swell::v1::Hello hello;
    hello.set_host_id("h1");
    (*hello.mutable_labels())["role"] = "web";
    tracker_.Connected(hello, clock_.Now());
    ASSERT_TRUE(sessions_.Register("h1", &sink_).ok());
    Reconciler::Options options;
    options.tick = absl::Milliseconds(10);
    options.snapshots = &snapshots_;
    reconciler_ = std::make_unique<Reconciler>(&store_, &tracker_, &sessions_,
                                               &health_, &clock_, options);
    ASSERT_TRUE(reconciler_->Start().ok());
    reconciler_->OnHello(hello);
    ASSERT_TRUE(Published("h1"));
  }

  // Whether `host`'s record reaches the published model. Host records alone
  // are published at most a second after they are committed: the fake
  // clock is moved on while waiting.
  bool Published(const std::string& host) {
    return WaitFor([&] {
      auto fleet = snapshots_.Latest().fleet;
      if (fleet != nullptr && fleet->hosts.count(host) > 0) return true;
      clock_.Advance(absl::Milliseconds(100));
      return false;
    });
  }
  void TearDown() override {
    store_.Hold(false);
    store_.HoldHistory(false);
    reconciler_->Stop();
    sessions_.Unregister("h1", &sink_);
  }

  // Posts a freeze; `answered` is notified with its outcome.
  void PostFreeze(absl::Status* outcome, absl::Notification* answered) {
    reconciler_->Post(Reconciler::Command{
        [](CommandContext& c) {
          return FreezeFleet(c.fleet, Request{"alice", "incident", c.now},
                             absl::InfiniteFuture());
        },
        [outcome, answered](const absl::Status& s) {
          *outcome = s;
          answered->Notify();
        }});
  }

  testing::FakeClock clock_;
  HeldStore store_;
  AgentTracker tracker_{clock_.Now()};
  SessionRegistry sessions_;
  HealthWindow health_;
  FleetSnapshots snapshots_;
  RecordingSink sink_;
  std::unique_ptr<Reconciler> reconciler_;
};

}  // namespace swell::controller
