// What the rollout step waits for, and for how long: agents reconnecting to
// a restarted controller, agents that cannot report a value, and the first
// health samples of hosts that just converged.

#include "tests/unit/core/rollout_step_fixture.h"

namespace swell::controller {
namespace {

class RolloutStepWaitsTest : public RolloutStepTest {
 protected:
  // The controller restarts now: it remembers nothing agents said, and
  // every agent is away until it reconnects.
  void RestartController() {
    started_ = now_;
    agents_.started = now_;
    agents_.connected.clear();
    agents_.last_heard.clear();
    agents_.applies.clear();
    agents_.last_health.clear();
  }

  // Converges the admitted hosts' agents, with their results received now
  // and no health sample yet.
  void AgentsApply() {
    AgentsConverge({}, /*with_samples=*/false);
    for (auto& [key, apply] : agents_.applies) apply.at = now_;
  }

  void Report(const std::string& host, const std::string& sample,
              double value) {
    health_.Record(host, sample, HealthWindow::Point{now_, true, value});
    agents_.last_health[host] = now_;
  }

  // Submits, converges wave 1 and starts its bake; returns its first host,
  // or "" when the rollout is not baking.
  std::string BakingFirstWave() {
    Submit();
    Step();
    AgentsConverge();
    Step();
    if (Rec().rollout.phase != WavePhase::kBaking) return "";
    return HostsIn(HostState::kConverged).at(0);
  }

