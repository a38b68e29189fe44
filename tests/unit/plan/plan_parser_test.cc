#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "controller/plan/plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/plan/plan_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr std::string_view kFullPlan = R"(name: app-workers-8
description: Raise app workers to 8
change:
  variable: app-config
  kind: file
  path: /etc/app/app.conf
  mode: "0640"
  owner: app
  group: staff
  content: |
    workers = 8
  validate: "grep -q workers {}"
  reload: "systemctl reload app"
target:
  selector: {role: web, site: a}
strategy:
  waves: [1, 0.5%, 25%, 100%]
  bake: 1m30s
  progress_deadline: 5m
gates:
  - name: app-healthy
    check: "min(app_healthy) >= 1"
    missing_data: fail
    consecutive_breaches: 3
    dry_run: true
  - name: no-failures
    check: failed_hosts <= 0
on_failure: pause
on_inconclusive: rollback
)";

TEST(ParsePlanTest, ReadsEveryFieldOfAFullPlan) {
  PlanParseResult r = ParsePlan(kFullPlan);
  ASSERT_THAT(r.errors, IsEmpty()) << r.errors[0].ToString("p");
  const Plan& p = r.plan;
  EXPECT_EQ(p.name, "app-workers-8");
  EXPECT_EQ(p.description, "Raise app workers to 8");
  EXPECT_EQ(p.variable.name(), "app-config");
  EXPECT_EQ(p.variable.kind(), swell::v1::VARIABLE_KIND_FILE);
  EXPECT_EQ(p.variable.file().path(), "/etc/app/app.conf");
  EXPECT_EQ(p.variable.file().mode(), 0640u);
  EXPECT_EQ(p.variable.file().owner(), "app");
  EXPECT_EQ(p.variable.file().group(), "staff");
  EXPECT_EQ(p.variable.file().validate(), "grep -q workers {}");
  EXPECT_EQ(p.variable.file().reload(), "systemctl reload app");
  EXPECT_TRUE(p.value.present());
  EXPECT_EQ(p.value.data(), "workers = 8\n");
  EXPECT_THAT(p.selector, ElementsAre(Pair("role", "web"), Pair("site", "a")));
  ASSERT_EQ(p.waves.size(), 4u);
  EXPECT_FALSE(p.waves[0].percent);
  EXPECT_EQ(p.waves[0].value, 1);
  EXPECT_TRUE(p.waves[1].percent);
  EXPECT_EQ(p.waves[1].value, 0.5);
  EXPECT_EQ(p.waves[2].value, 25);
  EXPECT_TRUE(p.waves[3].percent);
  EXPECT_EQ(p.waves[3].value, 100);
  EXPECT_EQ(p.bake, absl::Seconds(90));
  EXPECT_EQ(p.progress_deadline, absl::Minutes(5));
  ASSERT_EQ(p.gates.size(), 2u);
  const GateSpec& g0 = p.gates[0];
  EXPECT_EQ(g0.name, "app-healthy");
  EXPECT_EQ(g0.check, "min(app_healthy) >= 1");
  EXPECT_EQ(g0.kind, GateKind::kMetric);
  EXPECT_EQ(g0.aggregate, Aggregate::kMin);
  EXPECT_EQ(g0.metric, "app_healthy");
  EXPECT_EQ(g0.op, Comparison::kGe);
  EXPECT_EQ(g0.threshold, 1);
  EXPECT_EQ(g0.missing_data, MissingData::kFail);
  EXPECT_EQ(g0.consecutive_breaches, 3);
  EXPECT_TRUE(g0.dry_run);
  const GateSpec& g1 = p.gates[1];
  EXPECT_EQ(g1.name, "no-failures");
  EXPECT_EQ(g1.kind, GateKind::kFailedHosts);
  EXPECT_EQ(g1.op, Comparison::kLe);
  EXPECT_EQ(g1.threshold, 0);
  EXPECT_EQ(p.on_failure, FailureAction::kPause);
  EXPECT_EQ(p.on_inconclusive, FailureAction::kRollback);
}

TEST(ParsePlanTest, FillsDefaultsForOptionalFields) {
  PlanParseResult r = ParsePlan(std::string(kMinimalPlan) +
                                "gates:\n"
                                "  - name: g\n"
                                "    check: max(x) < 2\n");
  ASSERT_THAT(r.errors, IsEmpty()) << r.errors[0].ToString("p");
  const Plan& p = r.plan;
  EXPECT_EQ(p.description, "");
  EXPECT_EQ(p.variable.file().mode(), 0644u);
  EXPECT_EQ(p.variable.file().owner(), "");
  EXPECT_EQ(p.variable.file().group(), "");
  EXPECT_EQ(p.variable.file().validate(), "");
  EXPECT_EQ(p.variable.file().reload(), "");
  EXPECT_THAT(p.selector, IsEmpty());
  EXPECT_EQ(p.bake, absl::Seconds(60));
  EXPECT_EQ(p.progress_deadline, absl::Minutes(10));
  ASSERT_EQ(p.gates.size(), 1u);
  EXPECT_EQ(p.gates[0].missing_data, MissingData::kHold);
  EXPECT_EQ(p.gates[0].consecutive_breaches, 1);
  EXPECT_FALSE(p.gates[0].dry_run);
  EXPECT_EQ(p.on_failure, FailureAction::kRollback);
  EXPECT_EQ(p.on_inconclusive, FailureAction::kPause);
}

