// How soon a standby's model shows the leader's commit (issue 12): from
// Commit's return to the standby's published model holding the new host,
// against a throwaway PostgreSQL holding `hosts` hosts. Woken by the
// commit's NOTIFY (CommitListener), or, as before it, polling every second.
// Commits are 300 ms apart, more than a standby's least interval between
// two loads (250 ms), so each is timed alone.
//
//   build/tests/bench/standby_bench --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true   (one command line)

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "common/clock.h"
#include "controller/fleet_snapshots.h"
#include "controller/plan/policy.h"
#include "controller/standby_reads.h"
#include "controller/store/commit_listener.h"
#include "controller/store/leader_election.h"
#include "controller/store/postgres_store.h"
#include "tests/integration/shared_postgres.h"
#include "tests/integration/store_samples.h"

extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace swell::controller {
namespace {

void BM_CommitToStandby(benchmark::State& state) {
  const bool notified = state.range(0) != 0;
  const int hosts = static_cast<int>(state.range(1));
  absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
  if (!conninfo.ok()) {
    state.SkipWithError(std::string(conninfo.status().message()).c_str());
    return;
  }
  auto leader = PostgresStore::Connect(*conninfo);
  auto standby = PostgresStore::Connect(*conninfo);
  if (!leader.ok() || !standby.ok() || !(*leader)->Migrate().ok()) {
    state.SkipWithError("cannot connect or migrate");
    return;
  }
  Mutation fleet;
  for (int i = 0; i < hosts; ++i) {
    fleet.hosts.push_back(SampleHost(absl::StrCat("host-", i)));
  }
  std::atomic<bool> stop{false};
  LeaderElection election(*conninfo,
                          {.replica = "bench", .lease = absl::Seconds(60)});
  (*leader)->FenceWith(election.AwaitLeadership(stop), absl::Seconds(60));
  if (!(*leader)->Commit(fleet).ok()) {
    state.SkipWithError("cannot store the fleet");
    return;
  }
  PolicySet policies;
  FleetSnapshots snapshots;
  StandbyReads reads(standby->get(), &policies, &snapshots,
                     &common::RealClock::Get(),
                     notified ? absl::Seconds(10) : absl::Seconds(1));
  CommitListener listener(*conninfo, [&reads] { reads.Wake(); });
  reads.Start();
  if (notified) listener.Start();
  absl::SleepFor(absl::Seconds(1));  // the first loads are done
  int64_t i = 0;
  for (auto _ : state) {
    const std::string id = absl::StrCat("new-", i++);
    Mutation m;
    m.hosts.push_back(SampleHost(id));
    if (!(*leader)->Commit(m).ok()) {
      state.SkipWithError("commit failed");
      break;
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(15);
    while (absl::Now() < deadline) {
      auto model = snapshots.Latest().fleet;
      if (model != nullptr && model->hosts.contains(id)) break;
      absl::SleepFor(absl::Microseconds(200));
    }
    state.PauseTiming();
    absl::SleepFor(absl::Milliseconds(300));
    state.ResumeTiming();
  }
  const uint64_t loads = reads.loads();
  listener.Stop();
  reads.Stop();
  state.counters["loads_per_commit"] =
      static_cast<double>(loads) / static_cast<double>(i);
  state.SetLabel(notified ? "NOTIFY" : "polling 1 s");
}
BENCHMARK(BM_CommitToStandby)
    ->ArgsProduct({{1, 0}, {1'000, 10'000}})
    ->Iterations(20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace swell::controller
BENCHMARK_MAIN();
