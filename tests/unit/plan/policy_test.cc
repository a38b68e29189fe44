// Policies: parsing, loading from a directory, plans that name one and
// override it field by field, and every shipped policy.

#include "controller/plan/policy.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/plan/plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/plan/plan_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace fs = std::filesystem;

constexpr char kSlowPolicy[] =
    "name: slow\n"
    "strategy:\n"
    "  geometric: {start: 1, factor: 3}\n"
    "  bake: 10m\n"
    "  domain_budget: {max: 10%}\n"
    "gates:\n"
    "  - {name: healthy, check: \"min(up) >= 1\"}\n"
    "  - {name: few-failed, check: \"failed_hosts <= 1%\"}\n"
    "on_failure: pause\n";

constexpr char kGatesOnlyPolicy[] =
    "name: gates-only\n"
    "gates:\n"
    "  - {name: healthy, check: \"min(up) >= 1\"}\n";

PolicySet Policies() {
  PolicySet set;
  for (auto [yaml, name] : {std::pair{kSlowPolicy, "slow"},
                            std::pair{kGatesOnlyPolicy, "gates-only"}}) {
    PolicyParseResult r = ParsePolicy(yaml, name);
    EXPECT_THAT(r.errors, IsEmpty()) << r.errors.front().ToString(name);
    EXPECT_TRUE(set.Add(r.policy).ok());
  }
  return set;
}

std::vector<std::string> ErrorsWith(std::string_view yaml,
                                    const PolicySet& policies) {
  std::vector<std::string> out;
  for (const PlanError& e : ParsePlan(yaml, policies).errors) {
    out.push_back(e.ToString("p"));
  }
  return out;
}

fs::path SourceDir() {
  if (const char* dir = std::getenv("SWELL_SOURCE_DIR")) return dir;
  return fs::path(__FILE__).parent_path() / "../../..";
}

// A fresh directory under the test's temp dir.
fs::path FreshDir(std::string_view name) {
  fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void Write(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

TEST(PolicyTest, APlanStartsFromItsPolicy) {
  PlanParseResult r =
      ParsePlan(absl::StrCat(kPlanHead, "policy: slow\n"), Policies());
  ASSERT_THAT(r.errors, IsEmpty()) << r.errors.front().ToString("p");
  const Plan& p = r.plan;
  EXPECT_EQ(p.policy, "slow");
  EXPECT_EQ(p.name, "p1");
  EXPECT_EQ(p.shape, WaveShape::kGeometric);
  EXPECT_DOUBLE_EQ(p.geometric.factor, 3);
  EXPECT_EQ(p.bake, absl::Minutes(10));
  EXPECT_EQ(p.domain_budget.label, "site");
  ASSERT_EQ(p.gates.size(), 2u);
  EXPECT_EQ(p.on_failure, FailureAction::kPause);
  EXPECT_EQ(p.on_inconclusive, FailureAction::kPause);  // the default
}

TEST(PolicyTest, ThePlanOverridesFieldByField) {
  PlanParseResult r = ParsePlan(
      absl::StrCat(kPlanHead,
                   "policy: slow\n"
                   "strategy:\n"
                   "  waves: [1, 100%]\n"
                   "gates:\n"
                   "  - {name: few-failed, check: \"failed_hosts <= 0\"}\n"
                   "  - {name: latency, check: \"p95(latency_ms) < 250\"}\n"
                   "on_failure: rollback\n"),
      Policies());
  ASSERT_THAT(r.errors, IsEmpty()) << r.errors.front().ToString("p");
  const Plan& p = r.plan;
  // The plan's shape replaces the policy's; the policy's bake and budget
  // stay.
  EXPECT_EQ(p.shape, WaveShape::kList);
  EXPECT_EQ(p.waves.size(), 2u);
  EXPECT_EQ(p.bake, absl::Minutes(10));
  EXPECT_EQ(p.domain_budget.label, "site");
  // A gate of the same name replaces the policy's in place; others append.
  ASSERT_EQ(p.gates.size(), 3u);
  EXPECT_EQ(p.gates[0].name, "healthy");
  EXPECT_EQ(p.gates[1].name, "few-failed");
  EXPECT_FALSE(p.gates[1].threshold_percent);
  EXPECT_EQ(p.gates[2].name, "latency");
  EXPECT_EQ(p.on_failure, FailureAction::kRollback);
}

TEST(PolicyTest, AnUnknownPolicyListsTheKnownOnes) {
  EXPECT_THAT(ErrorsWith(absl::StrCat(kPlanHead, "policy: fast\n"), Policies()),
              ElementsAre("p:7:9: policy: unknown policy 'fast'; known "
                          "policies: gates-only, slow"));
  EXPECT_THAT(ErrorsOf(absl::StrCat(kPlanHead, "policy: slow\n")),
              ElementsAre("p:7:9: policy: unknown policy 'slow'; no policies "
                          "are loaded"));
}

TEST(PolicyTest, APolicyWithoutAShapeNeedsThePlanToGiveOne) {
  EXPECT_THAT(
      ErrorsWith(absl::StrCat(kPlanHead, "policy: gates-only\n"), Policies()),
      ElementsAre("p:7:9: policy: policy 'gates-only' has no wave shape; add "
                  "strategy.waves, strategy.geometric or strategy.linear"));
  PlanParseResult r =
      ParsePlan(absl::StrCat(kPlanHead,
                             "policy: gates-only\nstrategy: {waves: [100%]}\n"),
                Policies());
  EXPECT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.plan.gates.size(), 1u);
}

TEST(PolicyTest, PlansWithoutAPolicyParseAsBefore) {
  PlanParseResult with = ParsePlan(kMinimalPlan, Policies());
  PlanParseResult without = ParsePlan(kMinimalPlan);
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_TRUE(with.plan.policy.empty());
  EXPECT_EQ(with.plan.waves.size(), without.plan.waves.size());
  EXPECT_TRUE(with.plan.gates.empty());
}

TEST(PolicyTest, APolicysNameIsItsFileName) {
  PolicyParseResult r = ParsePolicy(kSlowPolicy, "quick");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString("quick.yaml"),
            "quick.yaml:1:7: name: a policy's name is its file's name: "
            "expected 'quick', got 'slow'");
}

