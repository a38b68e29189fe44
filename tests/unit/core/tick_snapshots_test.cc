// What a tick decides on is a value: the copies the reconciler takes of
// what agents said (AgentTracker::CopyChanges), of the health its gates
// read (HealthSnapshotFor) and of PromQL's answers answer as the live
// objects did when copied, and do not change when agents go on reporting.

#include <string>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/gate/health_window.h"
#include "controller/gate/promql.h"
#include "controller/rollout/agent_snapshot.h"
#include "controller/rollout/gate_input.h"
#include "controller/service/agent_tracker.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_agents.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'800'000'000);
constexpr char kVar[] = "app-config";

swell::v1::Hello HelloOf(const std::string& host, const std::string& value) {
  swell::v1::Hello hello;
  hello.set_host_id(host);
  auto* v = hello.add_actual();
  v->set_name(kVar);
  *v->mutable_value() = common::PresentValue(value);
  return hello;
}

swell::v1::ApplyResult ApplyOf(int64_t generation, const std::string& value) {
  swell::v1::ApplyResult r;
  r.set_variable(kVar);
  r.set_generation(generation);
  r.set_ok(true);
  *r.mutable_actual() = common::PresentValue(value);
  return r;
}

std::string Content(const std::optional<swell::v1::Value>& v) {
  return v ? common::DescribeValue(*v) : "<none>";
}
std::optional<swell::v1::Value> Old() { return common::PresentValue("old"); }
std::optional<swell::v1::Value> New() { return common::PresentValue("new"); }

TEST(AgentSnapshotTest, AnswersAsTheTrackerDidWhenCopied) {
  AgentTracker tracker(kStart);
  tracker.Connected(HelloOf("h1", "old"), kStart + absl::Seconds(1));
  tracker.HeardHealth("h1", kStart + absl::Seconds(2));
  tracker.RecordApply("h1", ApplyOf(3, "new"), kStart + absl::Seconds(3));
  tracker.Connected(HelloOf("h2", "old"), kStart + absl::Seconds(1));
  tracker.Disconnected("h2", kStart + absl::Seconds(4));

  AgentSnapshot snapshot;
  tracker.CopyChanges(&snapshot);
  for (const std::string host : {"h1", "h2", "never-heard"}) {
    SCOPED_TRACE(host);
    EXPECT_EQ(snapshot.Connected(host), tracker.Connected(host));
    EXPECT_EQ(snapshot.LastHeard(host), tracker.LastHeard(host));
    EXPECT_EQ(snapshot.LastHealth(host), tracker.LastHealth(host));
    EXPECT_EQ(Content(snapshot.Actual(host, kVar)),
              Content(tracker.Actual(host, kVar)));
    EXPECT_EQ(snapshot.LastApply(host, kVar).has_value(),
              tracker.LastApply(host, kVar).has_value());
  }
  EXPECT_TRUE(snapshot.Connected("h1"));
  EXPECT_FALSE(snapshot.Connected("h2"));
  EXPECT_EQ(snapshot.LastHeard("never-heard"), kStart);
  EXPECT_EQ(Content(snapshot.Actual("h1", kVar)), Content(New()));
  EXPECT_EQ(snapshot.LastApply("h1", kVar)->generation, 3);
}

TEST(AgentSnapshotTest, IsAValueThatLaterReportsDoNotChange) {
  AgentTracker tracker(kStart);
  tracker.Connected(HelloOf("h1", "old"), kStart);
  AgentSnapshot snapshot;
  tracker.CopyChanges(&snapshot);

  tracker.RecordApply("h1", ApplyOf(4, "new"), kStart + absl::Seconds(1));
  tracker.HeardHealth("h1", kStart + absl::Seconds(2));
  tracker.Disconnected("h1", kStart + absl::Seconds(3));
  // The tracker heard all of it...
  ASSERT_EQ(Content(tracker.Actual("h1", kVar)), Content(New()));
  ASSERT_FALSE(tracker.Connected("h1"));
  // ...and the copy still says what it said when copied.
  EXPECT_EQ(Content(snapshot.Actual("h1", kVar)), Content(Old()));
  EXPECT_FALSE(snapshot.LastApply("h1", kVar).has_value());
  EXPECT_TRUE(snapshot.Connected("h1"));
  EXPECT_EQ(snapshot.LastHealth("h1"), absl::InfinitePast());

  tracker.CopyChanges(&snapshot);
  EXPECT_EQ(Content(snapshot.Actual("h1", kVar)), Content(New()));
  EXPECT_FALSE(snapshot.Connected("h1"));
  EXPECT_EQ(snapshot.LastHealth("h1"), kStart + absl::Seconds(2));
}

