// Which known hosts a new rollout targets (host_presence.h), and what
// hellos, disconnects and `hosts retire` change in the host records
// (host_lifecycle.h).

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/plan/plan.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/host_lifecycle.h"
#include "controller/rollout/host_presence.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const absl::Time kNow = absl::FromUnixSeconds(1'700'000'000);
const absl::Duration kStale = absl::Hours(7 * 24);

constexpr char kPlan[] =
    "name: everywhere\n"
    "target:\n"
    "  selector: {}\n"
    "strategy:\n"
    "  waves: [100%]\n"
    "change:\n"
    "  variable: motd\n"
    "  kind: file\n"
    "  path: /etc/motd\n"
    "  content: hi\n";

Plan EverywherePlan() {
  absl::StatusOr<Plan> plan = ParsePlanOrStatus(kPlan, "p.yaml", PolicySet());
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan();
}

Host SeenAt(std::string id, absl::Time last_seen) {
  Host h = fixtures::MakeHost(std::move(id), {{"site", "a"}});
  h.first_seen = last_seen - absl::Hours(1);
  h.last_seen = last_seen;
  return h;
}

Host Retired(std::string id, absl::Time at, std::string reason) {
  Host h = SeenAt(std::move(id), at - absl::Minutes(5));
  h.retired_at = at;
  h.retire_reason = std::move(reason);
  return h;
}

std::vector<std::string> Ids(const std::vector<TargetHost>& targets) {
  std::vector<std::string> ids;
  for (const TargetHost& t : targets) ids.push_back(t.id);
  return ids;
}

swell::v1::Hello HelloOf(std::string id, std::string site) {
  swell::v1::Hello hello;
  hello.set_host_id(std::move(id));
  (*hello.mutable_labels())["site"] = std::move(site);
  hello.set_agent_version("0.1.0");
  return hello;
}

// --- presence: a pure function of the record, the connection and the time.

TEST(HostPresenceTest, FollowsRetiredThenConnectedThenTheStaleThreshold) {
  struct Case {
    std::string name;
    Host host;
    bool connected;
    HostPresence want;
  };
  const std::vector<Case> cases = {
      {"fresh, connected", SeenAt("h", kNow), true, HostPresence::kConnected},
      {"seen a year ago but connected now",
       SeenAt("h", kNow - absl::Hours(365 * 24)), true,
       HostPresence::kConnected},
      {"gone a day", SeenAt("h", kNow - absl::Hours(24)), false,
       HostPresence::kDisconnected},
      {"gone exactly the threshold", SeenAt("h", kNow - kStale), false,
       HostPresence::kDisconnected},
      {"gone a second past it", SeenAt("h", kNow - kStale - absl::Seconds(1)),
       false, HostPresence::kStale},
      {"never seen", fixtures::MakeHost("h", {}), false, HostPresence::kStale},
      {"retired", Retired("h", kNow - absl::Hours(1), "gone"), false,
       HostPresence::kRetired},
      {"retired, its stream not closed yet",
       Retired("h", kNow - absl::Hours(1), "gone"), true,
       HostPresence::kRetired},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PresenceOf(c.host, c.connected, kNow, kStale), c.want) << c.name;
  }
}

TEST(HostPresenceTest, NoHostIsStaleUnderTheDefaultView) {
  EXPECT_EQ(PresenceOf(fixtures::MakeHost("h", {}), PresenceView{}),
            HostPresence::kDisconnected);
}

// --- targeting.

