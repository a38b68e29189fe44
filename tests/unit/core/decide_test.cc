// Decide as table tests: given this model and this tick's input, this
// output. Nothing runs but the function: no store, no thread, no clock.

#include "controller/rollout/decide.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/gate/health_window.h"
#include "controller/rollout/commands.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

constexpr char kVar[] = "app-config";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

Plan TwoWavePlan() {
  Plan plan;
  plan.name = "p";
  plan.variable.set_name(kVar);
  plan.variable.set_kind(swell::v1::VARIABLE_KIND_FILE);
  plan.value = common::PresentValue("new");
  plan.waves = {{false, 1}, {true, 100}};
  plan.bake = absl::Seconds(10);
  return plan;
}

// A command that submits rollout `id` of TwoWavePlan.
CommandDecision Submit(std::string id) {
  return [id](CommandContext& c) -> absl::StatusOr<Mutation> {
    Plan plan = TwoWavePlan();
    auto m = SubmitRollout(c.fleet, plan, nullptr, "yaml", "p.yaml", id,
                           Request{"alice", "test", c.now}, c.gens);
    if (m.ok()) (*c.new_plans)[id] = plan;
    return m;
  };
}

CommandDecision FreezeForever() {
  return [](CommandContext& c) {
    return FreezeFleet(c.fleet, Request{"bob", "incident 7", c.now},
                       absl::InfiniteFuture());
  };
}

class DecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 4; ++i) {
      std::string id = absl::StrCat("h", i);
      fleet_.hosts[id] = fixtures::MakeHost(id, {{"role", "web"}});
      fleet_.hosts[id].last_seen = kNow - absl::Minutes(5);
      agents_.connected.insert(id);
      agents_.actual[{id, kVar}] = common::PresentValue("old");
    }
    agents_.started = kNow - absl::Minutes(10);
  }

  TickInput Input() const {
    TickInput in;
    in.now = kNow;
    in.agents = &agents_;
    in.health = &health_;
    return in;
  }

  Fleet fleet_;
  testing::FakeAgents agents_;
  HealthWindow health_;
};

TEST_F(DecideTest, AQuietFleetDecidesNothingButStepsItsActiveRollout) {
  TickInput in = Input();
  in.commands.push_back(Submit("r-1"));
  TickOutput first = Decide(fleet_, in);
  ASSERT_TRUE(first.commands[0].ok()) << first.commands[0];

  // Next tick: nothing heard, no command, wave 1's host not converged yet.
  TickOutput quiet = Decide(first.fleet, Input());
  EXPECT_EQ(quiet.active_rollouts, 1);  // the step looked at the rollout
  EXPECT_TRUE(quiet.mutation.empty());
  EXPECT_TRUE(quiet.push.empty());
  EXPECT_TRUE(quiet.commands.empty());
}

TEST_F(DecideTest, AHelloRecordsItsHostAndPushesItsDesiredState) {
  TickInput in = Input();
  swell::v1::Hello hello;
  hello.set_host_id("h-new");
  (*hello.mutable_labels())["role"] = "db";
  in.hellos.push_back(hello);
  in.gone.push_back("h1");
  TickOutput out = Decide(fleet_, in);

  EXPECT_EQ(out.push, std::set<std::string>{"h-new"});
  ASSERT_TRUE(out.fleet.hosts.count("h-new"));
  EXPECT_EQ(out.fleet.hosts.at("h-new").labels.at("role"), "db");
  EXPECT_EQ(out.fleet.hosts.at("h1").last_seen, kNow);
  std::set<std::string> written;
  for (const Host& h : out.mutation.hosts) written.insert(h.id);
  EXPECT_EQ(written, (std::set<std::string>{"h-new", "h1"}));
}

TEST_F(DecideTest, ASubmitIsAdmittedInTheSameTickAndItsTargetsPushed) {
  TickInput in = Input();
  in.commands.push_back(Submit("r-1"));
  TickOutput out = Decide(fleet_, in);

  ASSERT_EQ(out.commands.size(), 1u);
  EXPECT_TRUE(out.commands[0].ok()) << out.commands[0];
  EXPECT_EQ(out.active_rollouts, 1);
  // Every target gets the variable (observed until admitted), once, with
  // one generation more; the step admits wave 1, one host, in the same tick.
  EXPECT_EQ(out.push.size(), 4u);
  int moved = 0;
  for (const std::string& host : out.push) {
    swell::v1::DesiredState d = DesiredStateFor(out.fleet, host);
    EXPECT_EQ(d.generation(), 1) << host;
    ASSERT_EQ(d.variables_size(), 1) << host;
    EXPECT_EQ(d.variables(0).spec().name(), kVar);
    if (d.variables(0).enforce()) {
      EXPECT_EQ(d.variables(0).value().data(), "new");
      ++moved;
    }
  }
  EXPECT_EQ(moved, 1);
  EXPECT_EQ(out.mutation.hosts.size(), 4u);
  for (const Host& h : out.mutation.hosts) EXPECT_EQ(h.desired_generation, 1);
  EXPECT_EQ(out.mutation.rollouts.size(), 1u);  // compacted: one record
}