TEST(AgentSnapshotTest, CopiesOnlyTheAgentsThatChangedSinceTheLastCopy) {
  AgentTracker tracker(kStart);
  for (int i = 0; i < 40; ++i) {
    tracker.Connected(HelloOf(absl::StrCat("h", i), "old"), kStart);
  }
  AgentSnapshot snapshot;
  tracker.CopyChanges(&snapshot);
  ASSERT_EQ(snapshot.size(), 40u);
  // Marks every copy; an agent copied again loses its mark.
  for (int i = 0; i < 40; ++i) {
    AgentRecord marked = *snapshot.Find(absl::StrCat("h", i));
    marked.streams = 99;
    snapshot.Put(absl::StrCat("h", i), marked);
  }
  tracker.HeardHealth("h7", kStart + absl::Seconds(1));
  tracker.RecordApply("h23", ApplyOf(2, "new"), kStart + absl::Seconds(1));
  tracker.CopyChanges(&snapshot);

  int copied_again = 0;
  for (int i = 0; i < 40; ++i) {
    if (snapshot.Find(absl::StrCat("h", i))->streams != 99) ++copied_again;
  }
  EXPECT_EQ(copied_again, 2);
  EXPECT_EQ(snapshot.Find("h7")->streams, 1);
  EXPECT_EQ(snapshot.LastHealth("h7"), kStart + absl::Seconds(1));
  EXPECT_EQ(Content(snapshot.Actual("h23", kVar)), Content(New()));
}

// The reconciler's copy is handed the agents listed as changed; any other
// copy scans for them. Both stay right however they take turns.
TEST(AgentSnapshotTest, TwoCopiesOfOneTrackerTakingTurnsBothStayUpToDate) {
  AgentTracker tracker(kStart);
  AgentSnapshot first, second;
  for (int round = 0; round < 6; ++round) {
    SCOPED_TRACE(round);
    const std::string host = absl::StrCat("h", round % 4);
    const absl::Time at = kStart + absl::Seconds(round + 1);
    tracker.HeardHealth(host, at);
    AgentSnapshot& copy = round % 3 == 0 ? second : first;
    tracker.CopyChanges(&copy);
    EXPECT_EQ(copy.LastHealth(host), at);
    if (round % 2 == 0) {
      tracker.CopyChanges(&first);
      tracker.CopyChanges(&second);
    }
  }
  tracker.CopyChanges(&first);
  tracker.CopyChanges(&second);
  for (int i = 0; i < 4; ++i) {
    const std::string host = absl::StrCat("h", i);
    EXPECT_EQ(first.LastHealth(host), tracker.LastHealth(host)) << host;
    EXPECT_EQ(second.LastHealth(host), tracker.LastHealth(host)) << host;
  }
}

TEST(AgentSnapshotTest, TheFakeCopiesWhatItWasTold) {
  testing::FakeAgents fake;
  fake.started = kStart;
  fake.connected.insert("h1");
  fake.last_health["h1"] = kStart + absl::Seconds(5);
  fake.actual[{"h2", kVar}] = common::PresentValue("old");
  fake.actual_errors[{"h3", kVar}] = "permission denied";
  AgentSnapshot snapshot;
  fake.CopyChanges(&snapshot);
  EXPECT_TRUE(snapshot.Connected("h1"));
  EXPECT_FALSE(snapshot.Connected("h2"));
  EXPECT_EQ(snapshot.LastHealth("h1"), kStart + absl::Seconds(5));
  EXPECT_EQ(snapshot.LastHeard("h2"), kStart);
  EXPECT_EQ(Content(snapshot.Actual("h2", kVar)), Content(Old()));
  EXPECT_EQ(snapshot.ActualError("h3", kVar), "permission denied");
}

// A fleet with one active rollout gated on `latency_ms`.
Fleet GatedFleet() {
  Fleet fleet;
  RolloutRecord r;
  r.rollout.id = "r-1";
  r.rollout.state = RolloutState::kRunning;
  GateSpec gate;
  gate.name = "latency";
  gate.kind = GateKind::kMetric;
  gate.metric = "latency_ms";
  r.plan.gates.push_back(gate);
  GateSpec promql;
  promql.name = "errors";
  promql.kind = GateKind::kPromql;
  r.plan.gates.push_back(promql);
  fleet.rollouts["r-1"] = r;
  return fleet;
}

void Sample(HealthWindow& window, const std::string& host,
            const std::string& metric, absl::Time at, double value) {
  ASSERT_FALSE(window.Record(host, metric, {at, true, value}));
}

TEST(HealthSnapshotTest, TheGatesOfActiveRolloutsNameTheMetricsCopied) {
  Fleet fleet = GatedFleet();
  EXPECT_EQ(GatedMetrics(fleet), HealthSnapshot::MetricSet{"latency_ms"});
  fleet.rollouts["r-1"].rollout.state = RolloutState::kSucceeded;
  EXPECT_TRUE(GatedMetrics(fleet).empty());
}

