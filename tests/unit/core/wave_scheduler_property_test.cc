// Properties of the wave scheduler over many random fleets and plans
// (fixed seeds, so every run checks the same cases).

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "controller/rollout/wave_scheduler.h"
#include "controller/rollout/wave_sizes.h"
#include "gtest/gtest.h"
#include "tests/unit/core/scheduler_fixtures.h"

namespace swell::controller {
namespace {

using fixtures::Prng;
using fixtures::RandomFleet;
using fixtures::RandomPlan;

constexpr int kCases = 600;
constexpr uint32_t kSeed = 2'891'336'453u;  // orders the hosts

std::string RoleOf(const std::map<std::string, std::string>& labels,
                   const std::string& key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

class WaveSchedulerPropertyTest : public ::testing::Test {
 protected:
  // Runs `check` on kCases random (fleet, plan) pairs.
  template <typename Check>
  void ForRandomCases(uint64_t seed, Check check) {
    Prng rng(seed);
    for (int c = 0; c < kCases; ++c) {
      std::vector<TargetHost> fleet = RandomFleet(rng, rng.Int(0, 250));
      Plan plan = RandomPlan(rng);
      SCOPED_TRACE(::testing::Message()
                   << "case " << c << ", " << fleet.size() << " hosts");
      check(rng, fleet, plan);
      if (HasFatalFailure()) return;
    }
  }
};

TEST_F(WaveSchedulerPropertyTest, EveryTargetIsInExactlyOneNonEmptyWave) {
  ForRandomCases(
      1, [](Prng&, const std::vector<TargetHost>& fleet, const Plan& plan) {
        auto waves = AssignWaves(plan, fleet, kSeed);
        std::multiset<std::string> seen;
        for (const auto& w : waves) {
          ASSERT_FALSE(w.empty()) << "an empty wave";
          seen.insert(w.begin(), w.end());
        }
        std::multiset<std::string> want;
        for (const auto& h : fleet) want.insert(h.id);
        ASSERT_EQ(seen, want);
      });
}

TEST_F(WaveSchedulerPropertyTest, WithoutRoleLimitsWavesFollowTheShape) {
  ForRandomCases(2, [](Prng&, const std::vector<TargetHost>& fleet, Plan plan) {
    plan.per_role = RoleLimits();
    auto waves = AssignWaves(plan, fleet, kSeed);
    std::vector<size_t> cumulative;
    size_t total = 0;
    for (const auto& w : waves) cumulative.push_back(total += w.size());
    ASSERT_EQ(cumulative, CumulativeWaveTargets(plan, fleet.size()));
    // Cumulative counts strictly grow; geometric waves never shrink but the
    // last; linear waves differ by at most one host.
    std::vector<size_t> sizes;
    for (const auto& w : waves) sizes.push_back(w.size());
    for (size_t i = 1; i + 1 < sizes.size(); ++i) {
      if (plan.shape == WaveShape::kGeometric) {
        ASSERT_GE(sizes[i], sizes[i - 1]) << "wave " << i;
      }
    }
    if (plan.shape == WaveShape::kLinear && !sizes.empty()) {
      auto [lo, hi] = std::minmax_element(sizes.begin(), sizes.end());
      ASSERT_LE(*hi - *lo, 1u);
    }
  });
}

TEST_F(WaveSchedulerPropertyTest, RoleFloorsAndCeilingsHoldInEveryWave) {
  ForRandomCases(3, [](Prng&, const std::vector<TargetHost>& fleet,
                       const Plan& plan) {
    if (plan.per_role.label.empty()) return;
    const std::string& label = plan.per_role.label;
    std::map<std::string, std::string> role;  // host -> role
    std::map<std::string, size_t> total;      // role -> its targets
    for (const auto& h : fleet) {
      role[h.id] = RoleOf(h.labels, label);
      ++total[role[h.id]];
    }
    std::map<std::string, size_t> left = total;
    for (const auto& wave : AssignWaves(plan, fleet, kSeed)) {
      std::map<std::string, size_t> in_wave;
      for (const auto& id : wave) ++in_wave[role[id]];
      for (const auto& [r, n] : total) {
        const size_t ceiling =
            plan.per_role.max
                ? std::max<size_t>(1, HostsOf(*plan.per_role.max, n))
                : std::numeric_limits<size_t>::max();
        const size_t floor =
            plan.per_role.min
                ? std::min(HostsOf(*plan.per_role.min, n), ceiling)
                : 0;
        ASSERT_LE(in_wave[r], ceiling) << "role '" << r << "'";
        ASSERT_GE(in_wave[r], std::min(floor, left[r])) << "role '" << r << "'";
        left[r] -= in_wave[r];
      }
    }
  });
}

TEST_F(WaveSchedulerPropertyTest, SameWavesOnEveryRunWhateverTheInputOrder) {
  ForRandomCases(
      4, [](Prng& rng, const std::vector<TargetHost>& fleet, const Plan& plan) {
        auto first = AssignWaves(plan, fleet, kSeed);
        std::vector<TargetHost> shuffled = fleet;
        rng.Shuffle(shuffled);
        ASSERT_EQ(AssignWaves(plan, shuffled, kSeed), first);
        ASSERT_EQ(AssignWaves(plan, fleet, kSeed), first);
      });
}

TEST_F(WaveSchedulerPropertyTest, WithoutRoleLimitsCanariesComeFirst) {
  ForRandomCases(5, [](Prng&, const std::vector<TargetHost>& fleet, Plan plan) {
    plan.per_role = RoleLimits();
    std::map<std::string, bool> canary;
    for (const auto& h : fleet)
      canary[h.id] = RoleOf(h.labels, "canary") == "true";
    bool past_canaries = false;
    for (const auto& wave : AssignWaves(plan, fleet, kSeed)) {
      for (const auto& id : wave) {
        ASSERT_FALSE(past_canaries && canary[id])
            << id << " after non-canaries";
        past_canaries |= !canary[id];
      }
    }
  });
}

}  // namespace
}  // namespace swell::controller
