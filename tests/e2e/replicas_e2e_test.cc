// Controller replicas against one PostgreSQL (issue 12): one leads and
// decides, the other waits as a standby; when the leader is killed, or
// paused (the classic split brain), the standby takes over within the
// lease, the rollout completes with every wave started once, and a paused
// leader that wakes up is fenced and steps down.

#include <csignal>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";

class ReplicasE2eTest : public E2eTest {
 protected:
  // Replica 0 leads; replica 1 waits. Four agents know both.
  void StartTwoReplicasAndFleet() {
    ASSERT_TRUE(
        cluster_
            ->StartController({"--replica_name", "a", "--leader_lease", "2s"})
            .ok());
    ASSERT_TRUE(
        cluster_
            ->StartReplica(1, {"--replica_name", "b", "--leader_lease", "2s"})
            .ok());
    ASSERT_TRUE(WaitFor([&] {
      return absl::StrContains(cluster_->ReplicaLog(1),
                               "replica b is a standby: a leads");
    })) << cluster_->ReplicaLog(1);
    StartFleet(4);
  }

  // Submits a 3-wave rollout of 3 s bakes; its id once wave 1 is done (""
  // when it does not get there).
  std::string SubmitAndAwaitWave2() {
    const std::string id = cluster_->Submit(cluster_->WritePlan(
        "p.yaml", ConfigPlan("cfg", kGood, "[1, 50%, 100%]", "3s")));
    const bool wave2 = !id.empty() && WaitFor([&] {
      return cluster_->Status(id).summary().current_wave() >= 1;
    });
    EXPECT_TRUE(wave2) << cluster_->Ctl({"status", id}).out;
    return wave2 ? id : "";
  }

  // Waits until replica 1 leads; how long that took from `since`.
  absl::Duration AwaitReplica1Leads(absl::Time since) {
    EXPECT_TRUE(WaitFor(
        [&] {
          return absl::StrContains(cluster_->ReplicaLog(1), "replica b leads");
        },
        absl::Seconds(30)))
        << cluster_->ReplicaLog(1);
    const absl::Duration took = absl::Now() - since;
    cluster_->UseApiOf(1);
    return took;
  }

  // The rollout succeeded on every host, and each wave started once.
  void ExpectCompletedOnce(const std::string& id) {
    ASSERT_TRUE(cluster_->AwaitState(id, "succeeded", absl::Seconds(90)))
        << cluster_->Ctl({"status", id}).out;
    for (int i = 0; i < 4; ++i) {
      const std::string h = absl::StrCat("h", i);
      EXPECT_EQ(cluster_->ReadHostFile(h, kConf), kGood) << h;
    }
    std::map<std::string, int> starts;  // "wave N of M" -> times
    const swell::v1::RolloutStatus status = cluster_->Status(id);
    for (const auto& e : status.events()) {
      if (e.action() == "wave_started") starts[e.reason()]++;
    }
    // Waves 2 and 3 (wave 1 starts with the submit).
    EXPECT_EQ(starts.size(), 2u);
    for (const auto& [wave, n] : starts) EXPECT_EQ(n, 1) << wave;
  }
};

TEST_F(ReplicasE2eTest, StandbyTakesOverWhenTheLeaderIsKilledMidRollout) {
  StartTwoReplicasAndFleet();
  const std::string id = SubmitAndAwaitWave2();
  ASSERT_FALSE(id.empty());

  const absl::Time killed = absl::Now();
  cluster_->SignalReplica(0, SIGKILL);
  const absl::Duration took = AwaitReplica1Leads(killed);
  EXPECT_TRUE(cluster_->AwaitConnected(4));  // the agents of the dead one too
  ExpectCompletedOnce(id);
  const std::string status = cluster_->Ctl({"status", id}).out;
  EXPECT_TRUE(absl::StrContains(status, "controller: b leads (epoch "))
      << status;
  RecordProperty("failover_ms",
                 static_cast<int>(absl::ToInt64Milliseconds(took)));
}

TEST_F(ReplicasE2eTest, PausedLeaderIsFencedAndStepsDown) {
  StartTwoReplicasAndFleet();
  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "p.yaml", ConfigPlan("cfg", kGood, "[1, 50%, 100%]", "3s")));
  ASSERT_FALSE(id.empty());

  const absl::Time paused = absl::Now();
  cluster_->SignalReplica(0, SIGSTOP);
  const absl::Duration took = AwaitReplica1Leads(paused);
  RecordProperty("failover_ms",
                 static_cast<int>(absl::ToInt64Milliseconds(took)));
  cluster_->SignalReplica(0, SIGCONT);
  // Woken, it finds another leader and stops deciding: it exits, to be
  // restarted as a standby.
  ASSERT_TRUE(WaitFor([&] { return !cluster_->ReplicaRunning(0); }))
      << cluster_->ReplicaLog(0);
  // By its lock session or by a refused commit, whichever it meets first.
  const std::string log = cluster_->ReplicaLog(0);
  EXPECT_TRUE(absl::StrContains(log, "deposed: ") &&
              absl::StrContains(log, "b leads at epoch"))
      << log;
  ExpectCompletedOnce(id);
}

