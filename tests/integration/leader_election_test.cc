// Leader election and fencing against a real PostgreSQL: one replica leads
// at a time, a new term takes a new epoch, a silent leader loses the lock
// within the lease, a deposed leader's commits are refused and counted, and
// a leader whose lock session breaks takes it again with a new epoch, and a
// leader paused inside a commit does not hold the next term up.

#include "controller/store/leader_election.h"

#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "controller/store/postgres_store.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "pqxx/transaction"
#include "tests/integration/shared_postgres.h"
#include "tests/integration/store_samples.h"

extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace swell::controller {
namespace {

class LeaderElectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
    ASSERT_TRUE(conninfo.ok()) << conninfo.status();
    conninfo_ = *conninfo;
    absl::StatusOr<std::unique_ptr<PostgresStore>> store =
        PostgresStore::Connect(conninfo_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    ASSERT_TRUE(store_->Migrate().ok());
  }

  LeaderElection::Options Named(std::string name) {
    return {.replica = std::move(name),
            .lease = absl::Seconds(1),
            .retry = absl::Milliseconds(100)};
  }

  // Ends every other session's connection to this database, as a
  // PostgreSQL restart would.
  void TerminateOtherSessions() {
    pqxx::connection conn(conninfo_);
    pqxx::nontransaction tx(conn);
    tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
        "datname = current_database() AND pid <> pg_backend_pid()");
  }

  std::string conninfo_;
  std::unique_ptr<PostgresStore> store_;
};

TEST_F(LeaderElectionTest, AStandbyKnowsWhoLeadsAndWhereItsApiIs) {
  std::atomic<bool> stop{false};
  LeaderElection::Options a_options = Named("a");
  a_options.api_address = "10.0.0.5:7072";
  LeaderElection a(conninfo_, a_options);
  const int64_t epoch = a.AwaitLeadership(stop);
  ASSERT_GT(epoch, 0);
  EXPECT_EQ(a.Leader().replica, "a");
  EXPECT_EQ(a.Leader().api_address, "10.0.0.5:7072");

  LeaderElection b(conninfo_, Named("b"));
  EXPECT_EQ(b.Leader().replica, "") << "nothing read yet";
  std::atomic<bool> b_stop{false};
  auto b_waits =
      std::async(std::launch::async, [&] { return b.AwaitLeadership(b_stop); });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (b.Leader().replica.empty() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const LeaderTerm seen = b.Leader();
  EXPECT_EQ(seen.replica, "a");
  EXPECT_EQ(seen.api_address, "10.0.0.5:7072");
  EXPECT_EQ(seen.epoch, epoch);
  EXPECT_FALSE(b.leading());
  b_stop = true;
  EXPECT_EQ(b_waits.get(), 0);
}

TEST_F(LeaderElectionTest, OneLeadsTheOtherWaitsAndEachTermHasANewEpoch) {
  std::atomic<bool> stop{false};
  auto a = std::make_unique<LeaderElection>(conninfo_, Named("a"));
  const int64_t first = a->AwaitLeadership(stop);
  EXPECT_GT(first, 0);
  EXPECT_TRUE(a->leading());

  LeaderElection b(conninfo_, Named("b"));
  std::atomic<bool> b_stop{false};
  auto b_leads =
      std::async(std::launch::async, [&] { return b.AwaitLeadership(b_stop); });
  // a keeps the lease; b waits as long as a speaks.
  std::atomic<bool> a_stop{false};
  auto a_holds = std::async(std::launch::async,
                            [&] { return a->Hold(a_stop, [](int64_t) {}); });
  EXPECT_EQ(b_leads.wait_for(std::chrono::seconds(3)),
            std::future_status::timeout);
  EXPECT_FALSE(b.leading());

  // a goes away (its session closes): b leads, in the next term.
  a_stop = true;
  ASSERT_TRUE(a_holds.get().ok());
  a.reset();
  EXPECT_EQ(b_leads.get(), first + 1);
  EXPECT_TRUE(b.leading());
}

TEST_F(LeaderElectionTest, ASilentLeaderIsDeposedAndItsCommitsAreFenced) {
  std::atomic<bool> stop{false};
  auto a = std::make_unique<LeaderElection>(conninfo_, Named("a"));
  const int64_t a_epoch = a->AwaitLeadership(stop);
  ASSERT_GT(a_epoch, 0);
  store_->FenceWith(a_epoch, absl::Seconds(1));
  ASSERT_TRUE(store_->Commit(SampleMutation()).ok());

  // a stops speaking (no Hold): its session ends after the lease, and b
  // leads at a newer epoch.
  LeaderElection b(conninfo_, Named("b"));
  const int64_t b_epoch = b.AwaitLeadership(stop);
  EXPECT_EQ(b_epoch, a_epoch + 1);

  // a's late write is refused, never merged.
  Mutation late;
  late.hosts.push_back(SampleHost("late-host"));
  absl::Status refused = store_->Commit(late);
  EXPECT_TRUE(absl::IsAborted(refused)) << refused;
  EXPECT_EQ(
      refused.message(),
      absl::StrCat("fenced: this replica led at epoch ", a_epoch,
                   "; b leads at epoch ", b_epoch, " (nothing was written)"));
  EXPECT_EQ(store_->fenced_commits(), 1u);
  absl::StatusOr<FleetState> state = store_->Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->hosts.count("late-host"), 0u);

  // a, speaking again, learns it is deposed.
  absl::Status held = a->Hold(stop, [](int64_t) {});
  EXPECT_TRUE(absl::IsAborted(held)) << held;
  EXPECT_NE(held.message().find("deposed"), absl::string_view::npos) << held;
  EXPECT_FALSE(a->leading());

  // The new leader's commits pass.
  store_->FenceWith(b_epoch, absl::Seconds(1));
  EXPECT_TRUE(store_->Commit(late).ok());
}

