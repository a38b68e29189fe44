#include "cli/watch_view.h"

#include "absl/time/time.h"
#include "cli/exit_code.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/cli/rollout_fixtures.h"

namespace swell::cli {
namespace {

using ::testing::HasSubstr;
using testing::kNowUnixMs;
using ::testing::Optional;

const absl::Time kNow = absl::FromUnixMillis(kNowUnixMs);

TEST(WatchExitCodeTest, EndsOnTerminalAndStoppedStatesOnly) {
  EXPECT_THAT(WatchExitCode("succeeded"), Optional(kExitOk));
  EXPECT_THAT(WatchExitCode("rolled_back"), Optional(kExitFailure));
  EXPECT_THAT(WatchExitCode("halted"), Optional(kExitStopped));
  EXPECT_THAT(WatchExitCode("paused"), Optional(kExitStopped));
  EXPECT_EQ(WatchExitCode("running"), std::nullopt);
  EXPECT_EQ(WatchExitCode("rolling_back"), std::nullopt);
  EXPECT_EQ(WatchExitCode("pending"), std::nullopt);
}

TEST(WatchProgressLineTest, SummarisesTheCurrentWaveAndTheTotal) {
  EXPECT_EQ(WatchProgressLine(testing::RunningRollout()),
            "running wave 2/4 baking: wave 4/5 converged, 1 failed; total "
            "5/6/20, 1 failed");
}

TEST(WatchProgressLineTest, IgnoresTheClockButNotProgress) {
  v1::RolloutStatus status = testing::RunningRollout();
  const std::string before = WatchProgressLine(status);
  status.mutable_summary()->set_updated_unix_ms(kNowUnixMs);
  status.mutable_waves(1)->set_bake_ends_unix_ms(kNowUnixMs + 1);
  EXPECT_EQ(WatchProgressLine(status), before);
  status.mutable_waves(1)->set_converged(5);
  EXPECT_NE(WatchProgressLine(status), before);
}

TEST(RenderWatchFrameTest, DrawsOneBarPerWave) {
  const std::string frame =
      RenderWatchFrame(testing::RunningRollout(), kNow, 80);
  EXPECT_THAT(frame, HasSubstr("r-0000002a  app-workers-8  (app-config)  "
                               "running, wave 2/4 baking\n"));
  EXPECT_THAT(frame, HasSubstr("wave 1  [####################]  1/1  done"));
  EXPECT_THAT(frame, HasSubstr("wave 2  [################!!!!]  4/5  baking, "
                               "bake ends in 2m  1 failed"));
  EXPECT_THAT(frame, HasSubstr("wave 4  [....................]  0/9  "
                               "waiting"));
  EXPECT_THAT(frame, HasSubstr("latest verdicts:\n"));
  EXPECT_THAT(frame, HasSubstr("wave 2 gate app-healthy INCONCLUSIVE: 2 of "
                               "5 hosts have no app_healthy sample yet"));
}

TEST(VerdictKeyTest, IdentifiesTheGateOfAWaveWhateverTheTime) {
  v1::GateVerdictRecord a = testing::RunningRollout().verdicts(1);
  v1::GateVerdictRecord b = a;
  b.set_at_unix_ms(a.at_unix_ms() + 1000);
  b.set_verdict("pass");
  EXPECT_EQ(VerdictKey(a), VerdictKey(b));
  b.set_wave(2);
  EXPECT_NE(VerdictKey(a), VerdictKey(b));
}

}  // namespace
}  // namespace swell::cli
