#include "controller/rollout/wave_scheduler.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"

namespace swell::controller {
namespace {

std::vector<TargetHost> Fleet(int n) {
  std::vector<TargetHost> hosts;
  for (int i = 0; i < n; ++i) {
    hosts.push_back(
        {absl::StrCat("h", i),
         {{"site", i % 2 ? "b" : "a"}, {"role", i % 3 ? "web" : "db"}}});
  }
  return hosts;
}

std::vector<WaveSize> Sizes(std::initializer_list<std::pair<bool, double>> l) {
  std::vector<WaveSize> out;
  for (auto [p, v] : l) out.push_back({p, v});
  return out;
}

TEST(WaveSchedulerTest, SizesAreCumulativeCountsAndPercentages) {
  auto waves = AssignWaves(
      Sizes({{false, 1}, {true, 25}, {true, 50}, {true, 100}}), Fleet(12), 1);
  ASSERT_EQ(waves.size(), 4u);
  EXPECT_EQ(waves[0].size(), 1u);
  EXPECT_EQ(waves[1].size(), 2u);  // up to ceil(25 % of 12) = 3
  EXPECT_EQ(waves[2].size(), 3u);  // up to 6
  EXPECT_EQ(waves[3].size(), 6u);  // the rest
}

TEST(WaveSchedulerTest, EveryTargetLandsInExactlyOneWave) {
  for (int n : {1, 2, 3, 7, 12, 100, 1001}) {
    auto waves = AssignWaves(
        Sizes({{false, 1}, {true, 1}, {true, 5}, {true, 100}}), Fleet(n), 1);
    std::multiset<std::string> seen;
    for (const auto& w : waves) {
      EXPECT_FALSE(w.empty());
      seen.insert(w.begin(), w.end());
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(n));
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(),
              seen.size());
  }
}

TEST(WaveSchedulerTest, SameInputGivesSameWavesWhateverTheInputOrder) {
  auto hosts = Fleet(50);
  auto a = AssignWaves(Sizes({{false, 1}, {true, 30}, {true, 100}}), hosts, 7);
  std::reverse(hosts.begin(), hosts.end());
  auto b = AssignWaves(Sizes({{false, 1}, {true, 30}, {true, 100}}), hosts, 7);
  EXPECT_EQ(a, b);
}

TEST(WaveSchedulerTest, CanariesComeFirstThenSiteBySite) {
  auto hosts = Fleet(10);
  hosts[7].labels["canary"] = "true";
  auto waves =
      AssignWaves(Sizes({{false, 1}, {true, 50}, {true, 100}}), hosts, 2);
  EXPECT_EQ(waves[0], std::vector<std::string>{"h7"});
  // After the canary, all of site a (h0,h2,...) comes before site b.
  std::vector<std::string> order;
  for (size_t w = 1; w < waves.size(); ++w) {
    order.insert(order.end(), waves[w].begin(), waves[w].end());
  }
  bool in_b = false;
  for (const auto& id : order) {
    int i = std::stoi(id.substr(1));
    bool site_b = i % 2 == 1;
    if (site_b) in_b = true;
    EXPECT_FALSE(in_b && !site_b) << id << " of site a after site b began";
  }
}

TEST(WaveSchedulerTest, DifferentSeedsShuffleHostsDifferently) {
  auto a = AssignWaves(Sizes({{false, 1}, {true, 100}}), Fleet(40), 1);
  auto b = AssignWaves(Sizes({{false, 1}, {true, 100}}), Fleet(40), 2);
  EXPECT_NE(a, b);
}

TEST(WaveSchedulerTest, ASeedShufflesOnlyWithinEachFailureDomain) {
  // Canary first and site a before site b whatever the seed: only which
  // host of a domain comes when is drawn.
  auto hosts = Fleet(40);
  hosts[7].labels["canary"] = "true";
  for (uint32_t seed : {1u, 2u, 3u, 4'294'967'295u}) {
    std::vector<TargetHost> order = OrderTargets(WaveOrder{}, hosts, seed);
    ASSERT_EQ(order.size(), 40u);
    EXPECT_EQ(order[0].id, "h7") << seed;
    for (size_t i = 1; i < order.size(); ++i) {
      EXPECT_EQ(order[i].labels.at("site"), i <= 20 ? "a" : "b")
          << seed << " at " << i;
    }
  }
}

TEST(WaveSchedulerTest, TheDefaultSeedIsAFixedHashOfTheVariableAndNewValue) {
  Plan plan;
  plan.name = "more workers";
  plan.variable.set_name("app-config");
  plan.value.set_present(true);
  plan.value.set_data("workers = 8\n");
  // Pinned: the same on every platform, build and run, so a preview made
  // today and a submit made tomorrow agree.
  const uint32_t pinned = DefaultWaveSeed(plan);
  EXPECT_EQ(pinned, 2'324'745'603u);
  EXPECT_NE(pinned, 0u);

  Plan renamed = plan;  // what the plan is called and how it runs: no part
  renamed.name = "other";
  renamed.bake = absl::Hours(1);
  renamed.waves = {{true, 100}};
  EXPECT_EQ(DefaultWaveSeed(renamed), pinned);

  Plan other_value = plan;
  other_value.value.set_data("workers = 9\n");
  EXPECT_NE(DefaultWaveSeed(other_value), pinned);
  Plan absent = plan;
  absent.value.set_present(false);
  absent.value.clear_data();
  EXPECT_NE(DefaultWaveSeed(absent), pinned);
  Plan other_variable = plan;
  other_variable.variable.set_name("motd");
  EXPECT_NE(DefaultWaveSeed(other_variable), pinned);
}

TEST(WaveSchedulerTest, ASeedOfZeroMeansThePlansDefault) {
  Plan plan;
  plan.variable.set_name("app-config");
  EXPECT_EQ(EffectiveWaveSeed(plan, 0), DefaultWaveSeed(plan));
  EXPECT_EQ(EffectiveWaveSeed(plan, 7), 7u);
}

TEST(WaveSchedulerTest, SizesThatAddNoHostAreDropped) {
  auto waves = AssignWaves(
      Sizes({{false, 1}, {true, 1}, {true, 5}, {true, 100}}), Fleet(4), 1);
  ASSERT_EQ(waves.size(), 2u);  // 1 % and 5 % of 4 hosts round up to 1
  EXPECT_EQ(waves[1].size(), 3u);
}

TEST(WaveSchedulerTest, SelectTargetsMatchesEverySelectorLabel) {
  std::map<std::string, Host> fleet;
  for (const auto& t : Fleet(6))
    fleet[t.id] = fixtures::MakeHost(t.id, t.labels);
  Plan plan;
  plan.selector = {{"site", "a"}, {"role", "db"}};
  auto targets = SelectTargets(plan, fleet);
  ASSERT_EQ(targets.size(), 1u);  // h0 only: site a (even) and role db (i%3==0)
  EXPECT_EQ(targets[0].id, "h0");
  plan.selector.clear();
  EXPECT_EQ(SelectTargets(plan, fleet).size(), 6u);
}

}  // namespace
}  // namespace swell::controller

namespace swell::controller {
namespace {

std::vector<TargetHost> RoleFleet(int web, int db) {
  std::vector<TargetHost> hosts;
  for (int i = 0; i < web; ++i) {
    hosts.push_back(
        {absl::StrCat("web-", i), {{"role", "web"}, {"site", "a"}}});
  }
  for (int i = 0; i < db; ++i) {
    hosts.push_back({absl::StrCat("db-", i), {{"role", "db"}, {"site", "a"}}});
  }
  return hosts;
}

int CountRole(const std::vector<std::string>& wave, std::string_view prefix) {
  int n = 0;
  for (const auto& id : wave) n += id.starts_with(prefix);
  return n;
}

TEST(WaveSchedulerRolesTest, AFloorPutsEveryRoleInEveryWave) {
  Plan plan;
  plan.waves = {{false, 1}, {true, 50}, {true, 100}};
  plan.per_role = {"role", WaveSize{false, 1}, std::nullopt};
  auto waves = AssignWaves(plan, RoleFleet(8, 2), 1);
  // Wave 1 asked for 1 host but the floor gives each role one: 2 hosts.
  ASSERT_EQ(waves.size(), 3u);
  EXPECT_EQ(CountRole(waves[0], "web"), 1);
  EXPECT_EQ(CountRole(waves[0], "db"), 1);
  // Wave 2 brings the total to 5: 3 more, one of them the last db.
  EXPECT_EQ(waves[1].size(), 3u);
  EXPECT_EQ(CountRole(waves[1], "db"), 1);
  EXPECT_EQ(waves[2].size(), 5u);
}

TEST(WaveSchedulerRolesTest, ACeilingSplitsAWaveAndAddsWaves) {
  Plan plan;
  plan.waves = {{true, 100}};
  plan.per_role = {"role", std::nullopt, WaveSize{true, 25}};
  auto waves = AssignWaves(plan, RoleFleet(8, 2), 1);
  // At most 2 web (25 % of 8) and 1 db (25 % of 2, rounded up) a wave.
  ASSERT_EQ(waves.size(), 4u);
  for (const auto& w : waves) {
    EXPECT_LE(CountRole(w, "web"), 2);
    EXPECT_LE(CountRole(w, "db"), 1);
  }
  EXPECT_EQ(waves[0].size(), 3u);
  EXPECT_EQ(waves[3].size(), 2u);
}

TEST(WaveSchedulerRolesTest, ACeilingBeatsAFloor) {
  Plan plan;
  plan.waves = {{true, 100}};
  plan.per_role = {"role", WaveSize{false, 3}, WaveSize{false, 2}};
  auto waves = AssignWaves(plan, RoleFleet(4, 0), 1);
  ASSERT_EQ(waves.size(), 2u);
  EXPECT_EQ(waves[0].size(), 2u);
  EXPECT_EQ(waves[1].size(), 2u);
}

TEST(WaveSchedulerRolesTest, OrderLabelsAreConfigurable) {
  std::vector<TargetHost> hosts;
  for (int i = 0; i < 6; ++i) {
    hosts.push_back({absl::StrCat("h", i), {{"zone", i % 2 ? "z2" : "z1"}}});
  }
  hosts[5].labels["early"] = "true";
  Plan plan;
  plan.waves = {{true, 100}};
  plan.order = {"early", {"zone"}};
  auto order = OrderTargets(plan.order, hosts, 1);
  EXPECT_EQ(order[0].id, "h5");
  for (size_t i = 1; i < order.size(); ++i) {
    // after the canary, z1 (h0, h2, h4) then z2 (h1, h3)
    EXPECT_EQ(order[i].labels.at("zone"), i <= 3 ? "z1" : "z2") << i;
  }
}

}  // namespace
}  // namespace swell::controller
