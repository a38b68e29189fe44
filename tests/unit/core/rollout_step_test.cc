// The rollout's life, decided step by step with a fake clock and agents
// whose words the test writes.

#include "controller/rollout/rollout_step.h"

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/rollout/commands.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"
#include "tests/fakes/fake_agents.h"

namespace swell::controller {
namespace {

using common::PresentValue;

constexpr char kVar[] = "app-config";

class RolloutStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 8; ++i) {
      std::string id = absl::StrCat("h", i);
      fleet_.hosts[id] = fixtures::MakeHost(
          id, {{"site", i < 4 ? "a" : "b"}, {"role", "web"}});
      agents_.connected.insert(id);
      agents_.actual[{id, kVar}] = PresentValue(absl::StrCat("old ", id));
    }
    agents_.started = now_;
    plan_.name = "p";
    plan_.variable.set_name(kVar);
    plan_.variable.set_kind(swell::v1::VARIABLE_KIND_FILE);
    plan_.value = PresentValue("new");
    plan_.waves = {{false, 1}, {true, 50}, {true, 100}};
    plan_.bake = absl::Seconds(10);
    GateSpec g;
    g.name = "healthy";
    g.check = "min(up) >= 1";
    g.metric = "up";
    g.aggregate = Aggregate::kMin;
    g.op = Comparison::kGe;
    g.threshold = 1;
    plan_.gates.push_back(g);
  }

  Request Req(std::string reason = "test") { return Request{"alice", reason, now_}; }

  void Apply(const Mutation& m) {
    std::map<std::string, Plan> plans = {{"r-1", plan_}};
    ApplyMutation(m, plans, &fleet_);
    for (const auto& [host, gen] : pending_gens_) fleet_.hosts[host].desired_generation = gen;
    pending_gens_.clear();
  }

  void Submit() {
    GenerationPlan gens(&fleet_);
    auto m = SubmitRollout(fleet_, plan_, nullptr, "yaml", "p.yaml", "r-1",
                           Req(), &gens);
    ASSERT_TRUE(m.ok()) << m.status();
    pending_gens_ = gens.touched();
    Apply(*m);
  }

  // One reconciler tick for the rollout.
  Mutation Step() {
    GenerationPlan gens(&fleet_);
    Mutation m;
    StepContext ctx{&fleet_, &agents_, &health_, now_, absl::Seconds(30),
                    started_, &promql_};
    StepRollout(fleet_.rollouts.at("r-1"), ctx, &gens, &m);
    pending_gens_ = gens.touched();
    Apply(m);
    return m;
  }

  // Agents apply whatever the controller enforces on them and report
  // healthy unless listed in `sick`.
  void AgentsConverge(const std::set<std::string>& sick = {},
                      bool with_samples = true) {
    for (const auto& [host, vars] : fleet_.desired) {
      auto it = vars.find(kVar);
      if (it == vars.end()) continue;
      agents_.applies[{host, kVar}] =
          AgentApply{fleet_.hosts[host].desired_generation, true, it->second.value, "", ""};
      agents_.actual[{host, kVar}] = it->second.value;
    }
    for (const auto& [id, h] : fleet_.hosts) {
      if (!with_samples) break;
      health_.Record(id, "up", HealthWindow::Point{now_, true, sick.count(id) ? 0.0 : 1.0});
    }
  }

  void Advance(absl::Duration d) { now_ += d; }
  const RolloutRecord& Rec() { return fleet_.rollouts.at("r-1"); }
  HostState StateOf(const std::string& host) { return Rec().hosts.at(host).state; }
  int CountIn(HostState s) {
    int n = 0;
    for (const auto& [id, h] : Rec().hosts) n += h.state == s;
    return n;
  }

  // Runs ticks a second apart, agents converging, until the rollout stops
  // being running or `max` ticks pass.
  void RunUntilSettled(const std::set<std::string>& sick = {}, int max = 200) {
    for (int i = 0; i < max && Rec().rollout.state == RolloutState::kRunning; ++i) {
      Step();
      Advance(absl::Seconds(1));
      AgentsConverge(sick);
    }
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  absl::Time started_ = absl::InfinitePast();  // the controller's load
  Fleet fleet_;
  Plan plan_;
  testing::FakeAgents agents_;
  HealthWindow health_;
  PromqlReadings promql_;
  std::map<std::string, int64_t> pending_gens_;
};

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
    max_admitted_while_first_bakes =
        std::max(max_admitted_while_first_bakes, 8 - CountIn(HostState::kWaiting));
  }
  EXPECT_EQ(max_admitted_while_first_bakes, 1) << "wave 2 began before wave 1 baked";
  RunUntilSettled();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
  EXPECT_EQ(CountIn(HostState::kConverged), 8);
  for (const auto& [id, h] : fleet_.hosts) {
    EXPECT_EQ(fleet_.desired.at(id).at(kVar).value.data(), "new");
  }
}

TEST_F(RolloutStepTest, FailedGateRollsBackEveryAdmittedHostToItsOwnPreviousValue) {
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
  EXPECT_EQ(fleet_.desired.at(first).at(kVar).value.data(), absl::StrCat("old ", first));
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
    agents_.applies[{id, kVar}] =
        AgentApply{h.generation, false, PresentValue("old"), "validate failed", "bad"};
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

TEST_F(RolloutStepTest, ObserveOnlyEntriesAskAgentsForTheirValueBeforeAdmission) {
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

TEST_F(RolloutStepTest, RightAfterARestartMissingSamplesHoldTheBakeInsteadOfPausing) {
  Submit();
  Step();                                          // wave 1 admitted
  AgentsConverge({}, /*with_samples=*/false);
  Step();                                          // converged: baking
  ASSERT_EQ(Rec().rollout.phase, WavePhase::kBaking);
  // The controller was down past the end of the bake and just started: its
  // health window is empty and agents have not reported yet.
  Advance(plan_.bake + absl::Seconds(1));
  started_ = now_;
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRunning) << Rec().rollout.reason;
  Advance(absl::Seconds(1));
  AgentsConverge();  // samples arrive
  RunUntilSettled();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
}

TEST_F(RolloutStepTest, DryRunGateRecordsItsFailureButDoesNotAct) {
  plan_.gates[0].dry_run = true;
  Submit();
  bool recorded = false;
  for (int i = 0; i < 100 && Rec().rollout.state == RolloutState::kRunning; ++i) {
    Mutation m = Step();
    for (const auto& v : m.verdicts) recorded |= v.dry_run && v.verdict == "fail";
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
  PromqlReading stale{g.promql.url, "max(errors{host=~\"h9\"})", now_, "",
                      {{"{}", 0.9}}};
  promql_.Put(PromqlKey("r-1", g.name), stale);
  Advance(absl::Seconds(1));
  Step();
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRunning);
  PromqlReading bad{g.promql.url,
                    absl::StrCat("max(errors{host=~\"", first, "\"})"), now_,
                    "", {{"{}", 0.2}}};
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
