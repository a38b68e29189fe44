// Every shipped example plan parses as documented.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "controller/plan/plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::filesystem::path SourceDir() {
  if (const char* dir = std::getenv("SWELL_SOURCE_DIR")) return dir;
  // tests/unit/plan/examples_test.cc -> the repository root.
  return std::filesystem::path(__FILE__).parent_path() / "../../..";
}

std::filesystem::path ExamplesDir() {
  return SourceDir() / "deploy" / "examples";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

PlanParseResult ParseExample(std::string_view name) {
  return ParsePlan(ReadFile(ExamplesDir() / name));
}

std::string Errors(const PlanParseResult& r, std::string_view file) {
  std::string out;
  for (const PlanError& e : r.errors) out += e.ToString(file) + "\n";
  return out;
}

TEST(ExamplePlansTest, EveryShippedExampleExceptTheInvalidOneParses) {
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(ExamplesDir())) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".yaml" || name == "invalid-plan.yaml") {
      continue;
    }
    PlanParseResult r = ParsePlan(ReadFile(entry.path()));
    EXPECT_TRUE(r.ok()) << Errors(r, name);
    ++parsed;
  }
  EXPECT_GE(parsed, 2);
}

TEST(ExamplePlansTest, ConfigChangeRaisesWorkersInFourGatedWaves) {
  PlanParseResult r = ParseExample("config-change.yaml");
  ASSERT_TRUE(r.ok()) << Errors(r, "config-change.yaml");
  const Plan& p = r.plan;
  EXPECT_EQ(p.name, "app-workers-8");
  EXPECT_EQ(p.variable.name(), "app-config");
  EXPECT_EQ(p.variable.file().path(), "/etc/app/app.conf");
  EXPECT_EQ(p.value.data(), "# managed by swell\nworkers = 8\n");
  EXPECT_THAT(p.selector, IsEmpty());
  ASSERT_EQ(p.waves.size(), 4u);
  EXPECT_EQ(p.waves[0].value, 1);
  EXPECT_FALSE(p.waves[0].percent);
  EXPECT_EQ(p.waves[1].value, 25);
  EXPECT_EQ(p.waves[2].value, 50);
  EXPECT_EQ(p.waves[3].value, 100);
  EXPECT_EQ(p.bake, absl::Seconds(4));
  ASSERT_EQ(p.gates.size(), 2u);
  EXPECT_EQ(p.gates[0].check, "min(app_healthy) >= 1");
  EXPECT_EQ(p.gates[1].check, "failed_hosts <= 0");
}

TEST(ExamplePlansTest, BadConfigIsTheSameChangeWithZeroWorkers) {
  PlanParseResult good = ParseExample("config-change.yaml");
  PlanParseResult bad = ParseExample("bad-config.yaml");
  ASSERT_TRUE(bad.ok()) << Errors(bad, "bad-config.yaml");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(bad.plan.name, "app-workers-0");
  EXPECT_EQ(bad.plan.value.data(), "# managed by swell\nworkers = 0\n");
  EXPECT_EQ(bad.plan.variable.SerializeAsString(),
            good.plan.variable.SerializeAsString());
  EXPECT_EQ(bad.plan.gates.size(), good.plan.gates.size());
  EXPECT_EQ(bad.plan.bake, good.plan.bake);
}

TEST(ExamplePlansTest, InvalidPlanReportsItsDeliberateErrors) {
  PlanParseResult r = ParseExample("invalid-plan.yaml");
  std::vector<std::string> errors;
  for (const PlanError& e : r.errors) errors.push_back(e.ToString("f"));
  EXPECT_THAT(
      errors,
      ElementsAre(
          "f:8:9: change.path: expected an absolute, normalised file path "
          "like /etc/app/app.conf, got 'etc/app/app.conf': it is not "
          "absolute (it must start with '/')",
          "f:12:14: strategy.waves[1]: expected a positive count like 5 or a "
          "percentage like 25%, got '0%'",
          "f:12:18: strategy.waves[2]: the last wave must be 100% so every "
          "target is reached, got '50%'",
          "f:16:12: gates[0].check: unknown aggregate 'avg'; expected one of "
          "min, max, mean, p50, p95, p99, fraction, or failed_hosts",
          "f:17:5: gates[0].mising_data: unknown field 'mising_data'; did you "
          "mean 'missing_data'? expected one of name, kind, check, "
          "missing_data, "
          "consecutive_breaches, dry_run"));
}

}  // namespace
}  // namespace swell::controller