TEST_F(DecideTest, ARefusedCommandLeavesNoTraceAndTheNextIsStillDecided) {
  TickInput in = Input();
  in.commands.push_back([](CommandContext&) -> absl::StatusOr<Mutation> {
    return absl::FailedPreconditionError("no");
  });
  in.commands.push_back(Submit("r-1"));
  in.commands.push_back(Submit("r-2"));  // same variable, same hosts
  TickOutput out = Decide(fleet_, in);

  ASSERT_EQ(out.commands.size(), 3u);
  EXPECT_EQ(out.commands[0].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(out.commands[1].ok());
  // The second submit sees the first's rollout and is refused.
  EXPECT_EQ(out.commands[2].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(out.commands[2].message().find("r-1"), std::string::npos);
  EXPECT_EQ(out.fleet.rollouts.count("r-2"), 0u);
  for (const auto& r : out.mutation.rollouts) EXPECT_EQ(r.id, "r-1");
}

TEST_F(DecideTest, CommandsSeeTheChangesOfTheCommandsBeforeThem) {
  TickInput in = Input();
  in.commands.push_back(FreezeForever());
  in.commands.push_back(Submit("r-1"));
  TickOutput out = Decide(fleet_, in);

  EXPECT_TRUE(out.commands[0].ok());
  EXPECT_EQ(out.commands[1].code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(out.commands[1].message().find("incident 7"), std::string::npos);
  EXPECT_TRUE(out.fleet.freeze.active);
  EXPECT_TRUE(out.push.empty());
}

TEST_F(DecideTest, AFreezeIsLiftedOnceItExpiresAndNotBefore) {
  fleet_.freeze = Freeze{true, "window", "bob", kNow - absl::Hours(1),
                         kNow + absl::Seconds(1)};
  TickOutput before = Decide(fleet_, Input());
  EXPECT_TRUE(before.fleet.freeze.active);
  EXPECT_FALSE(before.mutation.freeze.has_value());

  TickInput later = Input();
  later.now = kNow + absl::Seconds(1);
  TickOutput after = Decide(fleet_, later);
  EXPECT_FALSE(after.fleet.freeze.active);
  ASSERT_TRUE(after.mutation.freeze.has_value());
  EXPECT_FALSE(after.mutation.freeze->active);
  ASSERT_EQ(after.mutation.audit.size(), 1u);
  EXPECT_EQ(after.mutation.audit[0].action, "unfreeze");
  EXPECT_EQ(after.mutation.audit[0].reason, "the freeze expired");
}

TEST_F(DecideTest, LastSeenOfConnectedAgentsIsRefreshedOnlyWhenAsked) {
  fleet_.hosts["h2"].last_seen = kNow - absl::Hours(2);
  TickOutput not_asked = Decide(fleet_, Input());
  EXPECT_TRUE(not_asked.mutation.hosts.empty());

  TickInput in = Input();
  in.refresh_last_seen = true;
  TickOutput asked = Decide(fleet_, in);
  ASSERT_EQ(asked.mutation.hosts.size(), 1u);  // the others are recent
  EXPECT_EQ(asked.mutation.hosts[0].id, "h2");
  EXPECT_EQ(asked.fleet.hosts.at("h2").last_seen, kNow);
}

TEST_F(DecideTest, TheSameModelAndInputGiveTheSameDecision) {
  TickInput in = Input();
  in.commands.push_back(Submit("r-1"));
  TickOutput a = Decide(fleet_, in);
  TickOutput b = Decide(fleet_, in);
  EXPECT_EQ(a.push, b.push);
  ASSERT_EQ(a.mutation.rollout_hosts.size(), b.mutation.rollout_hosts.size());
  for (size_t i = 0; i < a.mutation.rollout_hosts.size(); ++i) {
    EXPECT_EQ(a.mutation.rollout_hosts[i].host_id,
              b.mutation.rollout_hosts[i].host_id);
    EXPECT_EQ(a.mutation.rollout_hosts[i].wave,
              b.mutation.rollout_hosts[i].wave);
  }
  EXPECT_FALSE(a.mutation.rollout_hosts.empty());
}

}  // namespace
}  // namespace swell::controller
