// The cost of fencing per commit (issue 12): the same small commit (one
// host row and one audit row, as a tick that records a hello writes)
// against a throwaway PostgreSQL, with and without the epoch check that
// every leader's commit makes (PostgresStore::FenceWith).
//
//   build/tests/bench/fencing_bench --benchmark_repetitions=5
//       --benchmark_report_aggregates_only=true   (one command line)

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "controller/store/leader_election.h"
#include "controller/store/postgres_store.h"
#include "tests/integration/shared_postgres.h"
#include "tests/integration/store_samples.h"

extern "C" const char* __lsan_default_suppressions() {
  return "leak:libpqxx-6.4.so\n";
}

namespace swell::controller {
namespace {

void BM_Commit(benchmark::State& state) {
  const bool fenced = state.range(0) != 0;
  absl::StatusOr<std::string> conninfo = test_support::FreshDatabase();
  if (!conninfo.ok()) {
    state.SkipWithError(std::string(conninfo.status().message()).c_str());
    return;
  }
  auto store = PostgresStore::Connect(*conninfo);
  if (!store.ok() || !(*store)->Migrate().ok()) {
    state.SkipWithError("cannot connect or migrate");
    return;
  }
  std::atomic<bool> stop{false};
  LeaderElection election(*conninfo,
                          {.replica = "bench", .lease = absl::Seconds(30)});
  if (fenced) {
    (*store)->FenceWith(election.AwaitLeadership(stop), absl::Seconds(30));
  }
  int64_t i = 0;
  for (auto _ : state) {
    Mutation m;
    m.hosts.push_back(SampleHost(absl::StrCat("h", i % 100)));
    m.audit.push_back(SampleAudit("", "hello"));
    if (!(*store)->Commit(m).ok()) {
      state.SkipWithError("commit failed");
      return;
    }
    ++i;
  }
  state.SetLabel(fenced ? "fenced" : "unfenced");
}
BENCHMARK(BM_Commit)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace swell::controller

BENCHMARK_MAIN();
