// `swellctl preview`'s content: per-wave counts by site and role, the gates
// in words, the earliest finish, and the seed that makes submit take the
// same hosts.

#include <map>

#include "absl/strings/str_cat.h"
#include "controller/rollout/commands.h"
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

  swell::v1::PreviewResponse Preview(uint32_t seed = 1) {
    std::vector<TargetHost> targets = SelectTargets(plan_, fleet_.hosts);
    return DescribePreview(fleet_, plan_, AssignWaves(plan_, targets, seed),
                           seed);
  }

  // Each host's wave in a rollout that SubmitRollout made as `id`.
  std::map<std::string, int> SubmittedWaves(const std::string& id,
                                            uint32_t seed,
                                            uint32_t* order_seed) {
    GenerationPlan gens(&fleet_);
    auto m =
        SubmitRollout(fleet_, plan_, nullptr, "yaml", "p.yaml", id,
                      Request{"alice", "test", absl::UnixEpoch()}, &gens, seed);
    EXPECT_TRUE(m.ok()) << m.status();
    std::map<std::string, int> waves;
    if (!m.ok()) return waves;
    *order_seed = m->rollouts.at(0).order_seed;
    for (const RolloutHost& rh : m->rollout_hosts) waves[rh.host_id] = rh.wave;
    return waves;
  }

  // Each host's wave in PreviewWaves.
  std::map<std::string, int> PreviewedWaves(uint32_t seed) {
    auto waves = PreviewWaves(fleet_, plan_, seed);
    EXPECT_TRUE(waves.ok()) << waves.status();
    std::map<std::string, int> out;
    if (!waves.ok()) return out;
    for (size_t w = 0; w < waves->size(); ++w) {
      for (const std::string& host : (*waves)[w]) {
        out[host] = static_cast<int>(w);
      }
    }
    return out;
  }

  // 40 more hosts, so that two draws of the order practically never agree.
  void GrowFleet() {
    for (int i = 8; i < 48; ++i) {
      std::string id = absl::StrCat("h", i);
      fleet_.hosts[id] = fixtures::MakeHost(
          id, {{"site", i % 2 ? "b" : "a"}, {"role", "web"}});
    }
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

TEST_F(PreviewTest, SubmitTakesTheHostsPreviewNamedWhateverTheRolloutId) {
  GrowFleet();
  plan_.value.set_present(true);
  plan_.value.set_data("workers = 8\n");
  plan_.waves = {{false, 1}, {false, 2}, {false, 4}, {true, 25}, {true, 100}};
  const std::map<std::string, int> previewed = PreviewedWaves(0);
  ASSERT_EQ(previewed.size(), 48u);
  for (const std::string id : {"r-00000001", "r-0000beef"}) {
    uint32_t stored = 0;
    EXPECT_EQ(SubmittedWaves(id, 0, &stored), previewed) << id;
    EXPECT_EQ(stored, DefaultWaveSeed(plan_)) << id;
  }
}

TEST_F(PreviewTest, AGivenSeedDrawsAnotherOrderThatSubmitWithItTakes) {
  GrowFleet();
  plan_.waves = {{false, 1}, {false, 2}, {false, 4}, {true, 25}, {true, 100}};
  const std::map<std::string, int> seven = PreviewedWaves(7);
  EXPECT_NE(seven, PreviewedWaves(0));
  EXPECT_NE(seven, PreviewedWaves(8));
  uint32_t stored = 0;
  EXPECT_EQ(SubmittedWaves("r-00000001", 7, &stored), seven);
  EXPECT_EQ(stored, 7u);
}

TEST_F(PreviewTest, ReportsTheSeedAndWhetherItIsThePlansDefault) {
  plan_.waves = {{true, 100}};
  const uint32_t fallback = DefaultWaveSeed(plan_);
  swell::v1::PreviewResponse p = Preview(fallback);
  EXPECT_EQ(p.seed(), fallback);
  EXPECT_TRUE(p.seed_is_default());
  const uint32_t other = fallback == 7 ? 8 : 7;
  p = Preview(other);
  EXPECT_EQ(p.seed(), other);
  EXPECT_FALSE(p.seed_is_default());
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
