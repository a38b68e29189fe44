// A rollout keeps the policy it was submitted under: BuildFleet resolves its
// plan against the policy text stored with it, whatever the policies loaded
// now say.

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/plan/policy.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/fleet.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

constexpr char kPolicyAtSubmit[] =
    "name: slow\n"
    "strategy:\n"
    "  waves: [1, 50%, 100%]\n"
    "  bake: 10m\n"
    "gates:\n"
    "  - {name: healthy, check: \"min(up) >= 1\"}\n"
    "on_failure: pause\n";

// The same policy after its file was edited: other waves, bake and gates.
constexpr char kPolicyEdited[] =
    "name: slow\n"
    "strategy:\n"
    "  waves: [100%]\n"
    "  bake: 1m\n"
    "gates:\n"
    "  - {name: relaxed, check: \"min(up) >= 0\"}\n"
    "on_failure: rollback\n";

constexpr char kPlan[] =
    "name: p1\n"
    "policy: slow\n"
    "change:\n"
    "  variable: v1\n"
    "  kind: file\n"
    "  path: /etc/x.conf\n"
    "  content: x\n";

PolicySet PoliciesOf(const char* yaml) {
  PolicySet set;
  PolicyParseResult parsed = ParsePolicy(yaml, "slow");
  EXPECT_TRUE(parsed.ok()) << parsed.errors.front().ToString("slow.yaml");
  EXPECT_TRUE(set.Add(parsed.policy).ok());
  return set;
}

std::vector<std::string> GateNames(const Plan& plan) {
  std::vector<std::string> names;
  for (const GateSpec& g : plan.gates) names.push_back(g.name);
  return names;
}

class FleetPolicyTest : public ::testing::Test {
 protected:
  // Submits kPlan under `policies` as rollout r-1, and returns what the
  // store would load back.
  FleetState Submitted(const PolicySet& policies) {
    Fleet fleet;
    for (int i = 0; i < 4; ++i) {
      std::string id = absl::StrCat("h", i);
      fleet.hosts[id] = fixtures::MakeHost(id, {{"site", "a"}});
    }
    absl::StatusOr<Plan> plan = ParsePlanOrStatus(kPlan, "p.yaml", policies);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return FleetState();
    GenerationPlan gens(&fleet);
    absl::StatusOr<Mutation> m = SubmitRollout(
        fleet, *plan, policies.Find("slow"), kPlan, "p.yaml", "r-1",
        Request{"alice", "test", absl::FromUnixSeconds(1000)}, &gens);
    EXPECT_TRUE(m.ok()) << m.status();
    FleetState state;
    if (!m.ok()) return state;
    state.hosts = fleet.hosts;
    for (const Rollout& r : m->rollouts) state.rollouts[r.id] = r;
    for (const RolloutHost& rh : m->rollout_hosts) {
      state.rollout_hosts[rh.rollout_id].push_back(rh);
    }
    return state;
  }

  // The plan of r-1 as BuildFleet resolves it against `now`.
  Plan Loaded(FleetState state, const PolicySet& now) {
    absl::StatusOr<Fleet> fleet = BuildFleet(std::move(state), now);
    EXPECT_TRUE(fleet.ok()) << fleet.status();
    if (!fleet.ok()) return Plan();
    return fleet->rollouts.at("r-1").plan;
  }

  // What kPolicyAtSubmit gives the plan.
  void ExpectPolicyAtSubmit(const Plan& plan) {
    EXPECT_EQ(plan.policy, "slow");
    ASSERT_EQ(plan.waves.size(), 3u);
    EXPECT_EQ(plan.waves[1].value, 50);
    EXPECT_EQ(plan.bake, absl::Minutes(10));
    EXPECT_EQ(GateNames(plan), std::vector<std::string>{"healthy"});
    EXPECT_EQ(plan.on_failure, FailureAction::kPause);
  }
};

TEST_F(FleetPolicyTest, SubmitKeepsThePolicysTextWithTheRollout) {
  FleetState state = Submitted(PoliciesOf(kPolicyAtSubmit));
  EXPECT_EQ(state.rollouts.at("r-1").policy_yaml, kPolicyAtSubmit);
}

TEST_F(FleetPolicyTest, SubmitWithoutAPolicyKeepsNone) {
  Fleet fleet;
  fleet.hosts["h1"] = fixtures::MakeHost("h1", {});
  absl::StatusOr<Plan> plan = ParsePlanOrStatus(
      "name: p1\nchange: {variable: v1, kind: file, path: /etc/x, content: "
      "x}\nstrategy: {waves: [100%]}\n",
      "p.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status();
  GenerationPlan gens(&fleet);
  absl::StatusOr<Mutation> m =
      SubmitRollout(fleet, *plan, nullptr, "y", "p.yaml", "r-1",
                    Request{"alice", "test", absl::FromUnixSeconds(1)}, &gens);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->rollouts.at(0).policy_yaml, "");
}

TEST_F(FleetPolicyTest, EditingThePolicyLeavesASubmittedRolloutAsItWas) {
  FleetState state = Submitted(PoliciesOf(kPolicyAtSubmit));
  ExpectPolicyAtSubmit(Loaded(std::move(state), PoliciesOf(kPolicyEdited)));
}

TEST_F(FleetPolicyTest, RemovingThePolicyLeavesASubmittedRolloutLoadable) {
  FleetState state = Submitted(PoliciesOf(kPolicyAtSubmit));
  ExpectPolicyAtSubmit(Loaded(std::move(state), PolicySet()));
}

TEST_F(FleetPolicyTest, ARolloutStoredWithoutItsPolicyUsesTheCurrentOne) {
  FleetState state = Submitted(PoliciesOf(kPolicyAtSubmit));
  state.rollouts.at("r-1").policy_yaml = "";  // stored before they were kept
  Plan plan = Loaded(state, PoliciesOf(kPolicyEdited));
  EXPECT_EQ(plan.waves.size(), 1u);
  EXPECT_EQ(GateNames(plan), std::vector<std::string>{"relaxed"});

  absl::StatusOr<Fleet> removed = BuildFleet(std::move(state), PolicySet());
  EXPECT_EQ(removed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(removed.status().message().find("r-1"), std::string::npos);
}

TEST_F(FleetPolicyTest, AStoredPolicyThatNoLongerParsesIsDataLoss) {
  FleetState state = Submitted(PoliciesOf(kPolicyAtSubmit));
  state.rollouts.at("r-1").policy_yaml = "name: slow\nstrategy: [1]\n";
  absl::StatusOr<Fleet> fleet =
      BuildFleet(std::move(state), PoliciesOf(kPolicyAtSubmit));
  EXPECT_EQ(fleet.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(fleet.status().message().find("policy of rollout r-1"),
            std::string::npos);
}

TEST_F(FleetPolicyTest, AStoredPolicyOfAnotherNameIsDataLoss) {
  FleetState state = Submitted(PoliciesOf(kPolicyAtSubmit));
  state.rollouts.at("r-1").policy_yaml =
      "name: other\nstrategy: {waves: [100%]}\n";
  absl::StatusOr<Fleet> fleet =
      BuildFleet(std::move(state), PoliciesOf(kPolicyAtSubmit));
  EXPECT_EQ(fleet.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(fleet.status().message().find("rollout r-1"), std::string::npos);
}

}  // namespace
}  // namespace swell::controller