TEST(ParsePlanTest, MinimalPlanHasNoGates) {
  PlanParseResult r = ParsePlan(kMinimalPlan);
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r.plan.gates, IsEmpty());
}

TEST(ParsePlanTest, NullOptionalSectionsMeanTheirDefaults) {
  PlanParseResult r =
      ParsePlan(std::string(kMinimalPlan) + "description:\ntarget:\ngates:\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].ToString("p");
  EXPECT_THAT(r.plan.selector, IsEmpty());
  EXPECT_THAT(r.plan.gates, IsEmpty());
}

TEST(ParsePlanTest, AbsentTrueMakesTheValueAbsent) {
  PlanParseResult r = ParsePlan(
      "name: p1\n"
      "change: {variable: v1, kind: file, path: /etc/x, absent: true}\n"
      "strategy: {waves: [100%]}\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].ToString("p");
  EXPECT_FALSE(r.plan.value.present());
  EXPECT_EQ(r.plan.value.data(), "");
}

TEST(ParsePlanTest, EmptyQuotedContentIsAnEmptyFile) {
  PlanParseResult r = ParsePlan(
      "name: p1\n"
      "change: {variable: v1, kind: file, path: /etc/x, content: '',"
      " absent: false}\n"
      "strategy: {waves: [100%]}\n");
  ASSERT_TRUE(r.ok()) << r.errors[0].ToString("p");
  EXPECT_TRUE(r.plan.value.present());
  EXPECT_EQ(r.plan.value.data(), "");
}

TEST(ParsePlanTest, UnquotedModeIsReadAsOctal) {
  std::string yaml(kMinimalPlan);
  yaml.replace(yaml.find("  content"), 0, "  mode: 0755\n");
  PlanParseResult r = ParsePlan(yaml);
  ASSERT_TRUE(r.ok()) << r.errors[0].ToString("p");
  EXPECT_EQ(r.plan.variable.file().mode(), 0755u);
}

TEST(ParsePlanTest, ZeroBakeIsAllowed) {
  std::string yaml = std::string(kMinimalPlan) + "  bake: 0s\n";
  PlanParseResult r = ParsePlan(yaml);
  ASSERT_TRUE(r.ok()) << r.errors[0].ToString("p");
  EXPECT_EQ(r.plan.bake, absl::ZeroDuration());
}

TEST(ParsePlanTest, IsDeterministic) {
  PlanParseResult a = ParsePlan(kFullPlan);
  PlanParseResult b = ParsePlan(kFullPlan);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.plan.variable.SerializeAsString(),
            b.plan.variable.SerializeAsString());
  EXPECT_EQ(a.plan.gates.size(), b.plan.gates.size());
}

TEST(ParsePlanOrStatusTest, ReturnsThePlanWhenValid) {
  absl::StatusOr<Plan> p = ParsePlanOrStatus(kMinimalPlan, "plan.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->name, "p1");
}

TEST(ParsePlanOrStatusTest, FoldsEveryErrorIntoOneInvalidArgument) {
  absl::StatusOr<Plan> p =
      ParsePlanOrStatus("name: Bad\nstrategy: {waves: [50%]}\n", "plan.yaml");
  ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(p.status().message()),
            "plan.yaml:1:1: change: required; expected a map with variable, "
            "kind, path and content\n"
            "plan.yaml:1:7: name: expected a name like app-workers-8 (a-z, "
            "0-9, '.', '_', '-'; at most 64 characters), got 'Bad'\n"
            "plan.yaml:2:20: strategy.waves[0]: the last wave must be 100% so "
            "every target is reached, got '50%'");
}

TEST(PlanErrorTest, ToStringOmitsAnUnknownLocation) {
  PlanError e{.line = 0, .column = 0, .field = "", .message = "too big"};
  EXPECT_EQ(e.ToString("f.yaml"), "f.yaml: too big");
  PlanError f{.line = 3, .column = 7, .field = "a.b", .message = "bad"};
  EXPECT_EQ(f.ToString("f.yaml"), "f.yaml:3:7: a.b: bad");
}

TEST(PlanNamesTest, AggregatesAndComparisonsHaveTheirPlanSpelling) {
  EXPECT_EQ(AggregateName(Aggregate::kMin), "min");
  EXPECT_EQ(AggregateName(Aggregate::kMax), "max");
  EXPECT_EQ(AggregateName(Aggregate::kMean), "mean");
  EXPECT_EQ(AggregateName(Aggregate::kP50), "p50");
  EXPECT_EQ(AggregateName(Aggregate::kP95), "p95");
  EXPECT_EQ(AggregateName(Aggregate::kP99), "p99");
  EXPECT_EQ(ComparisonSymbol(Comparison::kLt), "<");
  EXPECT_EQ(ComparisonSymbol(Comparison::kLe), "<=");
  EXPECT_EQ(ComparisonSymbol(Comparison::kGt), ">");
  EXPECT_EQ(ComparisonSymbol(Comparison::kGe), ">=");
  EXPECT_EQ(ComparisonSymbol(Comparison::kEq), "==");
  EXPECT_EQ(ComparisonSymbol(Comparison::kNe), "!=");
}

}  // namespace
}  // namespace swell::controller
