#include "cli/failover.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

using ::testing::ElementsAre;

TEST(FailoverTest, ClassifiesASentAttemptByItsCodeAndTheLeaderTrailer) {
  using absl::StatusCode;
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kOk, false), AttemptEnd::kAnswered);
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kFailedPrecondition, false),
            AttemptEnd::kAnswered);
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kUnavailable, true),
            AttemptEnd::kNotLeader);
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kUnavailable, false),
            AttemptEnd::kUnavailableAfterSend);
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kDeadlineExceeded, false),
            AttemptEnd::kTimedOut);
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kAborted, false),
            AttemptEnd::kAborted);
  // The trailer means something only with UNAVAILABLE.
  EXPECT_EQ(ClassifySentAttempt(StatusCode::kNotFound, true),
            AttemptEnd::kAnswered);
}

// The whole table: a change goes on only when it certainly was not
// applied; a read after any UNAVAILABLE too.
TEST(FailoverTest, AChangeIsSentAgainOnlyWhenItCertainlyWasNotApplied) {
  struct Row {
    AttemptEnd end;
    bool read_goes_on;
    bool change_goes_on;
    bool change_may_have_been_applied;
  };
  for (const Row& row : {
           Row{AttemptEnd::kAnswered, false, false, false},
           Row{AttemptEnd::kNotConnected, true, true, false},
           Row{AttemptEnd::kNotLeader, true, true, false},
           Row{AttemptEnd::kAborted, true, true, false},
           Row{AttemptEnd::kOutOfTime, false, false, false},
           Row{AttemptEnd::kUnavailableAfterSend, true, false, true},
           Row{AttemptEnd::kTimedOut, false, false, true},
       }) {
    SCOPED_TRACE(static_cast<int>(row.end));
    EXPECT_EQ(TryNextAddress(CallKind::kRead, row.end), row.read_goes_on);
    EXPECT_EQ(TryNextAddress(CallKind::kChange, row.end), row.change_goes_on);
    EXPECT_EQ(MayHaveBeenApplied(CallKind::kChange, row.end),
              row.change_may_have_been_applied);
    EXPECT_FALSE(MayHaveBeenApplied(CallKind::kRead, row.end));
  }
}

TEST(FailoverTest, PausesDoubleUpToTheCapWithFullJitter) {
  const absl::Duration initial = absl::Milliseconds(100);
  const absl::Duration max = absl::Seconds(1);
  // The ceiling: 100ms, 200ms, 400ms, 800ms, then 1s for good.
  const std::vector<absl::Duration> ceilings = {
      absl::Milliseconds(100), absl::Milliseconds(200), absl::Milliseconds(400),
      absl::Milliseconds(800), absl::Seconds(1),        absl::Seconds(1)};
  for (size_t i = 0; i < ceilings.size(); ++i) {
    const int pass = static_cast<int>(i) + 1;
    EXPECT_EQ(PauseBeforePass(pass, initial, max, 0.0), absl::ZeroDuration());
    EXPECT_EQ(PauseBeforePass(pass, initial, max, 0.5), ceilings[i] / 2)
        << "pass " << pass;
    EXPECT_LT(PauseBeforePass(pass, initial, max, 0.999999), ceilings[i]);
  }
  EXPECT_EQ(PauseBeforePass(1000, initial, max, 0.5), absl::Milliseconds(500));
}

TEST(FailoverTest, APassStartsAtTheAddressThatAnsweredLastAndWraps) {
  EXPECT_THAT(PassOrder(3, 0), ElementsAre(0, 1, 2));
  EXPECT_THAT(PassOrder(3, 2), ElementsAre(2, 0, 1));
  EXPECT_THAT(PassOrder(1, 0), ElementsAre(0));
}

TEST(FailoverTest, TheNamedLeaderIsAskedNextButNeverTwiceInAPass) {
  std::vector<size_t> order = {0, 1, 2, 3};
  MoveUpInPass(&order, 1, 3);  // 0 named 3
  EXPECT_THAT(order, ElementsAre(0, 3, 1, 2));
  MoveUpInPass(&order, 2, 0);  // 3 named 0, already asked
  EXPECT_THAT(order, ElementsAre(0, 3, 1, 2));
  MoveUpInPass(&order, 4, 1);  // the pass is over
  EXPECT_THAT(order, ElementsAre(0, 3, 1, 2));
}

}  // namespace
}  // namespace swell::cli
