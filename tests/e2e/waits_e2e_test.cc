// What a rollout waits for, with the real binaries: agents coming back to
// a restarted controller, an agent that cannot read the variable, and the
// first health samples of hosts that just converged.

#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";

using WaitsE2eTest = E2eTest;

int AuditCount(const swell::v1::RolloutStatus& status,
               const std::string& action) {
  int n = 0;
  for (const auto& e : status.events()) n += e.action() == action;
  return n;
}

// Agents used to take 12 to 17 s to come back after an outage, and the
// controller judged their silence from its own start: a short grace then
// failed healthy hosts and rolled a good change back.
TEST_F(WaitsE2eTest, ControllerOutageLongerThanTheGraceFailsNoHost) {
  const std::vector<std::string> grace = {"--agent_grace", "3s"};
  cluster_->KillController();
  ASSERT_TRUE(cluster_->StartController(grace).ok());
  StartFleet(4);
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "outage", ConfigPlan("outage", kGood, "[1, 100%]", "6s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitFor(
      [&] { return cluster_->Status(id).summary().hosts_converged() == 1; }));

  cluster_->KillController();
  // The outage itself: long enough for every agent's reconnect backoff to
  // grow to its cap, and longer than the grace.
  absl::SleepFor(absl::Seconds(8));
  ASSERT_TRUE(cluster_->StartController(grace).ok());

  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  EXPECT_EQ(status.summary().hosts_converged(), 4);
  EXPECT_EQ(AuditCount(status, "gate_failed"), 0);
  EXPECT_EQ(AuditCount(status, "wave_started"), 1);  // wave 2, after restart
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cluster_->ReadHostFile(absl::StrCat("h", i), kConf), kGood);
  }
}

TEST_F(WaitsE2eTest, AHostThatCannotReadItsValueFailsAtTheProgressDeadline) {
  StartFleet(1);
  // The file is a symlink loop: the agent cannot read its current value.
  const std::string conf = cluster_->Root("h0") + kConf;
  std::filesystem::remove(conf);
  ASSERT_EQ(symlink("app.conf", conf.c_str()), 0);
  const std::string plan = absl::StrReplaceAll(
      ConfigPlan("loop", kGood, "[100%]", "1s"),
      {{"progress_deadline: 60s", "progress_deadline: 4s"}});
  std::string id = cluster_->Submit(cluster_->WritePlan("loop", plan));
  ASSERT_FALSE(id.empty());

  // While it waits, on-call reads why.
  EXPECT_TRUE(WaitFor([&] {
    return cluster_->HostStatus(id, "h0").message().find("cannot read") !=
           std::string::npos;
  })) << cluster_->HostStatus(id, "h0").message();
  CommandOutput shown = cluster_->Ctl({"status", id, "--host", "h0"});
  EXPECT_NE(shown.out.find("symbolic links"), std::string::npos) << shown.out;

  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back")) << cluster_->State(id);
  swell::v1::RolloutHostStatus host = cluster_->HostStatus(id, "h0");
  EXPECT_EQ(host.state(), "failed");
  EXPECT_NE(host.message().find("progress deadline (4s)"), std::string::npos)
      << host.message();
  EXPECT_NE(host.message().find("symbolic links"), std::string::npos)
      << host.message();
}

// With no bake, each wave is judged on every host's first sample since it
// converged. The agents' checks run hourly here, so those samples can only
// come from the measurement agents take right after an apply.
TEST_F(WaitsE2eTest, ZeroBakeIsJudgedOnSamplesTakenRightAfterTheApply) {
  AgentOptions options;
  options.extra_args = {"--check-interval", "1h"};
  for (int i = 0; i < 3; ++i) {
    options.labels = {{"site", i % 2 ? "b" : "a"}, {"role", "web"}};
    ASSERT_TRUE(cluster_->StartAgentWith(absl::StrCat("h", i), options).ok());
  }
  ASSERT_TRUE(cluster_->AwaitConnected(3));
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "nobake", ConfigPlan("nobake", kGood, "[1, 100%]", "0s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  swell::v1::RolloutStatus status = cluster_->Status(id);
  int passes = 0;
  for (const auto& v : status.verdicts()) {
    passes += v.gate() == "app-healthy" && v.verdict() == "pass";
  }
  EXPECT_EQ(passes, 2);  // each wave judged, on evidence
}

}  // namespace
}  // namespace swell::e2e
