// The authenticator over the in-memory token store and a fake clock.

#include "controller/auth/authenticator.h"

#include <string>
#include <vector>

#include "controller/auth/memory_token_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace swell::controller {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The in-memory store behind a switch that makes it unreachable.
class SwitchedTokenStore final : public TokenStore {
 public:
  explicit SwitchedTokenStore(TokenStore* inner) : inner_(inner) {}
  void set_reachable(bool reachable) { reachable_ = reachable; }

  absl::Status Create(const ApiToken& t, const AuditEvent& a) override {
    if (!reachable_) return Away();
    return inner_->Create(t, a);
  }
  absl::StatusOr<bool> CreateFirstAdmin(const ApiToken& t,
                                        const AuditEvent& a) override {
    if (!reachable_) return Away();
    return inner_->CreateFirstAdmin(t, a);
  }
  absl::StatusOr<bool> HasUsableAdmin(absl::Time now) override {
    if (!reachable_) return Away();
    return inner_->HasUsableAdmin(now);
  }
  absl::StatusOr<ApiToken> FindByHash(absl::string_view hash) override {
    if (!reachable_) return Away();
    return inner_->FindByHash(hash);
  }
  absl::StatusOr<std::vector<ApiToken>> List() override {
    if (!reachable_) return Away();
    return inner_->List();
  }
  absl::StatusOr<ApiToken> Revoke(absl::string_view name, absl::Time at,
                                  const AuditEvent& a) override {
    if (!reachable_) return Away();
    return inner_->Revoke(name, at, a);
  }
  absl::Status TouchLastUsed(absl::string_view name, absl::Time at) override {
    if (!reachable_) return Away();
    return inner_->TouchLastUsed(name, at);
  }

 private:
  static absl::Status Away() {
    return absl::UnavailableError("database unreachable");
  }
  TokenStore* inner_;
  bool reachable_ = true;
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  // Stores a token named `name` and returns its secret.
  std::string Issue(const std::string& name, Role role,
                    absl::Time expires = absl::InfiniteFuture()) {
    absl::StatusOr<std::string> secret = NewTokenSecret();
    EXPECT_TRUE(secret.ok());
    ApiToken t;
    t.name = name;
    t.role = role;
    t.sha256_hex = TokenSha256Hex(*secret);
    t.created_at = clock_.Now();
    t.created_by = "test";
    t.expires_at = expires;
    EXPECT_TRUE(store_
                    .Create(t, AuditEvent{clock_.Now(), "test", "create_token",
                                          "", name})
                    .ok());
    return *secret;
  }

  absl::StatusOr<TokenHolder> Call(const std::string& header) {
    return auth_.Authenticate(header);
  }

  ApiToken Stored(const std::string& name) {
    absl::StatusOr<std::vector<ApiToken>> tokens = store_.List();
    EXPECT_TRUE(tokens.ok()) << tokens.status();
    for (const ApiToken& t : tokens.value_or(std::vector<ApiToken>{})) {
      if (t.name == name) return t;
    }
    ADD_FAILURE() << "no token " << name;
    return {};
  }

  testing::FakeClock clock_;
  MemoryTokenStore store_;
  Authenticator auth_{&store_, &clock_};
};

TEST_F(AuthenticatorTest, ValidTokenYieldsItsNameAndRole) {
  const std::string secret = Issue("ci", Role::kDeployer);
  absl::StatusOr<TokenHolder> holder = Call("Bearer " + secret);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ(holder->name, "ci");
  EXPECT_EQ(holder->role, Role::kDeployer);
  EXPECT_TRUE(Call("bearer  " + secret).ok());  // the scheme is any case
}

