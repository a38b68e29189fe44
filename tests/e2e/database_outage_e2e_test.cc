// The database going away mid-rollout, with the real binaries: PostgreSQL
// stopped at once (as a crash) and started again on the same address.

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";
constexpr char kDown[] =
    "database unavailable: nothing advances; agents keep their current state";

using DatabaseOutageE2eTest = E2eTest;

int AuditCount(const swell::v1::RolloutStatus& status,
               const std::string& action) {
  int n = 0;
  for (const auto& e : status.events()) n += e.action() == action;
  return n;
}

// The controller stays up; reads answer from the model it holds and say the
// database is away; a change is refused with a retryable exit and leaves
// nothing behind; agents keep what they have. Once the database is back the
// rollout goes on from where it was, and no host is admitted twice.
TEST_F(DatabaseOutageE2eTest, ARolloutSurvivesTheDatabaseGoingAway) {
  StartFleet(4);
  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "outage", ConfigPlan("outage", kGood, "[1, 100%]", "3s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitFor(
      [&] { return cluster_->Status(id).summary().hosts_converged() == 1; }));

  ASSERT_TRUE(postgres().Pause().ok());
  // A change now cannot be stored: refused, retryable, nothing half done.
  CommandOutput halt = cluster_->Ctl({"halt", id, "--reason", "during outage"});
  EXPECT_EQ(halt.exit_code, 4) << halt.err;
  EXPECT_NE(halt.err.find(kDown), std::string::npos) << halt.err;
  EXPECT_NE(halt.err.find("nothing was changed"), std::string::npos);
  // Reads still answer, and say why nothing moves.
  CommandOutput list;
  ASSERT_TRUE(WaitFor([&] {
    list = cluster_->Ctl({"list"});
    return list.exit_code == 0 &&
           list.err.find("database unavailable since") != std::string::npos;
  })) << list.err;
  EXPECT_NE(list.out.find(id), std::string::npos) << list.out;
  // Static stability: the admitted host keeps the change, the rest keep
  // what they had; past the bake, the next wave has not started.
  absl::SleepFor(absl::Seconds(4));
  int changed = 0;
  for (int i = 0; i < 4; ++i) {
    changed += cluster_->ReadHostFile(absl::StrCat("h", i), kConf) == kGood;
  }
  EXPECT_EQ(changed, 1);

  ASSERT_TRUE(postgres().Resume().ok());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded"))
      << cluster_->Ctl({"status", id}).out << cluster_->Ctl({"status", id}).err;
  const swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.database_notice(), "");
  EXPECT_EQ(status.summary().hosts_converged(), 4);
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  EXPECT_EQ(AuditCount(status, "halt"), 0);          // the refused halt
  EXPECT_EQ(AuditCount(status, "wave_started"), 1);  // wave 2, once
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cluster_->ReadHostFile(absl::StrCat("h", i), kConf), kGood);
  }
  CommandOutput after = cluster_->Ctl({"list", "--all"});
  EXPECT_EQ(after.exit_code, 0);
  EXPECT_EQ(after.err.find("database unavailable"), std::string::npos)
      << after.err;
}

}  // namespace
}  // namespace swell::e2e
