// The strategy section: wave shapes, order, per-role limits, domain budget.

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "controller/plan/plan.h"
#include "controller/plan/plan_describe.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/plan/plan_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// kPlanHead, then `strategy` on line 7 onwards.
std::string WithStrategy(std::string_view strategy) {
  return std::string(kPlanHead) + "strategy:\n" + std::string(strategy);
}

Plan Parsed(std::string_view yaml) {
  PlanParseResult r = ParsePlan(yaml);
  EXPECT_THAT(r.errors, IsEmpty()) << r.errors.front().ToString("p");
  return r.plan;
}

TEST(PlanStrategyTest, ReadsAGeometricShape) {
  Plan p = Parsed(WithStrategy(
      "  geometric: {start: 2, factor: 1.5, max_step: 10%}\n  bake: 2m\n"));
  EXPECT_EQ(p.shape, WaveShape::kGeometric);
  EXPECT_TRUE(p.waves.empty());
  EXPECT_EQ(p.geometric.start, 2);
  EXPECT_DOUBLE_EQ(p.geometric.factor, 1.5);
  EXPECT_TRUE(p.geometric.max_step.percent);
  EXPECT_DOUBLE_EQ(p.geometric.max_step.value, 10);
  EXPECT_EQ(p.bake, absl::Minutes(2));
  EXPECT_EQ(DescribeWaveShape(p),
            "geometric from 2 hosts, x1.5 a wave, at most 10% a wave");
}

TEST(PlanStrategyTest, GeometricDefaultsStartAtOneAndDouble) {
  Plan p = Parsed(WithStrategy("  geometric: {}\n"));
  EXPECT_EQ(p.geometric.start, 1);
  EXPECT_DOUBLE_EQ(p.geometric.factor, 2);
  EXPECT_DOUBLE_EQ(p.geometric.max_step.value, 100);
}

TEST(PlanStrategyTest, ReadsALinearRampInDays) {
  Plan p = Parsed(WithStrategy("  linear: {over: 14d, step: 1h}\n"));
  EXPECT_EQ(p.shape, WaveShape::kLinear);
  EXPECT_EQ(p.linear.over, absl::Hours(14 * 24));
  EXPECT_EQ(p.linear.step, absl::Hours(1));
  EXPECT_EQ(DescribeWaveShape(p), "linear to 100% over 14d, a wave per 1h");
  EXPECT_EQ(
      Parsed(WithStrategy("  linear: {over: 1.5d, step: 1d12h}\n")).linear.step,
      absl::Hours(36));
}

TEST(PlanStrategyTest, DaysAreAcceptedInEveryDuration) {
  Plan p = Parsed(
      WithStrategy("  waves: [100%]\n  bake: 1d\n  progress_deadline: 2d3h\n"));
  EXPECT_EQ(p.bake, absl::Hours(24));
  EXPECT_EQ(p.progress_deadline, absl::Hours(51));
  EXPECT_EQ(FormatPlanDuration(p.progress_deadline), "2d3h");
}

TEST(PlanStrategyTest, ShapesExcludeEachOther) {
  EXPECT_THAT(ErrorsOf(WithStrategy(
                  "  waves: [100%]\n  linear: {over: 1h, step: 1m}\n")),
              ElementsAre("p:9:3: strategy.linear: waves, geometric and linear "
                          "exclude each other; 'waves' is already given"));
}

TEST(PlanStrategyTest, AStrategyNeedsAShape) {
  EXPECT_THAT(ErrorsOf(WithStrategy("  bake: 1m\n")),
              ElementsAre("p:8:3: strategy.waves: required; expected a list "
                          "of wave sizes like [1, 25%, 100%], or geometric "
                          "or linear"));
}

TEST(PlanStrategyTest, LinearRampsAreValidated) {
  EXPECT_THAT(
      ErrorsOf(WithStrategy("  linear: {over: 1h, step: 2h}\n")),
      ElementsAre("p:8:28: strategy.linear.step: the step must not be longer "
                  "than the ramp ('over')"));
  EXPECT_THAT(ErrorsOf(WithStrategy("  linear: {over: 14d, step: 1m}\n")),
              ElementsAre("p:8:29: strategy.linear.step: at most 10000 steps "
                          "allowed; make the step longer"));
  EXPECT_THAT(
      ErrorsOf(WithStrategy("  linear: {over: 14 days}\n")),
      ElementsAre("p:8:11: strategy.linear.step: required; expected a positive "
                  "duration like 14d, 12h or 30m",
                  "p:8:18: strategy.linear.over: expected a positive "
                  "duration like 14d, 12h or 30m, got '14 days'"));
  EXPECT_THAT(
      ErrorsOf(WithStrategy("  linear: {over: 1d, step: 1h}\n  bake: 5m\n")),
      ElementsAre("p:9:3: strategy.bake: a linear ramp bakes each "
                  "wave until the ramp reaches the next one; remove "
                  "bake or use waves or geometric"));
}

