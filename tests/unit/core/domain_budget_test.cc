// The failure-domain budget: hand-worked cases and a property over random
// fleets.

#include "controller/rollout/domain_budget.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/core_test_util.h"
#include "tests/unit/core/scheduler_fixtures.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;

// 20 hosts in site a (a0..a19), 20 in b, 5 in c, and 2 without a site.
std::map<std::string, Host> Sites() {
  std::map<std::string, Host> hosts;
  auto add = [&](std::string id, std::map<std::string, std::string> labels) {
    hosts[id] = fixtures::MakeHost(id, std::move(labels));
  };
  for (int i = 0; i < 20; ++i) add(absl::StrCat("a", i), {{"site", "a"}});
  for (int i = 0; i < 20; ++i) add(absl::StrCat("b", i), {{"site", "b"}});
  for (int i = 0; i < 5; ++i) add(absl::StrCat("c", i), {{"site", "c"}});
  add("x0", {});
  add("x1", {});
  return hosts;
}

TEST(DomainBudgetTest, AdmitsUpToEachSitesShareAndSaysWhyTheRestWait) {
  // 10 % of 20 is 2 a site. a1 is already under change (another rollout).
  BudgetDecision d =
      CheckDomainBudget({"site", {true, 10}}, Sites(), {"a1"},
                        {"a2", "a3", "a4", "b1", "b2", "b3", "x0"});
  EXPECT_THAT(d.admit, ElementsAre("a2", "b1", "b2", "x0"));
  EXPECT_EQ(d.waiting, 3u);
  EXPECT_EQ(d.reason, "site a has 2 of 20 hosts under change, budget 10%");
}

TEST(DomainBudgetTest, ASmallSiteMayStillChangeOneHostAtATime) {
  // 10 % of 5 is 0.5: rounded down it would be 0, so it is 1.
  BudgetDecision d =
      CheckDomainBudget({"site", {true, 10}}, Sites(), {}, {"c0", "c1"});
  EXPECT_THAT(d.admit, ElementsAre("c0"));
  EXPECT_EQ(d.reason, "site c has 1 of 5 hosts under change, budget 10%");
}

TEST(DomainBudgetTest, ACountBudgetAndNoBudget) {
  BudgetDecision d = CheckDomainBudget({"site", {false, 3}}, Sites(), {"b0"},
                                       {"b1", "b2", "b3"});
  EXPECT_THAT(d.admit, ElementsAre("b1", "b2"));
  EXPECT_EQ(d.reason, "site b has 3 of 20 hosts under change, budget 3 hosts");
  EXPECT_EQ(
      CheckDomainBudget({}, Sites(), {"b0"}, {"b1", "b2", "b3"}).admit.size(),
      3u);
}

TEST(DomainBudgetTest, UnderChangeMeansAdmittedAndNotYetConverged) {
  EXPECT_TRUE(IsUnderChange(HostState::kAdmitting));
  EXPECT_TRUE(IsUnderChange(HostState::kApplying));
  EXPECT_TRUE(IsUnderChange(HostState::kFailed));
  EXPECT_TRUE(IsUnderChange(HostState::kRollingBack));
  EXPECT_FALSE(IsUnderChange(HostState::kWaiting));
  EXPECT_FALSE(IsUnderChange(HostState::kConverged));
  EXPECT_FALSE(IsUnderChange(HostState::kRolledBack));
  EXPECT_FALSE(IsUnderChange(HostState::kSkipped));

  Fleet fleet;
  auto add = [&](std::string rollout, RolloutState s,
                 std::map<std::string, HostState> hosts) {
    RolloutRecord& rec = fleet.rollouts[rollout];
    rec.rollout.id = rollout;
    rec.rollout.state = s;
    for (auto [id, hs] : hosts) {
      rec.hosts[id] = fixtures::MakeRolloutHost(rollout, id, hs);
    }
  };
  add("r-1", RolloutState::kRunning,
      {{"a", HostState::kApplying}, {"b", HostState::kConverged}});
  add("r-2", RolloutState::kPaused, {{"c", HostState::kFailed}});
  add("r-3", RolloutState::kRolledBack, {{"d", HostState::kFailed}});
  add("r-4", RolloutState::kRunning, {{"e", HostState::kAdmitting}});
  EXPECT_THAT(HostsUnderChange(fleet, "r-4"), ElementsAre("a", "c"));
}

TEST(DomainBudgetTest, TheBudgetIsNeverExceededOverRandomFleets) {
  fixtures::Prng rng(7);
  for (int c = 0; c < 500; ++c) {
    std::map<std::string, Host> hosts;
    for (const TargetHost& t : fixtures::RandomFleet(rng, rng.Int(1, 200))) {
      hosts[t.id] = fixtures::MakeHost(t.id, t.labels);
    }
    std::set<std::string> busy;
    std::vector<std::string> candidates;
    for (const auto& [id, h] : hosts) {
      if (rng.Chance(10)) {
        busy.insert(id);
      } else if (rng.Chance(40)) {
        candidates.push_back(id);
      }
    }
    rng.Shuffle(candidates);
    DomainBudget budget{"site", fixtures::RandomSize(rng)};
    BudgetDecision d = CheckDomainBudget(budget, hosts, busy, candidates);
    SCOPED_TRACE(c);

    std::map<std::string, size_t> size, before, after;
    for (const auto& [id, h] : hosts) {
      if (h.labels.count("site")) ++size[h.labels.at("site")];
    }
    for (const auto& id : busy) {
      if (hosts[id].labels.count("site")) ++before[hosts[id].labels.at("site")];
    }
    after = before;
    for (const auto& id : d.admit) {
      if (hosts[id].labels.count("site")) ++after[hosts[id].labels.at("site")];
    }
    ASSERT_EQ(d.admit.size() + d.waiting, candidates.size());
    ASSERT_TRUE(std::is_sorted(
        d.admit.begin(), d.admit.end(),
        [&](const std::string& a, const std::string& b) {
          return std::find(candidates.begin(), candidates.end(), a) <
                 std::find(candidates.begin(), candidates.end(), b);
        }))
        << "admissions keep the candidates' order";
    for (const auto& [site, n] : after) {
      size_t allowed =
          budget.max.percent
              ? static_cast<size_t>(budget.max.value * size[site] / 100 + 1e-9)
              : static_cast<size_t>(budget.max.value);
      allowed = std::max<size_t>(allowed, 1);
      // Admissions never take a site over its allowance (one already over
      // because of others' hosts gets none).
      ASSERT_LE(n, std::max(allowed, before[site])) << "site " << site;
      if (n > before[site]) {
        ASSERT_LE(n, allowed) << "site " << site;
      }
    }
    if (d.waiting > 0) {
      ASSERT_FALSE(d.reason.empty());
    }
  }
}

}  // namespace
}  // namespace swell::controller
