// The controller's /metrics over a real reconciler (in-memory store, fake
// clock, ticks run by the test): what on-call alerts on appears with the
// values the model and the reconciler's own counts say.

#include "controller/service/metrics.h"

#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "common/value.h"
#include "controller/rollout/commands.h"
#include "controller/store/memory_store.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/unit/core/core_test_util.h"
#include "tests/unit/core/metric_lookup.h"

namespace swell::controller {
namespace {

using ::swell::testing::SeriesLabels;
using ::swell::testing::SeriesOf;
using ::swell::testing::ValueOf;

// A MemoryStore whose loads can be made to fail as a database that is away,
// and whose commits can all be refused as a read-only server refuses them.
class AwayStore final : public Store {
 public:
  absl::Status Migrate() override { return inner.Migrate(); }
  absl::StatusOr<FleetState> Load() override {
    loads++;
    if (away) return absl::UnavailableError("connection refused");
    return inner.Load();
  }
  absl::Status Commit(const Mutation& m) override {
    return refuse.ok() ? inner.Commit(m) : refuse;
  }
  absl::StatusOr<std::vector<VerdictRecord>> Verdicts(
      std::string_view id) override {
    return inner.Verdicts(id);
  }
  absl::StatusOr<std::vector<AuditEvent>> Audit(std::string_view id,
                                                int limit) override {
    return inner.Audit(id, limit);
  }
  MemoryStore inner;
  bool away = false;
  absl::Status refuse;
  int loads = 0;
};

class ControllerMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Reconciler::Options options;
    options.run_thread = false;
    options.snapshots = &snapshots_;
    reconciler_ = std::make_unique<Reconciler>(&store_, &tracker_, &sessions_,
                                               &health_, &clock_, options);
    ASSERT_TRUE(reconciler_->Start().ok());
    for (const char* id : {"h1", "h2"}) {
      swell::v1::Hello hello;
      hello.set_host_id(id);
      tracker_.Connected(hello, clock_.Now());
      reconciler_->OnHello(hello);
    }
    tracker_.Disconnected("h2", clock_.Now());
    reconciler_->TickNow();
    metrics_ = std::make_unique<ControllerMetrics>(
        reconciler_.get(), &agent_service_, &sessions_, &promql_);
  }

  // Runs `decide` as an API command in one tick; its answer.
  absl::Status Run(
      std::function<absl::StatusOr<Mutation>(CommandContext&)> decide) {
    absl::Status outcome = absl::UnknownError("not answered");
    reconciler_->Post(
        {std::move(decide), [&](const absl::Status& s) { outcome = s; }});
    reconciler_->TickNow();
    return outcome;
  }

  absl::Status Submit() {
    return Run([](CommandContext& c) -> absl::StatusOr<Mutation> {
      absl::StatusOr<Plan> plan =
          ParsePlanOrStatus(fixtures::kWholeFleetPlan, "p.yaml");
      if (!plan.ok()) return plan.status();
      auto m = SubmitRollout(c.fleet, *plan, nullptr, fixtures::kWholeFleetPlan,
                             "p.yaml", "r-1", Request{"alice", "test", c.now},
                             c.gens);
      if (m.ok()) (*c.new_plans)["r-1"] = *plan;
      return m;
    });
  }

  absl::Status Freeze() {
    return Run([](CommandContext& c) {
      return FreezeFleet(c.fleet, Request{"alice", "incident", c.now},
                         absl::InfiniteFuture());
    });
  }

  std::vector<prometheus::MetricFamily> Scrape() const {
    return metrics_->Collect();
  }

  testing::FakeClock clock_;
  AwayStore store_;
  AgentTracker tracker_{clock_.Now()};
  SessionRegistry sessions_;
  HealthWindow health_;
  FleetSnapshots snapshots_;
  PromqlReadings readings_;
  PromqlPoller promql_{&readings_, &clock_};
  AgentServiceImpl agent_service_{&sessions_, &tracker_,
                                  &health_,   AgentEvents{},
                                  &clock_,    AgentIdentity::kHelloUnverified};
  std::unique_ptr<Reconciler> reconciler_;
  std::unique_ptr<ControllerMetrics> metrics_;
};