  std::vector<std::string> HostsIn(HostState s) {
    std::vector<std::string> out;
    for (const auto& [id, h] : Rec().hosts) {
      if (h.state == s) out.push_back(id);
    }
    return out;
  }
};

TEST_F(RolloutStepWaitsTest, ControllerAbsenceNeverCountsAgainstAHost) {
  grace_ = absl::Seconds(10);
  const std::string first = BakingFirstWave();
  ASSERT_FALSE(first.empty());

  // Down for 30 s, then back: agents reconnect within their backoff cap.
  Advance(absl::Seconds(30));
  RestartController();
  Advance(grace_ + absl::Seconds(2));  // past the grace counted from start
  Step();
  EXPECT_EQ(StateOf(first), HostState::kConverged)
      << Rec().hosts.at(first).message;

  // Witness: an agent that stays away past the reconnect window and the
  // grace is failed; the silence check is live.
  Advance(reconnect_);
  Step();
  EXPECT_NE(StateOf(first), HostState::kConverged);  // failed, rolling back
  EXPECT_NE(Rec().hosts.at(first).message.find("agent gone"), std::string::npos)
      << Rec().hosts.at(first).message;
}

TEST_F(RolloutStepWaitsTest, AFleetStillReconnectingFailsNoHost) {
  grace_ = absl::Seconds(10);
  const std::string first = BakingFirstWave();
  ASSERT_FALSE(first.empty());

  // Back from a restart, the controller hears hellos for 15 s: a fleet
  // shaking hands again takes longer than one agent's backoff.
  Advance(absl::Seconds(30));
  RestartController();
  agents_back_by_ = now_ + absl::Seconds(15) + reconnect_;
  Advance(reconnect_ + grace_ + absl::Seconds(2));
  Step();
  EXPECT_EQ(StateOf(first), HostState::kConverged)
      << Rec().hosts.at(first).message;

  // Witness: past the storm's end and the grace, a host still away fails.
  Advance(absl::Seconds(15));
  Step();
  EXPECT_NE(StateOf(first), HostState::kConverged);
  EXPECT_NE(Rec().hosts.at(first).message.find("agent gone"), std::string::npos)
      << Rec().hosts.at(first).message;
}

TEST_F(RolloutStepWaitsTest, HostsRestoredBeforeARestartConfirmTheirRollback) {
  grace_ = absl::Seconds(10);
  Submit();
  Step();
  AgentsConverge({"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"});
  for (int i = 0; i < 5 && Rec().rollout.state == RolloutState::kRunning; ++i) {
    Advance(absl::Seconds(1));
    Step();
    AgentsConverge({"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"});
  }
  ASSERT_EQ(Rec().rollout.state, RolloutState::kRollingBack);
  const std::string host = HostsIn(HostState::kRollingBack).at(0);

  // The agent restores its file while the controller is killed.
  AgentsConverge();
  Advance(absl::Seconds(20));
  RestartController();
  Advance(grace_ + absl::Seconds(2));
  Step();
  EXPECT_EQ(StateOf(host), HostState::kRollingBack)
      << Rec().hosts.at(host).message;

  // It reconnects and reports its result again, as agents do on every new
  // connection.
  agents_.connected.insert(host);
  AgentsConverge();
  Step();
  EXPECT_EQ(StateOf(host), HostState::kRolledBack);
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRolledBack);
  EXPECT_EQ(Rec().rollout.reason.find("did not confirm"), std::string::npos)
      << Rec().rollout.reason;
}

TEST_F(RolloutStepWaitsTest, AdmissionIsBoundedByTheProgressDeadline) {
  plan_.progress_deadline = absl::Seconds(20);
  for (int i = 0; i < 8; ++i) {
    const std::string id = absl::StrCat("h", i);
    agents_.actual.erase({id, kVar});
    agents_.actual_errors[{id, kVar}] = "Too many levels of symbolic links";
  }
  Submit();
  Step();
  const std::vector<std::string> admitting = HostsIn(HostState::kAdmitting);
  ASSERT_EQ(admitting.size(), 1u);
  const std::string host = admitting[0];
  EXPECT_EQ(Rec().hosts.at(host).message,
            "waiting for the agent's report: it cannot read app-config: Too "
            "many levels of symbolic links");

  Advance(absl::Seconds(15));
  Step();
  EXPECT_EQ(StateOf(host), HostState::kAdmitting);
  const int64_t generation = fleet_.hosts.at(host).desired_generation;
  Advance(absl::Seconds(6));
  Step();
  EXPECT_EQ(StateOf(host), HostState::kFailed);
  // Its observe-only entry went away: a new generation says so (found by
  // the seeded simulation, seed 65).
  EXPECT_GT(fleet_.hosts.at(host).desired_generation, generation);
  const std::string& message = Rec().hosts.at(host).message;
  EXPECT_NE(message.find("within the progress deadline (20s)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("Too many levels of symbolic links"),
            std::string::npos)
      << message;
  Step();  // the failed-hosts gate acts on it
  EXPECT_NE(Rec().rollout.state, RolloutState::kRunning);
}

TEST_F(RolloutStepWaitsTest,
       ZeroBakeJudgesEachHostsFirstSampleSinceConverging) {
  plan_.bake = absl::ZeroDuration();
  Submit();
  Step();
  const std::string first = HostsIn(HostState::kApplying).at(0);
  Report(first, "up", 1);  // before the change: not evidence of it
  Advance(absl::Seconds(1));
  AgentsApply();
  Step();
  ASSERT_EQ(StateOf(first), HostState::kConverged);
  Advance(absl::Seconds(1));
  Step();  // the bake is over at once, but no sample since converging
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRunning)
      << Rec().rollout.reason;
  EXPECT_EQ(Rec().rollout.current_wave, 0);

  Report(first, "up", 1);  // the agent measures right after its apply
  Step();
  EXPECT_EQ(Rec().rollout.current_wave, 1) << Rec().rollout.reason;
}

TEST_F(RolloutStepWaitsTest, ZeroBakeWithAHostThatNeverReportsIsBounded) {
  plan_.bake = absl::ZeroDuration();
  plan_.progress_deadline = absl::Seconds(30);
  Submit();
  Step();
  Advance(absl::Seconds(1));
  AgentsApply();
  Step();
  Advance(absl::Seconds(29));
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRunning);
  Advance(absl::Seconds(2));
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kPaused);
  EXPECT_NE(Rec().rollout.reason.find("health samples were still due"),
            std::string::npos)
      << Rec().rollout.reason;
}

TEST_F(RolloutStepWaitsTest, AFreshReportWithoutTheGatesSampleIsMissingData) {
  plan_.bake = absl::ZeroDuration();
  Submit();
  Step();
  const std::string first = HostsIn(HostState::kApplying).at(0);
  Advance(absl::Seconds(1));
  AgentsApply();
  Step();
  Advance(absl::Seconds(1));
  Report(first, "latency_ms", 12);  // measured, but no `up`
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kPaused);
  EXPECT_NE(Rec().rollout.reason.find("inconclusive"), std::string::npos)
      << Rec().rollout.reason;
}

}  // namespace
}  // namespace swell::controller
