// Wave sizes and bakes of each shape, against values worked out by hand.

#include "controller/rollout/wave_sizes.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;

Plan Geometric(int start, double factor, WaveSize max_step) {
  Plan p;
  p.shape = WaveShape::kGeometric;
  p.geometric = {start, factor, max_step};
  return p;
}

Plan Linear(absl::Duration over, absl::Duration step) {
  Plan p;
  p.shape = WaveShape::kLinear;
  p.linear = {over, step};
  return p;
}

TEST(WaveSizesTest, ListSizesAreCumulativeAndRoundUp) {
  Plan p;
  p.waves = {{false, 1}, {true, 25}, {true, 50}, {true, 100}};
  // 25 % of 10 is 2.5 -> 3; 50 % is 5.
  EXPECT_THAT(CumulativeWaveTargets(p, 10), ElementsAre(1, 3, 5, 10));
  // 1 and 25 % of 2 both round to 1: the second adds nothing and goes.
  EXPECT_THAT(CumulativeWaveTargets(p, 2), ElementsAre(1, 2));
  EXPECT_TRUE(CumulativeWaveTargets(p, 0).empty());
  p.waves = {{false, 5}};  // short of every target: the rest is added
  EXPECT_THAT(CumulativeWaveTargets(p, 8), ElementsAre(5, 8));
}

TEST(WaveSizesTest, GeometricWavesGrowByTheFactorUpToTheLargestStep) {
  // 100 hosts, start 1, x2, at most 10 % = 10 a wave:
  // steps 1, 2, 4, 8, 10, 10, ...: totals 1, 3, 7, 15, 25, ..., 95, 100.
  EXPECT_THAT(CumulativeWaveTargets(Geometric(1, 2, {true, 10}), 100),
              ElementsAre(1, 3, 7, 15, 25, 35, 45, 55, 65, 75, 85, 95, 100));
  // x1.5 rounds each step up: 1, 2 (1.5), 3, 5 (4.5), 8 (7.5): 1,3,6,11,19.
  EXPECT_THAT(CumulativeWaveTargets(Geometric(1, 1.5, {true, 100}), 19),
              ElementsAre(1, 3, 6, 11, 19));
  // A start larger than the largest step is cut to it.
  EXPECT_THAT(CumulativeWaveTargets(Geometric(5, 2, {false, 3}), 7),
              ElementsAre(3, 6, 7));
}

TEST(WaveSizesTest, LinearRampHasOneEvenWavePerStep) {
  // 14 days in 1 h steps is 336 steps; 1000 hosts -> 336 waves, wave k
  // brings the rollout to ceil(1000 k / 336): 3, 6, 9, 12, 15, 18, 21, 24,
  // 27, 30 (ceil(29.76)), 33 (ceil(32.74)), ...
  std::vector<size_t> sizes =
      CumulativeWaveTargets(Linear(absl::Hours(336), absl::Hours(1)), 1000);
  ASSERT_EQ(sizes.size(), 336u);
  EXPECT_EQ(sizes[0], 3u);
  EXPECT_EQ(sizes[9], 30u);
  EXPECT_EQ(sizes[10], 33u);
  EXPECT_EQ(sizes.back(), 1000u);
  // Fewer hosts than steps: one host a wave.
  EXPECT_THAT(
      CumulativeWaveTargets(Linear(absl::Hours(336), absl::Hours(1)), 4),
      ElementsAre(1, 2, 3, 4));
  // 10 h over 3 h steps is 4 steps (rounded up); 10 hosts: 3, 5, 8, 10.
  EXPECT_THAT(
      CumulativeWaveTargets(Linear(absl::Hours(10), absl::Hours(3)), 10),
      ElementsAre(3, 5, 8, 10));
}

TEST(WaveSizesTest, LinearWavesShareTheRampAndOthersUseTheBake) {
  Plan linear = Linear(absl::Hours(14 * 24), absl::Hours(1));
  EXPECT_EQ(WaveBake(linear, 336), absl::Hours(1));
  EXPECT_EQ(WaveBake(linear, 4), absl::Hours(84));  // 336 h / 4 waves
  EXPECT_EQ(EarliestFinish(linear, 4), absl::Hours(336));
  Plan list;
  list.bake = absl::Minutes(5);
  EXPECT_EQ(WaveBake(list, 4), absl::Minutes(5));
  EXPECT_EQ(EarliestFinish(list, 4), absl::Minutes(20));
}

TEST(WaveSizesTest, HostsOfRoundsPercentagesUp) {
  EXPECT_EQ(HostsOf({true, 7}, 100), 7u);  // not 8 from floating point
  EXPECT_EQ(HostsOf({true, 25}, 10), 3u);
  EXPECT_EQ(HostsOf({true, 0.5}, 10), 1u);
  EXPECT_EQ(HostsOf({false, 4}, 10), 4u);
}

}  // namespace
}  // namespace swell::controller
