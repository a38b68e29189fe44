// The whole loop with the real binaries: swellctl -> swell-controller
// (PostgreSQL) -> swell-agent processes changing files under their roots.

#include <sys/stat.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";
constexpr char kBad[] = "# managed by swell\nworkers = 0\n";

struct FileStamp {
  ino_t inode = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

FileStamp Stamp(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return {};
  return {st.st_ino, st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

using RolloutE2eTest = E2eTest;

TEST_F(RolloutE2eTest, GoodPlanConvergesEveryHost) {
  StartFleet(4);
  std::string id =
      cluster_->Submit(cluster_->WritePlan("good", ConfigPlan("good", kGood)));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cluster_->ReadHostFile(absl::StrCat("h", i), kConf), kGood);
  }
  auto status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_converged(), 4);
  EXPECT_EQ(status.waves_size(), 3);
}

TEST_F(RolloutE2eTest, BadPlanIsRolledBackAndEveryFileComesBackByteForByte) {
  StartFleet(6);
  std::map<std::string, std::string> before;
  std::map<std::string, FileStamp> stamps;
  for (int i = 0; i < 6; ++i) {
    std::string h = absl::StrCat("h", i);
    before[h] = cluster_->ReadHostFile(h, kConf);
    stamps[h] = Stamp(cluster_->Root(h) + kConf);
  }
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "bad", ConfigPlan("bad", kBad, "[1, 50%, 100%]", "3s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back")) << cluster_->State(id);

  auto status = cluster_->Status(id);
  EXPECT_NE(status.summary().reason().find("app-healthy FAILED"),
            std::string::npos)
      << status.summary().reason();
  bool fail_verdict = false;
  for (const auto& v : status.verdicts()) fail_verdict |= v.verdict() == "fail";
  EXPECT_TRUE(fail_verdict);
  int untouched = 0;
  for (const auto& [h, content] : before) {
    EXPECT_EQ(cluster_->ReadHostFile(h, kConf), content) << h;
    if (cluster_->HostStatus(id, h).state() == "skipped") {
      ++untouched;
      EXPECT_EQ(Stamp(cluster_->Root(h) + kConf), stamps[h])
          << h << " was touched";
    }
  }
  EXPECT_EQ(untouched, 5)
      << "only the first wave's host should have been reached";
}

TEST_F(RolloutE2eTest, HaltStopsAdmissionsAndResumeFinishes) {
  StartFleet(4);
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "slow", ConfigPlan("slow", kGood, "[1, 50%, 100%]", "2s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitFor(
      [&] { return cluster_->Status(id).summary().hosts_converged() >= 1; }));
  auto halt = cluster_->Ctl({"halt", id, "--reason", "checking dashboards"});
  ASSERT_EQ(halt.exit_code, 0) << halt.err;
  EXPECT_EQ(cluster_->State(id), "halted");
  int admitted = cluster_->Status(id).summary().hosts_admitted();
  // Longer than the bake: a running rollout would have admitted wave 2.
  EXPECT_FALSE(WaitFor(
      [&] {
        return cluster_->Status(id).summary().hosts_admitted() > admitted;
      },
      absl::Seconds(4)));
  auto resume = cluster_->Ctl({"resume", id, "--reason", "dashboards fine"});
  ASSERT_EQ(resume.exit_code, 0) << resume.err;
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded"));
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(cluster_->ReadHostFile(absl::StrCat("h", i), kConf), kGood);
  }
}

TEST_F(RolloutE2eTest, FreezeHaltsEveryRunningRolloutAndRefusesNewOnes) {
  StartFleet(2);
  std::string a = cluster_->Submit(
      cluster_->WritePlan("a", ConfigPlan("a", kGood, "[1, 100%]", "30s")));
  std::string motd = absl::StrCat(
      "name: motd\nchange:\n  variable: motd\n  kind: file\n  path: /etc/motd\n"
      "  content: hello\nstrategy:\n  waves: [1, 100%]\n  bake: 30s\n");
  std::string b = cluster_->Submit(cluster_->WritePlan("b", motd));
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  auto freeze = cluster_->Ctl({"halt", "--all", "--reason", "incident 7"});
  ASSERT_EQ(freeze.exit_code, 0) << freeze.err;
  EXPECT_EQ(cluster_->State(a), "halted");
  EXPECT_EQ(cluster_->State(b), "halted");

  auto refused = cluster_->Ctl(
      {"submit",
       cluster_->WritePlan("c", ConfigPlan("c", kGood, "[100%]", "1s"))});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("frozen"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("incident 7"), std::string::npos) << refused.err;

  ASSERT_EQ(cluster_->Ctl({"unfreeze", "--reason", "resolved"}).exit_code, 0);
  EXPECT_EQ(cluster_->Ctl({"resume", a}).exit_code, 0);
  EXPECT_EQ(cluster_->State(a), "running");
}

