// Verdicts of fraction, failed-hosts percentage and baseline gates,
// against values computed by hand. PromQL gates: promql_gate_test.cc.

#include <string>

#include "absl/strings/str_cat.h"
#include "controller/gate/gate_evaluator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

using ::testing::HasSubstr;

GateSpec Fraction(double share) {
  GateSpec g;
  g.name = "mostly-healthy";
  g.check = "fraction(app_healthy >= 1) >= 0.9";
  g.kind = GateKind::kFraction;
  g.metric = "app_healthy";
  g.host_op = Comparison::kGe;
  g.host_threshold = 1;
  g.op = Comparison::kGe;
  g.threshold = share;
  return g;
}

GateSpec Baseline() {
  GateSpec g;
  g.name = "latency-vs-baseline";
  g.kind = GateKind::kBaseline;
  g.metric = "latency_ms";
  g.baseline.statistic = Aggregate::kMean;
  g.baseline.max_ratio = 1.2;
  g.baseline.mann_whitney = true;
  g.baseline.alpha = 0.05;
  g.baseline.min_samples = 10;
  return g;
}

TEST(FractionGateTest, CountsTheShareOfHostsMeetingTheCondition) {
  GateInput in;
  for (int i = 0; i < 10; ++i) in.samples[absl::StrCat("web-", i)] = 1.0;
  in.samples["web-3"] = 0.0;  // 9 of 10 = 0.9
  GateVerdict v = EvaluateGate(Fraction(0.9), in);
  EXPECT_EQ(v.result, GateResult::kPass);
  EXPECT_DOUBLE_EQ(v.observed, 0.9);
  in.samples["web-7"] = 0.0;  // 8 of 10 = 0.8
  v = EvaluateGate(Fraction(0.9), in);
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_DOUBLE_EQ(v.observed, 0.8);
  EXPECT_EQ(v.summary,
            "mostly-healthy FAILED: 8 of 10 host(s) (80%) have app_healthy "
            ">= 1, needs a fraction >= 0.9; not meeting it: web-3, web-7");
  EXPECT_THAT(v.evidence_json,
              HasSubstr("\"not_meeting\":[\"web-3\",\"web-7\"]"));
}

TEST(FractionGateTest, MissingDataFollowsThePolicy) {
  GateInput in;
  in.samples = {{"a", 1.0}, {"b", std::nullopt}};
  EXPECT_EQ(EvaluateGate(Fraction(0.5), in).result, GateResult::kInconclusive);
  GateSpec pass = Fraction(0.5);
  pass.missing_data = MissingData::kPass;
  EXPECT_EQ(EvaluateGate(pass, in).result, GateResult::kPass);  // 1 of 1
}

TEST(FailedHostsGateTest, APercentageIsOfTheAdmittedHosts) {
  GateSpec g;
  g.name = "few-failed";
  g.check = "failed_hosts <= 5%";
  g.kind = GateKind::kFailedHosts;
  g.op = Comparison::kLe;
  g.threshold = 5;
  g.threshold_percent = true;
  GateInput in;
  in.admitted_hosts = 40;
  in.failed_hosts = {"h1", "h2"};  // 2 of 40 = 5 %
  EXPECT_EQ(EvaluateGate(g, in).result, GateResult::kPass);
  in.failed_hosts.push_back("h3");  // 7.5 %
  GateVerdict v = EvaluateGate(g, in);
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_DOUBLE_EQ(v.observed, 7.5);
  EXPECT_EQ(v.summary,
            "few-failed FAILED: 3 of 40 admitted hosts failed (7.5%) (h1, h2, "
            "h3); needs failed_hosts <= 5%");
}

// Changed web hosts: 12, 14, ..., 30 (mean 21); unchanged web hosts:
// 10, 11, ..., 19 (mean 14.5).
GateInput SlowerWave() {
  GateInput in;
  in.changed_series["w1"] = {12, 14, 16, 18, 20};
  in.changed_series["w2"] = {22, 24, 26, 28, 30};
  in.control_series["c1"] = {10, 11, 12, 13, 14};
  in.control_series["c2"] = {15, 16, 17, 18, 19};
  for (const char* h : {"w1", "w2", "c1", "c2"}) in.roles[h] = "web";
  return in;
}

