// The reconciler over the in-memory store: it commits before it pushes or
// answers, reloads after a failed commit, and publishes the model for reads
// that never wait for a tick.

#include "controller/reconciler.h"

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/host_revocation.h"
#include "gtest/gtest.h"
#include "tests/unit/core/reconciler_fixture.h"

namespace swell::controller {
namespace {

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
            [decide](CommandContext& c) { return decide(c.fleet, c.now); },
            [&](const absl::Status& s) {
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

}  // namespace
}  // namespace swell::controller
