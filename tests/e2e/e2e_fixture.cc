#include "tests/e2e/e2e_fixture.h"

#include <stdlib.h>

#include <filesystem>

#include "absl/strings/str_cat.h"

namespace swell::e2e {

test_support::ThrowawayPostgres* E2eTest::pg_ = nullptr;
int E2eTest::databases_ = 0;

void E2eTest::SetUpTestSuite() {
  pg_ = new test_support::ThrowawayPostgres();
  auto started = pg_->Start();
  ASSERT_TRUE(started.ok()) << started.status();
}

void E2eTest::TearDownTestSuite() {
  if (pg_ != nullptr) (void)pg_->Stop();
  delete pg_;
  pg_ = nullptr;
}

void E2eTest::SetUp() {
  ASSERT_NE(pg_, nullptr);
  ASSERT_TRUE(pg_->running());
  char tmpl[] = "/tmp/swell-e2e-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  auto conninfo = pg_->CreateDatabase(absl::StrCat("e2e", ++databases_));
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  cluster_ = std::make_unique<Cluster>(dir_, *conninfo);
  auto s = cluster_->StartController();
  ASSERT_TRUE(s.ok()) << s;
}

void E2eTest::TearDown() {
  cluster_.reset();
  // Keep the scratch directory (logs, hosts) of a failed test for reading.
  if (!HasFailure()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << "logs and host roots kept in " << dir_ << "\n";
  }
}

void E2eTest::StartFleet(int n) {
  for (int i = 0; i < n; ++i) {
    auto s = cluster_->StartAgent(
        absl::StrCat("h", i), {{"site", i % 2 ? "b" : "a"}, {"role", "web"}});
    ASSERT_TRUE(s.ok()) << s;
  }
  ASSERT_TRUE(cluster_->AwaitConnected(n)) << "agents did not connect";
}

}  // namespace swell::e2e
