// The same tests against MemoryTokenStore and PgTokenStore, so that the
// fake cannot drift from the real store.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/auth/memory_token_store.h"
#include "controller/auth/pg_token_store.h"
#include "controller/store/postgres_store.h"
#include "gtest/gtest.h"
#include "tests/integration/shared_postgres.h"

namespace swell::controller {
namespace {

const absl::Time kT0 = absl::FromUnixMicros(1'800'000'000'000'001);

// A store and a way to read back the audit events it appended.
struct TokenStoreUnderTest {
  std::unique_ptr<TokenStore> store;
  std::function<std::vector<AuditEvent>()> audit;
};

struct MemoryFactory {
  static constexpr const char* kName = "Memory";
  static absl::StatusOr<TokenStoreUnderTest> New() {
    auto memory = std::make_unique<MemoryTokenStore>();
    MemoryTokenStore* raw = memory.get();
    TokenStoreUnderTest t;
    t.store = std::move(memory);
    t.audit = [raw] { return raw->audit(); };
    return t;
  }
};

struct PostgresFactory {
  static constexpr const char* kName = "Postgres";
  static absl::StatusOr<TokenStoreUnderTest> New() {
    absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
    if (!conninfo.ok()) return conninfo.status();
    // The schema is the rollout store's to migrate; it reads audit too.
    absl::StatusOr<std::unique_ptr<PostgresStore>> history =
        PostgresStore::Connect(*conninfo);
    if (!history.ok()) return history.status();
    if (absl::Status s = (*history)->Migrate(); !s.ok()) return s;
    absl::StatusOr<std::unique_ptr<PgTokenStore>> tokens =
        PgTokenStore::Connect(*conninfo);
    if (!tokens.ok()) return tokens.status();
    TokenStoreUnderTest t;
    t.store = std::move(*tokens);
    std::shared_ptr<PostgresStore> reader = std::move(*history);
    t.audit = [reader] {
      return reader->Audit("", 1000).value_or(std::vector<AuditEvent>{});
    };
    return t;
  }
};

struct FactoryName {
  template <typename T>
  static std::string GetName(int) {
    return T::kName;
  }
};

ApiToken Token(const std::string& name, Role role, absl::Time at = kT0) {
  ApiToken t;
  t.name = name;
  t.role = role;
  t.sha256_hex = TokenSha256Hex(
      absl::StrCat("swell_secret_of_", name, absl::ToUnixNanos(at)));
  t.created_at = at;
  t.created_by = "bootstrap-admin";
  return t;
}

AuditEvent Event(const std::string& action, const std::string& reason,
                 absl::Time at = kT0) {
  return AuditEvent{at, "bootstrap-admin", action, "", reason};
}

std::string Dump(const ApiToken& t) {
  return absl::StrCat(t.name, " ", RoleName(t.role), " ", t.sha256_hex, " ",
                      absl::FormatTime(t.created_at), " ", t.created_by, " ",
                      absl::FormatTime(t.expires_at), " ",
                      absl::FormatTime(t.last_used_at), " ",
                      absl::FormatTime(t.revoked_at));
}

template <typename Factory>
class TokenStoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<TokenStoreUnderTest> t = Factory::New();
    ASSERT_TRUE(t.ok()) << t.status();
    under_test_ = std::move(*t);
    store_ = under_test_.store.get();
  }

  void MustCreate(const ApiToken& t) {
    absl::Status s = store_->Create(t, Event("create_token", t.name));
    ASSERT_TRUE(s.ok()) << s;
  }

  std::string Find(const ApiToken& t) {
    absl::StatusOr<ApiToken> found = store_->FindByHash(t.sha256_hex);
    return found.ok() ? Dump(*found) : found.status().ToString();
  }

  TokenStoreUnderTest under_test_;
  TokenStore* store_ = nullptr;
};
using Factories = ::testing::Types<MemoryFactory, PostgresFactory>;
TYPED_TEST_SUITE(TokenStoreConformanceTest, Factories, FactoryName);

TYPED_TEST(TokenStoreConformanceTest, EveryFieldRoundTripsToTheMicrosecond) {
  ApiToken t = Token("ci-deploy", Role::kDeployer);
  t.created_at = kT0 + absl::Nanoseconds(999);
  t.expires_at = kT0 + absl::Hours(24 * 90) + absl::Nanoseconds(999);
  this->MustCreate(t);
  ApiToken expected = t;
  expected.created_at = kT0;
  expected.expires_at = kT0 + absl::Hours(24 * 90);
  EXPECT_EQ(this->Find(t), Dump(expected));

  ApiToken never = Token("viewer-1", Role::kViewer);
  this->MustCreate(never);
  EXPECT_EQ(this->Find(never), Dump(never));  // infinities round-trip
  EXPECT_EQ(this->store_->FindByHash(TokenSha256Hex("other")).status().code(),
            absl::StatusCode::kNotFound);
}

TYPED_TEST(TokenStoreConformanceTest, ListIsByNameAndKeepsRevokedTokens) {
  for (const char* name : {"zed", "Alice", "bob"}) {
    this->MustCreate(Token(name, Role::kViewer));
  }
  ASSERT_TRUE(
      this->store_->Revoke("bob", kT0, Event("revoke_token", "bob")).ok());
  absl::StatusOr<std::vector<ApiToken>> all = this->store_->List();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "Alice");  // byte order
  EXPECT_EQ((*all)[1].name, "bob");
  EXPECT_TRUE((*all)[1].revoked());
  EXPECT_EQ((*all)[2].name, "zed");
}