const SeriesLabels kR1 = {{"rollout", "r-1"}, {"variable", "app-config"}};

SeriesLabels With(SeriesLabels labels, std::string key, std::string value) {
  labels[std::move(key)] = std::move(value);
  return labels;
}

TEST_F(ControllerMetricsTest, ARolloutIsReportedFromThePublishedModel) {
  EXPECT_EQ(ValueOf(Scrape(), "swell_rollouts", {{"state", "running"}}), 0);
  ASSERT_TRUE(Submit().ok());

  const auto families = Scrape();
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "running"}}), 1);
  EXPECT_EQ(
      ValueOf(families, "swell_rollout_state", With(kR1, "state", "running")),
      1);
  EXPECT_EQ(ValueOf(families, "swell_rollout_wave", kR1), 1);
  EXPECT_EQ(ValueOf(families, "swell_rollout_waves", kR1), 1);
  // Neither agent has reported the file's current value yet.
  EXPECT_EQ(
      ValueOf(families, "swell_rollout_phase", With(kR1, "phase", "admitting")),
      1);
  EXPECT_EQ(ValueOf(families, "swell_hosts_known"), 2);
  EXPECT_EQ(ValueOf(families, "swell_agents_silent"), 0);
}

// h2's agent went away: past the grace it is silent, its admitted host
// fails, and the failed-hosts gate's failure is a stored verdict that rolls
// the rollout back. h1 reported its value and took the new one, so the
// rollout stays rolling back until h1 confirms the old one.
TEST_F(ControllerMetricsTest, ASilentAgentFailsTheGateAndTheRolloutRollsBack) {
  swell::v1::ActualReport report;
  swell::v1::ActualVariable* actual = report.add_actual();
  actual->set_name("app-config");
  *actual->mutable_value() = common::PresentValue("workers = 2\n");
  tracker_.RecordActual("h1", report, clock_.Now());
  ASSERT_TRUE(Submit().ok());
  auto families = Scrape();
  const SeriesLabels fail = {{"result", "fail"}, {"dry_run", "false"}};
  EXPECT_EQ(ValueOf(families, "swell_gate_verdicts_total", fail), 0);

  // The grace counts from when agents could be back after the start.
  clock_.Advance(absl::Seconds(30) + absl::Seconds(5) + absl::Seconds(1));
  EXPECT_EQ(ValueOf(Scrape(), "swell_agents_silent"), 1);
  reconciler_->TickNow();

  families = Scrape();
  EXPECT_EQ(ValueOf(families, "swell_gate_verdicts_total", fail), 1);
  EXPECT_EQ(ValueOf(families, "swell_gate_verdicts_total",
                    {{"result", "pass"}, {"dry_run", "false"}}),
            0);
  EXPECT_EQ(ValueOf(families, "swell_gate_verdicts_total",
                    {{"result", "fail"}, {"dry_run", "true"}}),
            0);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "running"}}), 0);
  EXPECT_EQ(ValueOf(families, "swell_rollouts", {{"state", "rolling_back"}}),
            1);
  EXPECT_EQ(ValueOf(families, "swell_rollout_state",
                    With(kR1, "state", "rolling_back")),
            1);
}

