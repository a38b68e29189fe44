#include "agent/backoff.h"

#include "gtest/gtest.h"

namespace swell::agent {
namespace {

TEST(BackoffTest, CeilingDoublesUpToTheCapWithFullJitter) {
  Backoff top(absl::Milliseconds(200), absl::Seconds(15), [] { return 1.0; });
  EXPECT_EQ(top.Next(), absl::Milliseconds(200));
  EXPECT_EQ(top.Next(), absl::Milliseconds(400));
  EXPECT_EQ(top.Next(), absl::Milliseconds(800));
  for (int i = 0; i < 10; ++i) top.Next();
  EXPECT_EQ(top.Next(), absl::Seconds(15));

  Backoff half(absl::Milliseconds(200), absl::Seconds(15), [] { return 0.5; });
  EXPECT_EQ(half.Next(), absl::Milliseconds(100));
  EXPECT_EQ(half.Next(), absl::Milliseconds(200));
}

TEST(BackoffTest, ResetStartsOverFromTheInitialDelay) {
  Backoff b(absl::Milliseconds(200), absl::Seconds(15), [] { return 1.0; });
  for (int i = 0; i < 5; ++i) b.Next();
  b.Reset();
  EXPECT_EQ(b.Next(), absl::Milliseconds(200));
}

TEST(BackoffTest, RandomJitterStaysWithinTheCeiling) {
  Backoff b(absl::Milliseconds(200), absl::Seconds(1));
  for (int i = 0; i < 100; ++i) {
    absl::Duration d = b.Next();
    EXPECT_GE(d, absl::ZeroDuration());
    EXPECT_LE(d, absl::Seconds(1));
  }
}

}  // namespace
}  // namespace swell::agent
