// The agent listener's paced accept (controller/paced_listener.h), with a
// real gRPC server behind it and real sockets on loopback.

#include "controller/paced_listener.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "swell/v1/rollout.grpc.pb.h"
#include "tests/support/fixture_util.h"

namespace swell::controller {
namespace {

using ::testing::HasSubstr;

// GetFreeze, which first tells the listener that a stream began, as
// AgentServiceImpl does.
class Began final : public swell::v1::RolloutService::CallbackService {
 public:
  explicit Began(PacedListener* paced) : paced_(paced) {}
  grpc::ServerUnaryReactor* GetFreeze(grpc::CallbackServerContext* ctx,
                                      const swell::v1::GetFreezeRequest*,
                                      swell::v1::FreezeStatus* resp) override {
    paced_->StreamBegan(ctx->peer());
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  PacedListener* paced_;
};

using test_support::Eventually;

// A TCP connection to the listener that says nothing until closed.
int Silent(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

class PacedListenerTest : public ::testing::Test {
 protected:
  void Serve(PacedListener::Options options) {
    auto paced = PacedListener::Bind("127.0.0.1:0", options);
    ASSERT_TRUE(paced.ok()) << paced.status();
    paced_ = *std::move(paced);
    service_ = std::make_unique<Began>(paced_.get());
    grpc::ServerBuilder builder;
    builder.RegisterService(service_.get());
    auto acceptor = builder.experimental().AddExternalConnectionAcceptor(
        grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
        grpc::InsecureServerCredentials());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    paced_->Start(std::move(acceptor));
  }
  void TearDown() override {
    if (paced_ != nullptr) paced_->Stop();
    if (server_ != nullptr) server_->Shutdown();
  }

  // One GetFreeze on a fresh connection, waiting up to `wait`.
  grpc::Status Call(absl::Duration wait = absl::Seconds(20)) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // its own connection
    auto stub = swell::v1::RolloutService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", paced_->port()),
                                  grpc::InsecureChannelCredentials(), args));
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + wait));
    ctx.set_wait_for_ready(true);
    swell::v1::FreezeStatus out;
    return stub->GetFreeze(&ctx, {}, &out);
  }

  std::unique_ptr<PacedListener> paced_;
  std::unique_ptr<Began> service_;
  std::unique_ptr<grpc::Server> server_;
};

TEST(PacedListenerKeyTest, MatchesGrpcPeerStringsOfBothFamilies) {
  EXPECT_EQ(PacedListener::PeerKey("ipv4:127.0.0.1:50432"), "127.0.0.1:50432");
  EXPECT_EQ(PacedListener::PeerKey("ipv6:[::1]:50432"), "::1:50432");
  EXPECT_EQ(PacedListener::PeerKey("ipv6:%5B::1%5D:50432"), "::1:50432");
}

TEST_F(PacedListenerTest, ServesCallsAndFreesTheSlotWhenTheStreamBegins) {
  Serve({.max_handshakes = 1, .slot_timeout = absl::Minutes(5)});
  // With one slot and a timeout of minutes, three connections one after
  // another are served only if each one's stream frees the slot.
  for (int i = 0; i < 3; ++i) {
    grpc::Status s = Call();
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
  }
  EXPECT_EQ(paced_->accepted(), 3u);
  EXPECT_EQ(paced_->slots_expired(), 0u);
  EXPECT_TRUE(Eventually([&] { return paced_->handshakes_in_flight() == 0; }));
}

TEST_F(PacedListenerTest, ConnectionsWaitInTheQueueWhileEverySlotIsTaken) {
  Serve({.max_handshakes = 1, .slot_timeout = absl::Milliseconds(500)});
  const int silent = Silent(paced_->port());
  ASSERT_TRUE(Eventually([&] { return paced_->handshakes_in_flight() == 1; }));
  // The silent connection holds the only slot: a call's connection waits in
  // the kernel's queue, unaccepted, until the slot expires.
  grpc::Status s = Call();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(paced_->accepted(), 2u);
  EXPECT_EQ(paced_->slots_expired(), 1u);
  close(silent);
}

TEST_F(PacedListenerTest, QueuedConnectionsAreCountedWhileTheyWait) {
  Serve({.max_handshakes = 1, .slot_timeout = absl::Seconds(3)});
  const int holder = Silent(paced_->port());
  ASSERT_TRUE(Eventually([&] { return paced_->handshakes_in_flight() == 1; }));
  const int waiting = Silent(paced_->port());
  EXPECT_TRUE(Eventually([&] { return paced_->waiting() == 1; }));
  EXPECT_EQ(paced_->accepted(), 1u);
  close(waiting);
  close(holder);
}

TEST_F(PacedListenerTest, AConnectionItsClientClosedWhileQueuedIsDropped) {
  Serve({.max_handshakes = 1, .slot_timeout = absl::Milliseconds(300)});
  const int holder = Silent(paced_->port());
  ASSERT_TRUE(Eventually([&] { return paced_->handshakes_in_flight() == 1; }));
  const int gave_up = Silent(paced_->port());
  ASSERT_TRUE(Eventually([&] { return paced_->waiting() == 1; }));
  close(gave_up);
  // Once the holder's slot expires, the closed one is taken from the queue
  // and closed without reaching gRPC.
  EXPECT_TRUE(Eventually([&] { return paced_->dropped_closed() == 1; }));
  EXPECT_EQ(paced_->accepted(), 1u);
  close(holder);
}

TEST(PacedListenerBindTest, ABusyPortIsUnavailableAndNamed) {
  auto first = PacedListener::Bind("127.0.0.1:0", {});
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string taken = absl::StrCat("127.0.0.1:", (*first)->port());
  auto second = PacedListener::Bind(taken, {});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(second.status().message(), HasSubstr(taken));
  // A name with several addresses (127.0.0.1 and ::1) is served on one
  // port, picked by the first.
  auto local = PacedListener::Bind("localhost:0", {});
  ASSERT_TRUE(local.ok()) << local.status();
  EXPECT_GT((*local)->port(), 0);
  auto bad = PacedListener::Bind("no-port", {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("--listen"));
}

}  // namespace
}  // namespace swell::controller