TEST(HealthSnapshotTest, AnswersAsTheWindowDidAndNotWhatArrivesLater) {
  HealthWindow window;
  for (int s = 0; s < 40; ++s) {  // more than a series keeps
    Sample(window, "h1", "latency_ms", kStart + absl::Seconds(s), s);
  }
  Sample(window, "h1", "other_metric", kStart, 9);
  HealthSnapshot snapshot;
  window.CopyChanges({"latency_ms"}, &snapshot);
  EXPECT_EQ(snapshot.series_count(), 1u);
  EXPECT_FALSE(snapshot.Latest("h1", "other_metric", absl::InfinitePast()));
  for (int s = 0; s <= 41; ++s) {
    SCOPED_TRACE(s);
    const absl::Time since = kStart + absl::Seconds(s);
    auto want = window.Latest("h1", "latency_ms", since);
    auto got = snapshot.Latest("h1", "latency_ms", since);
    ASSERT_EQ(got.has_value(), want.has_value());
    if (want) {
      EXPECT_EQ(got->value, want->value);
    }
    EXPECT_EQ(snapshot.Since("h1", "latency_ms", since).size(),
              window.Since("h1", "latency_ms", since).size());
  }

  Sample(window, "h1", "latency_ms", kStart + absl::Seconds(50), 50);
  ASSERT_EQ(window.Latest("h1", "latency_ms", kStart)->value, 50);
  EXPECT_EQ(snapshot.Latest("h1", "latency_ms", kStart)->value, 39);
  window.CopyChanges({"latency_ms"}, &snapshot);
  EXPECT_EQ(snapshot.Latest("h1", "latency_ms", kStart)->value, 50);
}

TEST(HealthSnapshotTest, CopiesOnlyTheHostsThatReportedSinceTheLastCopy) {
  HealthWindow window;
  for (int i = 0; i < 40; ++i) {
    Sample(window, absl::StrCat("h", i), "latency_ms", kStart, 1);
  }
  HealthSnapshot snapshot;
  window.CopyChanges({"latency_ms"}, &snapshot);
  ASSERT_EQ(snapshot.series_count(), 40u);
  ASSERT_EQ(snapshot.hosts_copied(), 40u);

  Sample(window, "h7", "latency_ms", kStart + absl::Seconds(1), 2);
  Sample(window, "h23", "other_metric", kStart + absl::Seconds(1), 2);
  window.Erase("h30");
  window.CopyChanges({"latency_ms"}, &snapshot);
  EXPECT_EQ(snapshot.hosts_copied(), 2u);  // h7 and h23
  EXPECT_EQ(snapshot.Latest("h7", "latency_ms", kStart)->value, 2);
  EXPECT_EQ(snapshot.Since("h23", "latency_ms", kStart).size(), 1u);
  EXPECT_FALSE(snapshot.Latest("h30", "latency_ms", absl::InfinitePast()));
  EXPECT_EQ(snapshot.series_count(), 39u);

  // A second copy, taken now, scans: the first copy's turn went on.
  HealthSnapshot other;
  window.CopyChanges({"latency_ms"}, &other);
  EXPECT_EQ(other.series_count(), 39u);
  Sample(window, "h8", "latency_ms", kStart + absl::Seconds(2), 3);
  window.Erase("h9");
  window.CopyChanges({"latency_ms"}, &other);
  EXPECT_EQ(other.Latest("h8", "latency_ms", kStart)->value, 3);
  EXPECT_FALSE(other.Latest("h9", "latency_ms", absl::InfinitePast()));
  window.CopyChanges({"latency_ms"}, &snapshot);  // scans, once
  EXPECT_EQ(snapshot.Latest("h8", "latency_ms", kStart)->value, 3);
  EXPECT_FALSE(snapshot.Latest("h9", "latency_ms", absl::InfinitePast()));
  Sample(window, "h10", "latency_ms", kStart + absl::Seconds(3), 4);
  window.CopyChanges({"latency_ms"}, &snapshot);  // handed the list again
  EXPECT_EQ(snapshot.hosts_copied(), 1u);

  // Another metric wanted: every host is copied again, for it alone.
  window.CopyChanges({"other_metric"}, &snapshot);
  EXPECT_EQ(snapshot.hosts_copied(), 38u);
  EXPECT_EQ(snapshot.series_count(), 1u);
  EXPECT_TRUE(snapshot.Latest("h23", "other_metric", kStart));
}

TEST(PromqlReadingsTest, ACopyKeepsTheAnswersItWasTaken) {
  PromqlReadings live;
  PromqlReading reading;
  reading.query = "q1";
  live.Put("r-1/errors", reading);
  PromqlReadings copy = live;
  reading.query = "q2";
  live.Put("r-1/errors", reading);
  ASSERT_EQ(live.Latest("r-1/errors")->query, "q2");
  EXPECT_EQ(copy.Latest("r-1/errors")->query, "q1");
  copy = live;
  EXPECT_EQ(copy.Latest("r-1/errors")->query, "q2");
}

}  // namespace
}  // namespace swell::controller