TEST(HostTargetingTest, ExcludesRetiredAndStaleHostsAndSaysWhy) {
  std::map<std::string, Host> hosts;
  hosts["a-live"] = SeenAt("a-live", kNow - absl::Minutes(1));
  hosts["b-away"] = SeenAt("b-away", kNow - absl::Hours(30));
  hosts["c-stale"] = SeenAt("c-stale", kNow - absl::Hours(8 * 24));
  hosts["d-retired"] = Retired(
      "d-retired", absl::FromUnixSeconds(1'699'990'000), "decommissioned");
  testing::FakeAgents agents;
  agents.connected = {"a-live"};

  TargetSelection s = SelectTargetsNow(EverywherePlan(), hosts,
                                       PresenceView{kNow, &agents, kStale});

  EXPECT_THAT(Ids(s.targets), ElementsAre("a-live", "b-away"));
  ASSERT_EQ(s.excluded.size(), 2u);
  EXPECT_EQ(s.excluded[0].id, "c-stale");
  EXPECT_EQ(s.excluded[0].presence, HostPresence::kStale);
  EXPECT_EQ(s.excluded[0].reason,
            "not seen since 2023-11-06 22:13 UTC (stale after 7d)");
  EXPECT_EQ(s.excluded[1].id, "d-retired");
  EXPECT_EQ(s.excluded[1].presence, HostPresence::kRetired);
  EXPECT_EQ(s.excluded[1].reason,
            "retired 2023-11-14 19:26 UTC: decommissioned");
}

TEST(HostTargetingTest, TargetsAConnectedHostHoweverLongAgoItWasSeen) {
  std::map<std::string, Host> hosts;
  hosts["old"] = SeenAt("old", kNow - absl::Hours(365 * 24));
  testing::FakeAgents agents;
  agents.connected = {"old"};
  TargetSelection s = SelectTargetsNow(EverywherePlan(), hosts,
                                       PresenceView{kNow, &agents, kStale});
  EXPECT_THAT(Ids(s.targets), ElementsAre("old"));
  EXPECT_THAT(s.excluded, IsEmpty());
}

TEST(HostTargetingTest, OnlyHostsTheSelectorMatchesAreListedAsExcluded) {
  absl::StatusOr<Plan> plan = ParsePlanOrStatus(
      absl::StrCat("name: web\ntarget:\n  selector: {role: web}\n",
                   "strategy:\n  waves: [100%]\n",
                   "change:\n  variable: motd\n  kind: file\n",
                   "  path: /etc/motd\n  content: hi\n"),
      "p.yaml", PolicySet());
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::map<std::string, Host> hosts;
  hosts["web-1"] = SeenAt("web-1", kNow);
  hosts["web-1"].labels = {{"role", "web"}};
  hosts["web-2"] = fixtures::MakeHost("web-2", {{"role", "web"}});  // never
  hosts["db-1"] = Retired("db-1", kNow, "gone");
  hosts["db-1"].labels = {{"role", "db"}};
  TargetSelection s =
      SelectTargetsNow(*plan, hosts, PresenceView{kNow, nullptr, kStale});
  EXPECT_THAT(Ids(s.targets), ElementsAre("web-1"));
  ASSERT_EQ(s.excluded.size(), 1u);
  EXPECT_EQ(s.excluded[0].id, "web-2");
  EXPECT_EQ(s.excluded[0].reason, "never seen (stale after 7d)");
}

TEST(HostTargetingTest, SubmitTakesOnlyTargetableHosts) {
  Fleet fleet;
  fleet.hosts["live"] = SeenAt("live", kNow);
  fleet.hosts["retired"] = Retired("retired", kNow - absl::Hours(2), "typo");
  testing::FakeAgents agents;
  agents.connected = {"live"};
  GenerationPlan gens(&fleet);
  absl::StatusOr<Mutation> m =
      SubmitRollout(fleet, EverywherePlan(), nullptr, kPlan, "p.yaml", "r-1",
                    Request{"alice", "test", kNow}, &gens, 0,
                    PresenceView{kNow, &agents, kStale});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->rollout_hosts.size(), 1u);
  EXPECT_EQ(m->rollout_hosts[0].host_id, "live");
}

TEST(HostTargetingTest, SubmitWithOnlyExcludedHostsIsRefusedNamingThem) {
  Fleet fleet;
  fleet.hosts["gone"] = Retired("gone", kNow - absl::Hours(2), "typo");
  GenerationPlan gens(&fleet);
  absl::StatusOr<Mutation> m =
      SubmitRollout(fleet, EverywherePlan(), nullptr, kPlan, "p.yaml", "r-1",
                    Request{"alice", "test", kNow}, &gens, 0,
                    PresenceView{kNow, nullptr, kStale});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(m.status().message(),
              HasSubstr("matches none of the 1 known hosts it may target (it "
                        "matches 1 that are retired or stale)"));
}

// --- what hellos and disconnects change.

TEST(HostsHeardTest, AHelloWithUnchangedLabelsStillFreshensLastSeen) {
  std::map<std::string, Host> hosts;
  hosts["h1"] = SeenAt("h1", kNow - absl::Hours(50));
  hosts["h1"].agent_version = "0.1.0";
  Mutation m = HostsHeard(hosts, {HelloOf("h1", "a")}, {}, kNow);
  ASSERT_EQ(m.hosts.size(), 1u);
  EXPECT_EQ(m.hosts[0].last_seen, kNow);
  EXPECT_EQ(m.hosts[0].first_seen, hosts["h1"].first_seen);
  EXPECT_THAT(m.audit, IsEmpty());
}

TEST(HostsHeardTest, ANewHostIsCreatedSeenNow) {
  Mutation m = HostsHeard({}, {HelloOf("new", "b")}, {}, kNow);
  ASSERT_EQ(m.hosts.size(), 1u);
  EXPECT_EQ(m.hosts[0].id, "new");
  EXPECT_EQ(m.hosts[0].labels.at("site"), "b");
  EXPECT_EQ(m.hosts[0].first_seen, kNow);
  EXPECT_EQ(m.hosts[0].last_seen, kNow);
}

TEST(HostsHeardTest, ARetiredHostThatSaysHelloComesBackAudited) {
  std::map<std::string, Host> hosts;
  hosts["h1"] = Retired("h1", absl::FromUnixSeconds(1'699'990'000), "typo");
  Mutation m = HostsHeard(hosts, {HelloOf("h1", "a")}, {}, kNow);
  ASSERT_EQ(m.hosts.size(), 1u);
  EXPECT_EQ(m.hosts[0].retired_at, absl::InfinitePast());
  EXPECT_EQ(m.hosts[0].retire_reason, "");
  ASSERT_EQ(m.audit.size(), 1u);
  EXPECT_EQ(m.audit[0].action, "host_returned");
  EXPECT_EQ(m.audit[0].reason,
            "host h1 connected again; it had been retired 2023-11-14 "
            "19:26:40 UTC: typo");
  EXPECT_EQ(PresenceOf(m.hosts[0], true, kNow, kStale),
            HostPresence::kConnected);
}

TEST(HostsHeardTest, ADisconnectRecordsLastSeenAndUnknownIdsAreIgnored) {
  std::map<std::string, Host> hosts;
  hosts["h1"] = SeenAt("h1", kNow - absl::Hours(3));
  Mutation m = HostsHeard(hosts, {}, {"h1", "never-known"}, kNow);
  ASSERT_EQ(m.hosts.size(), 1u);
  EXPECT_EQ(m.hosts[0].id, "h1");
  EXPECT_EQ(m.hosts[0].last_seen, kNow);
}

TEST(HostsHeardTest, NothingHeardChangesNothing) {
  std::map<std::string, Host> hosts;
  hosts["h1"] = SeenAt("h1", kNow - absl::Hours(3));
  EXPECT_TRUE(HostsHeard(hosts, {}, {}, kNow).empty());
}

TEST(RefreshLastSeenTest, RewritesOnlyConnectedHostsSeenLongAgo) {
  std::map<std::string, Host> hosts;
  hosts["old-connected"] = SeenAt("old-connected", kNow - absl::Hours(2));
  hosts["fresh-connected"] =
      SeenAt("fresh-connected", kNow - absl::Minutes(10));
  hosts["old-gone"] = SeenAt("old-gone", kNow - absl::Hours(2));
  testing::FakeAgents agents;
  agents.connected = {"old-connected", "fresh-connected"};
  std::vector<Host> out =
      RefreshLastSeen(hosts, agents, kNow, kLastSeenRefreshAfter);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "old-connected");
  EXPECT_EQ(out[0].last_seen, kNow);
}

// --- hosts retire.

class RetireHostTest : public ::testing::Test {
 protected:
  RetireHostTest() {
    fleet_.hosts["gone"] = SeenAt("gone", kNow - absl::Hours(1));
    fleet_.hosts["other"] = SeenAt("other", kNow);
  }
  Request Req(std::string reason = "decommissioned") const {
    return Request{"bob", std::move(reason), kNow};
  }
  // An active rollout r-1 in which host "gone" is in `state`.
  void ActiveRolloutWith(HostState state) {
    RolloutRecord rec;
    rec.rollout.id = "r-1";
    rec.rollout.name = "motd";
    rec.rollout.state = RolloutState::kRunning;
    rec.hosts["gone"] = fixtures::MakeRolloutHost("r-1", "gone", state);
    fleet_.rollouts["r-1"] = rec;
  }
  Fleet fleet_;
};

TEST_F(RetireHostTest, RetiresAndAuditsInOneMutation) {
  absl::StatusOr<Mutation> m = RetireHost(fleet_, "gone", false, Req());
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->hosts.size(), 1u);
  EXPECT_EQ(m->hosts[0].retired_at, kNow);
  EXPECT_EQ(m->hosts[0].retire_reason, "decommissioned");
  EXPECT_EQ(m->hosts[0].last_seen, fleet_.hosts["gone"].last_seen);
  ASSERT_EQ(m->audit.size(), 1u);
  EXPECT_EQ(m->audit[0].actor, "bob");
  EXPECT_EQ(m->audit[0].action, "retire_host");
  EXPECT_EQ(m->audit[0].reason, "host gone: decommissioned");
}

TEST_F(RetireHostTest, AnUnknownHostIsNotFound) {
  absl::StatusOr<Mutation> m = RetireHost(fleet_, "gnoe", false, Req());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(m.status().message(), HasSubstr("no host gnoe"));
}

TEST_F(RetireHostTest, AReasonIsRequired) {
  EXPECT_EQ(RetireHost(fleet_, "gone", false, Req("")).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(RetireHostTest, AConnectedHostIsRefused) {
  absl::StatusOr<Mutation> m = RetireHost(fleet_, "gone", true, Req());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(m.status().message(), HasSubstr("stop its agent first"));
}

TEST_F(RetireHostTest, RetiringARetiredHostChangesNothing) {
  fleet_.hosts["gone"].retired_at = kNow - absl::Hours(1);
  fleet_.hosts["gone"].retire_reason = "first";
  absl::StatusOr<Mutation> m = RetireHost(fleet_, "gone", false, Req("again"));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_TRUE(m->empty());
}

TEST_F(RetireHostTest, AHostAnActiveRolloutStillWorksOnIsRefusedNamingIt) {
  for (HostState s :
       {HostState::kWaiting, HostState::kAdmitting, HostState::kApplying,
        HostState::kConverged, HostState::kRollingBack}) {
    ActiveRolloutWith(s);
    absl::StatusOr<Mutation> m = RetireHost(fleet_, "gone", false, Req());
    EXPECT_EQ(m.status().code(), absl::StatusCode::kFailedPrecondition)
        << HostStateName(s);
    EXPECT_THAT(m.status().message(),
                HasSubstr("target of active rollout r-1 (motd, running)"));
  }
}

TEST_F(RetireHostTest, AHostTheRolloutIsDoneWithOrAnEndedRolloutAllowsIt) {
  for (HostState s :
       {HostState::kFailed, HostState::kRolledBack, HostState::kSkipped}) {
    ActiveRolloutWith(s);
    EXPECT_TRUE(RetireHost(fleet_, "gone", false, Req()).ok())
        << HostStateName(s);
  }
  ActiveRolloutWith(HostState::kConverged);
  fleet_.rollouts["r-1"].rollout.state = RolloutState::kSucceeded;
  EXPECT_TRUE(RetireHost(fleet_, "gone", false, Req()).ok());
}

}  // namespace
}  // namespace swell::controller