TEST(PlanStrategyTest, GeometricGrowthIsValidated) {
  EXPECT_THAT(
      ErrorsOf(
          WithStrategy("  geometric: {start: 0, factor: 1, max_step: 0%}\n")),
      ElementsAre("p:8:22: strategy.geometric.start: expected a whole number "
                  "of hosts from 1 to 1000000, got '0'",
                  "p:8:33: strategy.geometric.factor: expected a growth "
                  "factor above 1 and at most 100, like 2, got '1'",
                  "p:8:46: strategy.geometric.max_step: expected a positive "
                  "count like 5 or a percentage like 25%, got '0%'"));
}

TEST(PlanStrategyTest, OrderDefaultsToCanariesThenSiteThenRack) {
  Plan p = Parsed(kMinimalPlan);
  EXPECT_EQ(p.order.canary_label, "canary");
  EXPECT_THAT(p.order.domains, ElementsAre("site", "rack"));
  Plan q = Parsed(WithStrategy(
      "  waves: [100%]\n  order: {canary_label: early, domains: [zone]}\n"));
  EXPECT_EQ(q.order.canary_label, "early");
  EXPECT_THAT(q.order.domains, ElementsAre("zone"));
  EXPECT_THAT(ErrorsOf(WithStrategy(
                  "  waves: [100%]\n  order: {domains: [site, \"a b\"]}\n")),
              ElementsAre("p:9:27: strategy.order.domains[1]: expected a "
                          "label name like site (letters, digits, '.', '_', "
                          "'/', '-'), got 'a b'"));
}

TEST(PlanStrategyTest, ReadsPerRoleFloorsAndCeilings) {
  Plan p =
      Parsed(WithStrategy("  waves: [100%]\n  per_role: {min: 1, max: 25%}\n"));
  EXPECT_EQ(p.per_role.label, "role");
  ASSERT_TRUE(p.per_role.min && p.per_role.max);
  EXPECT_FALSE(p.per_role.min->percent);
  EXPECT_DOUBLE_EQ(p.per_role.min->value, 1);
  EXPECT_TRUE(p.per_role.max->percent);
  EXPECT_DOUBLE_EQ(p.per_role.max->value, 25);
  EXPECT_TRUE(Parsed(kMinimalPlan).per_role.label.empty());
}

TEST(PlanStrategyTest, PerRoleLimitsAreValidated) {
  EXPECT_THAT(ErrorsOf(WithStrategy("  waves: [100%]\n  per_role: {}\n")),
              ElementsAre("p:9:13: strategy.per_role.min: per_role needs "
                          "min, max or both, like {min: 1, max: 25%}"));
  EXPECT_THAT(
      ErrorsOf(WithStrategy("  waves: [100%]\n  per_role: {min: 5, max: 2}\n")),
      ElementsAre("p:9:19: strategy.per_role.min: the floor must not be "
                  "above the ceiling ('max')"));
}

TEST(PlanStrategyTest, ReadsADomainBudget) {
  Plan p =
      Parsed(WithStrategy("  waves: [100%]\n  domain_budget: {max: 10%}\n"));
  EXPECT_EQ(p.domain_budget.label, "site");
  EXPECT_TRUE(p.domain_budget.max.percent);
  EXPECT_DOUBLE_EQ(p.domain_budget.max.value, 10);
  EXPECT_TRUE(Parsed(kMinimalPlan).domain_budget.label.empty());
  EXPECT_THAT(ErrorsOf(WithStrategy(
                  "  waves: [100%]\n  domain_budget: {label: rack}\n")),
              ElementsAre("p:9:18: strategy.domain_budget.max: required; "
                          "expected a positive count like 5 or a percentage "
                          "like 25%"));
}

}  // namespace
}  // namespace swell::controller
