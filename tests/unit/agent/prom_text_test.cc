#include "agent/collectors/prom_text.h"

#include <cmath>

#include "gtest/gtest.h"

namespace swell::agent {
namespace {

TEST(PromTextTest, SkipsCommentsHelpAndTypeLines) {
  absl::StatusOr<std::vector<PromSeries>> series = ParsePromText(
      "# HELP node_load1 1m load average.\n"
      "# TYPE node_load1 gauge\n"
      "\n"
      "# just a comment\n"
      "node_load1 0.42\n");
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 1u);
  EXPECT_EQ((*series)[0].name, "node_load1");
  EXPECT_TRUE((*series)[0].labels.empty());
  EXPECT_DOUBLE_EQ((*series)[0].value, 0.42);
  EXPECT_FALSE((*series)[0].timestamp_ms.has_value());
}

TEST(PromTextTest, UnescapesLabelValues) {
  absl::StatusOr<std::vector<PromSeries>> series = ParsePromText(
      "msg_total{path=\"C:\\\\dir\",quote=\"say \\\"hi\\\"\","
      "nl=\"a\\nb\",} 3\n");
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 1u);
  const auto& labels = (*series)[0].labels;
  EXPECT_EQ(labels.at("path"), "C:\\dir");
  EXPECT_EQ(labels.at("quote"), "say \"hi\"");
  EXPECT_EQ(labels.at("nl"), "a\nb");
}

TEST(PromTextTest, BracesInsideQuotedValuesDoNotEndTheLabels) {
  absl::StatusOr<std::vector<PromSeries>> series =
      ParsePromText("x{a=\"}{ 1\"} 7\n");
  ASSERT_TRUE(series.ok()) << series.status();
  EXPECT_EQ((*series)[0].labels.at("a"), "}{ 1");
  EXPECT_DOUBLE_EQ((*series)[0].value, 7);
}

TEST(PromTextTest, ReadsNaNInfinitiesExponentsAndTimestamps) {
  absl::StatusOr<std::vector<PromSeries>> series = ParsePromText(
      "a NaN\n"
      "b +Inf\n"
      "c -Inf 1700000000000\n"
      "d 1.5e3\r\n");
  ASSERT_TRUE(series.ok()) << series.status();
  ASSERT_EQ(series->size(), 4u);
  EXPECT_TRUE(std::isnan((*series)[0].value));
  EXPECT_TRUE(std::isinf((*series)[1].value) && (*series)[1].value > 0);
  EXPECT_TRUE(std::isinf((*series)[2].value) && (*series)[2].value < 0);
  EXPECT_EQ((*series)[2].timestamp_ms, 1700000000000);
  EXPECT_DOUBLE_EQ((*series)[3].value, 1500);
}

TEST(PromTextTest, OneBadLineFailsTheScrapeNamingTheLine) {
  for (const char* bad :
       {"ok 1\nbroken{a=\"x} 1\n", "ok 1\nnovalue\n", "ok 1\nx nan\n",
        "ok 1\nx 1 2 3\n", "ok 1\nx{a=\"\\q\"} 1\n", "ok 1\nx 1 soon\n"}) {
    absl::StatusOr<std::vector<PromSeries>> series = ParsePromText(bad);
    ASSERT_FALSE(series.ok()) << bad;
    EXPECT_NE(series.status().message().find("line 2"), std::string::npos)
        << series.status();
  }
}

TEST(PromTextTest, SumsTheSeriesWhoseLabelsIncludeTheMatchers) {
  absl::StatusOr<std::vector<PromSeries>> series = ParsePromText(
      "cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 10\n"
      "cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 5\n"
      "cpu_seconds_total{cpu=\"0\",mode=\"user\"} 100\n"
      "other{mode=\"idle\"} 1000\n");
  ASSERT_TRUE(series.ok()) << series.status();
  absl::StatusOr<double> idle =
      SumMatching(*series, {"cpu_seconds_total", {{"mode", "idle"}}});
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_DOUBLE_EQ(*idle, 15);
  absl::StatusOr<double> all = SumMatching(*series, {"cpu_seconds_total", {}});
  ASSERT_TRUE(all.ok());
  EXPECT_DOUBLE_EQ(*all, 115);
}

TEST(PromTextTest, NoMatchingSeriesIsNotFoundRatherThanZero) {
  absl::StatusOr<std::vector<PromSeries>> series =
      ParsePromText("up{job=\"a\"} 1\n");
  ASSERT_TRUE(series.ok());
  EXPECT_TRUE(
      absl::IsNotFound(SumMatching(*series, {"up", {{"job", "b"}}}).status()));
  EXPECT_TRUE(absl::IsNotFound(SumMatching(*series, {"down", {}}).status()));
}

TEST(PromTextTest, MetricNames) {
  EXPECT_TRUE(IsPromMetricName("node_load1"));
  EXPECT_TRUE(IsPromMetricName(":a_b:c"));
  EXPECT_FALSE(IsPromMetricName(""));
  EXPECT_FALSE(IsPromMetricName("1abc"));
  EXPECT_FALSE(IsPromMetricName("a-b"));
}

}  // namespace
}  // namespace swell::agent
