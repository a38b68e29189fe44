// The first admin token: written once, exclusively, mode 0600.

#include "controller/auth/bootstrap_admin.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "controller/auth/authenticator.h"
#include "controller/auth/memory_token_store.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace swell::controller {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class BootstrapAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/bootstrapXXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    path_ = tmpl + "/admin-token";
  }

  testing::FakeClock clock_;
  MemoryTokenStore store_;
  std::string path_;
};

TEST_F(BootstrapAdminTest, WritesAnAdminTokenOnceWithMode0600) {
  absl::StatusOr<BootstrapOutcome> first =
      BootstrapAdminToken(store_, path_, clock_.Now());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, BootstrapOutcome::kWritten);
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string written = ReadFile(path_);
  const std::string secret(absl::StripTrailingAsciiWhitespace(written));
  Authenticator auth(&store_, &clock_);
  absl::StatusOr<TokenHolder> holder = auth.Authenticate("Bearer " + secret);
  ASSERT_TRUE(holder.ok()) << holder.status();
  EXPECT_EQ(holder->role, Role::kAdmin);
  EXPECT_EQ(holder->name, kBootstrapAdminName);
  ASSERT_EQ(store_.audit().size(), 1u);
  EXPECT_EQ(store_.audit()[0].action, "create_token");

  // Again, the file gone or not: an admin exists, nothing is written.
  absl::StatusOr<BootstrapOutcome> second =
      BootstrapAdminToken(store_, path_, clock_.Now());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, BootstrapOutcome::kAdminExists);
  EXPECT_EQ(ReadFile(path_), written);
  ASSERT_EQ(unlink(path_.c_str()), 0);
  second = BootstrapAdminToken(store_, path_, clock_.Now());
  EXPECT_EQ(second.value_or(BootstrapOutcome::kWritten),
            BootstrapOutcome::kAdminExists);
  EXPECT_NE(access(path_.c_str(), F_OK), 0);
  EXPECT_EQ(store_.List()->size(), 1u);
}

TEST_F(BootstrapAdminTest, ExistingFileIsNeverOverwritten) {
  {
    std::ofstream out(path_);
    out << "precious\n";
  }
  absl::StatusOr<BootstrapOutcome> outcome =
      BootstrapAdminToken(store_, path_, clock_.Now());
  EXPECT_EQ(outcome.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReadFile(path_), "precious\n");
  EXPECT_TRUE(store_.List()->empty());
}

TEST_F(BootstrapAdminTest, WritesAgainOnceEveryAdminIsRevoked) {
  ASSERT_EQ(BootstrapAdminToken(store_, path_, clock_.Now()).value(),
            BootstrapOutcome::kWritten);
  ASSERT_TRUE(
      store_
          .Revoke(kBootstrapAdminName, clock_.Now(),
                  AuditEvent{clock_.Now(), "admin", "revoke_token", "", ""})
          .ok());
  ASSERT_EQ(unlink(path_.c_str()), 0);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(BootstrapAdminToken(store_, path_, clock_.Now()).value(),
            BootstrapOutcome::kWritten);
  EXPECT_TRUE(store_.HasUsableAdmin(clock_.Now()).value());
}

}  // namespace
}  // namespace swell::controller
