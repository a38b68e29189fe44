// PromQL gates: query expansion, reading Prometheus's answers, verdicts,
// which answer a gate trusts, and which queries the controller asks.

#include <cmath>
#include <limits>
#include <string>

#include "controller/gate/gate_evaluator.h"
#include "controller/gate/promql.h"
#include "controller/rollout/gate_input.h"
#include "controller/rollout/promql_targets.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using ::testing::HasSubstr;

constexpr char kUrl[] = "http://127.0.0.1:9090";
const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

GateSpec ErrorRate() {
  GateSpec g;
  g.name = "error-rate";
  g.kind = GateKind::kPromql;
  g.promql.url = kUrl;
  g.promql.query = "sum(rate(errors_total{host=~\"{{hosts}}\"}[1m]))";
  g.op = Comparison::kLt;
  g.threshold = 0.05;
  return g;
}

GateInput Answer(std::vector<PromqlSeries> series, std::string error = "") {
  GateInput in;
  in.promql_query = "q";
  in.promql =
      PromqlReading{kUrl, "q", kT0, std::move(error), std::move(series)};
  return in;
}

TEST(ExpandPromqlQueryTest, HostsBecomeAnEscapedAlternationAndRolloutItsId) {
  EXPECT_EQ(ExpandPromqlQuery("up{host=~\"{{hosts}}\",r=\"{{rollout}}\"}",
                              "r-7", {"web-1.par", "db_2"}),
            "up{host=~\"web-1\\\\.par|db_2\",r=\"r-7\"}");
  EXPECT_EQ(ExpandPromqlQuery("x{host=~\"{{hosts}}\"}", "r", {}),
            "x{host=~\"[^\\\\s\\\\S]\"}");
  EXPECT_EQ(ExpandPromqlQuery("sum(up)", "r", {"a"}), "sum(up)");
}

TEST(ReadPromqlResponseTest, ReadsAVectorWithLabelsAndSpecialValues) {
  PromqlReading r;
  ReadPromqlResponse(
      200,
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"__name__":"up","job":"swell","host":"h1"},"value":[1700000000.5,"1"]},)"
      R"({"metric":{"host":"h2"},"value":[1700000000.5,"NaN"]},)"
      R"({"metric":{},"value":[1700000000.5,"+Inf"]}]}})",
      &r);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.series.size(), 3u);
  EXPECT_EQ(r.series[0].labels, "up{host=\"h1\",job=\"swell\"}");
  EXPECT_EQ(r.series[0].value, 1);
  EXPECT_EQ(r.series[1].labels, "{host=\"h2\"}");
  EXPECT_TRUE(std::isnan(r.series[1].value));
  EXPECT_EQ(r.series[2].value, std::numeric_limits<double>::infinity());
}

TEST(ReadPromqlResponseTest, AScalarIsOneSeries) {
  PromqlReading r;
  ReadPromqlResponse(
      200,
      R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.25"]}})",
      &r);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].labels, "{}");
  EXPECT_EQ(r.series[0].value, 0.25);
}

TEST(ReadPromqlResponseTest, ErrorsSayWhatWasWrong) {
  PromqlReading r;
  ReadPromqlResponse(
      400,
      R"({"status":"error","errorType":"bad_data","error":"parse error at char 5"})",
      &r);
  EXPECT_EQ(r.error,
            "HTTP 400, Prometheus says bad_data: parse error at char 5");
  EXPECT_TRUE(r.series.empty());

  ReadPromqlResponse(502, "<html>Bad Gateway</html>", &r);
  EXPECT_EQ(r.error,
            "HTTP 502, not a Prometheus API answer: <html>Bad Gateway</html>");

  ReadPromqlResponse(
      200, R"({"status":"success","data":{"resultType":"matrix","result":[]}})",
      &r);
  EXPECT_THAT(r.error, HasSubstr("the result is a matrix; a gate needs an "
                                 "instant vector or a scalar"));

  ReadPromqlResponse(
      200,
      R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}})",
      &r);
  EXPECT_EQ(r.error, "a vector item has no [time, \"value\"] pair");
  EXPECT_TRUE(r.series.empty());
}