TEST_F(ControllerMetricsTest, EveryTickAndCommitIsInItsHistogram) {
  ASSERT_TRUE(Submit().ok());
  ASSERT_TRUE(Freeze().ok());
  const auto families = Scrape();
  const auto& stats = reconciler_->stats();
  ASSERT_GE(stats.commits.load(), 3u);  // the hellos, the submit, the freeze

  auto check = [&](const std::string& name, uint64_t expected) {
    const prometheus::ClientMetric* m = SeriesOf(families, name);
    ASSERT_NE(m, nullptr) << name;
    EXPECT_EQ(m->histogram.sample_count, expected) << name;
    const auto& buckets = m->histogram.bucket;
    ASSERT_EQ(buckets.size(), 13u) << name;
    EXPECT_EQ(buckets.front().upper_bound, 0.001);
    EXPECT_EQ(buckets[11].upper_bound, 5.0);
    EXPECT_TRUE(std::isinf(buckets.back().upper_bound));
    EXPECT_EQ(buckets.back().cumulative_count, expected) << name;
    for (size_t i = 1; i < buckets.size(); ++i) {
      EXPECT_GE(buckets[i].cumulative_count, buckets[i - 1].cumulative_count);
    }
  };
  check("swell_reconciler_tick_duration_seconds", stats.ticks.load());
  check("swell_reconciler_commit_duration_seconds", stats.commits.load());
}

TEST_F(ControllerMetricsTest, DatabaseErrorsAreCountedByOperation) {
  auto errors = [&](const char* op) {
    return ValueOf(Scrape(), "swell_database_errors_total",
                   {{"operation", op}});
  };
  EXPECT_EQ(errors("commit"), 0);
  EXPECT_EQ(errors("load"), 0);

  store_.inner.FailNextCommit(absl::UnavailableError("connection lost"));
  store_.away = true;
  EXPECT_TRUE(absl::IsUnavailable(Freeze()));
  EXPECT_EQ(errors("commit"), 1);
  EXPECT_EQ(ValueOf(Scrape(), "swell_database_up"), 0);
  reconciler_->TickNow();  // reloads at once after the failed commit
  EXPECT_EQ(errors("load"), 1);

  store_.away = false;
  clock_.Advance(absl::Seconds(1));  // past the reload backoff
  reconciler_->TickNow();
  EXPECT_EQ(ValueOf(Scrape(), "swell_database_up"), 1);
  EXPECT_EQ(errors("load"), 1);
  EXPECT_EQ(errors("commit"), 1);
}

TEST_F(ControllerMetricsTest, AFreezeIsReportedWithWhenItBegan) {
  EXPECT_EQ(ValueOf(Scrape(), "swell_fleet_frozen"), 0);
  EXPECT_EQ(ValueOf(Scrape(), "swell_fleet_frozen_since_seconds"), 0);
  const absl::Time at = clock_.Now();
  ASSERT_TRUE(Freeze().ok());
  clock_.Advance(absl::Hours(5));
  EXPECT_EQ(ValueOf(Scrape(), "swell_fleet_frozen"), 1);
  EXPECT_EQ(ValueOf(Scrape(), "swell_fleet_frozen_since_seconds"),
            absl::ToUnixSeconds(at));
}

// A server that loads but refuses every commit (read-only, say): the model
// is reloaded at once after the first refusal, and then with a backoff that
// grows, never in a loop.
TEST_F(ControllerMetricsTest,
       ADatabaseRefusingEveryCommitIsNotReloadedInALoop) {
  store_.refuse = absl::FailedPreconditionError(
      "cannot execute UPDATE in a read-only transaction");
  const int before = store_.loads;
  for (int i = 0; i < 20; ++i) EXPECT_FALSE(Freeze().ok()) << i;
  EXPECT_EQ(store_.loads - before, 1);  // after the first refusal only

  clock_.Advance(absl::Milliseconds(250));  // past the first backoff (200 ms)
  EXPECT_FALSE(Freeze().ok());
  EXPECT_EQ(store_.loads - before, 2);
  clock_.Advance(absl::Milliseconds(250));  // within the next (400 ms)
  EXPECT_FALSE(Freeze().ok());
  EXPECT_EQ(store_.loads - before, 2);

  store_.refuse = absl::OkStatus();
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Freeze().ok());
  EXPECT_EQ(store_.loads - before, 3);
}

}  // namespace
}  // namespace swell::controller
