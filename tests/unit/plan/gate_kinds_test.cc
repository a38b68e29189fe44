// Gate kinds: threshold (aggregate, fraction), failed hosts (count or
// percentage), baseline and PromQL.

#include <string>

#include "absl/strings/str_cat.h"
#include "controller/plan/gate_check.h"
#include "controller/plan/plan.h"
#include "controller/plan/plan_describe.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/plan/plan_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// kMinimalPlan (8 lines) with `gates` from line 9.
std::string WithGates(std::string_view gates) {
  return std::string(kMinimalPlan) + "gates:\n" + std::string(gates);
}

GateSpec OnlyGate(std::string_view gates) {
  PlanParseResult r = ParsePlan(WithGates(gates));
  EXPECT_THAT(r.errors, IsEmpty()) << r.errors.front().ToString("p");
  EXPECT_EQ(r.plan.gates.size(), 1u);
  return r.plan.gates.empty() ? GateSpec() : r.plan.gates.front();
}

TEST(GateKindsTest, ReadsAFractionOfHostsCheck) {
  GateSpec g;
  ASSERT_TRUE(ParseGateCheck("fraction( app_healthy>=1 ) >= 0.9", &g).ok());
  EXPECT_EQ(g.kind, GateKind::kFraction);
  EXPECT_EQ(g.metric, "app_healthy");
  EXPECT_EQ(g.host_op, Comparison::kGe);
  EXPECT_EQ(g.host_threshold, 1);
  EXPECT_EQ(g.op, Comparison::kGe);
  EXPECT_DOUBLE_EQ(g.threshold, 0.9);
  ASSERT_TRUE(ParseGateCheck("fraction(up == 1) > 95%", &g).ok());
  EXPECT_DOUBLE_EQ(g.threshold, 0.95);
}

TEST(GateKindsTest, FractionChecksSayWhatWasExpected) {
  GateSpec g;
  EXPECT_EQ(ParseGateCheck("fraction(up >= 1) >= 2", &g).message(),
            "a fraction of hosts is from 0 to 1 (or 0% to 100%), got 2");
  EXPECT_EQ(ParseGateCheck("fraction(up) >= 0.5", &g).message(),
            "expected a comparison (<, <=, >, >=, ==, !=), got ') >= 0.5'");
  EXPECT_EQ(ParseGateCheck("fraction(up >= 1 >= 0.5", &g).message(),
            "expected a number after '>=', got '1 >= 0.5'");
}

TEST(GateKindsTest, FailedHostsMayBeAPercentage) {
  GateSpec g;
  ASSERT_TRUE(ParseGateCheck("failed_hosts <= 5%", &g).ok());
  EXPECT_EQ(g.kind, GateKind::kFailedHosts);
  EXPECT_TRUE(g.threshold_percent);
  EXPECT_EQ(g.threshold, 5);
  ASSERT_TRUE(ParseGateCheck("failed_hosts <= 2", &g).ok());
  EXPECT_FALSE(g.threshold_percent);
  EXPECT_EQ(ParseGateCheck("failed_hosts <= 150%", &g).message(),
            "expected a percentage from 0% to 100% after '<=', got '150%'");
  EXPECT_EQ(ParseGateCheck("min(up) >= 5%", &g).message(),
            "expected a number after '>=', got '5%'");
}

TEST(GateKindsTest, KindDefaultsToThresholdAndFailedHostsNeedsItsCheck) {
  EXPECT_EQ(OnlyGate("  - {name: g, check: \"min(up) >= 1\"}\n").kind,
            GateKind::kMetric);
  GateSpec g = OnlyGate(
      "  - {name: g, kind: failed_hosts, check: \"failed_hosts <= 5%\"}\n");
  EXPECT_EQ(g.kind, GateKind::kFailedHosts);
  EXPECT_TRUE(g.threshold_percent);
  EXPECT_THAT(
      ErrorsOf(WithGates(
          "  - {name: g, kind: failed_hosts, check: \"min(up) >= 1\"}\n")),
      ElementsAre("p:10:42: gates[0].check: a failed_hosts gate checks "
                  "failed_hosts, like 'failed_hosts <= 5%', got 'min(up) >= "
                  "1'"));
  EXPECT_THAT(ErrorsOf(WithGates("  - {name: g, kind: canary, check: x}\n")),
              ElementsAre("p:10:21: gates[0].kind: expected one of threshold, "
                          "baseline, failed_hosts, promql, got 'canary'",
                          "p:10:36: gates[0].check: unknown aggregate 'x'; "
                          "expected one of min, max, mean, p50, p95, p99, "
                          "fraction, or failed_hosts"));
}

