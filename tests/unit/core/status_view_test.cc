// What `status` and `hosts` are told: a host that failed counts as failed
// also after a rollback returned it, and every host has its presence.

#include <map>
#include <string>
#include <vector>

#include "controller/rollout/fleet.h"
#include "controller/rollout/rollout_step.h"
#include "controller/service/status_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);

swell::v1::Value ValueOf(std::string data) {
  swell::v1::Value v;
  v.set_present(true);
  v.set_data(std::move(data));
  return v;
}

// Rollout r-1 over one wave of three admitted hosts: b-web-1 failed to
// apply, the other two converged.
class FailedThenRolledBackTest : public ::testing::Test {
 protected:
  FailedThenRolledBackTest() {
    rec_.rollout.id = "r-1";
    rec_.rollout.state = RolloutState::kRunning;
    rec_.rollout.wave_count = 1;
    rec_.rollout.variable = "app-config";
    for (const char* id : {"a-web-0", "b-web-1", "c-web-2"}) {
      fleet_.hosts[id] = fixtures::MakeHost(id, {});
      RolloutHost h =
          fixtures::MakeRolloutHost("r-1", id, HostState::kConverged);
      h.previous_known = true;
      h.previous = ValueOf("old");
      h.message = "converged";
      rec_.hosts[id] = h;
    }
    rec_.hosts["b-web-1"].state = HostState::kFailed;
    rec_.hosts["b-web-1"].message = "validate exited 1: bad workers";
  }

  // Starts the rollback, applies it, then lets every agent confirm it.
  void RollBackAndConfirm() {
    GenerationPlan gens(&fleet_);
    Mutation m;
    StartRollback(rec_, "gate failed", kNow, &gens, &m);
    for (const RolloutHost& h : m.rollout_hosts) rec_.hosts[h.host_id] = h;
    rec_.rollout = m.rollouts.back();
    for (auto& [id, h] : rec_.hosts) {
      ASSERT_EQ(h.state, HostState::kRollingBack) << id;
      h.state = HostState::kRolledBack;
      h.message = "previous value restored";
    }
    rec_.rollout.state = RolloutState::kRolledBack;
  }

  Fleet fleet_;
  RolloutRecord rec_;
};

TEST_F(FailedThenRolledBackTest, StartRollbackKeepsWhyTheFailedHostFailed) {
  GenerationPlan gens(&fleet_);
  Mutation m;
  StartRollback(rec_, "gate failed", kNow, &gens, &m);
  std::map<std::string, RolloutHost> hosts;
  for (const RolloutHost& h : m.rollout_hosts) hosts[h.host_id] = h;
  EXPECT_EQ(hosts.at("b-web-1").state, HostState::kRollingBack);
  EXPECT_EQ(hosts.at("b-web-1").failure, "validate exited 1: bad workers");
  EXPECT_EQ(hosts.at("a-web-0").failure, "");
  EXPECT_EQ(hosts.at("c-web-2").failure, "");
}

TEST_F(FailedThenRolledBackTest, SummaryCountsItFailedAndEveryHostRolledBack) {
  RollBackAndConfirm();
  swell::v1::RolloutSummary s = Summarize(rec_);
  EXPECT_EQ(s.hosts_failed(), 1);
  EXPECT_EQ(s.hosts_rolled_back(), 3);
  EXPECT_EQ(s.hosts_admitted(), 3);
  EXPECT_EQ(s.hosts_converged(), 0);
}

TEST_F(FailedThenRolledBackTest, StatusListsTheFailedHostWithItsFailure) {
  RollBackAndConfirm();
  swell::v1::RolloutStatus st = DescribeRollout(rec_, {}, {}, "");
  ASSERT_EQ(st.hosts_size(), 1);  // the others never failed: settled
  EXPECT_EQ(st.hosts(0).host_id(), "b-web-1");
  EXPECT_EQ(st.hosts(0).state(), "rolled_back");
  EXPECT_EQ(st.hosts(0).failure(), "validate exited 1: bad workers");
  ASSERT_EQ(st.waves_size(), 1);
  EXPECT_EQ(st.waves(0).failed(), 1);
  EXPECT_EQ(st.waves(0).rolled_back(), 3);
}

