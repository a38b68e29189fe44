// common/tls and the controller's listeners: real TLS handshakes on
// loopback with certificates made by openssl at test time.

#include "common/tls.h"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/listeners.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "swell/v1/rollout.grpc.pb.h"
#include "tests/support/throwaway_pki.h"

namespace swell::common {
namespace {

using ::swell::test_support::IssuedCertificate;
using ::swell::test_support::ThrowawayPki;
using ::testing::HasSubstr;

// Answers GetFreeze with the caller's host id (or why it has none) as the
// reason: enough to see what the server learned from the handshake.
class WhoAmI final : public swell::v1::RolloutService::CallbackService {
  grpc::ServerUnaryReactor* GetFreeze(grpc::CallbackServerContext* ctx,
                                      const swell::v1::GetFreezeRequest*,
                                      swell::v1::FreezeStatus* resp) override {
    absl::StatusOr<std::string> host = PeerHostId(*ctx->auth_context());
    resp->set_reason(host.ok() ? *host : std::string(host.status().message()));
    auto* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class TlsCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string templ =
        (std::filesystem::temp_directory_path() / "swell-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = new std::string(templ);
    auto pki = ThrowawayPki::Create(*dir_, "hosts");
    ASSERT_TRUE(pki.ok()) << pki.status();
    auto other = ThrowawayPki::Create(*dir_, "other");
    ASSERT_TRUE(other.ok()) << other.status();
    ca_ = new std::string(pki->ca_file());
    other_ca_ = new std::string(other->ca_file());
    auto server = pki->IssueServer("controller", {"localhost"}, {"127.0.0.1"});
    auto web1 = pki->IssueClient("web-1", "web-1");
    auto stranger = other->IssueClient("stranger", "web-1");
    ASSERT_TRUE(server.ok() && web1.ok() && stranger.ok());
    server_ = new IssuedCertificate(*server);
    web1_ = new IssuedCertificate(*web1);
    stranger_ = new IssuedCertificate(*stranger);
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(*dir_); }

  // Serves WhoAmI on a free loopback port with mutual TLS, presenting
  // `cert` and trusting `ca` for clients; by default the controller's.
  void Serve() { ServeWith(*server_, *ca_); }
  void ServeWith(const IssuedCertificate& cert, const std::string& ca) {
    grpc::ServerBuilder builder;
    auto creds =
        TlsServerCredentials({cert.cert_file, cert.key_file, ca}, true);
    ASSERT_TRUE(creds.ok()) << creds.status();
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    builder.RegisterService(&service_);
    server_handle_ = builder.BuildAndStart();
    ASSERT_NE(server_handle_, nullptr);
  }

  // GetFreeze through a channel with `files`; the status, and the reason
  // the server answered.
  std::pair<grpc::Status, std::string> Call(
      const TlsFiles& files, const std::string& host = "127.0.0.1") {
    auto creds = TlsChannelCredentials(files);
    EXPECT_TRUE(creds.ok()) << creds.status();
    if (!creds.ok()) return {grpc::Status::CANCELLED, ""};
    auto stub = swell::v1::RolloutService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), *creds));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    swell::v1::FreezeStatus resp;
    grpc::Status status = stub->GetFreeze(&ctx, {}, &resp);
    return {status, resp.reason()};
  }

  static std::string* dir_;
  static std::string* ca_;
  static std::string* other_ca_;
  static IssuedCertificate* server_;
  static IssuedCertificate* web1_;
  static IssuedCertificate* stranger_;
  WhoAmI service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_handle_;
};

std::string* TlsCredentialsTest::dir_;
std::string* TlsCredentialsTest::ca_;
std::string* TlsCredentialsTest::other_ca_;
IssuedCertificate* TlsCredentialsTest::server_;
IssuedCertificate* TlsCredentialsTest::web1_;
IssuedCertificate* TlsCredentialsTest::stranger_;

TEST_F(TlsCredentialsTest, AHostsCertificateNamesItsHost) {
  Serve();
  auto [status, who] = Call({web1_->cert_file, web1_->key_file, *ca_});
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(who, "web-1");
}

TEST_F(TlsCredentialsTest, WithoutAClientCertificateTheHandshakeFails) {
  Serve();
  auto [status, who] = Call({"", "", *ca_});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(who, "");
}

TEST_F(TlsCredentialsTest, ACertificateOfAnotherCaIsRefused) {
  Serve();
  auto [status, who] = Call({stranger_->cert_file, stranger_->key_file, *ca_});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(who, "");
}

TEST_F(TlsCredentialsTest, AClientThatTrustsAnotherCaRefusesTheServer) {
  Serve();
  auto [status, who] = Call({web1_->cert_file, web1_->key_file, *other_ca_});
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(who, "");
}

