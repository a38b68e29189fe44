// A primary switch behind one DSN (docs/runbook.md, "PostgreSQL with
// Patroni"): the controller's libpq DSN lists two addresses with
// target_session_attrs=read-write; the server goes away and comes back on
// the other address with the same data. The store's next commit reaches
// it, nothing committed before is lost, and the leader takes its lock
// again for a new term.

#include <atomic>
#include <future>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/store/leader_election.h"
#include "controller/store/postgres_store.h"
#include "gtest/gtest.h"
#include "tests/integration/store_samples.h"
#include "tests/support/fixture_util.h"
#include "tests/support/throwaway_postgres.h"

extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace swell::controller {
namespace {

TEST(PrimarySwitchTest, OneDsnFollowsTheDatabaseToItsOtherAddress) {
  test_support::ThrowawayPostgres pg;
  ASSERT_TRUE(pg.Start().ok());
  absl::StatusOr<int> other = test_support::FreeLoopbackPort();
  ASSERT_TRUE(other.ok());
  const std::string dsn =
      absl::StrCat("host=127.0.0.1,127.0.0.1 port=", pg.port(), ",", *other,
                   " dbname=swell user=swell target_session_attrs=read-write "
                   "connect_timeout=2");

  auto store = PostgresStore::Connect(dsn);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Migrate().ok());
  std::atomic<bool> stop{false};
  LeaderElection election(dsn, {.replica = "a",
                                .lease = absl::Seconds(5),
                                .retry = absl::Milliseconds(100)});
  const int64_t epoch = election.AwaitLeadership(stop);
  ASSERT_GT(epoch, 0);
  (*store)->FenceWith(epoch, absl::Seconds(5));
  Mutation before;
  before.hosts.push_back(SampleHost("before-switch"));
  ASSERT_TRUE((*store)->Commit(before).ok());

  std::atomic<int64_t> renewed{0};
  auto holds = std::async(std::launch::async, [&] {
    return election.Hold(stop, [&](int64_t e) {
      (*store)->FenceWith(e, absl::Seconds(5));
      renewed = e;
    });
  });
  ASSERT_TRUE(pg.Pause().ok());
  ASSERT_TRUE(pg.ResumeOn(*other).ok());

  // The leader takes its lock again on the new address, for a new term.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (renewed == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  ASSERT_EQ(renewed, epoch + 1);
  // The reconciler retries a commit the switch broke; the same DSN reaches
  // the server at its new address.
  Mutation after;
  after.hosts.push_back(SampleHost("after-switch"));
  absl::Status committed = (*store)->Commit(after);
  while (!committed.ok() && absl::Now() < deadline) {
    committed = (*store)->Commit(after);
  }
  ASSERT_TRUE(committed.ok()) << committed;
  absl::StatusOr<FleetState> state = (*store)->Load();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->hosts.count("before-switch"), 1u);
  EXPECT_EQ(state->hosts.count("after-switch"), 1u);
  stop = true;
  EXPECT_TRUE(holds.get().ok());
}

}  // namespace
}  // namespace swell::controller
