// The same tests against MemoryStore and PostgresStore, so that the fake
// cannot drift from the real store.

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/model_dump.h"
#include "tests/integration/store_samples.h"
#include "tests/integration/store_test_fixture.h"

namespace swell::controller {
namespace {

template <typename Factory>
class StoreConformanceTest : public StoreTest<Factory> {};
TYPED_TEST_SUITE(StoreConformanceTest, StoreFactories, FactoryName);

TYPED_TEST(StoreConformanceTest, MigratingAgainKeepsSchemaAndData) {
  this->MustCommit(SampleMutation());
  std::string before = Dump(this->MustLoad());
  ASSERT_TRUE(this->store_->Migrate().ok());
  ASSERT_TRUE(this->store_->Migrate().ok());
  EXPECT_EQ(Dump(this->MustLoad()), before);
}

TYPED_TEST(StoreConformanceTest, EmptyStoreLoadsEmptyFleetAndNoFreeze) {
  FleetState state = this->MustLoad();
  EXPECT_TRUE(state.hosts.empty());
  EXPECT_TRUE(state.desired.empty());
  EXPECT_TRUE(state.rollouts.empty());
  EXPECT_TRUE(state.rollout_hosts.empty());
  EXPECT_EQ(Dump(state.freeze), Dump(Freeze{}));
  EXPECT_TRUE(this->store_->Commit(Mutation{}).ok());
}

TYPED_TEST(StoreConformanceTest, EveryFieldOfEveryRecordRoundTrips) {
  Mutation m = SampleMutation();
  this->MustCommit(m);
  FleetState state = this->MustLoad();

  ASSERT_EQ(state.hosts.size(), 2u);
  EXPECT_EQ(Dump(state.hosts.at("h1")), Dump(m.hosts[0]));
  EXPECT_EQ(Dump(state.hosts.at("h2")), Dump(m.hosts[1]));
  ASSERT_EQ(state.rollouts.size(), 1u);
  EXPECT_EQ(Dump(state.rollouts.at("r-00000001")), Dump(m.rollouts[0]));
  ASSERT_EQ(state.rollout_hosts.at("r-00000001").size(), 2u);
  EXPECT_EQ(Dump(state.rollout_hosts.at("r-00000001")[0]),
            Dump(m.rollout_hosts[0]));
  EXPECT_EQ(Dump(state.rollout_hosts.at("r-00000001")[1]),
            Dump(m.rollout_hosts[1]));
  EXPECT_EQ(Dump(state.desired.at("h1").at("docker-daemon-config")),
            Dump(m.desired[0]));
  EXPECT_EQ(Dump(state.desired.at("h1").at("motd")), Dump(m.desired[1]));
  EXPECT_EQ(Dump(state.desired.at("h2").at("motd")), Dump(m.desired[2]));
  EXPECT_EQ(Dump(state.freeze), Dump(*m.freeze));
  EXPECT_EQ(this->VerdictDump("r-00000001"), Dump(m.verdicts[0]) + "\n");
  EXPECT_EQ(this->AuditDump(), Dump(m.audit[0]) + "\n");
}

TYPED_TEST(StoreConformanceTest, TimesKeepMicrosecondsAndInfinities) {
  Host h = SampleHost("h1");
  h.first_seen = MicrosTime(-1) + absl::Nanoseconds(999);  // before epoch
  h.last_seen = MicrosTime(1'700'000'000'000'001) + absl::Nanoseconds(999);
  Freeze f = SampleFreeze();
  f.since = absl::InfinitePast();
  f.expires = absl::InfiniteFuture();
  Mutation m;
  m.hosts = {h};
  m.freeze = f;
  this->MustCommit(m);

  FleetState state = this->MustLoad();
  EXPECT_EQ(state.hosts.at("h1").first_seen, MicrosTime(-1));
  EXPECT_EQ(state.hosts.at("h1").last_seen, MicrosTime(1'700'000'000'000'001));
  EXPECT_EQ(state.freeze.since, absl::InfinitePast());
  EXPECT_EQ(state.freeze.expires, absl::InfiniteFuture());
}

TYPED_TEST(StoreConformanceTest, UpsertReplacesWholeRecordsAndLabels) {
  this->MustCommit(SampleMutation());

  Host h = SampleHost("h1");
  h.labels = {{"site", "ams2"}};  // "rack" and the others go
  h.agent_version = "0.2.0";
  h.desired_generation = 10;
  Rollout r = SampleRollout("r-00000001");
  r.state = RolloutState::kSucceeded;
  r.phase = WavePhase::kAdmitting;
  r.reason = "";
  r.new_value.set_present(false);
  r.new_value.clear_data();
  RolloutHost rh = SampleRolloutHost("r-00000001", "h1", 4);
  rh.state = HostState::kConverged;
  rh.output_tail = "";
  HostDesired d = SampleDesired("h1", "motd");
  d.value.set_data("new motd");
  Mutation m;
  m.hosts = {h};
  m.rollouts = {r};
  m.rollout_hosts = {rh};
  m.desired = {d};
  this->MustCommit(m);

  FleetState state = this->MustLoad();
  EXPECT_EQ(Dump(state.hosts.at("h1")), Dump(h));
  EXPECT_EQ(Dump(state.hosts.at("h2")), Dump(SampleHost("h2")));
  EXPECT_EQ(Dump(state.rollouts.at("r-00000001")), Dump(r));
  const std::vector<RolloutHost>& rows = state.rollout_hosts.at("r-00000001");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Dump(rows[1]), Dump(rh));  // wave 4 now sorts after wave 1
  EXPECT_EQ(Dump(state.desired.at("h1").at("motd")), Dump(d));
}

TYPED_TEST(StoreConformanceTest, RolloutKeepsItsPolicyTextAndUpsertsIt) {
  Rollout named = SampleRollout("r-1");
  Rollout none = SampleRollout("r-2");
  none.policy_yaml = "";
  Mutation m;
  m.rollouts = {named, none};
  this->MustCommit(m);
  FleetState state = this->MustLoad();
  EXPECT_EQ(state.rollouts.at("r-1").policy_yaml, named.policy_yaml);
  EXPECT_EQ(state.rollouts.at("r-2").policy_yaml, "");

  named.policy_yaml = "name: p\n";
  m.rollouts = {named};
  this->MustCommit(m);
  EXPECT_EQ(this->MustLoad().rollouts.at("r-1").policy_yaml, "name: p\n");
}

TYPED_TEST(StoreConformanceTest, RolloutKeepsItsOrderSeedAndUpsertsIt) {
  Rollout largest = SampleRollout("r-1");
  Rollout unknown = SampleRollout("r-2");
  ASSERT_EQ(largest.order_seed, 4'294'967'295u);
  unknown.order_seed = 0;  // stored before seeds were kept
  Mutation m;
  m.rollouts = {largest, unknown};
  this->MustCommit(m);
  FleetState state = this->MustLoad();
  EXPECT_EQ(state.rollouts.at("r-1").order_seed, 4'294'967'295u);
  EXPECT_EQ(state.rollouts.at("r-2").order_seed, 0u);

  largest.order_seed = 7;
  m.rollouts = {largest};
  this->MustCommit(m);
  EXPECT_EQ(this->MustLoad().rollouts.at("r-1").order_seed, 7u);
}

TYPED_TEST(StoreConformanceTest, LaterEntryWithSameKeyWinsWithinAMutation) {
  Host first = SampleHost("h1");
  Host second = SampleHost("h1");
  second.labels = {{"only", "this"}};
  second.agent_version = "second";
  Rollout r = SampleRollout("r-00000001");
  RolloutHost rh1 = SampleRolloutHost(r.id, "h1", 0);
  RolloutHost rh2 = SampleRolloutHost(r.id, "h1", 2);
  rh2.message = "second";
  Mutation m;
  m.hosts = {first, second};
  m.rollouts = {r};
  m.rollout_hosts = {rh1, rh2};
  m.desired = {SampleDesired("h1", "motd"), SampleDesired("h1", "motd")};
  m.desired[1].rollout_id = "r-second";
  this->MustCommit(m);

  FleetState state = this->MustLoad();
  EXPECT_EQ(Dump(state.hosts.at("h1")), Dump(second));
  ASSERT_EQ(state.rollout_hosts.at(r.id).size(), 1u);
  EXPECT_EQ(Dump(state.rollout_hosts.at(r.id)[0]), Dump(rh2));
  EXPECT_EQ(state.desired.at("h1").at("motd").rollout_id, "r-second");
}

TYPED_TEST(StoreConformanceTest, DesiredRemovedRemovesOnlyThatVariable) {
  this->MustCommit(SampleMutation());
  Mutation m;
  m.desired_removed = {{"h1", "motd"}, {"h2", "motd"}, {"h9", "nothing"}};
  this->MustCommit(m);

  FleetState state = this->MustLoad();
  ASSERT_EQ(state.desired.count("h1"), 1u);
  EXPECT_EQ(state.desired.at("h1").count("motd"), 0u);
  EXPECT_EQ(state.desired.at("h1").count("docker-daemon-config"), 1u);
  EXPECT_EQ(state.desired.count("h2"), 0u);  // no variable left
}

TYPED_TEST(StoreConformanceTest, DesiredRemovedAppliesAfterDesired) {
  Mutation m;
  m.hosts = {SampleHost("h1")};
  m.desired = {SampleDesired("h1", "motd"), SampleDesired("h1", "kept")};
  m.desired_removed = {{"h1", "motd"}};
  this->MustCommit(m);

  FleetState state = this->MustLoad();
  EXPECT_EQ(state.desired.at("h1").count("motd"), 0u);
  EXPECT_EQ(state.desired.at("h1").count("kept"), 1u);
}

TYPED_TEST(StoreConformanceTest, CommittingTwiceLeavesTheSameStateButAppends) {
  Mutation m = SampleMutation();
  this->MustCommit(m);
  std::string once = Dump(this->MustLoad());
  this->MustCommit(m);

  EXPECT_EQ(Dump(this->MustLoad()), once);
  std::string verdict = Dump(m.verdicts[0]) + "\n";
  EXPECT_EQ(this->VerdictDump("r-00000001"), verdict + verdict);
  std::string audit = Dump(m.audit[0]) + "\n";
  EXPECT_EQ(this->AuditDump(), audit + audit);
}

TYPED_TEST(StoreConformanceTest, RolloutHostsLoadOrderedByWaveThenHostBytes) {
  Mutation m;
  // Bytewise, "B" < "a" < "a-1" < "b"; a collating sort would differ.
  for (const char* id : {"b", "a-1", "B", "a", "c"}) {
    m.hosts.push_back(SampleHost(id));
  }
  m.rollouts = {SampleRollout("r-1")};
  m.rollout_hosts = {
      SampleRolloutHost("r-1", "b", 0), SampleRolloutHost("r-1", "c", 1),
      SampleRolloutHost("r-1", "a-1", 0), SampleRolloutHost("r-1", "B", 0),
      SampleRolloutHost("r-1", "a", 2)};
  this->MustCommit(m);

  std::vector<std::string> order;
  FleetState state = this->MustLoad();
  for (const RolloutHost& rh : state.rollout_hosts.at("r-1")) {
    order.push_back(std::to_string(rh.wave) + ":" + rh.host_id);
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"0:B", "0:a-1", "0:b", "1:c", "2:a"}));
}

TYPED_TEST(StoreConformanceTest, VerdictsAreThoseOfOneRolloutOldestFirst) {
  Mutation m;
  m.rollouts = {SampleRollout("r-1"), SampleRollout("r-2")};
  m.verdicts = {SampleVerdict("r-1", "g1"), SampleVerdict("r-2", "g1"),
                SampleVerdict("r-1", "g2")};
  m.verdicts[1].evidence_json = "";  // none
  this->MustCommit(m);
  Mutation later;
  later.verdicts = {SampleVerdict("r-1", "g3"), SampleVerdict("r-2", "g2")};
  later.verdicts[0].at = MicrosTime(0);  // order is commit order, not `at`
  this->MustCommit(later);

  EXPECT_EQ(this->VerdictDump("r-1"), Dump(m.verdicts[0]) + "\n" +
                                          Dump(m.verdicts[2]) + "\n" +
                                          Dump(later.verdicts[0]) + "\n");
  EXPECT_EQ(this->VerdictDump("r-2"),
            Dump(m.verdicts[1]) + "\n" + Dump(later.verdicts[1]) + "\n");
  EXPECT_EQ(this->VerdictDump("r-unknown"), "");
}

TYPED_TEST(StoreConformanceTest, AuditReturnsTheNewestUpToLimitOldestFirst) {
  std::vector<AuditEvent> events = {
      SampleAudit("r-1", "submit"), SampleAudit("", "freeze"),
      SampleAudit("r-2", "submit"), SampleAudit("r-1", "halt"),
      SampleAudit("", "unfreeze")};
  for (const AuditEvent& a : events) {
    Mutation m;
    m.audit = {a};
    this->MustCommit(m);
  }
  auto dump = [&](std::vector<int> indexes) {
    std::string out;
    for (int i : indexes) out += Dump(events[i]) + "\n";
    return out;
  };

  EXPECT_EQ(this->AuditDump("", 100), dump({0, 1, 2, 3, 4}));
  EXPECT_EQ(this->AuditDump("", 2), dump({3, 4}));
  EXPECT_EQ(this->AuditDump("r-1", 100), dump({0, 3}));
  EXPECT_EQ(this->AuditDump("r-1", 1), dump({3}));
  EXPECT_EQ(this->AuditDump("", 0), "");
  EXPECT_EQ(this->store_->Audit("", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(StoreConformanceTest, FreezeIsReplacedWhole) {
  Mutation set;
  set.freeze = SampleFreeze();
  this->MustCommit(set);
  Mutation lift;
  lift.freeze = Freeze{};
  lift.freeze->reason = "lifted";
  this->MustCommit(lift);

  EXPECT_EQ(Dump(this->MustLoad().freeze), Dump(*lift.freeze));
}

TYPED_TEST(StoreConformanceTest, HostRetirementAndReturnRoundTrip) {
  Host h = SampleHost("h1");
  ASSERT_NE(h.retired_at, absl::InfinitePast());
  Mutation retire;
  retire.hosts = {h};
  this->MustCommit(retire);
  Host loaded = this->MustLoad().hosts.at("h1");
  EXPECT_EQ(loaded.retired_at, h.retired_at);
  EXPECT_EQ(loaded.retire_reason, h.retire_reason);

  h.retired_at = absl::InfinitePast();  // it said hello again
  h.retire_reason = "";
  Mutation back;
  back.hosts = {h};
  this->MustCommit(back);
  EXPECT_EQ(Dump(this->MustLoad().hosts.at("h1")), Dump(h));
}

TYPED_TEST(StoreConformanceTest, HostRevocationAndUnrevocationRoundTrip) {
  Host h = SampleHost("h1");
  ASSERT_NE(h.revoked_at, absl::InfinitePast());
  Mutation revoke;
  revoke.hosts = {h};
  this->MustCommit(revoke);
  Host loaded = this->MustLoad().hosts.at("h1");
  EXPECT_EQ(loaded.revoked_at, h.revoked_at);
  EXPECT_EQ(loaded.revoke_reason, h.revoke_reason);

  h.revoked_at = absl::InfinitePast();  // unrevoked
  h.revoke_reason = "";
  Mutation back;
  back.hosts = {h};
  this->MustCommit(back);
  EXPECT_EQ(Dump(this->MustLoad().hosts.at("h1")), Dump(h));
}

TYPED_TEST(StoreConformanceTest, RolloutHostKeepsItsFailureThroughUpserts) {
  Mutation m = SampleMutation();
  this->MustCommit(m);
  RolloutHost rh = m.rollout_hosts[0];
  ASSERT_FALSE(rh.failure.empty());
  EXPECT_EQ(this->MustLoad().rollout_hosts.at(rh.rollout_id)[0].failure,
            rh.failure);

  rh.failure = "";
  Mutation cleared;
  cleared.rollout_hosts = {rh};
  this->MustCommit(cleared);
  const FleetState loaded = this->MustLoad();
  const std::vector<RolloutHost>& rows = loaded.rollout_hosts.at(rh.rollout_id);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Dump(rows[0]), Dump(rh));  // wave 0 sorts first

  RolloutHost bad = rh;
  bad.failure = std::string("nul\0inside", 11);
  Mutation refused;
  refused.rollout_hosts = {bad};
  EXPECT_EQ(this->store_->Commit(refused).code(),
            absl::StatusCode::kInvalidArgument);
}

TYPED_TEST(StoreConformanceTest, QueriesRejectIdsNoTextColumnCanHold) {
  const std::string with_nul("r-1\0x", 5);
  EXPECT_EQ(this->store_->Verdicts(with_nul).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->Audit(with_nul, 10).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(this->store_->Verdicts("r-\xff").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace swell::controller