// A certificate from the right CA that does not name the address dialled
// is refused: a host's key, or another server's, cannot pose as the
// controller.
TEST_F(TlsCredentialsTest, AServerCertificateForAnotherNameIsRefused) {
  auto pki = ThrowawayPki::Create(*dir_ + "/", "names");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto elsewhere = pki->IssueServer("elsewhere", {"elsewhere.example"}, {});
  auto client = pki->IssueClient("names-web-1", "web-1");
  ASSERT_TRUE(elsewhere.ok() && client.ok());
  ServeWith(*elsewhere, pki->ca_file());
  auto [status, who] =
      Call({client->cert_file, client->key_file, pki->ca_file()});
  EXPECT_NE(status.error_code(), grpc::StatusCode::OK);
  EXPECT_EQ(who, "");
}

// A host's client certificate (clientAuth only) cannot serve as the
// controller's, even when it names the address dialled.
TEST_F(TlsCredentialsTest, AHostCertificateCannotServe) {
  // The witness: dialled as "localhost", the controller's own certificate
  // (DNS:localhost, serverAuth) is accepted.
  Serve();
  ASSERT_TRUE(
      Call({web1_->cert_file, web1_->key_file, *ca_}, "localhost").first.ok());
  server_handle_->Shutdown();

  auto pki = ThrowawayPki::Create(*dir_ + "/", "posing");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto host = pki->IssueClient("posing-host", "localhost");
  auto client = pki->IssueClient("posing-web-1", "web-1");
  ASSERT_TRUE(host.ok() && client.ok());
  ServeWith(*host, pki->ca_file());
  auto [status, who] =
      Call({client->cert_file, client->key_file, pki->ca_file()}, "localhost");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(who, "");
}

TEST_F(TlsCredentialsTest, BadFilesAreNamedByTheirFlag) {
  auto missing =
      TlsServerCredentials({"/nonexistent.pem", server_->key_file, *ca_}, true);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("--tls_cert: cannot read /nonexistent.pem"));
  auto wrong_key =
      TlsServerCredentials({server_->cert_file, web1_->key_file, *ca_}, true);
  EXPECT_THAT(wrong_key.status().message(),
              HasSubstr("--tls_key: " + web1_->key_file +
                        " is not the key of the certificate"));
  auto not_pem = TlsServerCredentials(
      {server_->cert_file, server_->key_file, *dir_ + "/hosts-ca.cnf"}, true);
  EXPECT_THAT(not_pem.status().message(), HasSubstr("is not a PEM file"));
  TlsFiles agent{web1_->cert_file, "", *ca_, "--tls-"};
  EXPECT_THAT(TlsChannelCredentials(agent).status().message(),
              HasSubstr("--tls-cert and --tls-key: give both or neither"));
}

TEST(LoopbackTest, OnlyLoopbackAddressesAreLoopback) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:7070"));
  EXPECT_TRUE(IsLoopbackAddress("127.1.2.3:1"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:7070"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:7070"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:7070"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:7070"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.5:7070"));
  EXPECT_FALSE(IsLoopbackAddress("controller.example:7070"));
  EXPECT_FALSE(IsLoopbackAddress(":7070"));
}

TEST(ListenerConfigTest, InsecureIsForLoopbackOnly) {
  controller::ListenerConfig config{
      "0.0.0.0:7070", "127.0.0.1:7072", {}, true, ""};
  EXPECT_THAT(controller::CheckListenerConfig(config).message(),
              HasSubstr("--listen: --insecure serves only loopback"));
  config.agent_listen = "127.0.0.1:7070";
  EXPECT_TRUE(controller::CheckListenerConfig(config).ok());
  config.pull_listen = "0.0.0.0:7073";
  EXPECT_THAT(controller::CheckListenerConfig(config).message(),
              HasSubstr("--pull_listen: --insecure serves only loopback"));
  config.pull_listen = "127.0.0.1:7073";
  EXPECT_TRUE(controller::CheckListenerConfig(config).ok());
  config.insecure = false;
  EXPECT_THAT(controller::CheckListenerConfig(config).message(),
              HasSubstr("--tls_cert, --tls_key and --tls_client_ca are "
                        "required"));
}

// A wrong file is named at start, before the database is touched.
TEST_F(TlsCredentialsTest, ListenerConfigChecksTheFiles) {
  controller::ListenerConfig config{"127.0.0.1:7070",
                                    "127.0.0.1:7072",
                                    {server_->cert_file, web1_->key_file, *ca_},
                                    false,
                                    ""};
  EXPECT_THAT(controller::CheckListenerConfig(config).message(),
              HasSubstr("--tls_key: " + web1_->key_file + " is not the key"));
  config.tls.key = server_->key_file;
  EXPECT_TRUE(controller::CheckListenerConfig(config).ok());
  config.pull_listen = config.agent_listen;
  EXPECT_THAT(controller::CheckListenerConfig(config).message(),
              HasSubstr("--pull_listen: must differ"));
  config.pull_listen = "";
  config.tls.ca = *dir_ + "/no-such-ca.pem";
  EXPECT_THAT(
      controller::CheckListenerConfig(config).message(),
      HasSubstr("--tls_client_ca: cannot read " + *dir_ + "/no-such-ca.pem"));
}

}  // namespace
}  // namespace swell::common
