// What /metrics says of the model, counted from a real Fleet: rollouts by
// state, where each active rollout is, and which hosts' agents are silent.

#include "controller/service/fleet_gauges.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "controller/rollout/commands.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"
#include "tests/unit/core/metric_lookup.h"

namespace swell::controller {
namespace {

using ::swell::testing::ValueOf;

// A plan moving `variable` over the whole fleet, in 3 waves.
std::string PlanFor(const std::string& variable) {
  return absl::StrCat("name: app-workers\nchange:\n  variable: ", variable,
                      R"(
  kind: file
  path: /etc/app/app.conf
  content: "workers = 4\n"
target:
  selector: {}
strategy:
  waves: [1, 50%, 100%]
  bake: 4s
on_failure: rollback
)");
}

class FleetGaugesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) {
      const std::string id = absl::StrCat("h", i);
      fleet_.hosts[id] = fixtures::MakeHost(id, {{"role", "web"}});
      agents_.connected.insert(id);
    }
    agents_.started = now_ - absl::Hours(1);
  }

  // Submits rollout `id` moving `id`-config over the whole fleet, then
  // sets its state (each its own variable: no two conflict).
  void Submit(const std::string& id, RolloutState state) {
    const std::string yaml = PlanFor(absl::StrCat(id, "-config"));
    absl::StatusOr<Plan> plan = ParsePlanOrStatus(yaml, "p.yaml");
    ASSERT_TRUE(plan.ok()) << plan.status();
    GenerationPlan gens(&fleet_);
    absl::StatusOr<Mutation> m =
        SubmitRollout(fleet_, *plan, nullptr, yaml, "p.yaml", id,
                      Request{"alice", "test", now_}, &gens);
    ASSERT_TRUE(m.ok()) << m.status();
    ApplyMutation(*m, {{id, *plan}}, &fleet_);
    fleet_.rollouts.at(id).rollout.state = state;
  }

  FleetGauges Count() const {
    return CountFleet(fleet_, agents_, now_, absl::Seconds(30));
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  Fleet fleet_;
  testing::FakeAgents agents_;
};

TEST_F(FleetGaugesTest, RolloutsAreCountedByStateWithEveryStatePresent) {
  Submit("r-1", RolloutState::kRunning);
  Submit("r-2", RolloutState::kPaused);
  Submit("r-3", RolloutState::kSucceeded);
  Submit("r-4", RolloutState::kSucceeded);
  const auto families = FleetFamilies(Count());
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "running"}}), 1);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "paused"}}), 1);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "succeeded"}}), 2);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "rolling_back"}}),
            0);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "halted"}}), 0);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "rolled_back"}}), 0);
}

TEST_F(FleetGaugesTest, EachActiveRolloutReportsItsStateWaveAndPhase) {
  Submit("r-1", RolloutState::kPaused);
  Rollout& r = fleet_.rollouts.at("r-1").rollout;
  r.current_wave = 1;
  r.phase = WavePhase::kBaking;
  Submit("r-2", RolloutState::kRolledBack);  // ended: no series of its own
  const auto families = FleetFamilies(Count());

  const testing::SeriesLabels ids = {{"rollout", "r-1"},
                                     {"variable", "r-1-config"}};
  auto with = [&](std::string key, std::string value) {
    testing::SeriesLabels l = ids;
    l[key] = value;
    return l;
  };
  EXPECT_EQ(ValueOf(families, "swell_rollout_wave", ids), 2);  // 1-based
  EXPECT_EQ(ValueOf(families, "swell_rollout_waves", ids), 3);
  EXPECT_EQ(ValueOf(families, "swell_rollout_phase", with("phase", "baking")),
            1);
  EXPECT_EQ(
      ValueOf(families, "swell_rollout_phase", with("phase", "admitting")), 0);
  EXPECT_EQ(ValueOf(families, "swell_rollout_state", with("state", "paused")),
            1);
  EXPECT_EQ(ValueOf(families, "swell_rollout_state", with("state", "running")),
            0);
  EXPECT_EQ(ValueOf(families, "swell_rollout_wave",
                    {{"rollout", "r-2"}, {"variable", "r-2-config"}}),
            std::nullopt);
  EXPECT_EQ(testing::FamilyOf(families, "swell_rollout_state")->metric.size(),
            std::size(FleetGauges::kStates));
}

// Silent: not connected, and last heard longer than the grace ago. Retired
// and revoked hosts are not expected back, so they count in neither.
TEST_F(FleetGaugesTest, SilentAgentsAreDisconnectedPastTheGrace) {
  agents_.connected = {"h0"};
  agents_.last_heard["h0"] = now_ - absl::Hours(2);     // connected: not silent
  agents_.last_heard["h1"] = now_ - absl::Seconds(10);  // within the grace
  agents_.last_heard["h2"] = now_ - absl::Seconds(31);  // silent
  // h3 never heard since the start an hour ago: silent.
  fleet_.hosts["retired"] = fixtures::MakeHost("retired", {});
  fleet_.hosts["retired"].retired_at = now_ - absl::Hours(3);
  fleet_.hosts["revoked"] = fixtures::MakeHost("revoked", {});
  fleet_.hosts["revoked"].revoked_at = now_ - absl::Hours(3);

  const FleetGauges g = Count();
  EXPECT_EQ(g.hosts_known, 4);
  EXPECT_EQ(g.agents_silent, 2);
  const auto families = FleetFamilies(g);
  EXPECT_EQ(ValueOf(families, "swell_hosts_known"), 4);
  EXPECT_EQ(ValueOf(families, "swell_agents_silent"), 2);
}

TEST_F(FleetGaugesTest, AFreezeReportsWhenItBegan) {
  EXPECT_EQ(ValueOf(FleetFamilies(Count()), "swell_fleet_frozen_since_seconds"),
            0);
  absl::StatusOr<Mutation> m = FreezeFleet(
      fleet_, Request{"alice", "incident", now_}, absl::InfiniteFuture());
  ASSERT_TRUE(m.ok()) << m.status();
  ApplyMutation(*m, {}, &fleet_);
  EXPECT_EQ(ValueOf(FleetFamilies(Count()), "swell_fleet_frozen_since_seconds"),
            1'800'000'000);
}

// Before the first load there is no model: every family is still there, so
// that alerts and dashboards see zeros rather than nothing.
TEST_F(FleetGaugesTest, EveryFamilyIsPresentBeforeTheModelIsLoaded) {
  const auto families = FleetFamilies(FleetGauges{});
  for (const char* name :
       {"swell_rollouts", "swell_rollout_state", "swell_rollout_wave",
        "swell_rollout_waves", "swell_rollout_phase", "swell_hosts_known",
        "swell_agents_silent", "swell_fleet_frozen_since_seconds"}) {
    EXPECT_NE(testing::FamilyOf(families, name), nullptr) << name;
  }
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "running"}}), 0);
  EXPECT_EQ(ValueOf(families, "swell_hosts_known"), 0);
}

}  // namespace
}  // namespace swell::controller