TEST_F(AuthenticatorTest, MissingHeaderSaysHowToSendOne) {
  absl::StatusOr<TokenHolder> holder = auth_.Authenticate(std::nullopt);
  EXPECT_EQ(holder.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(holder.status().message(), HasSubstr("no token"));
}

TEST_F(AuthenticatorTest, MalformedHeaderIsRefusedWithoutEchoingIt) {
  const std::string secret = Issue("ci", Role::kAdmin);
  for (const std::string& header :
       std::vector<std::string>{secret, "Basic " + secret, "Bearer"}) {
    absl::StatusOr<TokenHolder> holder = Call(header);
    EXPECT_EQ(holder.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_THAT(holder.status().message(), HasSubstr("malformed"));
    EXPECT_THAT(holder.status().message(), Not(HasSubstr(secret)));
  }
}

TEST_F(AuthenticatorTest, UnknownTokenIsRefusedWithoutEchoingIt) {
  Issue("ci", Role::kAdmin);
  const std::string guess = "swell_notatokenthiscontrollermade";
  absl::StatusOr<TokenHolder> holder = Call("Bearer " + guess);
  EXPECT_EQ(holder.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(holder.status().message(), HasSubstr("unknown token"));
  EXPECT_THAT(holder.status().message(), Not(HasSubstr(guess)));
}

TEST_F(AuthenticatorTest, ExpiredTokenIsRefusedNamingIt) {
  const std::string secret =
      Issue("temp", Role::kViewer, clock_.Now() + absl::Hours(1));
  EXPECT_TRUE(Call("Bearer " + secret).ok());
  clock_.Advance(absl::Hours(1));
  absl::StatusOr<TokenHolder> holder = Call("Bearer " + secret);
  EXPECT_EQ(holder.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(holder.status().message(), HasSubstr("token 'temp' expired"));
  EXPECT_THAT(holder.status().message(), Not(HasSubstr(secret)));
}

TEST_F(AuthenticatorTest, RevocationCountsAtOnceAfterForget) {
  const std::string secret = Issue("ops", Role::kOperator);
  EXPECT_TRUE(Call("Bearer " + secret).ok());  // now cached
  ASSERT_TRUE(
      store_
          .Revoke("ops", clock_.Now(),
                  AuditEvent{clock_.Now(), "admin", "revoke_token", "", ""})
          .ok());
  auth_.Forget("ops");
  absl::StatusOr<TokenHolder> holder = Call("Bearer " + secret);
  EXPECT_EQ(holder.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(holder.status().message(), HasSubstr("token 'ops' was revoked"));
}

TEST_F(AuthenticatorTest, RevocationAroundTheAuthenticatorCountsAfterCache) {
  const std::string secret = Issue("ops", Role::kOperator);
  EXPECT_TRUE(Call("Bearer " + secret).ok());
  ASSERT_TRUE(
      store_
          .Revoke("ops", clock_.Now(),
                  AuditEvent{clock_.Now(), "sql", "revoke_token", "", ""})
          .ok());
  EXPECT_TRUE(Call("Bearer " + secret).ok());  // the cache still holds it
  clock_.Advance(Authenticator::Options{}.cache_for);
  EXPECT_EQ(Call("Bearer " + secret).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, LastUseIsWrittenAboutOnceAMinute) {
  const std::string secret = Issue("ci", Role::kViewer);
  EXPECT_EQ(Stored("ci").last_used_at, absl::InfinitePast());
  const absl::Time first = clock_.Now();
  ASSERT_TRUE(Call("Bearer " + secret).ok());
  EXPECT_EQ(Stored("ci").last_used_at, first);
  clock_.Advance(absl::Seconds(59));
  ASSERT_TRUE(Call("Bearer " + secret).ok());
  EXPECT_EQ(Stored("ci").last_used_at, first);
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(Call("Bearer " + secret).ok());
  EXPECT_EQ(Stored("ci").last_used_at, clock_.Now());
}

TEST_F(AuthenticatorTest, RecentlyVerifiedTokenOutlastsADatabaseOutage) {
  const std::string ops = Issue("ops", Role::kOperator);
  const std::string never_seen = Issue("ci", Role::kDeployer);
  SwitchedTokenStore switched(&store_);
  Authenticator auth(&switched, &clock_);
  ASSERT_TRUE(auth.Authenticate("Bearer " + ops).ok());

  switched.set_reachable(false);
  clock_.Advance(absl::Minutes(9));
  absl::StatusOr<TokenHolder> holder = auth.Authenticate("Bearer " + ops);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ(holder->name, "ops");
  // A token it never verified cannot be checked: retry later.
  EXPECT_EQ(auth.Authenticate("Bearer " + never_seen).status().code(),
            absl::StatusCode::kUnavailable);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(auth.Authenticate("Bearer " + ops).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace swell::controller
