// The reconciler's pure decisions at fleet scale: what one tick costs.
//
//   ninja -C build core_bench && build/tests/bench/core_bench

#include <benchmark/benchmark.h>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/gate/health_window.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/decide.h"
#include "controller/rollout/gate_input.h"
#include "controller/rollout/promql_targets.h"
#include "controller/rollout/rollout_step.h"
#include "controller/rollout/wave_scheduler.h"
#include "controller/service/agent_tracker.h"
#include "tests/fakes/fake_agents.h"

namespace swell::controller {
namespace {

constexpr char kVar[] = "app-config";

Fleet MakeFleet(int n) {
  Fleet fleet;
  for (int i = 0; i < n; ++i) {
    std::string id = absl::StrCat("host-", i);
    Host h;
    h.id = id;
    h.labels = {{"site", absl::StrCat("s", i % 4)},
                {"rack", absl::StrCat("r", i % 40)},
                {"role", i % 3 ? "web" : "db"}};
    fleet.hosts[id] = h;
  }
  return fleet;
}

Plan MakePlan() {
  Plan plan;
  plan.name = "bench";
  plan.variable.set_name(kVar);
  plan.variable.set_kind(swell::v1::VARIABLE_KIND_FILE);
  plan.value = common::PresentValue("workers = 8\n");
  plan.waves = {{false, 1}, {true, 1}, {true, 5}, {true, 25}, {true, 100}};
  plan.bake = absl::Seconds(60);
  GateSpec g;
  g.name = "healthy";
  g.check = "min(up) >= 1";
  g.metric = "up";
  g.op = Comparison::kGe;
  g.threshold = 1;
  plan.gates.push_back(g);
  return plan;
}

void BM_AssignWaves(benchmark::State& state) {
  Fleet fleet = MakeFleet(static_cast<int>(state.range(0)));
  Plan plan = MakePlan();
  auto targets = SelectTargets(plan, fleet.hosts);
  for (auto _ : state) {
    benchmark::DoNotOptimize(AssignWaves(plan, targets, /*seed=*/1));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AssignWaves)
    ->Arg(10'000)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond);

// A fleet of n hosts with rollout r-bench of `plan` on every host, all in
// the last wave, converged and baking, each with a fresh `up` sample.
struct BakingRollout {
  BakingRollout(int n, const Plan& plan) : fleet(MakeFleet(n)) {
    GenerationPlan gens(&fleet);
    auto m = SubmitRollout(fleet, plan, nullptr, "yaml", "bench.yaml",
                           "r-bench", Request{"bench", "bench", now}, &gens);
    ok = m.ok();
    if (!ok) return;
    ApplyMutation(*m, {{"r-bench", plan}}, &fleet);
    RolloutRecord& rec = fleet.rollouts.at("r-bench");
    rec.rollout.current_wave = rec.rollout.wave_count - 1;
    rec.rollout.phase = WavePhase::kBaking;
    rec.rollout.phase_started = now;
    for (auto& [id, h] : rec.hosts) {
      h.state = HostState::kConverged;
      h.updated = now;
      agents.connected.insert(id);
      health.Record(id, "up", HealthWindow::Point{now, true, 1.0});
    }
  }
  StepContext Context(const PromqlReadings* promql) const {
    return StepContext{&fleet,
                       &agents,
                       &health,
                       now + absl::Seconds(1),
                       absl::Seconds(30),
                       absl::InfinitePast(),
                       promql};
  }

  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  Fleet fleet;
  testing::FakeAgents agents;
  HealthWindow health;
  bool ok = false;
};

// One tick of a rollout whose every host is admitted, converged and baking:
// the gate reads a sample of every host. This is the reconciler's steady
// cost per tick for one large rollout.
void BM_StepBakingRollout(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  BakingRollout b(n, MakePlan());
  if (!b.ok) state.SkipWithError("submit failed");
  RolloutRecord& rec = b.fleet.rollouts.at("r-bench");
  const StepContext ctx = b.Context(nullptr);
  for (auto _ : state) {
    GenerationPlan tick_gens(&b.fleet);
    Mutation out;
    StepRollout(rec, ctx, &tick_gens, &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_StepBakingRollout)
    ->Arg(10'000)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond);

// The same tick as the reconciler takes it since Decide: the model moved
// in and out, no hello, no command, the freeze checked, every active
// rollout stepped, the mutation compacted. Its cost over
// BM_StepBakingRollout is what the pure shape costs.
void BM_DecideBakingRollout(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  BakingRollout b(n, MakePlan());
  if (!b.ok) state.SkipWithError("submit failed");
  const StepContext ctx = b.Context(nullptr);
  TickInput in;
  in.now = ctx.now;
  in.agents = ctx.agents;
  in.health = ctx.health;
  in.agent_grace = ctx.agent_grace;
  in.started = ctx.started;
  for (auto _ : state) {
    TickOutput out = Decide(std::move(b.fleet), in);
    b.fleet = std::move(out.fleet);
    benchmark::DoNotOptimize(out.mutation);
  }
  if (b.fleet.rollouts.at("r-bench").rollout.state != RolloutState::kRunning) {
    state.SkipWithError("the rollout stopped: the gate did not pass");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_DecideBakingRollout)
    ->Arg(10'000)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond);

// The copy of the model the reconciler publishes for reads after each
// commit that changed it (FleetSnapshots): its cost is paid on the decision
// thread, at most once a tick.
void BM_PublishSnapshot(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  BakingRollout b(n, MakePlan());
  if (!b.ok) state.SkipWithError("submit failed");
  for (auto _ : state) {
    auto copy = std::make_shared<const Fleet>(b.fleet);
    benchmark::DoNotOptimize(copy);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_PublishSnapshot)
    ->Arg(10'000)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond);

// The same tick with a PromQL gate over {{hosts}} as well, plus the
// PromqlTargetsFor the reconciler runs after each tick: the query is
// expanded over every admitted host twice a tick (for the gate, and for
// the poller), and the gate reads an answer to it.
void BM_StepBakingRolloutWithPromqlGate(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Plan plan = MakePlan();
  GateSpec g;
  g.name = "error-rate";
  g.kind = GateKind::kPromql;
  g.promql.url = "http://127.0.0.1:9090";
  g.promql.query = "max(errors{host=~\"{{hosts}}\"})";
  g.op = Comparison::kLt;
  g.threshold = 0.05;
  plan.gates.push_back(g);
  BakingRollout b(n, plan);
  if (!b.ok) state.SkipWithError("submit failed");
  RolloutRecord& rec = b.fleet.rollouts.at("r-bench");
  PromqlReadings readings;
  readings.Put(PromqlKey("r-bench", g.name),
               PromqlReading{g.promql.url,
                             PromqlQueryFor(g, "r-bench", rec.hosts),
                             b.now,
                             "",
                             {{"{}", 0.01}}});
  const StepContext ctx = b.Context(&readings);
  for (auto _ : state) {
    GenerationPlan tick_gens(&b.fleet);
    Mutation out;
    StepRollout(rec, ctx, &tick_gens, &out);
    benchmark::DoNotOptimize(out);
    benchmark::DoNotOptimize(PromqlTargetsFor(b.fleet));
  }
  if (rec.rollout.state != RolloutState::kRunning) {
    state.SkipWithError("the rollout stopped: the gate did not pass");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_StepBakingRolloutWithPromqlGate)
    ->Arg(10'000)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond);

// Building one host's whole desired state, as every push does.
void BM_DesiredStateFor(benchmark::State& state) {
  Fleet fleet = MakeFleet(10'000);
  for (auto& [id, h] : fleet.hosts) {
    HostDesired d;
    d.host_id = id;
    d.spec.set_name(kVar);
    d.value = common::PresentValue("workers = 8\n");
    fleet.desired[id][kVar] = d;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(DesiredStateFor(fleet, "host-4242"));
  }
}
BENCHMARK(BM_DesiredStateFor);

// What the reconciler copies before each tick so that Decide reads values
// (Reconciler::Gather): the agents that changed since the last tick, out of
// n connected ones, and the gated series of the hosts that reported health
// since. Between two ticks, one agent in 25 reports health (a tick every
// 200 ms and health every 5 s); recording those reports is not timed.
void BM_TakeTickSnapshots(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  BakingRollout b(n, MakePlan());
  if (!b.ok) state.SkipWithError("submit failed");
  AgentTracker tracker(b.now);
  for (const auto& [id, h] : b.fleet.hosts) {
    swell::v1::Hello hello;
    hello.set_host_id(id);
    tracker.Connected(hello, b.now);
  }
  AgentSnapshot agents;
  tracker.CopyChanges(&agents);
  HealthSnapshot health;
  b.health.CopyChanges(GatedMetrics(b.fleet), &health);
  std::vector<std::string> ids;
  for (const auto& [id, h] : b.fleet.hosts) ids.push_back(id);
  size_t next = 0;
  swell::v1::HealthReport report;
  auto* sample = report.add_samples();
  sample->set_name("up");
  sample->set_value(1);
  sample->set_ok(true);
  for (auto _ : state) {
    state.PauseTiming();  // agent reactors record, on their own threads
    for (int i = 0; i < n / 25; ++i) {
      const std::string& id = ids[next++ % ids.size()];
      tracker.HeardHealth(id, b.now);
      benchmark::DoNotOptimize(b.health.Record(id, report, b.now));
    }
    state.ResumeTiming();
    tracker.CopyChanges(&agents);
    b.health.CopyChanges(GatedMetrics(b.fleet), &health);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_TakeTickSnapshots)
    ->Arg(10'000)
    ->Arg(50'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace swell::controller

BENCHMARK_MAIN();
