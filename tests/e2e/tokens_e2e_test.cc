// Operator identity through the real swellctl binary against the real
// controller over TLS: what each role may do (with swellctl's exit codes),
// refused tokens, the audit trail's actors, the token table read with SQL,
// and the bootstrap admin token.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "controller/auth/api_token.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "tests/e2e/cluster.h"
#include "tests/support/throwaway_postgres.h"

namespace swell::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kExitDenied = 7;  // cli/exit_code.h
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TokenIn(const std::string& file) {
  return std::string(absl::StripAsciiWhitespace(ReadFile(file)));
}

// A secure cluster on a database this test can also read with SQL.
class TokensE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new test_support::ThrowawayPostgres();
    auto started = pg_->Start();
    ASSERT_TRUE(started.ok()) << started.status();
  }
  static void TearDownTestSuite() {
    if (pg_ != nullptr) (void)pg_->Stop();
    delete pg_;
    pg_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pg_, nullptr);
    char tmpl[] = "/tmp/swell-tokens-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto conninfo = pg_->CreateDatabase(absl::StrCat("tokens", ++databases_));
    ASSERT_TRUE(conninfo.ok()) << conninfo.status();
    conninfo_ = *conninfo;
    cluster_ = std::make_unique<Cluster>(dir_, conninfo_);
    absl::Status started = cluster_->StartController();
    ASSERT_TRUE(started.ok()) << started;
  }

  void TearDown() override {
    cluster_.reset();
    if (!HasFailure()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    } else {
      std::cerr << "logs kept in " << dir_ << "\n";
    }
  }

  // One column of every row `sql` returns, as text.
  std::vector<std::string> Sql(const std::string& sql) {
    pqxx::connection conn(conninfo_);
    pqxx::nontransaction tx(conn);
    std::vector<std::string> out;
    for (const auto& row : tx.exec(sql)) {
      out.emplace_back(row[0].is_null() ? "NULL" : row[0].c_str());
    }
    return out;
  }

  // Starts two agents and submits, as admin, a rollout that bakes long
  // enough to stay running while the test acts on it.
  std::string RunningRollout(const std::string& name) {
    for (const char* host : {"h0", "h1"}) {
      absl::Status s = cluster_->StartAgent(host, {{"site", "a"}});
      EXPECT_TRUE(s.ok()) << s;
    }
    EXPECT_TRUE(cluster_->AwaitConnected(2));
    const std::string id = cluster_->Submit(
        cluster_->WritePlan(name, ConfigPlan(name, kGood, "[1, 100%]", "10m")));
    EXPECT_FALSE(id.empty());
    EXPECT_TRUE(cluster_->AwaitState(id, "running"));
    return id;
  }

  std::string Plan(const std::string& name) {
    return cluster_->WritePlan(name,
                               ConfigPlan(name, kGood, "[1, 100%]", "1s"));
  }

  static test_support::ThrowawayPostgres* pg_;
  static int databases_;
  std::string dir_;
  std::string conninfo_;
  std::unique_ptr<Cluster> cluster_;
};

test_support::ThrowawayPostgres* TokensE2eTest::pg_ = nullptr;
int TokensE2eTest::databases_ = 0;

TEST_F(TokensE2eTest, ViewerReadsButCannotHalt) {
  const std::string id = RunningRollout("viewer");
  EXPECT_EQ(cluster_->CtlAs("viewer", {"list"}).exit_code, 0);
  EXPECT_EQ(cluster_->CtlAs("viewer", {"status", id}).exit_code, 0);
  EXPECT_EQ(cluster_->CtlAs("viewer", {"hosts"}).exit_code, 0);

  CommandOutput halt =
      cluster_->CtlAs("viewer", {"halt", id, "--reason", "looks bad"});
  EXPECT_EQ(halt.exit_code, kExitDenied) << halt.err;
  EXPECT_EQ(halt.err,
            "swellctl: permission denied: halt needs the operator role; your "
            "token 'e2e-viewer' is a viewer\n");
  EXPECT_EQ(cluster_->State(id), "running");
}

