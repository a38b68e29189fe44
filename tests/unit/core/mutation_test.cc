// What a Mutation means (mutation.h): which upsert of a key stands, the
// order its parts apply in, and appending and compacting one.

#include "controller/rollout/mutation.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

Host HostWithVersion(std::string id, std::string agent_version) {
  Host h = fixtures::MakeHost(std::move(id), {});
  h.agent_version = std::move(agent_version);
  return h;
}

RolloutHost RolloutHostWithMessage(std::string rollout, std::string host,
                                   std::string message) {
  RolloutHost rh = fixtures::MakeRolloutHost(
      std::move(rollout), std::move(host), HostState::kWaiting);
  rh.message = std::move(message);
  return rh;
}

HostDesired Desired(std::string host, std::string variable,
                    std::string rollout_id) {
  HostDesired d;
  d.host_id = std::move(host);
  d.spec.set_name(std::move(variable));
  d.rollout_id = std::move(rollout_id);
  return d;
}

Freeze FreezeFor(std::string reason) {
  Freeze f;
  f.active = true;
  f.reason = std::move(reason);
  return f;
}

VerdictRecord Verdict(std::string gate) {
  VerdictRecord v;
  v.rollout_id = "r-1";
  v.gate = std::move(gate);
  return v;
}

AuditEvent Audit(std::string action) {
  AuditEvent a;
  a.action = std::move(action);
  return a;
}

// The desired values `m` leaves in `desired`, as the stores apply it.
void ApplyDesired(const Mutation& m, ByKeyPair<HostDesired>* desired) {
  ForEachChange(m, ChangeHandlers{
                       [&](const HostDesired& d) { Upsert(d, desired); },
                       [&](const DesiredRemoved& r) { Remove(r, desired); },
                       [](const auto&) {},
                   });
}

std::vector<std::string> Versions(const std::vector<Host>& hosts) {
  std::vector<std::string> out;
  for (const Host& h : hosts) out.push_back(h.id + "/" + h.agent_version);
  return out;
}

TEST(MutationTest, CompactKeepsOnlyTheLastUpsertOfEachKey) {
  Mutation m;
  m.hosts = {HostWithVersion("h1", "first"), HostWithVersion("h2", "only"),
             HostWithVersion("h1", "last")};
  Rollout r1, r2;
  r1.id = "r-1";
  r1.name = "first";
  r2.id = "r-1";
  r2.name = "last";
  m.rollouts = {r1, r2};
  // Rollout hosts and desired values are keyed by both halves of a pair.
  m.rollout_hosts = {RolloutHostWithMessage("r-1", "h1", "first"),
                     RolloutHostWithMessage("r-2", "h1", "other rollout"),
                     RolloutHostWithMessage("r-1", "h1", "last")};
  m.desired = {Desired("h1", "motd", "first"), Desired("h1", "ntp", "other"),
               Desired("h1", "motd", "last")};
  CompactMutation(&m);

  EXPECT_THAT(Versions(m.hosts), ElementsAre("h2/only", "h1/last"));
  ASSERT_EQ(m.rollouts.size(), 1u);
  EXPECT_EQ(m.rollouts[0].name, "last");
  ASSERT_EQ(m.rollout_hosts.size(), 2u);
  EXPECT_EQ(m.rollout_hosts[0].message, "other rollout");
  EXPECT_EQ(m.rollout_hosts[1].message, "last");
  ASSERT_EQ(m.desired.size(), 2u);
  EXPECT_EQ(m.desired[0].rollout_id, "other");
  EXPECT_EQ(m.desired[1].rollout_id, "last");
}

TEST(MutationTest, DistinctKeysKeepTheirOrderAndALastUpsertItsPlace) {
  std::vector<Host> distinct = {HostWithVersion("c", "1"),
                                HostWithVersion("a", "1"),
                                HostWithVersion("b", "1")};
  Mutation m;
  m.hosts = distinct;
  CompactMutation(&m);
  EXPECT_THAT(Versions(m.hosts), ElementsAre("c/1", "a/1", "b/1"));

  // The entry that stands is the last upsert, where that upsert stood.
  std::vector<Host> repeated = {HostWithVersion("a", "1"),
                                HostWithVersion("b", "1"),
                                HostWithVersion("a", "2")};
  std::vector<const Host*> last = LastUpserts(repeated);
  EXPECT_THAT(last, ElementsAre(&repeated[1], &repeated[2]));
  EXPECT_THAT(LastUpserts(std::vector<Host>{}), IsEmpty());
}

