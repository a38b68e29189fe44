// ControllerClient over several replicas, against in-test fake controllers
// and refusing ports: which address each call reaches, what it sends
// again, and how it pauses. Time is a fake clock that only the client's
// pauses advance, so no test waits for them.

#include "cli/controller_client.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/tls.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/throwaway_pki.h"
#include "tests/unit/cli/fake_rollout_service.h"
#include "tests/unit/cli/refusing_port.h"

namespace swell::cli {
namespace {

using ::testing::ElementsAre;
using testing::FakeController;
using ::testing::HasSubstr;
using testing::RefusingPort;

class ControllerClientTest : public ::testing::Test {
 protected:
  // A client of `addresses` in plaintext, on the fake clock: every pause
  // is recorded and advances it; the jitter draws half of each ceiling.
  ControllerClient Client(
      std::vector<std::string> addresses,
      std::shared_ptr<grpc::ChannelCredentials> credentials =
          grpc::InsecureChannelCredentials()) {
    ControllerClient::Options options;
    options.addresses = std::move(addresses);
    options.timeout = absl::Seconds(2);
    options.credentials = std::move(credentials);
    options.clock = &clock_;
    options.sleep = [this](absl::Duration d) {
      pauses_.push_back(d);
      clock_.Advance(d);
    };
    options.uniform01 = [] { return 0.5; };
    return ControllerClient(std::move(options));
  }

  ::swell::testing::FakeClock clock_;
  std::vector<absl::Duration> pauses_;
};

v1::RolloutActionRequest HaltRequest() {
  v1::RolloutActionRequest req;
  req.set_rollout_id(testing::FakeRolloutService::kRolloutId);
  req.set_reason("error rate up");
  return req;
}

TEST_F(ControllerClientTest, ARefusingAddressIsSkippedAndTheAnswerRemembered) {
  RefusingPort refusing;
  FakeController answering;
  ControllerClient client = Client({refusing.address(), answering.address()});

  absl::StatusOr<v1::ListRolloutsResponse> first =
      client.ListRollouts(v1::ListRolloutsRequest());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rollouts_size(), 1);
  EXPECT_THAT(client.last_call().tried,
              ElementsAre(refusing.address(), answering.address()));
  EXPECT_EQ(client.current_address(), answering.address());

  // The next call goes straight to the replica that answered.
  ASSERT_TRUE(client.ListRollouts(v1::ListRolloutsRequest()).ok());
  EXPECT_THAT(client.last_call().tried, ElementsAre(answering.address()));
  EXPECT_EQ(answering.service().calls(), 2);
  EXPECT_TRUE(pauses_.empty());
}

TEST_F(ControllerClientTest,
       NoAddressAnsweringPausesBetweenPassesUntilTheDeadline) {
  RefusingPort a, b;
  ControllerClient client = Client({a.address(), b.address()});

  const absl::Time start = clock_.Now();
  absl::StatusOr<v1::RolloutStatus> halted = client.Halt(HaltRequest());
  EXPECT_EQ(halted.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(halted.status().message(), HasSubstr("refused"));
  // Ceilings 100ms doubling to 1s, half drawn each time; the next pause
  // (500ms) would end past the 2s deadline, so the call stops there.
  EXPECT_THAT(pauses_,
              ElementsAre(absl::Milliseconds(50), absl::Milliseconds(100),
                          absl::Milliseconds(200), absl::Milliseconds(400),
                          absl::Milliseconds(500), absl::Milliseconds(500)));
  EXPECT_LT(clock_.Now() - start, absl::Seconds(2));
  EXPECT_THAT(client.last_call().tried, ElementsAre(a.address(), b.address()));
  EXPECT_EQ(client.last_call().last, b.address());
  // Refused connections: the halt was certainly not applied.
  EXPECT_FALSE(client.last_call().may_have_been_applied);
}

TEST_F(ControllerClientTest, AReplicaThatDoesNotLeadPassesAChangeOn) {
  FakeController follower, leader;
  follower.service().ActAsFollower("");
  ControllerClient client = Client({follower.address(), leader.address()});

  absl::StatusOr<v1::RolloutStatus> halted = client.Halt(HaltRequest());
  ASSERT_TRUE(halted.ok()) << halted.status();
  EXPECT_EQ(halted->summary().state(), "halted");
  EXPECT_EQ(follower.service().halts(), 1);
  EXPECT_EQ(leader.service().halts(), 1);
  EXPECT_EQ(client.current_address(), leader.address());
  EXPECT_TRUE(pauses_.empty());
}

TEST_F(ControllerClientTest, TheLeaderAFollowerNamesIsAskedNext) {
  FakeController leader, follower, other;
  follower.service().ActAsFollower(leader.address());
  ControllerClient client =
      Client({follower.address(), other.address(), leader.address()});

  ASSERT_TRUE(client.Halt(HaltRequest()).ok());
  EXPECT_EQ(leader.service().halts(), 1);
  EXPECT_EQ(other.service().calls(), 0);
  EXPECT_THAT(client.last_call().tried,
              ElementsAre(follower.address(), leader.address()));
}

TEST_F(ControllerClientTest, AChangeRefusedWithAnotherCodeIsNotSentAgain) {
  FakeController refusing, spare;
  refusing.service().FailSubmit(grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION, "the fleet is frozen"));
  ControllerClient client = Client({refusing.address(), spare.address()});

  absl::StatusOr<v1::SubmitResponse> submitted =
      client.Submit(v1::SubmitRequest());
  EXPECT_EQ(submitted.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refusing.service().submits(), 1);
  // The spare would have accepted: it was never asked.
  EXPECT_EQ(spare.service().calls(), 0);
  EXPECT_FALSE(client.last_call().may_have_been_applied);
}

// A leader that was paused and deposed meanwhile still listens for a
// moment; its commit is fenced, so nothing was applied and the change goes
// on to the next replica.
TEST_F(ControllerClientTest, AChangeAFencedLeaderRefusedGoesToTheNextReplica) {
  FakeController deposed, leader;
  deposed.service().FailSubmit(grpc::Status(
      grpc::StatusCode::ABORTED, "fenced: b leads at epoch 8, not epoch 7"));
  ControllerClient client = Client({deposed.address(), leader.address()});

  absl::StatusOr<v1::SubmitResponse> submitted =
      client.Submit(v1::SubmitRequest());
  ASSERT_TRUE(submitted.ok()) << submitted.status();
  EXPECT_EQ(deposed.service().submits(), 1);
  EXPECT_EQ(leader.service().submits(), 1);
  EXPECT_EQ(client.current_address(), leader.address());
}

// An UNAVAILABLE without the leader trailer came after the request was
// sent: it may have been applied, so it is not sent anywhere else.
TEST_F(ControllerClientTest, AChangeThatMayHaveBeenAppliedIsNotSentAgain) {
  FakeController leaving, spare;
  leaving.service().FailSubmit(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                            "the controller is shutting down"));
  ControllerClient client = Client({leaving.address(), spare.address()});

