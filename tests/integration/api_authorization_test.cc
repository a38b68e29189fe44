// Every RPC of RolloutService, called by name from its descriptor through a
// real gRPC server, checks the caller before anything else: without a token
// it is UNAUTHENTICATED, and with a viewer's token every method above the
// viewer's role is PERMISSION_DENIED naming what its table entry needs. A
// handler that forgot its check, or checked under another method's name,
// fails here.
//
// The service is built without a reconciler, agents or snapshots: a call
// that got past its check would touch them and crash the test.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "controller/auth/memory_token_store.h"
#include "controller/service/api_access.h"
#include "controller/service/rollout_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace swell::controller {
namespace {

class ApiAuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    service_ = std::make_unique<RolloutServiceImpl>(
        nullptr, nullptr, &policies_, RolloutServiceImpl::Reads{},
        kDefaultHostStaleAfter, &authenticator_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    stub_ = std::make_unique<grpc::GenericStub>(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));

    viewer_ = NewTokenSecret().value();
    ApiToken t;
    t.name = "watcher";
    t.role = Role::kViewer;
    t.sha256_hex = TokenSha256Hex(viewer_);
    t.created_at = clock_.Now();
    t.created_by = "test";
    ASSERT_TRUE(tokens_
                    .Create(t, AuditEvent{clock_.Now(), "test", "create_token",
                                          "", "watcher"})
                    .ok());
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Calls `method` with an empty request and, unless empty, `token`.
  grpc::Status Call(const std::string& method, const std::string& token) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    grpc::ByteBuffer request, response;
    grpc::Slice empty("");
    request = grpc::ByteBuffer(&empty, 1);
    grpc::Status status;
    absl::Notification done;
    stub_->UnaryCall(&ctx, absl::StrCat("/swell.v1.RolloutService/", method),
                     grpc::StubOptions(), &request, &response,
                     [&](grpc::Status s) {
                       status = std::move(s);
                       done.Notify();
                     });
    done.WaitForNotification();
    return status;
  }

  static const google::protobuf::ServiceDescriptor* Service() {
    return swell::v1::SubmitRequest::descriptor()->file()->FindServiceByName(
        "RolloutService");
  }

  testing::FakeClock clock_;
  MemoryTokenStore tokens_;
  Authenticator authenticator_{&tokens_, &clock_};
  PolicySet policies_;
  std::unique_ptr<RolloutServiceImpl> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::GenericStub> stub_;
  std::string viewer_;
};

TEST_F(ApiAuthorizationTest, EveryMethodRefusesACallWithoutAToken) {
  ASSERT_NE(Service(), nullptr);
  for (int i = 0; i < Service()->method_count(); ++i) {
    const std::string& method = Service()->method(i)->name();
    grpc::Status status = Call(method, "");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << method << ": " << status.error_message();
  }
}

TEST_F(ApiAuthorizationTest, EveryMethodAboveViewerRefusesAViewer) {
  int refused = 0;
  for (int i = 0; i < Service()->method_count(); ++i) {
    const std::string& method = Service()->method(i)->name();
    const MethodAccess* access = FindMethodAccess(method);
    ASSERT_NE(access, nullptr) << method;
    if (access->needed == Role::kViewer) continue;
    grpc::Status status = Call(method, viewer_);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << method << ": " << status.error_message();
    EXPECT_EQ(
        status.error_message(),
        absl::StrCat(access->action, " needs the ", RoleName(access->needed),
                     " role; your token 'watcher' is a viewer"))
        << method;
    ++refused;
  }
  EXPECT_GE(refused, 12);  // the brakes, accelerators and identity RPCs
}

}  // namespace
}  // namespace swell::controller
