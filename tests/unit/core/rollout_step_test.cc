// The rollout's life, decided step by step with a fake clock and agents
// whose words the test writes.

#include "tests/unit/core/rollout_step_fixture.h"

namespace swell::controller {
namespace {

TEST_F(RolloutStepTest, GoodChangeAdvancesWaveByWaveToSucceeded) {
  Submit();
  ASSERT_EQ(Rec().rollout.wave_count, 3);
  Step();
  EXPECT_EQ(CountIn(HostState::kApplying), 1);  // wave 1: one host
  EXPECT_EQ(CountIn(HostState::kWaiting), 7);
  int max_admitted_while_first_bakes = 0;
  for (int i = 0; i < 9; ++i) {  // within the first bake
    Advance(absl::Seconds(1));
    AgentsConverge();
    Step();
    max_admitted_while_first_bakes = std::max(max_admitted_while_first_bakes,
                                              8 - CountIn(HostState::kWaiting));
  }
  EXPECT_EQ(max_admitted_while_first_bakes, 1)
      << "wave 2 began before wave 1 baked";
  RunUntilSettled();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
  EXPECT_EQ(CountIn(HostState::kConverged), 8);
  for (const auto& [id, h] : fleet_.hosts) {
    EXPECT_EQ(fleet_.desired.at(id).at(kVar).value.data(), "new");
  }
}

TEST_F(RolloutStepTest,
       FailedGateRollsBackEveryAdmittedHostToItsOwnPreviousValue) {
  Submit();
  Step();
  std::string first;
  for (const auto& [id, h] : Rec().hosts) {
    if (h.state == HostState::kApplying) first = id;
  }
  RunUntilSettled({first});
  ASSERT_EQ(Rec().rollout.state, RolloutState::kRollingBack);
  EXPECT_NE(Rec().rollout.reason.find("healthy FAILED"), std::string::npos)
      << Rec().rollout.reason;
  EXPECT_EQ(fleet_.desired.at(first).at(kVar).value.data(),
            absl::StrCat("old ", first));
  EXPECT_EQ(CountIn(HostState::kSkipped), 7);  // never touched
  AgentsConverge();
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRolledBack);
  EXPECT_EQ(StateOf(first), HostState::kRolledBack);
}

TEST_F(RolloutStepTest, FailedApplyTriggersRollbackThroughTheFailedHostsGate) {
  Submit();
  Step();
  for (const auto& [id, h] : Rec().hosts) {
    if (h.state != HostState::kApplying) continue;
    agents_.applies[{id, kVar}] = AgentApply{
        h.generation, false, PresentValue("old"), "validate failed", "bad"};
  }
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRollingBack);
}

TEST_F(RolloutStepTest, AdmissionWaitsForTheAgentsReportThenFailsASilentHost) {
  agents_.actual.clear();
  agents_.connected.clear();
  Submit();
  Step();
  EXPECT_EQ(CountIn(HostState::kAdmitting), 1);
  EXPECT_TRUE(fleet_.desired.empty()) << "desired set without a previous value";
  Advance(absl::Seconds(31));
  Step();
  EXPECT_EQ(CountIn(HostState::kFailed), 1);
  // The failed-hosts gate stops the rollout; nothing had been changed.
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRolledBack);
  EXPECT_TRUE(fleet_.desired.empty());
}

TEST_F(RolloutStepTest,
       ObserveOnlyEntriesAskAgentsForTheirValueBeforeAdmission) {
  Submit();
  auto desired = DesiredStateFor(fleet_, "h3");
  ASSERT_EQ(desired.variables_size(), 1);
  EXPECT_FALSE(desired.variables(0).enforce());
  EXPECT_EQ(desired.generation(), 1);
}

TEST_F(RolloutStepTest, HaltStopsAdmissionsAndResumeFinishes) {
  Submit();
  Step();
  auto halt = HaltRollout(fleet_, "r-1", Req("incident"));
  ASSERT_TRUE(halt.ok());
  Apply(*halt);
  for (int i = 0; i < 40; ++i) {
    Advance(absl::Seconds(1));
    AgentsConverge();
    Step();
  }
  EXPECT_EQ(Rec().rollout.state, RolloutState::kHalted);
  EXPECT_EQ(CountIn(HostState::kWaiting), 7);
  auto resume = ResumeRollout(fleet_, "r-1", Req());
  ASSERT_TRUE(resume.ok());
  Apply(*resume);
  RunUntilSettled();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
}

