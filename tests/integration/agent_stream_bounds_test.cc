// The controller's AgentService over a real gRPC stream on 127.0.0.1:0:
// health reports that exceed a bound are refused and counted, and neither
// they nor an oversized message make the controller keep more than its
// bounds, while good samples on the same stream are still recorded. Streams
// beyond --max_agent_streams are refused.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "controller/service/agent_service.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/fixture_util.h"

namespace swell::controller {
namespace {

using Stream = grpc::ClientReaderWriter<swell::v1::AgentMessage,
                                        swell::v1::ControllerMessage>;

swell::v1::AgentMessage Hello(const std::string& host) {
  swell::v1::AgentMessage m;
  m.mutable_hello()->set_host_id(host);
  m.mutable_hello()->set_agent_version("test");
  return m;
}

swell::v1::AgentMessage Health(const std::string& name, double value) {
  swell::v1::AgentMessage m;
  swell::v1::Sample* s = m.mutable_health()->add_samples();
  s->set_name(name);
  s->set_ok(true);
  s->set_value(value);
  return m;
}

using test_support::Eventually;

class AgentStreamBoundsTest : public ::testing::Test {
 protected:
  static AgentEvents NoEvents() {
    AgentEvents events;
    events.hello = [](const swell::v1::Hello&) {};
    events.wake = [] {};
    return events;
  }

  static HealthWindow::Options WindowOptions() {
    HealthWindow::Options o;
    o.max_bytes = 2 * HealthWindow::MaxBytesPerHost(16);
    return o;
  }

  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(&service_);
    SetAgentMessageLimits(&builder);  // what swell-controller's server has
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_ != nullptr && port_ > 0);
    // The client may send anything: the server's limit is under test.
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(-1);
    stub_ = swell::v1::AgentService::NewStub(
        grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", port_),
                                  grpc::InsecureChannelCredentials(), args));
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(2));
    }
  }

  std::unique_ptr<Stream> Connect(grpc::ClientContext* ctx,
                                  const std::string& host) {
    std::unique_ptr<Stream> s = stub_->Connect(ctx);
    EXPECT_TRUE(s->Write(Hello(host)));
    return s;
  }

  uint64_t Refused(SampleRefusal r) const {
    return service_.samples_refused[static_cast<size_t>(r)].load();
  }

  // Whether `host` has a sample of `name` with `value`.
  bool Recorded(const std::string& host, const std::string& name,
                double value) const {
    std::optional<HealthWindow::Point> p =
        health_.Latest(host, name, absl::InfinitePast());
    return p.has_value() && p->value == value;
  }

  testing::FakeClock clock_;
  HealthWindow health_{WindowOptions()};
  AgentTracker tracker_{clock_.Now()};
  SessionRegistry sessions_;
  AgentServiceImpl service_{&sessions_, &tracker_,
                            &health_,   NoEvents(),
                            &clock_,    AgentIdentity::kHelloUnverified};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<swell::v1::AgentService::Stub> stub_;
};

TEST_F(AgentStreamBoundsTest,
       AMegabyteNameIsRefusedAndCountedAndTheStreamGoesOn) {
  grpc::ClientContext ctx;
  std::unique_ptr<Stream> stream = Connect(&ctx, "web-1");
  ASSERT_TRUE(stream->Write(Health(std::string(1 << 20, 'n'), 1)));
  // The witness: a good report after the bad one, on the same stream.
  ASSERT_TRUE(stream->Write(Health("up", 1)));
  ASSERT_TRUE(Eventually([&] { return Recorded("web-1", "up", 1); }));

  EXPECT_EQ(Refused(SampleRefusal::kNameTooLong), 1u);
  EXPECT_EQ(service_.samples_refused_total(), 1u);
  EXPECT_EQ(service_.health_reports.load(), 2u);
  // One short name kept, nothing of the long one.
  EXPECT_LT(health_.BytesKept("web-1"), 4096u);
  EXPECT_EQ(health_.BytesKept(), health_.BytesKept("web-1"));

  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(service_.streams_rejected.load(), 0u);
}

