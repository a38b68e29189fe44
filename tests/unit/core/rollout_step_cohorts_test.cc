// Rollout steps with issue 4's cohorts and gates: the failure-domain
// budget, baseline gates fed from the health window, and linear ramps.
// Fake clock and agents, as in rollout_step_test.cc.

#include <set>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/gate/health_window.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/domain_budget.h"
#include "controller/rollout/rollout_step.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using common::PresentValue;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kVar[] = "app-config";

class CohortStepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 8; ++i) {
      std::string id = absl::StrCat("h", i);
      fleet_.hosts[id] = fixtures::MakeHost(
          id, {{"site", i < 4 ? "a" : "b"}, {"role", "web"}});
      agents_.connected.insert(id);
      agents_.actual[{id, kVar}] = PresentValue("old");
    }
    agents_.started = now_;
    plan_.name = "p";
    plan_.variable.set_name(kVar);
    plan_.variable.set_kind(swell::v1::VARIABLE_KIND_FILE);
    plan_.value = PresentValue("new");
    plan_.waves = {{false, 1}, {true, 100}};
    plan_.bake = absl::Seconds(20);
  }

  void Submit() {
    GenerationPlan gens(&fleet_);
    auto m = SubmitRollout(fleet_, plan_, nullptr, "yaml", "p.yaml", "r-1",
                           Request{"alice", "test", now_}, &gens);
    ASSERT_TRUE(m.ok()) << m.status();
    Apply(*m, gens);
  }

  void Apply(const Mutation& m, const GenerationPlan& gens) {
    ApplyMutation(m, {{"r-1", plan_}}, &fleet_);
    for (const auto& [host, gen] : gens.touched()) {
      fleet_.hosts[host].desired_generation = gen;
    }
  }

  void Step() {
    GenerationPlan gens(&fleet_);
    Mutation m;
    StepContext ctx{&fleet_, &agents_,          &health_,
                    now_,    absl::Seconds(30), started_};
    StepRollout(fleet_.rollouts.at("r-1"), ctx, &gens, &m);
    Apply(m, gens);
  }

  // Agents apply what is enforced on them; every host reports its latency:
  // `changed_ms` once it has the new value, 100 ms (plus a little noise)
  // before.
  void AgentsReport(double changed_ms) {
    for (const auto& [host, vars] : fleet_.desired) {
      auto it = vars.find(kVar);
      if (it == vars.end()) continue;
      agents_.applies[{host, kVar}] =
          AgentApply{fleet_.hosts[host].desired_generation, true,
                     it->second.value, "", ""};
      agents_.actual[{host, kVar}] = it->second.value;
    }
    ++tick_;
    for (const auto& [id, h] : fleet_.hosts) {
      const bool changed =
          common::SameValue(agents_.actual[{id, kVar}], PresentValue("new"));
      const double noise = (tick_ + id.back()) % 5;
      health_.Record(id, "latency_ms",
                     HealthWindow::Point{now_, true,
                                         (changed ? changed_ms : 100) + noise});
    }
  }

  // Ticks a second apart until the rollout stops running; calls `each`
  // after every step.
  template <typename Each>
  void Run(double changed_ms, Each each, int max = 300) {
    for (int i = 0; i < max && Rec().rollout.state == RolloutState::kRunning;
         ++i) {
      Step();
      each();
      now_ += absl::Seconds(1);
      AgentsReport(changed_ms);
    }
  }
  void Run(double changed_ms) {
    Run(changed_ms, [] {});
  }

  const RolloutRecord& Rec() { return fleet_.rollouts.at("r-1"); }

  GateSpec BaselineGate() {
    GateSpec g;
    g.name = "latency-vs-baseline";
    g.kind = GateKind::kBaseline;
    g.metric = "latency_ms";
    g.baseline.max_ratio = 1.2;
    g.baseline.mann_whitney = true;
    g.baseline.min_samples = 10;
    return g;
  }

  GateSpec LatencyCeiling() {
    GateSpec g;
    g.name = "latency-ceiling";
    g.check = "max(latency_ms) < 250";
    g.kind = GateKind::kMetric;
    g.aggregate = Aggregate::kMax;
    g.metric = "latency_ms";
    g.op = Comparison::kLt;
    g.threshold = 250;
    return g;
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  absl::Time started_ = absl::InfinitePast();  // the controller's load
  int tick_ = 0;
  Fleet fleet_;
  Plan plan_;
  testing::FakeAgents agents_;
  HealthWindow health_;
};