TEST_F(RolloutE2eTest, ControllerKilledMidWaveResumesTheSameRollout) {
  StartFleet(4);
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "restart", ConfigPlan("restart", kGood, "[1, 50%, 100%]", "2s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitFor(
      [&] { return cluster_->Status(id).summary().current_wave() == 1; }));
  cluster_->KillController();
  ASSERT_TRUE(cluster_->StartController().ok());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);

  auto status = cluster_->Status(id);
  std::map<int, int> passes;  // wave -> gate passes recorded
  for (const auto& v : status.verdicts())
    passes[v.wave()] += v.verdict() == "pass";
  for (int w = 0; w < 3; ++w)
    EXPECT_GT(passes[w], 0) << "wave " << w << " was not gated";
  std::map<std::string, int> wave_starts;
  for (const auto& e : status.events()) {
    if (e.action() == "wave_started") wave_starts[e.reason()]++;
  }
  EXPECT_EQ(wave_starts.size(), 2u);  // waves 2 and 3, once each
  for (const auto& [wave, n] : wave_starts) EXPECT_EQ(n, 1) << wave;
  EXPECT_EQ(status.summary().hosts_converged(), 4);
}

TEST_F(RolloutE2eTest, AgentKilledAndRestartedConvergesAgain) {
  StartFleet(2);
  std::string id = cluster_->Submit(
      cluster_->WritePlan("fix", ConfigPlan("fix", kGood, "[1, 100%]", "1s")));
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded"));
  cluster_->KillAgent("h1");
  // While it is down someone edits the file by hand.
  std::ofstream(cluster_->Root("h1") + kConf) << "workers = 1\n";
  ASSERT_TRUE(
      cluster_->StartAgent("h1", {{"site", "b"}, {"role", "web"}}).ok());
  EXPECT_TRUE(WaitFor([&] {
    return cluster_->ReadHostFile("h1", kConf) == kGood;
  })) << cluster_->ReadHostFile("h1", kConf);
}

// One host refuses the change (its validate fails), the failed-hosts gate
// rolls every host back. `status` must still count that host as failed and
// list it with why, not say "0 failed" because it is back at its old value.
TEST_F(RolloutE2eTest, HostThatFailedCountsAsFailedAfterTheRollback) {
  // Refuses the new value on h1 only (its path holds the host's root).
  const std::string validate =
      "sh -c 'case $0 in */hosts/h1/*) if grep -q workers.=.9 $0; then echo "
      "workers = 9 refused on h1; exit 1; fi;; esac' {}";
  for (int i = 0; i < 3; ++i) {
    AgentOptions options;
    options.labels = {{"site", i % 2 ? "b" : "a"}, {"role", "web"}};
    options.guardrails.push_back("--guardrail-file-command=" + validate);
    ASSERT_TRUE(cluster_->StartAgentWith(absl::StrCat("h", i), options).ok());
  }
  ASSERT_TRUE(cluster_->AwaitConnected(3)) << "agents did not connect";
  const std::string plan = absl::StrCat(
      "name: one-host-refuses\n"
      "change:\n"
      "  variable: app-config\n"
      "  kind: file\n"
      "  path: /etc/app/app.conf\n"
      "  content: \"# managed by swell\\nworkers = 9\\n\"\n"
      "  validate: \"",
      validate,
      "\"\n"
      "strategy:\n"
      "  waves: [100%]\n"
      "  bake: 1s\n"
      "  progress_deadline: 60s\n"
      "gates:\n"
      "  - name: no-failed-hosts\n"
      "    check: \"failed_hosts <= 0\"\n");
  const std::string id = cluster_->Submit(cluster_->WritePlan("refuse", plan));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back")) << cluster_->State(id);

  const swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_failed(), 1);
  EXPECT_EQ(status.summary().hosts_rolled_back(), 3);
  ASSERT_EQ(status.hosts_size(), 1) << "only the host that failed is listed";
  EXPECT_EQ(status.hosts(0).host_id(), "h1");
  EXPECT_EQ(status.hosts(0).state(), "rolled_back");
  EXPECT_NE(status.hosts(0).failure().find("refused on h1"), std::string::npos)
      << status.hosts(0).failure();

  const CommandOutput text = cluster_->Ctl({"status", id});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("1 failed, then all 3 rolled back"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("failed hosts (1):"), std::string::npos) << text.out;
  for (int i = 0; i < 3; ++i) {
    const std::string h = absl::StrCat("h", i);
    EXPECT_EQ(cluster_->ReadHostFile(h, kConf),
              absl::StrCat("# ", h, "\nworkers = 4\n"))
        << h;
  }
}

}  // namespace
}  // namespace swell::e2e
