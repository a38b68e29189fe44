// The API over real gRPC, in front of the reconciler: read calls answer from
// the published model while a tick is stuck, and mutating calls are
// answered off the decision thread.

#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "controller/service/rollout_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"
#include "tests/unit/core/reconciler_fixture.h"

namespace swell::controller {
namespace {

void Deadline(grpc::ClientContext* c) {
  c->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
}

// The rollout service of the fixture's reconciler on a loopback port, with
// its history read from the fixture's store.
struct Api {
  Api(Reconciler* reconciler, const AgentTracker* tracker,
      const FleetSnapshots* snapshots, Store* store, const common::Clock* clock)
      : history(store),
        service(reconciler, tracker, &policies, {snapshots, &history, clock}) {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    if (server == nullptr) return;
    stub = swell::v1::RolloutService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  ~Api() {
    if (server != nullptr) server->Shutdown();
  }

  PolicySet policies;
  HistoryReader history;
  RolloutServiceImpl service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<swell::v1::RolloutService::Stub> stub;
};

// The API's read calls, over real gRPC, while the reconciler is stuck in a
// commit: they answer from the published model and never wait for a tick.
TEST_F(ReconcilerTest, ReadCallsAnswerWhileATickIsCommitting) {
  Api api(reconciler_.get(), &tracker_, &snapshots_, &store_, &clock_);
  ASSERT_NE(api.server, nullptr);
  auto& stub = api.stub;

  store_.Hold(true);
  absl::Status outcome;
  absl::Notification answered;
  PostFreeze(&outcome, &answered);
  ASSERT_TRUE(store_.AwaitHeldCommit(absl::Seconds(20)));

  grpc::ClientContext c1, c2, c3;
  Deadline(&c1);
  Deadline(&c2);
  Deadline(&c3);
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
  Deadline(&c4);
  s = stub->GetFreeze(&c4, {}, &freeze);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(freeze.frozen());
}

// A submit's answer describes the rollout with its verdicts from the
// history store. While that read is stuck, the reconciler still decides:
// the answer is built on the answer queue, not on the decision thread.
TEST_F(ReconcilerTest, AMutatingCallsAnswerReadsHistoryOffTheDecisionThread) {
  Api api(reconciler_.get(), &tracker_, &snapshots_, &store_, &clock_);
  ASSERT_NE(api.server, nullptr);
  store_.HoldHistory(true);
  swell::v1::SubmitResponse submitted;
  grpc::Status submit_status;
  absl::Notification submit_answered;
  std::thread submit([&] {
    grpc::ClientContext c;
    Deadline(&c);
    swell::v1::SubmitRequest req;
    req.set_plan_yaml(fixtures::kWholeFleetPlan);
    req.set_plan_file("p.yaml");
    req.set_actor("alice");
    submit_status = api.stub->Submit(&c, req, &submitted);
    submit_answered.Notify();
  });
  ASSERT_TRUE(store_.AwaitHeldHistory(absl::Seconds(20)));

  // The submit is committed; its answer waits for history. A freeze posted
  // now is still decided, committed and answered.
  absl::Status outcome = absl::UnknownError("not answered");
  absl::Notification answered;
  PostFreeze(&outcome, &answered);
  ASSERT_TRUE(answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(outcome.ok()) << outcome;
  EXPECT_FALSE(submit_answered.HasBeenNotified());

  store_.HoldHistory(false);
  ASSERT_TRUE(
      submit_answered.WaitForNotificationWithTimeout(absl::Seconds(20)));
  submit.join();
  EXPECT_TRUE(submit_status.ok()) << submit_status.error_message();
  EXPECT_FALSE(submitted.rollout_id().empty());
  EXPECT_EQ(submitted.status().summary().id(), submitted.rollout_id());
}

}  // namespace
}  // namespace swell::controller