TEST_F(CohortStepTest, BudgetAdmitsAWaveInBatchesAndSaysWhy) {
  plan_.waves = {{true, 100}};
  plan_.domain_budget = {"site", {true, 25}};  // one host a site at a time
  Submit();
  Step();
  EXPECT_EQ(Rec().rollout.reason,
            "waiting: site a has 1 of 4 hosts under change, budget 25%; 6 "
            "host(s) of wave 1 wait for the budget");
  size_t most_under_change = 0;
  Run(100, [&] {
    std::map<std::string, size_t> per_site;
    for (const auto& [id, h] : Rec().hosts) {
      if (IsUnderChange(h.state)) ++per_site[fleet_.hosts[id].labels["site"]];
    }
    for (const auto& [site, n] : per_site) {
      most_under_change = std::max(most_under_change, n);
    }
  });
  EXPECT_EQ(most_under_change, 1u);
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
}

TEST_F(CohortStepTest, BudgetCountsHostsOfOtherRollouts) {
  plan_.waves = {{true, 100}};
  plan_.domain_budget = {"site", {true, 25}};
  RolloutRecord& other = fleet_.rollouts["r-0"];
  other.rollout.id = "r-0";
  other.rollout.variable = "other";
  other.rollout.state = RolloutState::kRunning;
  other.hosts["h0"] =
      fixtures::MakeRolloutHost("r-0", "h0", HostState::kApplying);
  Submit();
  Step();
  int admitted_in_a = 0;
  for (const auto& [id, h] : Rec().hosts) {
    if (h.state != HostState::kWaiting &&
        fleet_.hosts[id].labels["site"] == "a") {
      ++admitted_in_a;
    }
  }
  EXPECT_EQ(admitted_in_a, 0) << "h0 of r-0 already uses site a's budget";
  EXPECT_THAT(Rec().rollout.reason,
              StartsWith("waiting: site a has 1 of 4 hosts under change"));
}

TEST_F(CohortStepTest, BaselineCatchesARegressionNoThresholdSees) {
  plan_.gates = {LatencyCeiling(), BaselineGate()};
  Submit();
  Run(130);  // 30 % slower, far below the 250 ms ceiling
  EXPECT_EQ(Rec().rollout.state, RolloutState::kRollingBack);
  EXPECT_THAT(Rec().rollout.reason, StartsWith("latency-vs-baseline FAILED"));
  EXPECT_THAT(Rec().rollout.reason, HasSubstr("above the allowed 1.2x"));
}

TEST_F(CohortStepTest, BaselinePassesAHealthyChangeToTheEnd) {
  plan_.gates = {LatencyCeiling(), BaselineGate()};
  Submit();
  Run(100);  // no change in latency; the last wave has no unchanged host
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded)
      << Rec().rollout.reason;
}

TEST_F(CohortStepTest, LinearRampSpreadsItsWavesOverTheRamp) {
  plan_.shape = WaveShape::kLinear;
  plan_.waves.clear();
  plan_.linear = {absl::Seconds(40), absl::Seconds(10)};
  const absl::Time start = now_;
  Submit();
  EXPECT_EQ(Rec().rollout.wave_count, 4);  // 4 steps, 8 hosts: 2 a wave
  Run(100);
  EXPECT_EQ(Rec().rollout.state, RolloutState::kSucceeded);
  // Four bakes of 10 s each, plus a tick per wave to converge.
  EXPECT_GE(now_ - start, absl::Seconds(40));
  EXPECT_LE(now_ - start, absl::Seconds(50));
}

}  // namespace
}  // namespace swell::controller