TEST(MutationTest, ForEachChangeVisitsThePartsInTheOrderTheyApply) {
  Mutation m;
  m.freeze = FreezeFor("incident");
  m.audit = {Audit("submit")};
  m.verdicts = {Verdict("errors")};
  m.desired_removed = {{"h1", "ntp"}};
  m.desired = {Desired("h1", "motd", "r-1")};
  m.rollout_hosts = {RolloutHostWithMessage("r-1", "h1", "")};
  m.rollouts = {Rollout{}};
  m.hosts = {HostWithVersion("h1", "1")};

  std::vector<std::string> seen;
  ForEachChange(m,
                ChangeHandlers{
                    [&](const Host&) { seen.push_back("host"); },
                    [&](const Rollout&) { seen.push_back("rollout"); },
                    [&](const RolloutHost&) { seen.push_back("rh"); },
                    [&](const HostDesired&) { seen.push_back("desired"); },
                    [&](const DesiredRemoved&) { seen.push_back("removed"); },
                    [&](const VerdictRecord&) { seen.push_back("verdict"); },
                    [&](const AuditEvent&) { seen.push_back("audit"); },
                    [&](const Freeze&) { seen.push_back("freeze"); },
                });
  EXPECT_THAT(seen, ElementsAre("host", "rollout", "rh", "desired", "removed",
                                "verdict", "audit", "freeze"));
}

TEST(MutationTest, DesiredRemovedAppliesAfterDesired) {
  ByKeyPair<HostDesired> desired;
  Upsert(Desired("h2", "motd", "before"), &desired);
  Mutation m;
  m.desired = {Desired("h1", "motd", "r-1"), Desired("h1", "ntp", "r-1")};
  m.desired_removed = {{"h1", "motd"}, {"h2", "motd"}, {"h9", "none"}};
  ApplyDesired(m, &desired);

  ASSERT_EQ(desired.count("h1"), 1u);
  EXPECT_THAT(desired.at("h1"), ElementsAre(Pair("ntp", ::testing::_)));
  EXPECT_EQ(desired.count("h2"), 0u);  // no variable left
  EXPECT_EQ(desired.count("h9"), 0u);  // nothing to remove, nothing added

  // Appended, a removal still applies after every desired value, even one
  // set again by the later mutation.
  Mutation removal;
  removal.desired_removed = {{"h1", "motd"}};
  Mutation set_again;
  set_again.desired = {Desired("h1", "motd", "r-2")};
  AppendMutation(std::move(set_again), &removal);
  ApplyDesired(removal, &desired);
  EXPECT_EQ(desired.at("h1").count("motd"), 0u);
}

TEST(MutationTest, UpsertReplacesAWholeEntry) {
  ByKey<Host> hosts;
  Host labelled = fixtures::MakeHost("h1", {{"site", "a"}});
  labelled.agent_version = "1";
  Upsert(labelled, &hosts);
  Upsert(HostWithVersion("h1", "2"), &hosts);
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts.at("h1").agent_version, "2");
  EXPECT_THAT(hosts.at("h1").labels, IsEmpty());
}

TEST(MutationTest, AppendReplacesTheFreezeOnlyWithALaterOne) {
  Mutation into;
  into.freeze = FreezeFor("first");
  AppendMutation(Mutation{}, &into);
  ASSERT_TRUE(into.freeze.has_value());
  EXPECT_EQ(into.freeze->reason, "first");

  Mutation later;
  later.freeze = FreezeFor("later");
  AppendMutation(std::move(later), &into);
  ASSERT_TRUE(into.freeze.has_value());
  EXPECT_EQ(into.freeze->reason, "later");

  Mutation lifted;
  lifted.freeze = Freeze{};
  AppendMutation(std::move(lifted), &into);
  ASSERT_TRUE(into.freeze.has_value());
  EXPECT_FALSE(into.freeze->active);
}

TEST(MutationTest, AppendKeepsEveryVerdictAndAuditEventAndCompactToo) {
  Mutation into;
  into.hosts = {HostWithVersion("h1", "1")};
  into.verdicts = {Verdict("errors"), Verdict("errors")};
  into.audit = {Audit("halt")};
  into.desired_removed = {{"h1", "motd"}};
  Mutation from;
  from.hosts = {HostWithVersion("h1", "2")};
  from.verdicts = {Verdict("latency")};
  from.audit = {Audit("halt"), Audit("resume")};
  from.desired_removed = {{"h1", "motd"}};
  AppendMutation(std::move(from), &into);

  EXPECT_THAT(Versions(into.hosts), ElementsAre("h1/1", "h1/2"));
  CompactMutation(&into);
  EXPECT_THAT(Versions(into.hosts), ElementsAre("h1/2"));
  // Appended parts are never compacted: each entry is a row of its own.
  ASSERT_EQ(into.verdicts.size(), 3u);
  EXPECT_EQ(into.verdicts[0].gate, "errors");
  EXPECT_EQ(into.verdicts[1].gate, "errors");
  EXPECT_EQ(into.verdicts[2].gate, "latency");
  ASSERT_EQ(into.audit.size(), 3u);
  EXPECT_EQ(into.audit[0].action, "halt");
  EXPECT_EQ(into.audit[1].action, "halt");
  EXPECT_EQ(into.audit[2].action, "resume");
  EXPECT_EQ(into.desired_removed.size(), 2u);
}

}  // namespace
}  // namespace swell::controller
