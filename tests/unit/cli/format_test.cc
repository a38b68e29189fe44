#include "cli/format.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

TEST(ShortDurationTest, UsesAtMostTwoUnitsAndTruncates) {
  EXPECT_EQ(ShortDuration(absl::ZeroDuration()), "0s");
  EXPECT_EQ(ShortDuration(absl::Milliseconds(850)), "850ms");
  EXPECT_EQ(ShortDuration(absl::Milliseconds(1999)), "1s");
  EXPECT_EQ(ShortDuration(absl::Seconds(45)), "45s");
  EXPECT_EQ(ShortDuration(absl::Seconds(192)), "3m12s");
  EXPECT_EQ(ShortDuration(absl::Minutes(3)), "3m");
  EXPECT_EQ(
      ShortDuration(absl::Hours(1) + absl::Minutes(2) + absl::Seconds(59)),
      "1h2m");
  EXPECT_EQ(ShortDuration(absl::Hours(5)), "5h");
  EXPECT_EQ(ShortDuration(absl::Hours(51) + absl::Minutes(30)), "2d3h");
  EXPECT_EQ(ShortDuration(absl::Hours(14 * 24)), "14d");
}

TEST(ShortDurationTest, MarksNegativeAndInfiniteDurations) {
  EXPECT_EQ(ShortDuration(-absl::Seconds(90)), "-1m30s");
  EXPECT_EQ(ShortDuration(absl::InfiniteDuration()), "forever");
}

TEST(FormatAgeTest, MeasuresFromNowAndTreatsZeroAsUnknown) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  const int64_t then = absl::ToUnixMillis(now - absl::Seconds(192));
  EXPECT_EQ(FormatAge(then, now), "3m12s");
  EXPECT_EQ(FormatAge(0, now), "-");
}

TEST(FormatAgeTest, ClampsFutureTimesFromClockSkewToZero) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_EQ(FormatAge(absl::ToUnixMillis(now + absl::Seconds(5)), now), "0s");
}

TEST(FormatRelativeTest, SaysInForTheFutureAndAgoForThePast) {
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  EXPECT_EQ(FormatRelative(absl::ToUnixMillis(now + absl::Minutes(2)), now),
            "in 2m");
  EXPECT_EQ(FormatRelative(absl::ToUnixMillis(now - absl::Seconds(12)), now),
            "12s ago");
  EXPECT_EQ(FormatRelative(-1, now), "-");
}

TEST(ProgressBarTest, ShowsEachGroupInProportion) {
  // 4 converged, 2 failed, 2 applying, 2 waiting of 10, on 10 cells.
  EXPECT_EQ(ProgressBar(4, 2, 8, 10, 10), "[####!!~~..]");
}

TEST(ProgressBarTest, IsFullWhenEveryHostConverged) {
  EXPECT_EQ(ProgressBar(20, 0, 20, 20, 8), "[########]");
}

TEST(ProgressBarTest, IsEmptyForAWaveNotYetAdmittedOrWithoutHosts) {
  EXPECT_EQ(ProgressBar(0, 0, 0, 50, 5), "[.....]");
  EXPECT_EQ(ProgressBar(0, 0, 0, 0, 5), "[.....]");
}

TEST(ProgressBarTest, KeepsOneFailedHostVisibleInAHugeWave) {
  const std::string bar = ProgressBar(9000, 1, 9001, 10000, 20);
  EXPECT_EQ(bar.size(), 22u);
  EXPECT_NE(bar.find('!'), std::string::npos) << bar;
}

TEST(ProgressBarTest, AlwaysHasExactlyWidthCellsEvenForInconsistentCounts) {
  for (int width : {1, 7, 30}) {
    EXPECT_EQ(ProgressBar(5, 9, 3, 4, width).size(),
              static_cast<size_t>(width) + 2);
    EXPECT_EQ(ProgressBar(-1, 0, 2, 100, width).size(),
              static_cast<size_t>(width) + 2);
  }
}

TEST(PluralTest, PicksTheFormByCount) {
  EXPECT_EQ(Plural(1, "host", "hosts"), "1 host");
  EXPECT_EQ(Plural(0, "host", "hosts"), "0 hosts");
  EXPECT_EQ(Plural(3, "host", "hosts"), "3 hosts");
}

TEST(WrapListTest, BreaksBetweenItemsAndIndentsContinuationLines) {
  const std::vector<std::string> lines =
      WrapList({"web-01", "web-02", "web-03", "db-01", "db-02"}, 20, 4);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "web-01, web-02,");
  EXPECT_EQ(lines[1], "    web-03, db-01,");
  EXPECT_EQ(lines[2], "    db-02");
}

TEST(WrapListTest, GivesAnItemWiderThanTheLineALineOfItsOwn) {
  const std::vector<std::string> lines =
      WrapList({"a", "a-very-long-host-name", "b"}, 8, 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "a-very-long-host-name,");
}

TEST(WrapListTest, ReturnsNoLinesForNoItems) {
  EXPECT_TRUE(WrapList({}, 80, 2).empty());
}

TEST(OneLineTest, JoinsLinesWithSemicolonsAndDropsBlankOnes) {
  EXPECT_EQ(OneLine("failed to connect\n  last error: refused\n\n"),
            "failed to connect; last error: refused");
  EXPECT_EQ(OneLine("plain"), "plain");
}

TEST(TableTest, AlignsColumnsAndDoesNotPadTheLastOne) {
  Table table({"ID", "STATE", "AGE"});
  table.AddRow({"r-1", "running", "3m"});
  table.AddRow({"r-22", "rolled_back", "2d3h"});
  EXPECT_EQ(table.Render(),
            "ID    STATE        AGE\n"
            "r-1   running      3m\n"
            "r-22  rolled_back  2d3h\n");
}

TEST(TableTest, PadsShortRowsAndAlignsMultiByteText) {
  Table table({"HOST", "SITE"});
  table.AddRow({"hôte-1", "ams1"});
  table.AddRow({"h2"});
  EXPECT_EQ(table.Render(),
            "HOST    SITE\n"
            "hôte-1  ams1\n"
            "h2\n");
}

}  // namespace
}  // namespace swell::cli
