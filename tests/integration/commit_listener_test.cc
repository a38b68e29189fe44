// A standby learns of the leader's commits by LISTEN/NOTIFY, against a real
// PostgreSQL: each fenced commit notifies, a refused one does not, the
// standby's model follows the commits without polling, and the listener
// listens again after its connection is cut.

#include "controller/store/commit_listener.h"

#include <atomic>
#include <memory>
#include <string>

#include "controller/fleet_snapshots.h"
#include "controller/plan/policy.h"
#include "controller/standby_reads.h"
#include "controller/store/leader_election.h"
#include "controller/store/postgres_store.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "tests/integration/shared_postgres.h"
#include "tests/integration/store_samples.h"
#include "tests/support/fixture_util.h"

extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace swell::controller {
namespace {

using test_support::Eventually;

Mutation NewHost(const std::string& id) {
  Mutation m;
  m.hosts = {SampleHost(id)};
  return m;
}

class CommitListenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
    ASSERT_TRUE(conninfo.ok()) << conninfo.status();
    conninfo_ = *conninfo;
    leader_ = Connect();
    ASSERT_NE(leader_, nullptr);
    ASSERT_TRUE(leader_->Migrate().ok());
    election_ = std::make_unique<LeaderElection>(
        conninfo_, LeaderElection::Options{.replica = "a"});
    std::atomic<bool> stop{false};
    epoch_ = election_->AwaitLeadership(stop);
    ASSERT_GT(epoch_, 0);
    leader_->FenceWith(epoch_, absl::Seconds(5));
  }

  std::unique_ptr<PostgresStore> Connect() {
    auto store = PostgresStore::Connect(conninfo_);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }

  std::string conninfo_;
  std::unique_ptr<PostgresStore> leader_;
  std::unique_ptr<LeaderElection> election_;
  int64_t epoch_ = 0;
  std::atomic<int> wakes_{0};
};

TEST_F(CommitListenerTest, ALeadersCommitWakesItAndARefusedOneDoesNot) {
  CommitListener listener(conninfo_, [this] { wakes_++; });
  listener.Start();
  // Once listening, it wakes once for what was committed before.
  ASSERT_TRUE(Eventually([&] { return listener.listening(); }));
  ASSERT_TRUE(Eventually([&] { return wakes_ == 1; }));
  EXPECT_EQ(listener.notifications(), 0u);

  ASSERT_TRUE(leader_->Commit(NewHost("h1")).ok());
  ASSERT_TRUE(Eventually([&] { return listener.notifications() == 1; }));

  // A commit refused by fencing notifies nobody: its transaction rolled
  // back. The next commit's notification is the second one.
  leader_->FenceWith(epoch_ + 1, absl::Seconds(5));
  EXPECT_EQ(leader_->Commit(NewHost("h2")).code(), absl::StatusCode::kAborted);
  leader_->FenceWith(epoch_, absl::Seconds(5));
  ASSERT_TRUE(leader_->Commit(NewHost("h3")).ok());
  ASSERT_TRUE(Eventually([&] { return listener.notifications() >= 2; }));
  EXPECT_EQ(listener.notifications(), 2u);
  EXPECT_EQ(wakes_, 3);
  listener.Stop();
}

TEST_F(CommitListenerTest, AStandbysModelFollowsTheLeadersCommitsUnasked) {
  std::unique_ptr<PostgresStore> standby_store = Connect();
  ASSERT_NE(standby_store, nullptr);
  PolicySet policies;
  FleetSnapshots snapshots;
  const common::Clock& clock = common::RealClock::Get();
  // Polls once an hour: whatever it learns sooner came by a notification.
  StandbyReads reads(standby_store.get(), &policies, &snapshots, &clock,
                     absl::Hours(1), absl::Milliseconds(50));
  CommitListener listener(conninfo_, [&reads] { reads.Wake(); });
  reads.Start();
  listener.Start();
  ASSERT_TRUE(Eventually([&] { return listener.listening(); }));

  for (const std::string host : {"h1", "h2", "h3"}) {
    ASSERT_TRUE(leader_->Commit(NewHost(host)).ok());
    EXPECT_TRUE(Eventually([&] {
      auto fleet = snapshots.Latest().fleet;
      return fleet != nullptr && fleet->hosts.contains(host);
    })) << host
        << " never reached the standby's model";
  }
  EXPECT_LE(reads.loads(), 8u) << "loads: one at start, one on listening, "
                                  "about one per commit";
  listener.Stop();
  reads.Stop();
}

TEST_F(CommitListenerTest, ListensAgainAfterItsConnectionIsCut) {
  CommitListener listener(conninfo_, [this] { wakes_++; });
  listener.Start();
  ASSERT_TRUE(Eventually([&] { return wakes_ == 1; }));
  {
    pqxx::connection conn(conninfo_);
    pqxx::nontransaction tx(conn);
    tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
        "datname = current_database() AND query LIKE 'LISTEN%'");
  }
  // Back, and waking for what may have been committed meanwhile.
  ASSERT_TRUE(Eventually([&] { return wakes_ == 2 && listener.listening(); },
                         absl::Seconds(20)));
  ASSERT_TRUE(leader_->Commit(NewHost("h1")).ok());
  EXPECT_TRUE(Eventually([&] { return listener.notifications() == 1; }));
  listener.Stop();
}

}  // namespace
}  // namespace swell::controller
