// The reconciler over the in-memory store: it commits before it pushes or
// answers, reloads after a failed commit, and publishes the model for reads
// that never wait for a tick.

#include "controller/reconciler.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/host_revocation.h"
#include "controller/service/rollout_service.h"
#include "controller/store/memory_store.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/unit/agent/test_util.h"

namespace swell::controller {
namespace {

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
    return inner.Verdicts(id);
  }
  absl::StatusOr<std::vector<AuditEvent>> Audit(std::string_view id,
                                                int limit) override {
    return inner.Audit(id, limit);
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
    reconciler_->Stop();
    sessions_.Unregister("h1", &sink_);
  }

  // Posts a freeze; `answered` is notified with its outcome.
  void PostFreeze(absl::Status* outcome, absl::Notification* answered) {
    reconciler_->Post(Reconciler::Command{
        [](Reconciler::CommandContext& c) {
          return FreezeFleet(c.fleet, Request{"alice", "incident", c.now},
                             absl::InfiniteFuture());
        },
        [outcome, answered](const absl::Status& s,
                            Reconciler::CommandContext&) {
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

TEST_F(ReconcilerTest, HostRecordsAlonePublishAtMostOnceASecond) {
  // Published just now (SetUp): a new host's hello is committed at the next
  // tick, but its record waits for a second to have passed.
  const uint64_t before = snapshots_.Latest().version;
  const uint64_t commits = reconciler_->stats().commits.load();
  swell::v1::Hello hello;
  hello.set_host_id("h2");
  tracker_.Connected(hello, clock_.Now());
  reconciler_->OnHello(hello);
  ASSERT_TRUE(
      WaitFor([&] { return reconciler_->stats().commits.load() > commits; }));
  EXPECT_EQ(snapshots_.Latest().version, before);
  EXPECT_EQ(snapshots_.Latest().fleet->hosts.count("h2"), 0u);

  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(Published("h2"));
  EXPECT_GT(snapshots_.Latest().version, before);
}

TEST_F(ReconcilerTest, HellosStillArrivingExtendTheReconnectWindow) {
  // Defaults: --agent_reconnect 5s, --agent_grace 30s. At the load, agents
  // are back by 5 s later.
  auto back_by = [&] {
    return absl::FromUnixMillis(reconciler_->stats().agents_back_by_ms.load());
  };
  ASSERT_TRUE(WaitFor(
      [&] { return reconciler_->stats().agents_back_by_ms.load() != 0; }));
  const absl::Time loaded = back_by() - absl::Seconds(5);
  auto hello_at = [&](absl::Duration after_load, const std::string& host) {
    clock_.Advance(loaded + after_load - clock_.Now());
    // A new host's record is committed in the tick that heard it.
    const uint64_t commits = reconciler_->stats().commits.load();
    swell::v1::Hello hello;
    hello.set_host_id(host);
    tracker_.Connected(hello, clock_.Now());
    reconciler_->OnHello(hello);
    return WaitFor(
        [&] { return reconciler_->stats().commits.load() > commits; });
  };

  // Hellos 8 s and 12 s after the load: the fleet is still coming back.
  ASSERT_TRUE(hello_at(absl::Seconds(8), "h2"));
  ASSERT_TRUE(hello_at(absl::Seconds(12), "h3"));
  EXPECT_EQ(back_by(), loaded + absl::Seconds(17));
  // A hello long after the storm ended does not reopen it.
  ASSERT_TRUE(hello_at(absl::Seconds(25), "h4"));
  EXPECT_EQ(back_by(), loaded + absl::Seconds(17));
}

TEST_F(ReconcilerTest, ReadsSeeThePublishedModelWhileATickIsCommitting) {
  const uint64_t before = snapshots_.Latest().version;
  store_.Hold(true);
  absl::Status outcome;
  absl::Notification answered;
  PostFreeze(&outcome, &answered);
  ASSERT_TRUE(store_.AwaitHeldCommit(absl::Seconds(20)));

  // Mid-tick: a reader gets the last committed model at once, unfrozen.
  FleetSnapshots::View view = snapshots_.Latest();
  ASSERT_NE(view.fleet, nullptr);
  EXPECT_FALSE(view.fleet->freeze.active);
  EXPECT_EQ(view.version, before);
  EXPECT_FALSE(answered.HasBeenNotified());

  store_.Hold(false);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(outcome.ok()) << outcome;
  // Published before the answer: the caller reads its own change.
  view = snapshots_.Latest();
  EXPECT_TRUE(view.fleet->freeze.active);
  EXPECT_GT(view.version, before);
}

TEST_F(ReconcilerTest, AFailedCommitIsAnsweredAndTheModelReloadedAndResent) {
  const size_t pushed_before = sink_.pushes();
  store_.inner.FailNextCommit(absl::AbortedError("serialization failure"));
  absl::Status outcome;
  absl::Notification answered;
  PostFreeze(&outcome, &answered);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(absl::IsAborted(outcome)) << outcome;
  // The model ran ahead of the database: it is reloaded, unfrozen, and every
  // host is sent its desired state again.
  EXPECT_TRUE(WaitFor([&] { return sink_.pushes() > pushed_before; }));
  EXPECT_FALSE(snapshots_.Latest().fleet->freeze.active);

  absl::Status again;
  absl::Notification answered_again;
  PostFreeze(&again, &answered_again);
  ASSERT_TRUE(answered_again.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(again.ok()) << again;
  EXPECT_TRUE(snapshots_.Latest().fleet->freeze.active);
}

// A commit the database could not take (kUnavailable) is answered with a
// retryable error that says what it means for the fleet; once a reload
// succeeds the controller no longer says the database is away.
TEST_F(ReconcilerTest, ADatabaseThatIsAwayIsNamedInTheAnswer) {
  store_.inner.FailNextCommit(absl::UnavailableError("connection lost"));
  absl::Status outcome;
  absl::Notification answered;
  PostFreeze(&outcome, &answered);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(absl::IsUnavailable(outcome)) << outcome;
  EXPECT_EQ(outcome.message(),
            "database unavailable: nothing advances; agents keep their "
            "current state (connection lost)");
  EXPECT_TRUE(WaitFor([&] {
    return reconciler_->DatabaseDownSince() == absl::InfinitePast();
  }));
  EXPECT_EQ(reconciler_->stats().commit_failures.load(), 1u);

  absl::Status again;
  absl::Notification answered_again;
  PostFreeze(&again, &answered_again);
  ASSERT_TRUE(answered_again.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(again.ok()) << again;
}

// Revoking a connected host ends its stream before the command is
// answered, and the sessions refuse it from then on; unrevoking lets it
// back. The reloaded model keeps the revocation.
TEST_F(ReconcilerTest, RevokingEndsTheHostsStreamBeforeTheAnswer) {
  auto post =
      [&](std::function<absl::StatusOr<Mutation>(const Fleet&, absl::Time)>
              decide) {
        absl::Status outcome = absl::UnknownError("not answered");
        absl::Notification answered;
        reconciler_->Post(Reconciler::Command{
            [decide](Reconciler::CommandContext& c) {
              return decide(c.fleet, c.now);
            },
            [&](const absl::Status& s, Reconciler::CommandContext&) {
              outcome = s;
              answered.Notify();
            }});
        EXPECT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
        return outcome;
      };
  ASSERT_TRUE(sink_.ended().ok());
  ASSERT_TRUE(post([](const Fleet& f, absl::Time now) {
                return RevokeHost(f, "h1", Request{"alice", "key leaked", now});
              }).ok());
  // Ended at once, before the answer: no wait here.
  EXPECT_TRUE(absl::IsPermissionDenied(sink_.ended())) << sink_.ended();
  EXPECT_EQ(sink_.ended().message(), "host h1 is revoked: key leaked");
  RecordingSink again;
  absl::Status refused = sessions_.Register("h1", &again);
  EXPECT_TRUE(absl::IsPermissionDenied(refused)) << refused;
  EXPECT_EQ(store_.inner.Load()->hosts.at("h1").revoke_reason, "key leaked");

  ASSERT_TRUE(post([](const Fleet& f, absl::Time now) {
                return UnrevokeHost(f, "h1", Request{"alice", "", now});
              }).ok());
  EXPECT_TRUE(sessions_.Register("h1", &again).ok());
  sessions_.Unregister("h1", &again);
}

// The API's read calls, over real gRPC, while the reconciler is stuck in a
// commit: they answer from the published model and never wait for a tick.
TEST_F(ReconcilerTest, ReadCallsAnswerWhileATickIsCommitting) {
  PolicySet policies;
  HistoryReader history(&store_);
  RolloutServiceImpl service(reconciler_.get(), &tracker_, &policies,
                             {&snapshots_, &history, &clock_});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  auto stub = swell::v1::RolloutService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

  store_.Hold(true);
  absl::Status outcome;
  absl::Notification answered;
  PostFreeze(&outcome, &answered);
  ASSERT_TRUE(store_.AwaitHeldCommit(absl::Seconds(20)));

  auto deadline = [](grpc::ClientContext* c) {
    c->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  };
  grpc::ClientContext c1, c2, c3;
  deadline(&c1);
  deadline(&c2);
  deadline(&c3);
  swell::v1::FreezeStatus freeze;
  grpc::Status s = stub->GetFreeze(&c1, {}, &freeze);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(freeze.frozen());  // the commit in progress is not visible
  swell::v1::ListHostsResponse hosts;
  s = stub->ListHosts(&c2, {}, &hosts);
  EXPECT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(hosts.hosts_size(), 1);
  EXPECT_EQ(hosts.hosts(0).host_id(), "h1");
  swell::v1::ListRolloutsResponse rollouts;
  s = stub->ListRollouts(&c3, {}, &rollouts);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(answered.HasBeenNotified());  // the tick was held throughout

  store_.Hold(false);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  grpc::ClientContext c4;
  deadline(&c4);
  s = stub->GetFreeze(&c4, {}, &freeze);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(freeze.frozen());
  server->Shutdown();
}

}  // namespace
}  // namespace swell::controller