TEST(GateKindsTest, ReadsABaselineGate) {
  GateSpec g = OnlyGate(
      "  - name: latency\n"
      "    kind: baseline\n"
      "    metric: latency_ms\n"
      "    statistic: p95\n"
      "    max_ratio: 1.2\n"
      "    mann_whitney: {alpha: 0.01, direction: either}\n"
      "    min_samples: 20\n"
      "    role_label: tier\n"
      "    consecutive_breaches: 3\n");
  EXPECT_EQ(g.kind, GateKind::kBaseline);
  EXPECT_EQ(g.metric, "latency_ms");
  EXPECT_EQ(g.baseline.statistic, Aggregate::kP95);
  EXPECT_EQ(g.baseline.max_ratio, 1.2);
  EXPECT_FALSE(g.baseline.min_ratio.has_value());
  EXPECT_TRUE(g.baseline.mann_whitney);
  EXPECT_DOUBLE_EQ(g.baseline.alpha, 0.01);
  EXPECT_EQ(g.baseline.direction, Direction::kEither);
  EXPECT_EQ(g.baseline.min_samples, 20);
  EXPECT_EQ(g.baseline.role_label, "tier");
  EXPECT_EQ(g.consecutive_breaches, 3);
  EXPECT_TRUE(g.check.empty());
  EXPECT_EQ(DescribeGate(g),
            "p95(latency_ms) of changed hosts at most 1.2x unchanged hosts "
            "of the same tier, and not significantly different "
            "(Mann-Whitney, alpha 0.01), at least 20 samples a side");
}

TEST(GateKindsTest, BaselineDefaults) {
  GateSpec g =
      OnlyGate("  - {name: b, kind: baseline, metric: m, mann_whitney: {}}\n");
  EXPECT_EQ(g.baseline.statistic, Aggregate::kMean);
  EXPECT_DOUBLE_EQ(g.baseline.alpha, 0.05);
  EXPECT_EQ(g.baseline.direction, Direction::kIncrease);
  EXPECT_EQ(g.baseline.min_samples, 10);
  EXPECT_EQ(g.baseline.role_label, "role");
  EXPECT_EQ(g.missing_data, MissingData::kHold);
}

TEST(GateKindsTest, BaselineGatesAreValidated) {
  EXPECT_THAT(
      ErrorsOf(WithGates("  - name: b\n"
                         "    kind: baseline\n"
                         "    check: \"min(m) > 1\"\n"
                         "    statistic: max\n"
                         "    min_ratio: 2\n"
                         "    max_ratio: 1.5\n"
                         "    mann_whitney: {alpha: 0.9}\n")),
      ElementsAre(
          "p:10:5: gates[0].metric: required; expected a metric name like "
          "latency_ms",
          "p:12:5: gates[0].check: unknown field 'check'; expected one of "
          "name, kind, metric, statistic, max_ratio, min_ratio, "
          "mann_whitney, min_samples, role_label, missing_data, "
          "consecutive_breaches, dry_run",
          "p:13:16: gates[0].statistic: expected one of mean, p50, p95, p99, "
          "got 'max'",
          "p:14:16: gates[0].min_ratio: min_ratio must not be above "
          "max_ratio",
          "p:16:27: gates[0].mann_whitney.alpha: expected a significance "
          "level above 0 and at most 0.5, like 0.05, got '0.9'"));
  EXPECT_THAT(ErrorsOf(WithGates("  - {name: b, kind: baseline, metric: m}\n")),
              ElementsAre("p:10:5: gates[0].max_ratio: a baseline gate needs "
                          "max_ratio, min_ratio or mann_whitney"));
}

TEST(GateKindsTest, ReadsAPromqlGate) {
  GateSpec g = OnlyGate(
      "  - name: errors\n"
      "    kind: promql\n"
      "    prometheus: http://127.0.0.1:9090\n"
      "    query: 'sum(rate(http_errors_total[5m]))'\n"
      "    op: \"<\"\n"
      "    threshold: 0.05\n");
  EXPECT_EQ(g.kind, GateKind::kPromql);
  EXPECT_EQ(g.promql.url, "http://127.0.0.1:9090");
  EXPECT_EQ(g.promql.query, "sum(rate(http_errors_total[5m]))");
  EXPECT_EQ(g.op, Comparison::kLt);
  EXPECT_DOUBLE_EQ(g.threshold, 0.05);
  EXPECT_EQ(g.promql.interval, absl::Seconds(10));  // the default
  EXPECT_EQ(DescribeGate(g),
            "PromQL sum(rate(http_errors_total[5m])) < 0.05 (from "
            "http://127.0.0.1:9090)");
}

