// The Mann-Whitney U test against values computed by hand.

#include "controller/gate/mann_whitney.h"

#include "gtest/gtest.h"

namespace swell::controller {
namespace {

TEST(MannWhitneyTest, TiedRanksAreAveragedAndTheVarianceCorrected) {
  // x = {3, 5, 6, 8}, y = {1, 2, 3, 4}. Together, sorted:
  //   1y 2y 3x 3y 4y 5x 6x 8x  ->  ranks 1 2 3.5 3.5 5 6 7 8
  // R_x = 3.5 + 6 + 7 + 8 = 24.5; U = 24.5 - 4*5/2 = 14.5
  //   (pairs with x > y: 2 + 4 + 4 + 4 = 14, plus half the one tie).
  // mu = 4*4/2 = 8. One tie group of 2: sum(t^3 - t) = 6.
  // sigma^2 = 16/12 * ((8 + 1) - 6 / (8*7)) = 11.857142857
  // z = (|14.5 - 8| - 0.5) / sqrt(11.857142857) = 6 / 3.443420227
  //   = 1.742453609;  p = erfc(z / sqrt 2) = 0.081429102
  MannWhitney t = MannWhitneyU({3, 5, 6, 8}, {1, 2, 3, 4});
  EXPECT_DOUBLE_EQ(t.u, 14.5);
  EXPECT_NEAR(t.z, 1.742453609, 1e-8);
  EXPECT_NEAR(t.p, 0.081429102, 1e-8);
}

TEST(MannWhitneyTest, SeparatedSamplesGiveASmallP) {
  // x = 10..19, y = 0..9: every x is above every y, so U = 10*10 = 100.
  // mu = 50, no ties: sigma^2 = 100/12 * 21 = 175, sigma = 13.228756555
  // z = (50 - 0.5) / 13.228756555 = 3.741848283; p = 0.000182672
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(10 + i);
    y.push_back(i);
  }
  MannWhitney t = MannWhitneyU(x, y);
  EXPECT_DOUBLE_EQ(t.u, 100);
  EXPECT_NEAR(t.z, 3.741848283, 1e-8);
  EXPECT_NEAR(t.p, 0.000182672, 1e-8);
  // Swapped, the shift is the other way and p the same.
  MannWhitney back = MannWhitneyU(y, x);
  EXPECT_DOUBLE_EQ(back.u, 0);
  EXPECT_NEAR(back.z, -3.741848283, 1e-8);
  EXPECT_NEAR(back.p, t.p, 1e-12);
}

TEST(MannWhitneyTest, AllTiedIsNoEvidence) {
  // Every value is 5: U = 4.5 (half of 9 pairs), no variance.
  MannWhitney t = MannWhitneyU({5, 5, 5}, {5, 5, 5});
  EXPECT_DOUBLE_EQ(t.u, 4.5);
  EXPECT_EQ(t.z, 0);
  EXPECT_EQ(t.p, 1);
}

TEST(MannWhitneyTest, ADifferenceWithinTheContinuityCorrectionIsZero) {
  // x = {1, 3}, y = {2}: U = 1 (3 > 2), mu = 1: no shift at all.
  MannWhitney t = MannWhitneyU({1, 3}, {2});
  EXPECT_DOUBLE_EQ(t.u, 1);
  EXPECT_EQ(t.z, 0);
  EXPECT_EQ(t.p, 1);
}

}  // namespace
}  // namespace swell::controller