TEST_F(AgentStreamBoundsTest, AFiftyMegabyteMessageIsRefusedBeforeItIsRead) {
  {
    grpc::ClientContext ctx;
    std::unique_ptr<Stream> stream = Connect(&ctx, "web-1");
    swell::v1::AgentMessage huge = Health("up", 1);
    huge.mutable_health()->mutable_samples(0)->set_error(
        std::string(50 << 20, 'e'));
    ASSERT_GT(huge.ByteSizeLong(), size_t{kMaxAgentMessageBytes});
    stream->Write(huge);  // may fail once the server has ended the call
    stream->WritesDone();
    grpc::Status status = stream->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << status.error_message();
  }
  EXPECT_EQ(service_.health_reports.load(), 0u);
  EXPECT_EQ(health_.BytesKept(), 0u);

  // The controller serves the host's next stream as before.
  grpc::ClientContext ctx;
  std::unique_ptr<Stream> stream = Connect(&ctx, "web-1");
  ASSERT_TRUE(stream->Write(Health("up", 2)));
  EXPECT_TRUE(Eventually([&] { return Recorded("web-1", "up", 2); }));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(AgentStreamBoundsTest, ManyDistinctNamesKeepAHostWithinItsBound) {
  grpc::ClientContext ctx;
  std::unique_ptr<Stream> stream = Connect(&ctx, "web-1");
  for (int report = 0; report < 4; ++report) {
    swell::v1::AgentMessage m;
    for (int i = 0; i < 256; ++i) {
      swell::v1::Sample* s = m.mutable_health()->add_samples();
      s->set_name(absl::StrCat(std::string(180, 'm'), "_", report, "_", i));
      s->set_ok(true);
      s->set_value(1);
    }
    ASSERT_TRUE(stream->Write(m));
  }
  const std::string first = absl::StrCat(std::string(180, 'm'), "_0_0");
  ASSERT_TRUE(stream->Write(Health(first, 42)));
  ASSERT_TRUE(Eventually([&] { return Recorded("web-1", first, 42); }));

  EXPECT_EQ(Refused(SampleRefusal::kTooManySeries),
            4 * 256 - HealthWindow::kMaxSeriesPerHost);
  EXPECT_LE(health_.BytesKept("web-1"), HealthWindow::MaxBytesPerHost(5));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(AgentStreamBoundsTest, HostsTogetherStayWithinTheBudget) {
  // The budget holds two full hosts: the third gets at most a little room,
  // the fourth none.
  auto name = [](size_t i) {
    return absl::StrCat(std::string(190, 'm'), "_", i);
  };
  for (int host = 0; host < 4; ++host) {
    const std::string id = absl::StrCat("web-", host);
    grpc::ClientContext ctx;
    std::unique_ptr<Stream> stream = Connect(&ctx, id);
    swell::v1::AgentMessage m;
    for (size_t i = 0; i < HealthWindow::kMaxSeriesPerHost; ++i) {
      swell::v1::Sample* s = m.mutable_health()->add_samples();
      s->set_name(name(i));
      s->set_ok(true);
      s->set_value(1);
    }
    ASSERT_TRUE(stream->Write(m));
    ASSERT_TRUE(stream->Write(Health(name(0), 100 + host)));
    stream->WritesDone();
    // The call ends after every message before it was handled.
    ASSERT_TRUE(stream->Finish().ok());
    EXPECT_EQ(service_.health_reports.load(), 2u * (host + 1));
    EXPECT_LE(health_.BytesKept(), health_.max_bytes());
  }
  EXPECT_TRUE(Recorded("web-0", name(0), 100));
  EXPECT_TRUE(Recorded("web-1", name(0), 101));
  EXPECT_FALSE(Recorded("web-3", name(0), 103));
  EXPECT_EQ(health_.BytesKept("web-3"), 0u);
  EXPECT_GE(Refused(SampleRefusal::kBudget),
            HealthWindow::kMaxSeriesPerHost + 1);
  EXPECT_EQ(Refused(SampleRefusal::kTooManySeries), 0u);
}

TEST_F(AgentStreamBoundsTest, StreamsBeyondTheCapAreRefusedUntilOneEnds) {
  service_.set_max_streams(2);
  grpc::ClientContext ctx_a, ctx_b;
  std::unique_ptr<Stream> a = Connect(&ctx_a, "web-a");
  std::unique_ptr<Stream> b = Connect(&ctx_b, "web-b");
  ASSERT_TRUE(Eventually([&] { return sessions_.size() == 2; }));

  // A third is refused before it says anything, and counted.
  grpc::ClientContext ctx_c;
  // Were it served, it would wait for a hello: bounded by a deadline.
  ctx_c.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
  std::unique_ptr<Stream> c = stub_->Connect(&ctx_c);
  const grpc::Status refused = c->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("--max_agent_streams"),
            std::string::npos)
      << refused.error_message();
  EXPECT_EQ(service_.refusals().count(StreamRefusal::kCapacity), 1u);
  EXPECT_EQ(sessions_.size(), 2u);

  // Once a stream ends, its room is free again.
  a->WritesDone();
  ASSERT_TRUE(a->Finish().ok());
  ASSERT_TRUE(Eventually([&] { return service_.open_streams() == 1; }));
  grpc::ClientContext ctx_d;
  std::unique_ptr<Stream> d = Connect(&ctx_d, "web-d");
  ASSERT_TRUE(Eventually([&] { return sessions_.size() == 2; }));
  EXPECT_EQ(service_.refusals().count(StreamRefusal::kCapacity), 1u);
  for (Stream* s : {b.get(), d.get()}) {
    s->WritesDone();
    EXPECT_TRUE(s->Finish().ok());
  }
}

}  // namespace
}  // namespace swell::controller