TEST_F(RolloutStepTest, FreezeHaltsRunningRolloutsAndRefusesSubmitsAndResumes) {
  Submit();
  auto freeze = FreezeFleet(fleet_, Req("incident 42"), absl::InfiniteFuture());
  ASSERT_TRUE(freeze.ok());
  Apply(*freeze);
  EXPECT_EQ(Rec().rollout.state, RolloutState::kHalted);
  GenerationPlan gens(&fleet_);
  auto again =
      SubmitRollout(fleet_, plan_, nullptr, "y", "p.yaml", "r-2", Req(), &gens);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(again.status().message().find("incident 42"), std::string::npos);
  EXPECT_EQ(ResumeRollout(fleet_, "r-1", Req()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  auto lift = UnfreezeFleet(fleet_, Req());
  ASSERT_TRUE(lift.ok());
  Apply(*lift);
  EXPECT_TRUE(ResumeRollout(fleet_, "r-1", Req()).ok());
}

TEST_F(RolloutStepTest, SecondRolloutOfTheSameVariableOnTheSameHostsIsRefused) {
  Submit();
  GenerationPlan gens(&fleet_);
  auto second =
      SubmitRollout(fleet_, plan_, nullptr, "y", "p.yaml", "r-2", Req(), &gens);
  ASSERT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("r-1"), std::string::npos);
}

TEST_F(RolloutStepTest, ManualRollbackReturnsAdmittedHostsAndSkipsTheRest) {
  Submit();
  Step();
  GenerationPlan gens(&fleet_);
  auto rb = RollbackRollout(fleet_, "r-1", Req("wrong change"), &gens);
  ASSERT_TRUE(rb.ok());
  pending_gens_ = gens.touched();
  Apply(*rb);
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRollingBack);
  EXPECT_EQ(CountIn(HostState::kRollingBack), 1);
  EXPECT_EQ(CountIn(HostState::kSkipped), 7);
  AgentsConverge();
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRolledBack);
}

TEST_F(RolloutStepTest, GateNeedingThreeBreachesIgnoresOneBlip) {
  plan_.gates[0].consecutive_breaches = 3;
  Submit();
  Step();
  std::string first;
  for (const auto& [id, h] : Rec().hosts) {
    if (h.state == HostState::kApplying) first = id;
  }
  Advance(absl::Seconds(1));
  AgentsConverge({first});  // one bad sample
  Step();
  Advance(absl::Seconds(1));
  AgentsConverge();
  Step();
  RunUntilSettled();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
}

TEST_F(RolloutStepTest,
       RightAfterARestartMissingSamplesHoldTheBakeInsteadOfPausing) {
  Submit();
  Step();  // wave 1 admitted
  AgentsConverge({}, /*with_samples=*/false);
  Step();  // converged: baking
  ASSERT_EQ(Rec().rollout.phase, WavePhase::kBaking);
  // The controller was down past the end of the bake and just started: its
  // health window is empty and agents have not reported yet.
  Advance(plan_.bake + absl::Seconds(1));
  started_ = now_;
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRunning)
      << Rec().rollout.reason;
  Advance(absl::Seconds(1));
  AgentsConverge();  // samples arrive
  RunUntilSettled();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
}

TEST_F(RolloutStepTest, DryRunGateRecordsItsFailureButDoesNotAct) {
  plan_.gates[0].dry_run = true;
  Submit();
  bool recorded = false;
  for (int i = 0; i < 100 && Rec().rollout.state == RolloutState::kRunning;
       ++i) {
    Mutation m = Step();
    for (const auto& v : m.verdicts)
      recorded |= v.dry_run && v.verdict == "fail";
    Advance(absl::Seconds(1));
    AgentsConverge({"h0", "h1", "h2", "h3", "h4", "h5", "h6", "h7"});
  }
  EXPECT_TRUE(recorded);
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
}

// A PromQL gate whose query, asked for the wave's hosts, answers a value
// above its threshold: the first wave is rolled back, and the reason
// quotes Prometheus's number.
TEST_F(RolloutStepTest, PromqlGateAnsweringABreachRollsBack) {
  GateSpec g;
  g.name = "error-rate";
  g.kind = GateKind::kPromql;
  g.promql.url = "http://127.0.0.1:9090";
  g.promql.query = "max(errors{host=~\"{{hosts}}\"})";
  g.op = Comparison::kLt;
  g.threshold = 0.05;
  plan_.gates.push_back(g);
  Submit();
  Step();
  AgentsConverge();
  Advance(absl::Seconds(1));
  Step();  // converged: baking
  ASSERT_EQ(Rec().rollout.state, RolloutState::kRunning);
  std::string first;
  for (const auto& [id, h] : Rec().hosts) {
    if (h.state == HostState::kConverged) first = id;
  }
  ASSERT_FALSE(first.empty());
  // An answer to another query (the hosts before this wave) is ignored.
  PromqlReading stale{
      g.promql.url, "max(errors{host=~\"h9\"})", now_, "", {{"{}", 0.9}}};
  promql_.Put(PromqlKey("r-1", g.name), stale);
  Advance(absl::Seconds(1));
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRunning);
  PromqlReading bad{g.promql.url,
                    absl::StrCat("max(errors{host=~\"", first, "\"})"),
                    now_,
                    "",
                    {{"{}", 0.2}}};
  promql_.Put(PromqlKey("r-1", g.name), bad);
  Advance(absl::Seconds(1));
  Step();
  ASSERT_EQ(Rec().rollout.state, RolloutState::kRollingBack);
  EXPECT_NE(Rec().rollout.reason.find("error-rate FAILED: PromQL max(errors"),
            std::string::npos)
      << Rec().rollout.reason;
  EXPECT_NE(Rec().rollout.reason.find("is 0.2, needs < 0.05"),
            std::string::npos)
      << Rec().rollout.reason;
}

}  // namespace
}  // namespace swell::controller
