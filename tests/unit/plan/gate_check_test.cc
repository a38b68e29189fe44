#include "controller/plan/gate_check.h"

#include <string>

#include "gtest/gtest.h"

namespace swell::controller {
namespace {

std::string ErrorOf(std::string_view check) {
  GateSpec gate;
  absl::Status s = ParseGateCheck(check, &gate);
  return s.ok() ? "ok" : std::string(s.message());
}

TEST(GateCheckTest, ReadsAMetricCheck) {
  GateSpec gate;
  ASSERT_TRUE(ParseGateCheck("p95( node:restart_rate_5m )<0.1", &gate).ok());
  EXPECT_EQ(gate.kind, GateKind::kMetric);
  EXPECT_EQ(gate.aggregate, Aggregate::kP95);
  EXPECT_EQ(gate.metric, "node:restart_rate_5m");
  EXPECT_EQ(gate.op, Comparison::kLt);
  EXPECT_EQ(gate.threshold, 0.1);
  EXPECT_EQ(gate.check, "p95( node:restart_rate_5m )<0.1");
}

TEST(GateCheckTest, ReadsAFailedHostsCheck) {
  GateSpec gate;
  ASSERT_TRUE(ParseGateCheck("failed_hosts != -2.5e1", &gate).ok());
  EXPECT_EQ(gate.kind, GateKind::kFailedHosts);
  EXPECT_EQ(gate.op, Comparison::kNe);
  EXPECT_EQ(gate.threshold, -25);
}

TEST(GateCheckTest, ReadsEveryAggregateAndComparison) {
  struct Case {
    std::string_view check;
    Aggregate aggregate;
    Comparison op;
  };
  for (const Case& c :
       {Case{"min(m) < 1", Aggregate::kMin, Comparison::kLt},
        Case{"max(m) <= 1", Aggregate::kMax, Comparison::kLe},
        Case{"mean(m) > 1", Aggregate::kMean, Comparison::kGt},
        Case{"p50(m) >= 1", Aggregate::kP50, Comparison::kGe},
        Case{"p95(m) == 1", Aggregate::kP95, Comparison::kEq},
        Case{"p99(m) != 1", Aggregate::kP99, Comparison::kNe}}) {
    GateSpec gate;
    ASSERT_TRUE(ParseGateCheck(c.check, &gate).ok()) << c.check;
    EXPECT_EQ(gate.aggregate, c.aggregate) << c.check;
    EXPECT_EQ(gate.op, c.op) << c.check;
  }
}

TEST(GateCheckTest, SaysWhatWasExpected) {
  EXPECT_EQ(ErrorOf(""),
            "expected a check like 'min(app_healthy) >= 1' or 'failed_hosts "
            "<= 0', got nothing");
  EXPECT_EQ(ErrorOf("avg(m) > 1"),
            "unknown aggregate 'avg'; expected one of min, max, mean, p50, "
            "p95, p99, fraction, or failed_hosts");
  EXPECT_EQ(ErrorOf("min m > 1"), "expected '(' after 'min', got 'm > 1'");
  EXPECT_EQ(ErrorOf("min(1m) > 1"),
            "expected a metric name like app_healthy, got '1m) > 1'");
  EXPECT_EQ(ErrorOf("min(m > 1"), "expected ')' after the metric, got '> 1'");
  EXPECT_EQ(ErrorOf("min(m) => 1"),
            "expected a comparison (<, <=, >, >=, ==, !=), got '=> 1'");
  EXPECT_EQ(ErrorOf("min(m) >= one"),
            "expected a number after '>=', got 'one'");
  EXPECT_EQ(ErrorOf("min(m) >= inf"),
            "expected a number after '>=', got 'inf'");
  EXPECT_EQ(ErrorOf("failed_hosts <= 0 and more"),
            "expected a number after '<=', got '0 and more'");
}

}  // namespace
}  // namespace swell::controller