TEST_F(ReplicasE2eTest,
       DatabaseStoppedMidRolloutTheLeaderLeadsOnAndBothSurvive) {
  StartTwoReplicasAndFleet();
  const std::string id = SubmitAndAwaitWave2();
  ASSERT_FALSE(id.empty());

  const absl::Time stopped = absl::Now();
  ASSERT_TRUE(postgres().Pause().ok());
  ASSERT_TRUE(WaitFor([&] {
    return absl::StrContains(cluster_->ReplicaLog(0),
                             "replica a lost its leader lock session");
  })) << cluster_->ReplicaLog(0);
  // The outage lasts 20 s, as on-call would see a PostgreSQL restart drag.
  absl::SleepFor(absl::Seconds(20) - (absl::Now() - stopped));
  ASSERT_TRUE(postgres().Resume().ok());

  ASSERT_TRUE(WaitFor([&] {
    return absl::StrContains(cluster_->ReplicaLog(0), "replica a leads again");
  })) << cluster_->ReplicaLog(0);
  ExpectCompletedOnce(id);
  EXPECT_TRUE(cluster_->ReplicaRunning(0));
  EXPECT_TRUE(cluster_->ReplicaRunning(1));
  EXPECT_FALSE(absl::StrContains(cluster_->ReplicaLog(1), "replica b leads"))
      << cluster_->ReplicaLog(1);
}

TEST_F(ReplicasE2eTest, AHaltGivenEveryAddressReachesTheLeader) {
  StartTwoReplicasAndFleet();
  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "p.yaml", ConfigPlan("cfg", kGood, "[1, 50%, 100%]", "30s")));
  ASSERT_FALSE(id.empty());
  // The standby first, as on-call's list may have it: swellctl finds the
  // replica that answers.
  cluster_->UseApisOf({1, 0});
  CommandOutput halt = cluster_->Ctl({"halt", id, "--reason", "on-call"});
  ASSERT_EQ(halt.exit_code, 0) << halt.err;
  EXPECT_EQ(cluster_->State(id), "halted");
  const std::string status = cluster_->Ctl({"status", id}).out;
  EXPECT_TRUE(absl::StrContains(status, "on-call")) << status;
}

// A standby answers reads from the database, and refuses changes naming
// the leader, with nothing changed: swellctl given only its address says
// where the leader is; given both, it is answered by the leader.
TEST_F(ReplicasE2eTest, AStandbyAnswersReadsAndNamesTheLeaderForChanges) {
  StartTwoReplicasAndFleet();
  const std::string leader_api = cluster_->api_address();
  const std::string id = cluster_->Submit(cluster_->WritePlan(
      "p.yaml", ConfigPlan("cfg", kGood, "[1, 50%, 100%]", "30s")));
  ASSERT_FALSE(id.empty());

  cluster_->UseApiOf(1);  // the standby alone
  ASSERT_TRUE(WaitFor([&] {
    return cluster_->Ctl({"status", id, "-o", "json"}).exit_code == 0;
  })) << cluster_->Ctl({"status", id}).err;
  const CommandOutput list = cluster_->Ctl({"list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_TRUE(absl::StrContains(list.out, id)) << list.out;
  EXPECT_TRUE(absl::StrContains(list.out, "controller: a leads")) << list.out;

  const CommandOutput halt = cluster_->Ctl({"halt", id, "--reason", "x"});
  EXPECT_NE(halt.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(halt.err, "does not lead")) << halt.err;
  EXPECT_TRUE(absl::StrContains(halt.err, leader_api)) << halt.err;
  const CommandOutput hosts = cluster_->Ctl({"hosts"});
  EXPECT_NE(hosts.exit_code, 0) << "a standby has no agents to describe";
  EXPECT_TRUE(absl::StrContains(hosts.err, leader_api)) << hosts.err;

  cluster_->UseApisOf({1, 0});
  const CommandOutput halted =
      cluster_->Ctl({"halt", id, "--reason", "through the standby"});
  ASSERT_EQ(halted.exit_code, 0) << halted.err;
  EXPECT_EQ(cluster_->State(id), "halted");
  // The refused halt left no trace: one halt in the audit, the second.
  const swell::v1::RolloutStatus status = cluster_->Status(id);
  int halts = 0;
  for (const auto& e : status.events()) {
    if (e.action() == "halt") {
      ++halts;
      EXPECT_EQ(e.reason(), "through the standby");
    }
  }
  EXPECT_EQ(halts, 1);
}

}  // namespace
}  // namespace swell::e2e
