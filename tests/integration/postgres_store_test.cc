// What only PostgresStore has: a shared database, concurrent starts,
// connection failures, stored rows it cannot decode, and the cost of a
// large commit.

#include "controller/store/postgres_store.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/store/pg_migrations.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "tests/integration/model_dump.h"
#include "tests/integration/shared_postgres.h"
#include "tests/integration/store_samples.h"
#include "tests/support/throwaway_postgres.h"

// libpqxx 6.4 leaks one PGresult when it finds its connection lost
// (https://github.com/jtv/libpqxx/pull/500, fixed in 7.x). Read only by
// LeakSanitizer, in sanitizer builds.
extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace swell::controller {
namespace {

std::unique_ptr<PostgresStore> MustConnect(const std::string& conninfo) {
  absl::StatusOr<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Connect(conninfo);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(*store) : nullptr;
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
    ASSERT_TRUE(conninfo.ok()) << conninfo.status();
    conninfo_ = *conninfo;
  }

  // Runs SQL outside any store, as an operator would.
  void Sql(const std::string& sql) {
    pqxx::connection conn(conninfo_);
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
  }

  std::string conninfo_;
};

TEST_F(PostgresStoreTest, SecondStoreSeesTheFirstStoresCommits) {
  auto first = MustConnect(conninfo_);
  auto second = MustConnect(conninfo_);
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->Migrate().ok());
  ASSERT_TRUE(second->Migrate().ok());

  ASSERT_TRUE(first->Commit(SampleMutation()).ok());
  absl::StatusOr<FleetState> from_first = first->Load();
  absl::StatusOr<FleetState> from_second = second->Load();
  ASSERT_TRUE(from_first.ok() && from_second.ok());
  EXPECT_EQ(Dump(*from_second), Dump(*from_first));
  EXPECT_EQ(from_second->hosts.size(), 2u);
}

TEST_F(PostgresStoreTest, ConcurrentMigrationsApplyEachVersionOnce) {
  constexpr int kControllers = 4;
  std::vector<std::unique_ptr<PostgresStore>> stores;
  for (int i = 0; i < kControllers; ++i)
    stores.push_back(MustConnect(conninfo_));
  std::vector<absl::Status> results(kControllers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kControllers; ++i) {
    threads.emplace_back([&, i] { results[i] = stores[i]->Migrate(); });
  }
  for (std::thread& t : threads) t.join();

  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  pqxx::connection conn(conninfo_);
  pqxx::nontransaction tx(conn);
  pqxx::result rows =
      tx.exec("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_EQ(rows.size(), SchemaMigrations().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i][0].as<int>(), SchemaMigrations()[i].version);
  }
}

TEST_F(PostgresStoreTest, RolloutStoredBeforePolicyColumnLoadsWithoutPolicy) {
  // The schema as migration 1 left it, holding a rollout.
  ASSERT_GE(SchemaMigrations().size(), 2u);
  ASSERT_EQ(SchemaMigrations()[1].version, 2);
  Sql(absl::StrCat(
      "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
      " applied_at timestamptz NOT NULL DEFAULT now());",
      std::string(SchemaMigrations()[0].sql),
      "INSERT INTO schema_migrations (version) VALUES (1);"
      "INSERT INTO rollouts VALUES ('r-1', 'old', 'name: old', 'old.yaml',"
      " 'motd', '', false, '', 'running', 0, 2, 'admitting', now(),"
      " 'submitted', 'alice', now(), now());"));
  auto store = MustConnect(conninfo_);
  ASSERT_TRUE(store && store->Migrate().ok());

  absl::StatusOr<FleetState> state = store->Load();
  ASSERT_TRUE(state.ok()) << state.status();
  ASSERT_EQ(state->rollouts.count("r-1"), 1u);
  EXPECT_EQ(state->rollouts.at("r-1").plan_yaml, "name: old");
  EXPECT_EQ(state->rollouts.at("r-1").policy_yaml, "");
  EXPECT_EQ(state->rollouts.at("r-1").order_seed, 0u);  // migration 4
}

TEST_F(PostgresStoreTest, UnknownStoredStateIsDataLoss) {
  auto store = MustConnect(conninfo_);
  ASSERT_TRUE(store && store->Migrate().ok());
  ASSERT_TRUE(store->Commit(SampleMutation()).ok());
  Sql("UPDATE rollouts SET state = 'exploded'");

  absl::StatusOr<FleetState> state = store->Load();
  EXPECT_EQ(state.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(state.status().message().find("exploded"), std::string::npos);
}

TEST_F(PostgresStoreTest, CommitBeforeMigrateFailsAsInternal) {
  auto store = MustConnect(conninfo_);
  ASSERT_TRUE(store);
  EXPECT_EQ(store->Commit(SampleMutation()).code(),
            absl::StatusCode::kInternal);  // no such table
}

TEST(PostgresStoreConnectTest, NothingListeningIsUnavailable) {
  test_support::ThrowawayPostgres server;
  ASSERT_TRUE(server.Start().ok());
  std::string conninfo = server.ConninfoFor("swell");
  ASSERT_TRUE(server.Stop().ok());

  EXPECT_EQ(PostgresStore::Connect(conninfo).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST(PostgresStoreConnectTest, LostServerMakesCallsUnavailable) {
  test_support::ThrowawayPostgres server;
  absl::StatusOr<std::string> conninfo = server.Start();
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  auto store = MustConnect(*conninfo);
  ASSERT_TRUE(store && store->Migrate().ok());
  ASSERT_TRUE(server.Stop().ok());

  EXPECT_EQ(store->Commit(SampleMutation()).code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(store->Load().status().code(), absl::StatusCode::kUnavailable);
}

// Not a benchmark and asserts no time: it prints the cost of the largest
// commit the reconciler makes (submitting a 10,000-host rollout), so that a
// regression to one statement per row is seen.
TEST_F(PostgresStoreTest, CommitsTenThousandRolloutHostsInOneStatement) {
  constexpr int kHosts = 10000;
  auto store = MustConnect(conninfo_);
  ASSERT_TRUE(store && store->Migrate().ok());
  Mutation hosts;
  for (int i = 0; i < kHosts; ++i) {
    hosts.hosts.push_back(SampleHost(absl::StrCat("host-", i)));
  }
  ASSERT_TRUE(store->Commit(hosts).ok());

  std::vector<double> millis;
  for (int run = 0; run < 5; ++run) {
    Mutation m;
    m.rollouts = {SampleRollout(absl::StrCat("r-", run))};
    for (int i = 0; i < kHosts; ++i) {
      m.rollout_hosts.push_back(
          SampleRolloutHost(m.rollouts[0].id, absl::StrCat("host-", i), i % 7));
    }
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(store->Commit(m).ok());
    millis.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - start)
                         .count());
  }
  std::sort(millis.begin(), millis.end());
  std::printf(
      "commit of %d rollout_hosts: median %.1f ms (min %.1f, max %.1f)\n",
      kHosts, millis[2], millis[0], millis[4]);
  RecordProperty("commit_10000_rollout_hosts_median_ms",
                 std::to_string(millis[2]));

  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<FleetState> state = store->Load();
  std::printf("load of %d hosts and 5 x %d rollout_hosts: %.1f ms\n", kHosts,
              kHosts,
              std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - start)
                  .count());
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->rollout_hosts.at("r-4").size(), static_cast<size_t>(kHosts));
}

}  // namespace
}  // namespace swell::controller
