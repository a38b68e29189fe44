#include "controller/gate/gate_evaluator.h"

#include "gtest/gtest.h"

namespace swell::controller {
namespace {

GateSpec MetricGate(Aggregate a, Comparison op, double threshold,
                    MissingData missing = MissingData::kHold) {
  GateSpec g;
  g.name = "healthy";
  g.check = "min(app_healthy) >= 1";
  g.kind = GateKind::kMetric;
  g.aggregate = a;
  g.metric = "app_healthy";
  g.op = op;
  g.threshold = threshold;
  g.missing_data = missing;
  return g;
}

TEST(GateEvaluatorTest, AggregatesMatchHandComputedValues) {
  std::vector<double> v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kMin, v), 1);
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kMax, v), 10);
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kMean, v), 5.5);
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kP50, v), 5);   // 5th of 10
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kP95, v), 10);  // 10th of 10
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kP95, twenty), 19);
  EXPECT_DOUBLE_EQ(AggregateValues(Aggregate::kP99, twenty), 20);
}

TEST(GateEvaluatorTest, MinBelowThresholdFailsAndNamesTheBreachingHost) {
  GateInput in;
  in.samples = {{"web-1", 1.0}, {"web-2", 0.0}};
  in.admitted_hosts = 2;
  GateVerdict v = EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1), in);
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_DOUBLE_EQ(v.observed, 0);
  EXPECT_NE(v.summary.find("web-2"), std::string::npos);
  EXPECT_NE(v.evidence_json.find("\"breaching\":[\"web-2\"]"), std::string::npos);
}

TEST(GateEvaluatorTest, AllHealthyPasses) {
  GateInput in;
  in.samples = {{"web-1", 1.0}, {"web-2", 1.0}};
  EXPECT_EQ(EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1), in).result,
            GateResult::kPass);
}

TEST(GateEvaluatorTest, MissingDataFollowsThePolicy) {
  GateInput in;
  in.samples = {{"web-1", 1.0}, {"web-2", std::nullopt}};
  EXPECT_EQ(EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1,
                                    MissingData::kHold), in).result,
            GateResult::kInconclusive);
  EXPECT_EQ(EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1,
                                    MissingData::kFail), in).result,
            GateResult::kFail);
  EXPECT_EQ(EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1,
                                    MissingData::kPass), in).result,
            GateResult::kPass);
  // Under "pass", the hosts that do report still count.
  in.samples["web-3"] = 0.0;
  EXPECT_EQ(EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1,
                                    MissingData::kPass), in).result,
            GateResult::kFail);
}

TEST(GateEvaluatorTest, NoHostsYetIsInconclusiveUnderHold) {
  GateInput in;
  EXPECT_EQ(EvaluateGate(MetricGate(Aggregate::kMin, Comparison::kGe, 1), in).result,
            GateResult::kInconclusive);
}

TEST(GateEvaluatorTest, FailedHostsGateCountsFailures) {
  GateSpec g;
  g.name = "no-failures";
  g.kind = GateKind::kFailedHosts;
  g.op = Comparison::kLe;
  g.threshold = 0;
  GateInput in;
  in.admitted_hosts = 3;
  EXPECT_EQ(EvaluateGate(g, in).result, GateResult::kPass);
  in.failed_hosts = {"db-2"};
  GateVerdict v = EvaluateGate(g, in);
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_NE(v.summary.find("1 of 3"), std::string::npos);
  EXPECT_NE(v.summary.find("db-2"), std::string::npos);
}

}  // namespace
}  // namespace swell::controller