TEST_F(TokensE2eTest, OperatorStopsEverythingAndStartsNothing) {
  const std::string id = RunningRollout("brakes");
  CommandOutput submit = cluster_->CtlAs("operator", {"submit", Plan("x")});
  EXPECT_EQ(submit.exit_code, kExitDenied) << submit.err;
  EXPECT_THAT(submit.err, HasSubstr("submit needs the deployer role"));

  ASSERT_EQ(cluster_->CtlAs("operator", {"halt", id, "--reason", "dashboards"})
                .exit_code,
            0);
  EXPECT_TRUE(cluster_->AwaitState(id, "halted"));
  CommandOutput resume = cluster_->CtlAs("operator", {"resume", id});
  EXPECT_EQ(resume.exit_code, kExitDenied) << resume.err;
  EXPECT_THAT(resume.err, HasSubstr("resume needs the deployer role; your "
                                    "token 'e2e-operator' is an operator"));
  EXPECT_EQ(cluster_->State(id), "halted");
  ASSERT_EQ(cluster_->CtlAs("deployer", {"resume", id}).exit_code, 0);
  EXPECT_TRUE(cluster_->AwaitState(id, "running"));

  CommandOutput freeze = cluster_->CtlAs(
      "operator", {"halt", "--all", "--reason", "INC-77 restarting"});
  ASSERT_EQ(freeze.exit_code, 0) << freeze.err;
  EXPECT_TRUE(cluster_->AwaitState(id, "halted"));
  CommandOutput unfreeze = cluster_->CtlAs("operator", {"unfreeze"});
  EXPECT_EQ(unfreeze.exit_code, kExitDenied) << unfreeze.err;
  EXPECT_THAT(cluster_->Ctl({"freeze-status"}).out, HasSubstr("INC-77"));
  ASSERT_EQ(cluster_->CtlAs("deployer", {"unfreeze"}).exit_code, 0);

  CommandOutput rollback =
      cluster_->CtlAs("operator", {"rollback", id, "--reason", "p99 up"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  EXPECT_TRUE(cluster_->AwaitState(id, "rolled_back"));

  CommandOutput deployed = cluster_->CtlAs("deployer", {"submit", Plan("y")});
  EXPECT_EQ(deployed.exit_code, 0) << deployed.err;
}

TEST_F(TokensE2eTest, AuditNamesTheTokenNotWhatTheClientClaims) {
  const std::string id = RunningRollout("audit");
  ASSERT_EQ(cluster_->CtlAs("operator", {"halt", id, "--reason", "checking"})
                .exit_code,
            0);
  // swellctl sends SWELL_ACTOR=e2e-test as its claim (cluster.cc).
  const std::vector<std::string> actors = Sql(
      "SELECT actor || ' ' || action FROM audit_events WHERE rollout_id = '" +
      id + "' ORDER BY id");
  EXPECT_THAT(actors, ::testing::Contains("bootstrap-admin submit"));
  EXPECT_THAT(actors, ::testing::Contains("e2e-operator halt"));
  for (const std::string& a : actors)
    EXPECT_THAT(a, Not(HasSubstr("e2e-test")));
  const std::vector<std::string> tokens =
      Sql("SELECT actor || ' ' || reason FROM audit_events"
          " WHERE action = 'create_token' ORDER BY id");
  EXPECT_THAT(tokens, ::testing::Contains(
                          HasSubstr("bootstrap-admin e2e-operator (operator")));
}

TEST_F(TokensE2eTest, AdminManagesTokensAndNobodyElseDoes) {
  CommandOutput denied = cluster_->CtlAs("deployer", {"token", "list"});
  EXPECT_EQ(denied.exit_code, kExitDenied) << denied.err;
  EXPECT_THAT(denied.err, HasSubstr("token list needs the admin role"));

  CommandOutput created =
      cluster_->Ctl({"token", "create", "ana", "--role", "viewer"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THAT(created.err, HasSubstr("will not be shown again"));
  const std::string token(absl::StripAsciiWhitespace(created.out));
  ASSERT_EQ(token.rfind("swell_", 0), 0u) << created.out;
  const std::string file = dir_ + "/ana.token";
  std::ofstream(file) << token << "\n";
  std::vector<std::string> as_ana = cluster_->CtlFlags(file);
  as_ana.insert(as_ana.begin(),
                std::string(SWELL_BUILD_DIR_DEFAULT) + "/cli/swellctl");
  auto ana = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = as_ana;
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };
  EXPECT_EQ(ana({"list"}).exit_code, 0);

  CommandOutput list = cluster_->Ctl({"token", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("ana"));
  EXPECT_THAT(list.out, Not(HasSubstr(token)));

  ASSERT_EQ(cluster_->Ctl({"token", "revoke", "ana"}).exit_code, 0);
  CommandOutput revoked = ana({"list"});
  EXPECT_EQ(revoked.exit_code, kExitDenied) << revoked.err;
  EXPECT_THAT(revoked.err, HasSubstr("token 'ana' was revoked"));
  EXPECT_THAT(revoked.err, Not(HasSubstr(token)));
}

TEST_F(TokensE2eTest, ExpiredUnknownAndMissingTokensAreRefused) {
  CommandOutput created = cluster_->Ctl(
      {"token", "create", "brief", "--role", "viewer", "--expires", "2s"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string file = dir_ + "/brief.token";
  std::ofstream(file) << created.out;
  std::vector<std::string> argv = cluster_->CtlFlags(file);
  argv.insert(argv.begin(),
              std::string(SWELL_BUILD_DIR_DEFAULT) + "/cli/swellctl");
  argv.push_back("list");
  EXPECT_EQ(RunCommand(argv).exit_code, 0);  // before it expires
  CommandOutput expired;
  EXPECT_TRUE(WaitFor([&] {
    expired = RunCommand(argv);
    return expired.exit_code == kExitDenied;
  }));
  EXPECT_THAT(expired.err, HasSubstr("token 'brief' expired"));

  const std::string bogus = dir_ + "/bogus.token";
  std::ofstream(bogus) << "swell_thisisnotatokenanyoneissued\n";
  argv = cluster_->CtlFlags(bogus);
  argv.insert(argv.begin(),
              std::string(SWELL_BUILD_DIR_DEFAULT) + "/cli/swellctl");
  argv.push_back("list");
  CommandOutput unknown = RunCommand(argv);
  EXPECT_EQ(unknown.exit_code, kExitDenied) << unknown.err;
  EXPECT_THAT(unknown.err, HasSubstr("unknown token"));

  // No --token-file, no SWELL_TOKEN, and a HOME without a token file.
  CommandOutput missing = RunCommand(
      {"env", "-u", "SWELL_TOKEN", "HOME=" + dir_,
       std::string(SWELL_BUILD_DIR_DEFAULT) + "/cli/swellctl", "--controller",
       cluster_->api_address(), "--ca", cluster_->ca_file(), "list"});
  EXPECT_EQ(missing.exit_code, kExitDenied) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("no token"));
}

TEST_F(TokensE2eTest, TokensAreStoredOnlyAsHashes) {
  const std::string admin = TokenIn(dir_ + "/admin.token");
  const std::string viewer = TokenIn(cluster_->TokenFile("viewer"));
  ASSERT_FALSE(admin.empty());
  ASSERT_FALSE(viewer.empty());
  ASSERT_EQ(cluster_->CtlAs("viewer", {"list"}).exit_code, 0);

  // The witness: the table is the one that holds these tokens.
  EXPECT_THAT(Sql("SELECT token_sha256 FROM api_tokens ORDER BY name"),
              ::testing::ElementsAre(controller::TokenSha256Hex(admin),
                                     controller::TokenSha256Hex(viewer)));
  for (const std::string table : {"api_tokens", "audit_events"}) {
    for (const std::string& row : Sql("SELECT t::text FROM " + table + " t")) {
      EXPECT_THAT(row, Not(HasSubstr(admin))) << table;
      EXPECT_THAT(row, Not(HasSubstr(viewer))) << table;
      EXPECT_THAT(row, Not(HasSubstr("swell_"))) << table;
    }
  }
}

TEST_F(TokensE2eTest, BootstrapWritesOnceAndNeverAgain) {
  const std::string file = dir_ + "/admin.token";
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string first = ReadFile(file);
  EXPECT_EQ(cluster_->Ctl({"token", "list"}).exit_code, 0);

  // Restarted with the same file, and then with a new one: an admin token
  // exists, so neither is written.
  cluster_->KillController();
  ASSERT_TRUE(cluster_->StartController().ok());
  EXPECT_EQ(ReadFile(file), first);
  const std::string other = dir_ + "/second-admin.token";
  cluster_->KillController();
  ASSERT_TRUE(
      cluster_->StartController({"--bootstrap_admin_token_file", other}).ok());
  EXPECT_NE(access(other.c_str(), F_OK), 0);
  EXPECT_THAT(Sql("SELECT name FROM api_tokens WHERE role = 'admin'"),
              ::testing::ElementsAre("bootstrap-admin"));
}

}  // namespace
}  // namespace swell::e2e
