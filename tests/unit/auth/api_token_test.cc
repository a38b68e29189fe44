// Roles, token secrets and hashes.

#include <set>
#include <string>

#include "controller/auth/api_token.h"
#include "controller/auth/role.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

TEST(RoleTest, BrakesNeedLessPrivilegeThanAccelerators) {
  EXPECT_TRUE(RoleAllows(Role::kOperator, Role::kViewer));
  EXPECT_TRUE(RoleAllows(Role::kOperator, Role::kOperator));
  EXPECT_FALSE(RoleAllows(Role::kOperator, Role::kDeployer));
  EXPECT_FALSE(RoleAllows(Role::kViewer, Role::kOperator));
  EXPECT_TRUE(RoleAllows(Role::kDeployer, Role::kOperator));
  EXPECT_FALSE(RoleAllows(Role::kDeployer, Role::kAdmin));
  EXPECT_TRUE(RoleAllows(Role::kAdmin, Role::kDeployer));
}

TEST(RoleTest, EveryRoleParsesFromItsOwnName) {
  for (Role r :
       {Role::kViewer, Role::kOperator, Role::kDeployer, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r) << RoleName(r);
  }
  EXPECT_EQ(RoleName(Role::kOperator), "operator");
  EXPECT_FALSE(ParseRole("Admin").has_value());
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_FALSE(ParseRole("").has_value());
}

TEST(ApiTokenTest, NewSecretHasPrefixAnd256RandomBitsInBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<std::string> secret = NewTokenSecret();
    ASSERT_TRUE(secret.ok()) << secret.status();
    ASSERT_EQ(secret->rfind("swell_", 0), 0u) << *secret;
    // 32 bytes are 43 base64 characters without padding.
    EXPECT_EQ(secret->size(), 6u + 43u) << *secret;
    EXPECT_EQ(secret->find_first_not_of(
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789-_",
                  6),
              std::string::npos)
        << *secret;
    seen.insert(*secret);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(ApiTokenTest, HashIsSha256InLowercaseHex) {
  EXPECT_EQ(TokenSha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(TokenSha256Hex("swell_a"), TokenSha256Hex("swell_b"));
}

TEST(ApiTokenTest, NamesAreShortPrintableAndStartWithALetterOrDigit) {
  EXPECT_TRUE(CheckTokenName("ci-deploy").ok());
  EXPECT_TRUE(CheckTokenName("alice@example.com").ok());
  EXPECT_TRUE(CheckTokenName(std::string(64, 'a')).ok());
  EXPECT_FALSE(CheckTokenName("").ok());
  EXPECT_FALSE(CheckTokenName(std::string(65, 'a')).ok());
  EXPECT_FALSE(CheckTokenName("-dash").ok());
  EXPECT_FALSE(CheckTokenName("has space").ok());
  EXPECT_FALSE(CheckTokenName("unauthenticated:x").ok());
  EXPECT_EQ(CheckTokenName("a b").code(), absl::StatusCode::kInvalidArgument);
}

TEST(ApiTokenTest, UsableOnlyWhileNeitherRevokedNorExpired) {
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  ApiToken t;
  EXPECT_TRUE(t.UsableAt(now));
  t.expires_at = now;
  EXPECT_FALSE(t.UsableAt(now));
  EXPECT_TRUE(t.UsableAt(now - absl::Seconds(1)));
  t.expires_at = absl::InfiniteFuture();
  t.revoked_at = now + absl::Hours(1);
  EXPECT_TRUE(t.revoked());
  EXPECT_FALSE(t.UsableAt(now));
}

}  // namespace
}  // namespace swell::controller