// Found with the promql_answer fuzz target (tests/fuzz) on a hand-made,
// deeply nested answer: protobuf's JSON reader takes time quadratic in how
// deep arrays nest, so 4 MiB of '[' kept the poller busy for days. Such an
// answer is refused unparsed, in linear time.
TEST(ReadPromqlResponseTest, AnswerNestedDeeperThanPrometheusWritesIsRefused) {
  const size_t depth = 2 << 20;  // a 4 MiB answer, the HTTP client's limit
  PromqlReading r;
  r.series.push_back({"{stale=\"1\"}", 1});
  ReadPromqlResponse(
      200,
      R"({"status":"success","data":{"resultType":"vector","result":)" +
          std::string(depth, '[') + std::string(depth, ']') + "}}",
      &r);
  EXPECT_EQ(r.error,
            "HTTP 200, not a Prometheus API answer: arrays and objects nested "
            "more than 32 deep");
  EXPECT_TRUE(r.series.empty());

  // Brackets inside strings, escaped quotes included, are not nesting.
  ReadPromqlResponse(
      200,
      R"({"status":"success","data":{"resultType":"vector","result":[)"
      R"({"metric":{"path":"/[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[["},)"
      R"("value":[1700000000.5,"1"]}]}})",
      &r);
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.series.size(), 1u);
  EXPECT_EQ(r.series[0].labels,
            "{path=\"/[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"[[[\"}");
}

TEST(PromqlGateTest, PassesWhenEverySeriesMeetsTheThreshold) {
  GateVerdict v = EvaluateGate(
      ErrorRate(), Answer({{"{host=\"h1\"}", 0.01}, {"{host=\"h2\"}", 0.03}}));
  EXPECT_EQ(v.result, GateResult::kPass);
  EXPECT_EQ(v.observed, 0.03);  // the one nearest the threshold
  EXPECT_EQ(v.data_at, kT0);
  EXPECT_EQ(v.summary,
            "error-rate passed: PromQL "
            "sum(rate(errors_total{host=~\"{{hosts}}\"}[1m])) is 0.03 for "
            "{host=\"h2\"}, needs < 0.05 (all 2 series meet it)");
}

TEST(PromqlGateTest, FailsNamingTheWorstBreachingSeries) {
  GateVerdict v = EvaluateGate(ErrorRate(), Answer({{"{host=\"h1\"}", 0.07},
                                                    {"{host=\"h2\"}", 0.01},
                                                    {"{host=\"h3\"}", 0.2}}));
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_EQ(v.observed, 0.2);
  EXPECT_THAT(v.summary, HasSubstr("error-rate FAILED: PromQL"));
  EXPECT_THAT(v.summary, HasSubstr("is 0.2 for {host=\"h3\"}, needs < 0.05 "
                                   "(2 of 3 series breach)"));
  EXPECT_THAT(v.evidence_json, HasSubstr("\"query\":\"q\""));
  EXPECT_THAT(v.evidence_json, HasSubstr("\"breaching\":2"));
  EXPECT_THAT(v.evidence_json,
              HasSubstr("{\"labels\":\"{host=\\\"h3\\\"}\",\"value\":0.2}"));
}

TEST(PromqlGateTest, GreaterThanGatesTakeTheSmallestAsWorst) {
  GateSpec g = ErrorRate();
  g.op = Comparison::kGe;
  g.threshold = 1;
  GateVerdict v = EvaluateGate(g, Answer({{"{a=\"1\"}", 3}, {"{a=\"2\"}", 0}}));
  EXPECT_EQ(v.result, GateResult::kFail);
  EXPECT_EQ(v.observed, 0);
}

TEST(PromqlGateTest, NoSeriesErrorsAndNaNAreMissingDataUnderThePolicy) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  GateSpec g = ErrorRate();
  struct Case {
    GateInput in;
    std::string why;
  };
  GateInput none;
  none.promql_missing = "no answer from http://127.0.0.1:9090 yet";
  std::vector<Case> cases = {
      {Answer({}), "the query returned no series"},
      {Answer({{"{}", nan}}), "all 1 series are NaN"},
      {Answer({}, "no answer: connect: Connection refused"),
       "the query failed: no answer: connect: Connection refused"},
      {none, "no answer from http://127.0.0.1:9090 yet"},
  };
  for (const Case& c : cases) {
    g.missing_data = MissingData::kHold;
    GateVerdict hold = EvaluateGate(g, c.in);
    EXPECT_EQ(hold.result, GateResult::kInconclusive) << c.why;
    EXPECT_THAT(hold.summary, HasSubstr("has no data: " + c.why)) << c.why;
    EXPECT_THAT(hold.summary, HasSubstr("missing data policy is hold"));
    g.missing_data = MissingData::kFail;
    EXPECT_EQ(EvaluateGate(g, c.in).result, GateResult::kFail) << c.why;
    g.missing_data = MissingData::kPass;
    EXPECT_EQ(EvaluateGate(g, c.in).result, GateResult::kPass) << c.why;
  }
}

TEST(PromqlGateTest, NaNSeriesAreSkippedWhenOthersHaveValues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  GateVerdict v =
      EvaluateGate(ErrorRate(), Answer({{"{a=\"1\"}", nan}, {"{a=\"2\"}", 0}}));
  EXPECT_EQ(v.result, GateResult::kPass);
}

class PromqlInputTest : public ::testing::Test {
 protected:
  PromqlInputTest() {
    hosts_["h1"] =
        fixtures::MakeRolloutHost("r-1", "h1", HostState::kConverged);
    hosts_["h2"] = fixtures::MakeRolloutHost("r-1", "h2", HostState::kApplying);
    hosts_["h3"] = fixtures::MakeRolloutHost("r-1", "h3", HostState::kWaiting);
  }

  GateInput Input(absl::Time phase_started, absl::Time now) {
    GateInput in;
    AddPromqlInput(g_, "r-1", hosts_, &readings_, phase_started, now, &in);
    return in;
  }

  void Put(std::string query, absl::Time at) {
    readings_.Put(PromqlKey("r-1", g_.name),
                  PromqlReading{kUrl, std::move(query), at, "", {{"{}", 0}}});
  }

  GateSpec g_ = ErrorRate();
  std::map<std::string, RolloutHost> hosts_;
  PromqlReadings readings_;
};

TEST_F(PromqlInputTest, TheQueryNamesTheAdmittedHostsOnly) {
  EXPECT_EQ(PromqlQueryFor(g_, "r-1", hosts_),
            "sum(rate(errors_total{host=~\"h1|h2\"}[1m]))");
}

TEST_F(PromqlInputTest, TrustsOnlyAFreshAnswerToTheCurrentQuery) {
  const std::string current = PromqlQueryFor(g_, "r-1", hosts_);
  GateInput none = Input(kT0, kT0);
  EXPECT_FALSE(none.promql.has_value());
  EXPECT_THAT(none.promql_missing, HasSubstr("no answer from"));

  Put("sum(rate(errors_total{host=~\"h1\"}[1m]))", kT0);  // the last wave's
  EXPECT_FALSE(Input(kT0, kT0).promql.has_value());

  Put(current, kT0 - absl::Seconds(1));  // before this phase began
  EXPECT_FALSE(Input(kT0, kT0).promql.has_value());

  Put(current, kT0);
  EXPECT_TRUE(Input(kT0, kT0 + absl::Seconds(30)).promql.has_value());
  // 3 intervals (10 s) plus the 5 s timeout: older is stale.
  GateInput stale = Input(kT0, kT0 + absl::Seconds(36));
  EXPECT_FALSE(stale.promql.has_value());
  EXPECT_THAT(stale.promql_missing, HasSubstr("is 36 s old"));
}

TEST(PromqlTargetsTest, OneQueryPerPromqlGateOfEachRunningRollout) {
  Fleet fleet;
  for (const char* id : {"r-1", "r-2"}) {
    RolloutRecord& rec = fleet.rollouts[id];
    rec.rollout.id = id;
    rec.rollout.state = RolloutState::kRunning;
    rec.plan.gates.push_back(ErrorRate());
    GateSpec threshold;
    threshold.name = "up";
    rec.plan.gates.push_back(threshold);
    rec.hosts["h1"] =
        fixtures::MakeRolloutHost(id, "h1", HostState::kConverged);
  }
  fleet.rollouts["r-2"].rollout.state = RolloutState::kPaused;
  fleet.rollouts["r-1"].plan.gates[0].promql.interval = absl::Seconds(3);
  std::vector<PromqlTarget> targets = PromqlTargetsFor(fleet);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].key, "r-1/error-rate");
  EXPECT_EQ(targets[0].url, kUrl);
  EXPECT_EQ(targets[0].query, "sum(rate(errors_total{host=~\"h1\"}[1m]))");
  EXPECT_EQ(targets[0].interval, absl::Seconds(3));
}

TEST(PromqlReadingsTest, RetainForgetsEndedTargets) {
  PromqlReadings readings;
  readings.Put("a", PromqlReading{});
  readings.Put("b", PromqlReading{});
  readings.Retain({"b"});
  EXPECT_FALSE(readings.Latest("a").has_value());
  EXPECT_TRUE(readings.Latest("b").has_value());
}

}  // namespace
}  // namespace swell::controller
