// The reconciler's duration histograms and gate verdict counts: what a
// scrape reads is what was observed, bucket by bucket.

#include "common/duration_histogram.h"

#include "controller/reconciler_stats.h"
#include "gtest/gtest.h"

namespace swell {
namespace {

using common::DurationHistogram;

TEST(DurationHistogramTest, EachObservationLandsInTheFirstBucketItFits) {
  DurationHistogram h;
  h.Observe(absl::Microseconds(500));   // <= 1 ms
  h.Observe(absl::Milliseconds(1));     // a bound is inclusive: <= 1 ms
  h.Observe(absl::Milliseconds(3));     // <= 5 ms
  h.Observe(absl::Milliseconds(1001));  // <= 2.5 s
  h.Observe(absl::Seconds(7));          // above every bound
  const DurationHistogram::Reading r = h.Read();
  EXPECT_EQ(r.count, 5u);
  EXPECT_EQ(r.counts[0], 2u);
  EXPECT_EQ(r.counts[1], 0u);
  EXPECT_EQ(r.counts[2], 1u);
  EXPECT_EQ(r.counts[10], 1u);
  EXPECT_EQ(r.counts[12], 1u);
  EXPECT_DOUBLE_EQ(r.sum_seconds, 0.0005 + 0.001 + 0.003 + 1.001 + 7);
}

TEST(DurationHistogramTest, ATimerObservesOnceWhenItEnds) {
  DurationHistogram h;
  { DurationHistogram::Timer t(&h); }
  EXPECT_EQ(h.Read().count, 1u);
  EXPECT_GE(h.Read().sum_seconds, 0);
}

TEST(GateVerdictCountsTest, VerdictsAreCountedByResultAndDryRun) {
  controller::GateVerdictCounts counts;
  counts.Add("fail", false);
  counts.Add("fail", true);
  counts.Add("fail", true);
  counts.Add("inconclusive", false);
  using controller::GateResult;
  EXPECT_EQ(counts.Get(GateResult::kFail, false), 1u);
  EXPECT_EQ(counts.Get(GateResult::kFail, true), 2u);
  EXPECT_EQ(counts.Get(GateResult::kInconclusive, false), 1u);
  EXPECT_EQ(counts.Get(GateResult::kPass, false), 0u);
  EXPECT_EQ(counts.Get(GateResult::kPass, true), 0u);
}

}  // namespace
}  // namespace swell
