// Who may call which RolloutService method.

#include "controller/service/api_access.h"

#include <string>

#include "controller/auth/memory_token_store.h"
#include "gmock/gmock.h"
#include "grpcpp/server_context.h"
#include "grpcpp/test/server_context_test_spouse.h"
#include "gtest/gtest.h"
#include "swell/v1/rollout.grpc.pb.h"
#include "tests/fakes/fake_clock.h"

namespace swell::controller {
namespace {

using ::testing::HasSubstr;

TEST(ApiAccessTest, EveryMethodOfTheServiceHasAnEntry) {
  const google::protobuf::ServiceDescriptor* service =
      swell::v1::SubmitRequest::descriptor()->file()->FindServiceByName(
          "RolloutService");
  ASSERT_NE(service, nullptr);
  ASSERT_GT(service->method_count(), 15);
  for (int i = 0; i < service->method_count(); ++i) {
    const std::string& name = service->method(i)->name();
    EXPECT_NE(FindMethodAccess(name), nullptr)
        << "RolloutService." << name
        << " has no entry in RolloutMethodAccess(): say which role it needs";
  }
}

TEST(ApiAccessTest, BrakesNeedOperatorAcceleratorsDeployerIdentityAdmin) {
  auto needed = [](const char* method) {
    const MethodAccess* access = FindMethodAccess(method);
    return access == nullptr ? std::string("none")
                             : std::string(RoleName(access->needed));
  };
  for (const char* m :
       {"Preview", "ListRollouts", "GetRollout", "GetFreeze", "ListHosts"}) {
    EXPECT_EQ(needed(m), "viewer") << m;
  }
  for (const char* m : {"Halt", "Freeze", "Rollback"}) {
    EXPECT_EQ(needed(m), "operator") << m;
  }
  for (const char* m : {"Submit", "Resume", "Unfreeze", "RetireHost"}) {
    EXPECT_EQ(needed(m), "deployer") << m;
  }
  for (const char* m : {"CreateToken", "ListTokens", "RevokeToken",
                        "RevokeHost", "UnrevokeHost"}) {
    EXPECT_EQ(needed(m), "admin") << m;
  }
}

class AuthorizeCallTest : public ::testing::Test {
 protected:
  std::string Issue(const std::string& name, Role role) {
    const std::string secret = NewTokenSecret().value();
    ApiToken t;
    t.name = name;
    t.role = role;
    t.sha256_hex = TokenSha256Hex(secret);
    t.created_at = clock_.Now();
    t.created_by = "test";
    EXPECT_TRUE(
        store_
            .Create(t, AuditEvent{clock_.Now(), "test", "create_token", "", ""})
            .ok());
    return secret;
  }

  absl::StatusOr<ApiCaller> CallWith(const std::string& secret,
                                     const char* method, Authenticator* auth) {
    grpc::ServerContext ctx;
    grpc::testing::ServerContextTestSpouse spouse(&ctx);
    if (!secret.empty())
      spouse.AddClientMetadata("authorization", "Bearer " + secret);
    return AuthorizeCall(auth, ctx, method, "mallory");
  }

  testing::FakeClock clock_;
  MemoryTokenStore store_;
  Authenticator auth_{&store_, &clock_};
};

TEST_F(AuthorizeCallTest, ViewerCannotHaltAndIsToldWhatIsNeeded) {
  const std::string secret = Issue("watcher", Role::kViewer);
  absl::StatusOr<ApiCaller> caller = CallWith(secret, "Halt", &auth_);
  EXPECT_EQ(caller.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(caller.status().message(),
            "halt needs the operator role; your token 'watcher' is a viewer");
  EXPECT_TRUE(CallWith(secret, "GetRollout", &auth_).ok());
}

TEST_F(AuthorizeCallTest, ActorIsTheTokensNameNotTheClaim) {
  const std::string secret = Issue("oncall-ana", Role::kOperator);
  absl::StatusOr<ApiCaller> caller = CallWith(secret, "Halt", &auth_);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->actor, "oncall-ana");
  EXPECT_EQ(caller->role, Role::kOperator);
  absl::StatusOr<ApiCaller> submit = CallWith(secret, "Submit", &auth_);
  EXPECT_THAT(submit.status().message(),
              HasSubstr("submit needs the deployer role"));
  EXPECT_THAT(submit.status().message(), HasSubstr("is an operator"));
}

TEST_F(AuthorizeCallTest, NoTokenIsUnauthenticated) {
  Issue("ci", Role::kAdmin);
  EXPECT_EQ(CallWith("", "ListRollouts", &auth_).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthorizeCallTest, InsecureModeAllowsAllAndMarksTheClaim) {
  absl::StatusOr<ApiCaller> caller = CallWith("", "CreateToken", nullptr);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->actor, "unauthenticated:mallory");
  EXPECT_FALSE(caller->role.has_value());
}

TEST_F(AuthorizeCallTest, MethodWithoutEntryFailsClosed) {
  const std::string secret = Issue("root", Role::kAdmin);
  EXPECT_EQ(CallWith(secret, "DropEverything", &auth_).status().code(),
            absl::StatusCode::kInternal);
  EXPECT_EQ(CallWith("", "DropEverything", nullptr).status().code(),
            absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace swell::controller
