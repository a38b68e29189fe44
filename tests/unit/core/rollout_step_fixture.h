#pragma once

// The fixture of the rollout step's tests: a fleet of 8 hosts over two
// sites, a plan of 3 waves with a `min(up) >= 1` gate, a fake clock and
// agents whose words the test writes.

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/gate/health_window.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/decide.h"
#include "controller/rollout/rollout_step.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {

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

  Request Req(std::string reason = "test") {
    return Request{"alice", reason, now_};
  }

  void Apply(const Mutation& m) {
    std::map<std::string, Plan> plans = {{"r-1", plan_}};
    ApplyMutation(m, plans, &fleet_);
    for (const auto& [host, gen] : pending_gens_)
      fleet_.hosts[host].desired_generation = gen;
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

  // One reconciler tick, through Decide as the reconciler runs it: every
  // active rollout steps, and the model comes back with the tick's
  // decisions and generations applied. Returns what the tick would commit.
  Mutation Step() {
    TickInput in;
    in.now = now_;
    in.agents = &agents_;
    in.health = &health_;
    in.promql = &promql_;
    in.agent_grace = grace_;
    in.agent_reconnect = reconnect_;
    in.started = started_;
    in.agents_back_by = agents_back_by_;
    TickOutput out = Decide(std::move(fleet_), in);
    fleet_ = std::move(out.fleet);
    return std::move(out.mutation);
  }

  // Agents apply whatever the controller enforces on them and report
  // healthy unless listed in `sick`.
  void AgentsConverge(const std::set<std::string>& sick = {},
                      bool with_samples = true) {
    for (const auto& [host, vars] : fleet_.desired) {
      auto it = vars.find(kVar);
      if (it == vars.end()) continue;
      agents_.applies[{host, kVar}] =
          AgentApply{fleet_.hosts[host].desired_generation, true,
                     it->second.value, "", ""};
      agents_.actual[{host, kVar}] = it->second.value;
    }
    for (const auto& [id, h] : fleet_.hosts) {
      if (!with_samples) break;
      health_.Record(
          id, "up",
          HealthWindow::Point{now_, true, sick.count(id) ? 0.0 : 1.0});
      agents_.last_health[id] = now_;
    }
  }

  void Advance(absl::Duration d) { now_ += d; }
  const RolloutRecord& Rec() { return fleet_.rollouts.at("r-1"); }
  HostState StateOf(const std::string& host) {
    return Rec().hosts.at(host).state;
  }
  int CountIn(HostState s) {
    int n = 0;
    for (const auto& [id, h] : Rec().hosts) n += h.state == s;
    return n;
  }

  // Runs ticks a second apart, agents converging, until the rollout stops
  // being running or `max` ticks pass.
  void RunUntilSettled(const std::set<std::string>& sick = {}, int max = 200) {
    for (int i = 0; i < max && Rec().rollout.state == RolloutState::kRunning;
         ++i) {
      Step();
      Advance(absl::Seconds(1));
      AgentsConverge(sick);
    }
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  absl::Time started_ = absl::InfinitePast();  // the controller's load
  absl::Duration grace_ = absl::Seconds(30);
  absl::Duration reconnect_ = absl::Seconds(5);
  absl::Time agents_back_by_ = absl::InfinitePast();  // a reconnect storm's end
  Fleet fleet_;
  Plan plan_;
  testing::FakeAgents agents_;
  HealthWindow health_;
  PromqlReadings promql_;
  std::map<std::string, int64_t> pending_gens_;
};

}  // namespace swell::controller