TEST_F(FailedThenRolledBackTest, AHostStillFailedHasItsMessageAsItsFailure) {
  swell::v1::RolloutStatus st = DescribeRollout(rec_, {}, {}, "");
  ASSERT_EQ(st.hosts_size(), 1);
  EXPECT_EQ(st.hosts(0).state(), "failed");
  EXPECT_EQ(st.hosts(0).failure(), "validate exited 1: bad workers");
  EXPECT_EQ(Summarize(rec_).hosts_failed(), 1);
  EXPECT_EQ(Summarize(rec_).hosts_rolled_back(), 0);
}

TEST_F(FailedThenRolledBackTest, HostsThatNeverFailedHaveNoFailure) {
  swell::v1::RolloutStatus st = DescribeRollout(rec_, {}, {}, "a-web-0");
  ASSERT_EQ(st.hosts_size(), 1);
  EXPECT_EQ(st.hosts(0).failure(), "");
}

TEST(DescribeHostsTest, GivesEachHostItsPresenceAndRetirement) {
  Fleet fleet;
  Host live = fixtures::MakeHost("live", {});
  live.last_seen = kNow - absl::Hours(400);  // connected: not stale
  Host away = fixtures::MakeHost("away", {});
  away.last_seen = kNow - absl::Hours(2);
  Host stale = fixtures::MakeHost("stale", {});
  stale.last_seen = kNow - absl::Hours(200);
  Host retired = fixtures::MakeHost("retired", {});
  retired.last_seen = kNow - absl::Hours(3);
  retired.retired_at = kNow - absl::Hours(1);
  retired.retire_reason = "decommissioned";
  for (const Host& h : {live, away, stale, retired}) fleet.hosts[h.id] = h;
  testing::FakeAgents agents;
  agents.connected = {"live"};
  agents.last_heard["live"] = kNow - absl::Seconds(2);

  swell::v1::ListHostsResponse r =
      DescribeHosts(fleet, agents, kNow, absl::Hours(7 * 24));
  std::map<std::string, swell::v1::HostStatus> by_id;
  for (const auto& h : r.hosts()) by_id[h.host_id()] = h;
  EXPECT_EQ(by_id.at("live").state(), "connected");
  EXPECT_EQ(by_id.at("live").last_seen_unix_ms(),
            absl::ToUnixMillis(kNow - absl::Seconds(2)));
  EXPECT_EQ(by_id.at("away").state(), "disconnected");
  EXPECT_EQ(by_id.at("away").last_seen_unix_ms(),
            absl::ToUnixMillis(kNow - absl::Hours(2)));
  EXPECT_EQ(by_id.at("stale").state(), "stale");
  EXPECT_EQ(by_id.at("retired").state(), "retired");
  EXPECT_EQ(by_id.at("retired").retire_reason(), "decommissioned");
  EXPECT_EQ(by_id.at("retired").retired_unix_ms(),
            absl::ToUnixMillis(kNow - absl::Hours(1)));
  EXPECT_EQ(by_id.at("away").retired_unix_ms(), 0);
  EXPECT_EQ(r.stale_after_ms(), 7 * 24 * 3600 * 1000LL);
}

TEST(DescribePreviewTest, ListsTheExcludedHostsWithWhy) {
  Fleet fleet;
  fleet.hosts["h1"] = fixtures::MakeHost("h1", {});
  Plan plan;
  plan.name = "p";
  std::vector<ExcludedHost> excluded = {
      {"h2", HostPresence::kRetired, "retired 2023-11-14 21:13 UTC: typo"},
      {"h3", HostPresence::kStale, "never seen (stale after 7d)"}};
  swell::v1::PreviewResponse p =
      DescribePreview(fleet, plan, {{"h1"}}, 1, excluded);
  ASSERT_EQ(p.excluded_size(), 2);
  EXPECT_EQ(p.excluded(0).host_id(), "h2");
  EXPECT_EQ(p.excluded(0).state(), "retired");
  EXPECT_EQ(p.excluded(0).reason(), "retired 2023-11-14 21:13 UTC: typo");
  EXPECT_EQ(p.excluded(1).state(), "stale");
  EXPECT_THAT(DescribePreview(fleet, plan, {{"h1"}}, 1).excluded(), IsEmpty());
}

}  // namespace
}  // namespace swell::controller
