// `swellctl preview`'s content: per-wave counts by site and role, the gates
// in words, and the earliest finish.

#include "absl/strings/str_cat.h"
#include "controller/rollout/wave_scheduler.h"
#include "controller/service/status_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

class PreviewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 8; ++i) {
      std::string id = absl::StrCat("h", i);
      fleet_.hosts[id] = fixtures::MakeHost(
          id, {{"site", i % 2 ? "b" : "a"}, {"role", i < 6 ? "web" : "db"}});
    }
    plan_.name = "p";
    plan_.variable.set_name("app-config");
  }

  swell::v1::PreviewResponse Preview() {
    std::vector<TargetHost> targets = SelectTargets(plan_, fleet_.hosts);
    return DescribePreview(fleet_, plan_, AssignWaves(plan_, targets, "r-1"));
  }

  Fleet fleet_;
  Plan plan_;
};

TEST_F(PreviewTest, CountsEachWavesHostsBySiteAndRole) {
  plan_.waves = {{false, 2}, {true, 100}};
  plan_.per_role = {"role", WaveSize{false, 1}, std::nullopt};
  swell::v1::PreviewResponse p = Preview();
  ASSERT_EQ(p.waves_size(), 2);
  // The floor puts one web and one db host in the first wave.
  EXPECT_THAT(p.waves(0).by_role(),
              UnorderedElementsAre(Pair("web", 1), Pair("db", 1)));
  EXPECT_THAT(p.waves(1).by_role(),
              UnorderedElementsAre(Pair("web", 5), Pair("db", 1)));
  int in_a = 0;
  for (const auto& w : p.waves()) in_a += w.by_site().at("a");
  EXPECT_EQ(in_a, 4);
}

TEST_F(PreviewTest, ListsEveryGateInWordsWithTheImplicitOne) {
  plan_.waves = {{true, 100}};
  GateSpec healthy;
  healthy.name = "healthy";
  healthy.check = "min(up) >= 1";
  healthy.consecutive_breaches = 3;
  GateSpec baseline;
  baseline.name = "latency";
  baseline.kind = GateKind::kBaseline;
  baseline.metric = "latency_ms";
  baseline.baseline.max_ratio = 1.2;
  baseline.dry_run = true;
  plan_.gates = {healthy, baseline};
  EXPECT_THAT(
      Preview().gates(),
      ElementsAre("healthy: min(up) >= 1; fails after 3 breaches in a row; "
                  "missing data: hold",
                  "latency: mean(latency_ms) of changed hosts at most 1.2x "
                  "unchanged hosts of the same role, at least 10 samples a "
                  "side; missing data: hold (dry run)",
                  "failed-hosts: failed_hosts <= 0 (implicit)"));
}

TEST_F(PreviewTest, EarliestFinishIsWavesTimesBakeOrTheRamp) {
  plan_.waves = {{false, 1}, {true, 50}, {true, 100}};
  plan_.bake = absl::Minutes(5);
  swell::v1::PreviewResponse p = Preview();
  EXPECT_EQ(p.earliest_finish_ms(), 3 * 5 * 60 * 1000);
  EXPECT_EQ(p.waves(0).bake_ms(), 5 * 60 * 1000);

  plan_.shape = WaveShape::kLinear;
  plan_.linear = {absl::Hours(14 * 24), absl::Hours(1)};
  p = Preview();
  EXPECT_EQ(p.waves_size(), 8);  // fewer hosts than steps: one a wave
  EXPECT_EQ(p.waves(0).bake_ms(), 42 * 3600 * 1000);  // 336 h / 8
  EXPECT_EQ(p.earliest_finish_ms(), int64_t{14} * 24 * 3600 * 1000);
}

}  // namespace
}  // namespace swell::controller