TYPED_TEST(TokenStoreConformanceTest, UsableNameIsTakenButDeadNameIsReused) {
  ApiToken ci = Token("ci", Role::kDeployer);
  ci.expires_at = kT0 + absl::Hours(1);
  this->MustCreate(ci);
  ApiToken again = Token("ci", Role::kAdmin, kT0 + absl::Minutes(1));
  EXPECT_EQ(this->store_->Create(again, Event("create_token", "ci")).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(this->Find(ci), Dump(ci));  // unchanged

  ApiToken later = Token("ci", Role::kAdmin, kT0 + absl::Hours(1));
  this->MustCreate(later);  // the first one has expired by then
  EXPECT_EQ(this->Find(later), Dump(later));
  EXPECT_EQ(this->store_->FindByHash(ci.sha256_hex).status().code(),
            absl::StatusCode::kNotFound);
}

TYPED_TEST(TokenStoreConformanceTest, RevokeIsAuditedOnceAndIdempotent) {
  this->MustCreate(Token("ops", Role::kOperator));
  const absl::Time at = kT0 + absl::Minutes(5);
  absl::StatusOr<ApiToken> revoked =
      this->store_->Revoke("ops", at, Event("revoke_token", "ops: left", at));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->revoked_at, at);
  absl::StatusOr<ApiToken> again = this->store_->Revoke(
      "ops", at + absl::Hours(1), Event("revoke_token", "again", at));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->revoked_at, at);
  EXPECT_EQ(this->store_->Revoke("nobody", at, Event("revoke_token", "x"))
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  std::vector<AuditEvent> audit = this->under_test_.audit();
  ASSERT_EQ(audit.size(), 2u);
  EXPECT_EQ(audit[0].action, "create_token");
  EXPECT_EQ(audit[0].actor, "bootstrap-admin");
  EXPECT_EQ(audit[1].action, "revoke_token");
  EXPECT_EQ(audit[1].reason, "ops: left");
  EXPECT_EQ(audit[1].at, at);
}

TYPED_TEST(TokenStoreConformanceTest, FirstAdminOnlyWhileNoAdminIsUsable) {
  ApiToken expired = Token("old-admin", Role::kAdmin);
  expired.expires_at = kT0 + absl::Hours(1);
  this->MustCreate(expired);
  this->MustCreate(Token("ops", Role::kDeployer));
  EXPECT_TRUE(this->store_->HasUsableAdmin(kT0).value());
  EXPECT_FALSE(this->store_->HasUsableAdmin(kT0 + absl::Hours(1)).value());

  ApiToken first = Token("bootstrap-admin", Role::kAdmin, kT0);
  EXPECT_FALSE(
      this->store_->CreateFirstAdmin(first, Event("create_token", "")).value());
  EXPECT_EQ(this->store_->FindByHash(first.sha256_hex).status().code(),
            absl::StatusCode::kNotFound);

  first = Token("bootstrap-admin", Role::kAdmin, kT0 + absl::Hours(2));
  EXPECT_TRUE(
      this->store_->CreateFirstAdmin(first, Event("create_token", "")).value());
  EXPECT_EQ(this->Find(first), Dump(first));
  EXPECT_EQ(this->under_test_.audit().size(), 3u);
}

TYPED_TEST(TokenStoreConformanceTest, LastUseKeepsTheLatestTime) {
  ApiToken t = Token("ci", Role::kViewer);
  this->MustCreate(t);
  ASSERT_TRUE(this->store_->TouchLastUsed("ci", kT0 + absl::Minutes(2)).ok());
  ASSERT_TRUE(this->store_->TouchLastUsed("ci", kT0 + absl::Minutes(1)).ok());
  ASSERT_TRUE(this->store_->TouchLastUsed("gone", kT0).ok());
  EXPECT_EQ(this->store_->FindByHash(t.sha256_hex)->last_used_at,
            kT0 + absl::Minutes(2));
}

TYPED_TEST(TokenStoreConformanceTest, UnstorableTokensChangeNothing) {
  ApiToken bad_name = Token("has space", Role::kViewer);
  EXPECT_EQ(this->store_->Create(bad_name, Event("create_token", "")).code(),
            absl::StatusCode::kInvalidArgument);
  ApiToken bad_hash = Token("ci", Role::kViewer);
  bad_hash.sha256_hex = "swell_plaintext";
  EXPECT_EQ(this->store_->Create(bad_hash, Event("create_token", "")).code(),
            absl::StatusCode::kInvalidArgument);
  ApiToken bad_audit = Token("ci", Role::kViewer);
  EXPECT_EQ(this->store_
                ->Create(bad_audit, Event("create_token", std::string("\0", 1)))
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(this->store_->List()->empty());
  EXPECT_TRUE(this->under_test_.audit().empty());
}

}  // namespace
}  // namespace swell::controller
