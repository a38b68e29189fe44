// Who an agent stream speaks for: AgentServiceImpl in certificate mode
// behind real mutual TLS on 127.0.0.1:0, with certificates made by openssl
// at test time. An impostor is refused without disturbing the real host's
// stream, its samples never reach the health window, and a revoked host's
// streams are refused and ended.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/tls.h"
#include "controller/service/agent_service.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/support/fixture_util.h"
#include "tests/support/throwaway_pki.h"

namespace swell::controller {
namespace {

using ::swell::test_support::IssuedCertificate;
using ::swell::test_support::ThrowawayPki;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
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

// One client stream and its context.
struct Client {
  grpc::ClientContext ctx;
  std::unique_ptr<Stream> stream;
  // Reads until the stream ends; its status.
  grpc::Status Drain() {
    swell::v1::ControllerMessage ignored;
    while (stream->Read(&ignored)) {
    }
    return stream->Finish();
  }
};

class AgentIdentityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "swell-identity-XXXXXX")
            .string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = new std::string(templ);
    auto pki = ThrowawayPki::Create(*dir_, "hosts");
    ASSERT_TRUE(pki.ok()) << pki.status();
    auto other = ThrowawayPki::Create(*dir_, "other");
    ASSERT_TRUE(other.ok()) << other.status();
    ca_ = new std::string(pki->ca_file());
    auto server = pki->IssueServer("controller", {"localhost"}, {"127.0.0.1"});
    auto web1 = pki->IssueClient("web-1", "web-1");
    auto web2 = pki->IssueClient("web-2", "web-2");
    auto stranger = other->IssueClient("stranger", "web-1");
    auto expired = pki->IssueExpiredClient("expired", "web-1");
    ASSERT_TRUE(server.ok() && web1.ok() && web2.ok() && stranger.ok() &&
                expired.ok());
    server_cert_ = new IssuedCertificate(*server);
    web1_ = new IssuedCertificate(*web1);
    web2_ = new IssuedCertificate(*web2);
    stranger_ = new IssuedCertificate(*stranger);
    expired_ = new IssuedCertificate(*expired);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(*dir_); }

  void SetUp() override {
    auto creds = common::TlsServerCredentials(
        {server_cert_->cert_file, server_cert_->key_file, *ca_}, true);
    ASSERT_TRUE(creds.ok()) << creds.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    builder.RegisterService(&service_);
    SetAgentMessageLimits(&builder);
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_ != nullptr && port_ > 0);
  }

  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::seconds(2));
    }
  }

  // Opens a stream presenting `cert` (none: null) and says hello as `host`.
  std::unique_ptr<Client> Connect(const IssuedCertificate* cert,
                                  const std::string& host) {
    common::TlsFiles files;
    if (cert != nullptr) {
      files.cert = cert->cert_file;
      files.key = cert->key_file;
    }
    files.ca = *ca_;
    auto creds = common::TlsChannelCredentials(files);
    EXPECT_TRUE(creds.ok()) << creds.status();
    auto client = std::make_unique<Client>();
    client->ctx.set_deadline(std::chrono::system_clock::now() +
                             std::chrono::seconds(30));
    stubs_.push_back(swell::v1::AgentService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), *creds)));
    client->stream = stubs_.back()->Connect(&client->ctx);
    client->stream->Write(Hello(host));  // fails when refused at handshake
    return client;
  }

  std::vector<std::string> Hellos() {
    std::lock_guard<std::mutex> lock(mu_);
    return hellos_;
  }

  bool Registered(const std::string& host) {
    return tracker_.Connected(host) && sessions_.size() > 0;
  }

  // Pushes a desired state of `generation` to `host`'s stream and reads it
  // on `client`: the stream is up and served.
  bool Receives(const std::string& host, Client& client, int64_t generation) {
    swell::v1::DesiredState state;
    state.set_host_id(host);
    state.set_generation(generation);
    if (!sessions_.Push(host, state)) return false;
    swell::v1::ControllerMessage got;
    return client.stream->Read(&got) &&
           got.desired().generation() == generation;
  }

  static std::string* dir_;
  static std::string* ca_;
  static IssuedCertificate* server_cert_;
  static IssuedCertificate* web1_;
  static IssuedCertificate* web2_;
  static IssuedCertificate* stranger_;
  static IssuedCertificate* expired_;

  testing::FakeClock clock_;
  HealthWindow health_;
  AgentTracker tracker_{clock_.Now()};
  SessionRegistry sessions_;
  std::mutex mu_;
  std::vector<std::string> hellos_;
  AgentServiceImpl service_{&sessions_,
                            &tracker_,
                            &health_,
                            AgentEvents{
                                .hello =
                                    [this](const swell::v1::Hello& h) {
                                      std::lock_guard<std::mutex> lock(mu_);
                                      hellos_.push_back(h.host_id());
                                    },
                                .wake = [] {},
                                .gone = [](const std::string&) {},
                            },
                            &clock_,
                            AgentIdentity::kCertificate};
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::vector<std::unique_ptr<swell::v1::AgentService::Stub>> stubs_;
};

std::string* AgentIdentityTest::dir_;
std::string* AgentIdentityTest::ca_;
IssuedCertificate* AgentIdentityTest::server_cert_;
IssuedCertificate* AgentIdentityTest::web1_;
IssuedCertificate* AgentIdentityTest::web2_;
IssuedCertificate* AgentIdentityTest::stranger_;
IssuedCertificate* AgentIdentityTest::expired_;