  absl::StatusOr<v1::SubmitResponse> submitted =
      client.Submit(v1::SubmitRequest());
  EXPECT_EQ(submitted.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(leaving.service().submits(), 1);
  EXPECT_EQ(spare.service().calls(), 0);
  EXPECT_TRUE(client.last_call().may_have_been_applied);
  EXPECT_EQ(client.last_call().last, leaving.address());
}

TEST_F(ControllerClientTest, AReadGoesOnAfterAnyUnavailable) {
  FakeController leaving, spare;
  leaving.service().FailListRollouts(grpc::Status(
      grpc::StatusCode::UNAVAILABLE, "the controller is shutting down"));
  ControllerClient client = Client({leaving.address(), spare.address()});

  ASSERT_TRUE(client.ListRollouts(v1::ListRolloutsRequest()).ok());
  EXPECT_EQ(leaving.service().calls(), 1);
  EXPECT_EQ(spare.service().calls(), 1);
  EXPECT_EQ(client.current_address(), spare.address());
}

// The server's certificate names only "localhost": reached as 127.0.0.1 it
// is refused, reached as localhost it is accepted. Were one name checked
// for every address, both would go the same way.
TEST_F(ControllerClientTest, EachAddressIsVerifiedAgainstItsOwnHostName) {
  std::string dir = ::testing::TempDir() + "/client_tlsXXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  absl::StatusOr<test_support::ThrowawayPki> pki =
      test_support::ThrowawayPki::Create(dir, "test");
  ASSERT_TRUE(pki.ok()) << pki.status();
  absl::StatusOr<test_support::IssuedCertificate> cert =
      pki->IssueServer("controller", {"localhost"}, {});
  ASSERT_TRUE(cert.ok()) << cert.status();
  common::TlsFiles server_files;
  server_files.cert = cert->cert_file;
  server_files.key = cert->key_file;
  auto server_credentials =
      common::TlsServerCredentials(server_files, /*require_client_cert=*/false);
  ASSERT_TRUE(server_credentials.ok()) << server_credentials.status();
  common::TlsFiles client_files;
  client_files.ca = pki->ca_file();
  auto client_credentials = common::TlsChannelCredentials(client_files);
  ASSERT_TRUE(client_credentials.ok()) << client_credentials.status();

  FakeController controller(*server_credentials);
  const std::string port =
      controller.address().substr(controller.address().rfind(':') + 1);
  const std::string by_ip = "127.0.0.1:" + port;
  const std::string by_name = "localhost:" + port;
  ControllerClient client = Client({by_ip, by_name}, *client_credentials);

  absl::StatusOr<v1::ListRolloutsResponse> listed =
      client.ListRollouts(v1::ListRolloutsRequest());
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(client.last_call().tried, ElementsAre(by_ip, by_name));
  EXPECT_EQ(client.current_address(), by_name);
  EXPECT_EQ(controller.service().calls(), 1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace swell::cli