TEST(PolicyTest, APolicyKeepsItsSourceText) {
  PolicyParseResult r = ParsePolicy(kSlowPolicy, "slow");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.policy.yaml, kSlowPolicy);
  EXPECT_TRUE(ParsePolicy(kSlowPolicy, "quick").policy.yaml.empty());
}

TEST(PolicyTest, AStoredPolicyIsNamedByItsOwnText) {
  PolicyParseResult r = ParseStoredPolicy(kSlowPolicy);
  ASSERT_THAT(r.errors, IsEmpty());
  EXPECT_EQ(r.policy.name, "slow");
  EXPECT_EQ(r.policy.yaml, kSlowPolicy);
  EXPECT_EQ(r.policy.base.on_failure, FailureAction::kPause);
  EXPECT_FALSE(ParseStoredPolicy("strategy: {bake: 1m}\n").ok());  // no name
}

TEST(PolicyTest, PoliciesHoldOnlyStrategyGatesAndActions) {
  PolicyParseResult r = ParsePolicy("name: x\nchange: {}\n", "x");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].ToString("x.yaml"),
            "x.yaml:2:1: change: unknown field 'change'; expected one of "
            "name, description, strategy, gates, on_failure, "
            "on_inconclusive");
}

TEST(LoadPoliciesTest, LoadsEveryYamlFileOfADirectory) {
  fs::path dir = FreshDir("policies-ok");
  Write(dir / "slow.yaml", kSlowPolicy);
  Write(dir / "gates-only.yaml", kGatesOnlyPolicy);
  Write(dir / "README.md", "not a policy");
  absl::StatusOr<PolicySet> set = LoadPolicies(dir.string());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(set->Names(), ElementsAre("gates-only", "slow"));
  EXPECT_EQ(set->Find("slow")->file, (dir / "slow.yaml").string());
  EXPECT_EQ(set->Find("slow")->yaml, kSlowPolicy);
}

TEST(LoadPoliciesTest, ErrorsNameTheFileLineAndColumn) {
  fs::path dir = FreshDir("policies-bad");
  Write(dir / "slow.yaml", kSlowPolicy);
  Write(dir / "broken.yaml",
        "name: broken\nstrategy:\n  waves: [1, 0%]\n  bake: soon\n");
  absl::StatusOr<PolicySet> set = LoadPolicies(dir.string());
  ASSERT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string file = (dir / "broken.yaml").string();
  EXPECT_EQ(set.status().message(),
            absl::StrCat(file,
                         ":3:14: strategy.waves[1]: expected a positive count "
                         "like 5 or a percentage like 25%, got '0%'\n",
                         file,
                         ":4:9: strategy.bake: expected a duration like 30s, "
                         "5m or 1h30m, 0s or more, got 'soon'"));
}

TEST(LoadPoliciesTest, AMissingDirectoryIsNotFound) {
  EXPECT_EQ(LoadPolicies("/nonexistent/swell/policies").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ShippedPoliciesTest, EveryShippedPolicyParsesAndValidates) {
  absl::StatusOr<PolicySet> set =
      LoadPolicies((SourceDir() / "policies").string());
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(set->Names(), ElementsAre("canary-only", "config-change",
                                        "docker-engine-upgrade"));
  for (const std::string& name : set->Names()) {
    const Policy* policy = set->Find(name);
    EXPECT_TRUE(policy->sets_shape) << name;
    EXPECT_FALSE(policy->base.gates.empty()) << name;
    EXPECT_FALSE(policy->description.empty()) << name;
    // A plan that names it and gives only its change is complete.
    PlanParseResult r =
        ParsePlan(absl::StrCat(kPlanHead, "policy: ", name, "\n"), *set);
    EXPECT_THAT(r.errors, IsEmpty())
        << name << ": " << r.errors.front().ToString("plan");
  }
  const Plan& docker = set->Find("docker-engine-upgrade")->base;
  EXPECT_EQ(docker.shape, WaveShape::kGeometric);
  EXPECT_EQ(docker.domain_budget.label, "site");
  EXPECT_EQ(docker.per_role.label, "role");
  bool has_baseline = false;
  for (const GateSpec& g : docker.gates) {
    has_baseline |= g.kind == GateKind::kBaseline;
  }
  EXPECT_TRUE(has_baseline);
}

TEST(ParsePlanOrStatusTest, ResolvesPolicies) {
  absl::StatusOr<Plan> plan = ParsePlanOrStatus(
      absl::StrCat(kPlanHead, "policy: slow\n"), "plan.yaml", Policies());
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->policy, "slow");
  EXPECT_THAT(
      std::string(ParsePlanOrStatus(absl::StrCat(kPlanHead, "policy: slow\n"),
                                    "plan.yaml")
                      .status()
                      .message()),
      HasSubstr("plan.yaml:7:9: policy: unknown policy 'slow'"));
}

}  // namespace
}  // namespace swell::controller