TEST_F(AgentIdentityTest, AnImpostorIsRefusedAndTheRealHostKeepsItsStream) {
  std::unique_ptr<Client> real = Connect(web1_, "web-1");
  ASSERT_TRUE(Eventually([&] { return Registered("web-1"); }));
  ASSERT_TRUE(Receives("web-1", *real, 1));

  // web-2's certificate, web-1's name, and a forged sample right behind.
  std::unique_ptr<Client> impostor = Connect(web2_, "web-1");
  impostor->stream->Write(Health("up", 0));
  grpc::Status refused = impostor->Drain();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(refused.error_message(),
            "certificate names web-2, hello says web-1");
  EXPECT_EQ(service_.refusals().count(StreamRefusal::kIdentity), 1u);

  // The real stream was neither superseded nor disturbed: it still gets
  // its desired states, and its own samples still count.
  EXPECT_TRUE(Receives("web-1", *real, 2));
  ASSERT_TRUE(real->stream->Write(Health("up", 1)));
  ASSERT_TRUE(Eventually([&] {
    return !health_.Since("web-1", "up", absl::InfinitePast()).empty();
  }));
  // The forged 0 is in no window: only the real host's 1 is.
  std::vector<HealthWindow::Point> up =
      health_.Since("web-1", "up", absl::InfinitePast());
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].value, 1);
  EXPECT_EQ(health_.BytesKept("web-2"), 0u);
  EXPECT_EQ(service_.health_reports.load(), 1u);
  EXPECT_THAT(Hellos(), ElementsAre("web-1"));
  EXPECT_FALSE(tracker_.Connected("web-2"));
  EXPECT_EQ(sessions_.size(), 1u);

  real->stream->WritesDone();
  EXPECT_TRUE(real->Drain().ok());
}

TEST_F(AgentIdentityTest, NoUsableCertificateGetsNoStreamAndChangesNothing) {
  struct Case {
    const char* name;
    const IssuedCertificate* cert;
  };
  for (const Case& c :
       {Case{"no certificate", nullptr}, Case{"another CA's", stranger_},
        Case{"expired", expired_}}) {
    std::unique_ptr<Client> client = Connect(c.cert, "web-1");
    grpc::Status s = client->Drain();
    // Refused in the handshake: the RPC never starts.
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE)
        << c.name << ": " << s.error_message();
  }
  EXPECT_THAT(Hellos(), IsEmpty());
  EXPECT_FALSE(tracker_.Connected("web-1"));
  EXPECT_EQ(sessions_.size(), 0u);
  EXPECT_EQ(health_.BytesKept(), 0u);

  // The witness: web-1's own certificate is served by the same server.
  std::unique_ptr<Client> real = Connect(web1_, "web-1");
  ASSERT_TRUE(Eventually([&] { return Registered("web-1"); }));
  EXPECT_TRUE(Receives("web-1", *real, 1));
  real->stream->WritesDone();
  EXPECT_TRUE(real->Drain().ok());
}

TEST_F(AgentIdentityTest, ARevokedHostIsRefusedAndItsStreamEndedAtOnce) {
  std::unique_ptr<Client> real = Connect(web1_, "web-1");
  ASSERT_TRUE(Eventually([&] { return Registered("web-1"); }));

  sessions_.SetRevoked({{"web-1", "key leaked"}});
  grpc::Status ended = real->Drain();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ended.error_message(), "host web-1 is revoked: key leaked");
  ASSERT_TRUE(Eventually([&] { return !tracker_.Connected("web-1"); }));

  std::unique_ptr<Client> again = Connect(web1_, "web-1");
  grpc::Status refused = again->Drain();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(refused.error_message(), "host web-1 is revoked: key leaked");
  EXPECT_EQ(service_.refusals().count(StreamRefusal::kRevoked), 1u);
  EXPECT_THAT(Hellos(), ElementsAre("web-1"));  // the first stream's only
  EXPECT_FALSE(tracker_.Connected("web-1"));

  sessions_.SetRevoked({});
  std::unique_ptr<Client> back = Connect(web1_, "web-1");
  ASSERT_TRUE(Eventually([&] { return Registered("web-1"); }));
  EXPECT_TRUE(Receives("web-1", *back, 3));
  EXPECT_THAT(Hellos(), ElementsAre("web-1", "web-1"));
  back->stream->WritesDone();
  EXPECT_TRUE(back->Drain().ok());
}

TEST(StreamRefusalsTest, LogsOncePerPeerWithBoundedMemoryAndCountsEvery) {
  StreamRefusals refusals(/*max_peers=*/2);
  const absl::Status why = absl::PermissionDeniedError("no");
  EXPECT_TRUE(refusals.Refused(StreamRefusal::kIdentity, "web-2", why));
  EXPECT_FALSE(refusals.Refused(StreamRefusal::kIdentity, "web-2", why));
  EXPECT_TRUE(refusals.Refused(StreamRefusal::kRevoked, "web-2", why));
  // Full: a new peer is counted, not logged.
  EXPECT_FALSE(refusals.Refused(StreamRefusal::kIdentity, "web-3", why));
  EXPECT_EQ(refusals.count(StreamRefusal::kIdentity), 3u);
  EXPECT_EQ(refusals.count(StreamRefusal::kRevoked), 1u);
  EXPECT_EQ(refusals.count(StreamRefusal::kNoCertificate), 0u);
}

}  // namespace
}  // namespace swell::controller