TEST_F(LeaderElectionTest, ALeaderPausedMidCommitDoesNotHoldTheNextTermUp) {
  std::atomic<bool> stop{false};
  LeaderElection a(conninfo_, Named("a"));
  const int64_t a_epoch = a.AwaitLeadership(stop);
  ASSERT_GT(a_epoch, 0);
  // a stops (SIGSTOP, a long pause) inside a commit: after its term check,
  // before COMMIT; and it stops speaking on its lock session too.
  pqxx::connection paused(conninfo_);
  pqxx::work commit(paused);
  ASSERT_EQ(LockTermForCommit(commit, absl::Seconds(1))[0].as<int64_t>(),
            a_epoch);

  LeaderElection b(conninfo_, Named("b"));
  auto b_leads =
      std::async(std::launch::async, [&] { return b.AwaitLeadership(stop); });
  const bool led =
      b_leads.wait_for(std::chrono::seconds(15)) == std::future_status::ready;
  if (!led) commit.abort();  // what the server should have done: b goes on
  EXPECT_TRUE(led) << "the paused commit held the next term up";
  EXPECT_EQ(b_leads.get(), a_epoch + 1);
  // The server ended the paused transaction: nothing of it can commit.
  EXPECT_ANY_THROW(commit.commit());
}

TEST_F(LeaderElectionTest, ALeaderWhoseSessionBreaksLeadsAgainWithANewEpoch) {
  std::atomic<bool> stop{false};
  LeaderElection a(conninfo_, Named("a"));
  const int64_t first = a.AwaitLeadership(stop);
  ASSERT_GT(first, 0);
  std::atomic<int64_t> renewed{0};
  auto holds = std::async(std::launch::async, [&] {
    return a.Hold(stop, [&](int64_t e) { renewed = e; });
  });
  TerminateOtherSessions();
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (renewed == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(renewed, first + 1);
  EXPECT_TRUE(a.leading());
  EXPECT_EQ(a.epoch(), first + 1);
  stop = true;
  EXPECT_TRUE(holds.get().ok());
}

}  // namespace
}  // namespace swell::controller