TEST(BaselineGateTest, RatioAndRankTestMatchTheHandComputation) {
  // Ratio: 21 / 14.5 = 1.448276 > 1.2.
  // U: pairs changed > unchanged, ties half: 12 -> 2.5, 14 -> 4.5,
  //   16 -> 6.5, 18 -> 8.5, 20..30 -> 10 each (6 values): U = 82.
  // Ties: 12, 14, 16, 18 each twice: sum(t^3 - t) = 4 * 6 = 24.
  // sigma^2 = 100/12 * (21 - 24 / (20*19)) = 174.473684
  // z = (|82 - 50| - 0.5) / 13.208849 = 2.384765;  p = 0.017090.
  GateVerdict v = EvaluateGate(Baseline(), SlowerWave());
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_NEAR(v.observed, 1.448276, 1e-6);
  EXPECT_EQ(v.summary,
            "latency-vs-baseline FAILED: mean(latency_ms) of changed web "
            "hosts (21 over 10 samples) vs unchanged (14.5 over 10 samples): "
            "1.448x the unchanged mean, above the allowed 1.2x; "
            "Mann-Whitney: changed hosts run higher (p = 0.01709 < 0.05)");
  EXPECT_THAT(v.evidence_json,
              HasSubstr("\"u\":82,\"z\":2.38476,\"p\":0.01709"));
  EXPECT_THAT(v.evidence_json,
              HasSubstr("\"changed\":{\"hosts\":[\"w1\",\"w2\"],\"samples\":10,"
                        "\"value\":21,"));
  EXPECT_THAT(v.evidence_json,
              HasSubstr("\"control\":{\"hosts\":[\"c1\",\"c2\"],\"samples\":10,"
                        "\"value\":14.5,"));
}

TEST(BaselineGateTest, TheRankTestAloneCatchesAShiftTheRatioAllows) {
  GateSpec g = Baseline();
  g.baseline.max_ratio = 2;  // 1.45x is allowed; p = 0.017 < 0.05 is not
  GateVerdict v = EvaluateGate(g, SlowerWave());
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_THAT(v.summary, HasSubstr("Mann-Whitney: changed hosts run higher"));
  g.baseline.direction = Direction::kDecrease;  // faster is the regression
  EXPECT_EQ(EvaluateGate(g, SlowerWave()).result, GateResult::kPass);
}

TEST(BaselineGateTest, SimilarHostsPass) {
  GateInput in = SlowerWave();
  in.changed_series["w1"] = {10, 11, 12, 13, 14};
  in.changed_series["w2"] = {15, 16, 17, 18, 19};
  GateVerdict v = EvaluateGate(Baseline(), in);
  EXPECT_EQ(v.result, GateResult::kPass);
  EXPECT_DOUBLE_EQ(v.observed, 1);
  EXPECT_EQ(v.summary,
            "latency-vs-baseline passed: mean(latency_ms) of changed vs "
            "unchanged hosts: web 1x (p = 1)");
}

TEST(BaselineGateTest, TooFewSamplesOnEitherSideIsMissingData) {
  GateInput in = SlowerWave();
  in.control_series["c2"] = {};  // 5 unchanged samples, 10 needed
  GateVerdict v = EvaluateGate(Baseline(), in);
  EXPECT_EQ(v.result, GateResult::kInconclusive);
  EXPECT_EQ(v.summary,
            "latency-vs-baseline inconclusive: not enough samples of "
            "latency_ms to compare (needs 10 a side): web has 10 from 2 "
            "changed host(s) (w1, w2) and 5 from 2 unchanged; missing data "
            "policy is hold");
  GateSpec fail = Baseline();
  fail.missing_data = MissingData::kFail;
  EXPECT_EQ(EvaluateGate(fail, in).result, GateResult::kFail);
  EXPECT_EQ(EvaluateGate(Baseline(), GateInput()).result,
            GateResult::kInconclusive);  // nothing converged yet
}

TEST(BaselineGateTest, RolesAreComparedSeparately) {
  GateInput in = SlowerWave();
  // db hosts: changed equal to unchanged; they must not dilute web's shift.
  in.changed_series["d1"] = {50, 50, 50, 50, 50, 50, 50, 50, 50, 50};
  in.control_series["d2"] = {50, 50, 50, 50, 50, 50, 50, 50, 50, 50};
  in.roles["d1"] = in.roles["d2"] = "db";
  GateVerdict v = EvaluateGate(Baseline(), in);
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_THAT(v.summary, HasSubstr("of changed web hosts"));
}

TEST(BaselineGateTest, NoUnchangedHostLeftHasNothingToCompare) {
  GateInput in = SlowerWave();
  in.control_series.clear();
  GateVerdict v = EvaluateGate(Baseline(), in);
  EXPECT_EQ(v.result, GateResult::kPass);
  EXPECT_EQ(v.summary,
            "latency-vs-baseline passed: nothing to compare: no unchanged "
            "host left of role web");
}

TEST(BaselineGateTest, AZeroBaselineMakesAnyRiseInfinite) {
  GateSpec g = Baseline();
  g.baseline.mann_whitney = false;
  GateInput in;
  in.changed_series["w1"] = std::vector<double>(10, 1);
  in.control_series["c1"] = std::vector<double>(10, 0);
  GateVerdict v = EvaluateGate(g, in);
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_THAT(
      v.summary,
      HasSubstr("a rise from an unchanged mean of 0, above the allowed 1.2x"));
  in.changed_series["w1"] = std::vector<double>(10, 0);
  EXPECT_EQ(EvaluateGate(g, in).result, GateResult::kPass);
}

}  // namespace
}  // namespace swell::controller