TEST(GateKindsTest, PromqlGatesAreValidated) {
  EXPECT_THAT(
      ErrorsOf(WithGates("  - name: e\n"
                         "    kind: promql\n"
                         "    prometheus: 127.0.0.1:9090\n"
                         "    op: \"=<\"\n")),
      ElementsAre("p:10:5: gates[0].query: required; expected a PromQL query "
                  "of at most 4096 bytes",
                  "p:10:5: gates[0].threshold: required; expected a number "
                  "like 0.05",
                  "p:12:17: gates[0].prometheus: expected an http:// or "
                  "https:// Prometheus server URL like "
                  "https://prometheus.internal:9090, got '127.0.0.1:9090'",
                  "p:13:9: gates[0].op: expected one of <, <=, >, >=, ==, !=, "
                  "got '=<'"));
}

TEST(GateKindsTest, PromqlIntervalIsADurationFromOneSecondToAnHour) {
  const std::string gate =
      "  - name: e\n"
      "    kind: promql\n"
      "    prometheus: http://prometheus.internal:9090/prom\n"
      "    query: up\n"
      "    op: \">=\"\n"
      "    threshold: 1\n";
  EXPECT_EQ(OnlyGate(gate + "    interval: 2s\n").promql.interval,
            absl::Seconds(2));
  EXPECT_THAT(ErrorsOf(WithGates(gate + "    interval: 500ms\n")),
              ElementsAre("p:16:15: gates[0].interval: expected a duration "
                          "from 1s to 1h, like 10s, got '500ms'"));
}

TEST(GateKindsTest, ReadsAnHttpsPromqlGateWithCaAndTokenFiles) {
  GateSpec g = OnlyGate(
      "  - name: errors\n"
      "    kind: promql\n"
      "    prometheus: https://prometheus.internal:9090/prom\n"
      "    ca_file: /etc/swell/prometheus-ca.pem\n"
      "    bearer_token_file: /etc/swell/prometheus.token\n"
      "    query: up\n"
      "    op: \">=\"\n"
      "    threshold: 1\n");
  EXPECT_EQ(g.promql.url, "https://prometheus.internal:9090/prom");
  EXPECT_EQ(g.promql.ca_file, "/etc/swell/prometheus-ca.pem");
  EXPECT_EQ(g.promql.bearer_token_file, "/etc/swell/prometheus.token");
  GateSpec system_cas = OnlyGate(
      "  - {name: e, kind: promql, prometheus: 'https://prom', query: up, "
      "op: '>=', threshold: 1}\n");
  EXPECT_EQ(system_cas.promql.url, "https://prom");
  EXPECT_EQ(system_cas.promql.ca_file, "");
  EXPECT_EQ(system_cas.promql.bearer_token_file, "");
}

TEST(GateKindsTest, CaAndTokenFilesAreAbsolutePathsBesideAnHttpsUrl) {
  const std::string head =
      "  - name: e\n"
      "    kind: promql\n"
      "    query: up\n"
      "    op: \">=\"\n"
      "    threshold: 1\n";
  EXPECT_THAT(
      ErrorsOf(WithGates(head +
                         "    prometheus: https://prom:9090\n"
                         "    ca_file: prometheus-ca.pem\n"
                         "    bearer_token_file: /etc/swell/../token\n")),
      ElementsAre(
          "p:16:14: gates[0].ca_file: expected an absolute file path like "
          "/etc/swell/prometheus-ca.pem, got 'prometheus-ca.pem': it is not "
          "absolute (it must start with '/')",
          "p:17:24: gates[0].bearer_token_file: expected an absolute file "
          "path like /etc/swell/prometheus.token, got '/etc/swell/../token': "
          "it has a '..' segment"));
  EXPECT_THAT(
      ErrorsOf(WithGates(
          head + "    prometheus: http://prom:9090\n"
                 "    ca_file: /etc/swell/prometheus-ca.pem\n"
                 "    bearer_token_file: /etc/swell/prometheus.token\n")),
      ElementsAre("p:16:14: gates[0].ca_file: ca_file needs an https:// "
                  "prometheus URL, got 'http://prom:9090'",
                  "p:17:24: gates[0].bearer_token_file: bearer_token_file "
                  "needs an https:// prometheus URL, got 'http://prom:9090': "
                  "a token is never sent in the clear"));
}

}  // namespace
}  // namespace swell::controller
