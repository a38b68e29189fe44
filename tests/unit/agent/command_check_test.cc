#include "agent/collectors/command_check.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "agent/collectors/check_scheduler.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::WaitFor;
using ::testing::HasSubstr;

CheckSpec Check(const std::string& command, CheckParse parse) {
  CheckSpec spec;
  spec.name = "c";
  spec.command = command;
  spec.parse = parse;
  spec.timeout = absl::Seconds(20);
  return spec;
}

TEST(RunCheckTest, ExitParseIsOneWhenTheCommandSucceeds) {
  swell::v1::Sample s = RunCheck(Check("true", CheckParse::kExit), {});
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.value(), 1.0);
  EXPECT_EQ(s.name(), "c");
  EXPECT_GT(s.unix_ms(), 0);
}

TEST(RunCheckTest, ExitParseIsZeroWhenTheCommandFails) {
  swell::v1::Sample s =
      RunCheck(Check("sh -c 'exit 4'", CheckParse::kExit), {});
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.value(), 0.0);
}

TEST(RunCheckTest, NumberParseReadsTheLastLine) {
  swell::v1::Sample s =
      RunCheck(Check("sh -c 'echo warming up; echo \"  42.5 \"; echo'",
                     CheckParse::kNumber),
               {});
  EXPECT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s.value(), 42.5);
}

TEST(RunCheckTest, NumberParseWithoutANumberIsNotOk) {
  swell::v1::Sample s = RunCheck(Check("echo hello", CheckParse::kNumber), {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("not a number"));
  EXPECT_EQ(s.value(), 0.0);
  s = RunCheck(Check("true", CheckParse::kNumber), {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("no number"));
  s = RunCheck(Check("echo nan", CheckParse::kNumber), {});
  EXPECT_FALSE(s.ok());
}

TEST(RunCheckTest, NumberParseOfAFailingCommandIsNotOk) {
  swell::v1::Sample s =
      RunCheck(Check("sh -c 'echo 5; exit 2'", CheckParse::kNumber), {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("exit 2"));
}

TEST(RunCheckTest, CommandThatCannotStartIsNotOk) {
  for (CheckParse parse : {CheckParse::kExit, CheckParse::kNumber}) {
    swell::v1::Sample s = RunCheck(Check("swell-no-such-check", parse), {});
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(s.error(), HasSubstr("not found"));
  }
  EXPECT_FALSE(
      RunCheck(Check("echo 'unterminated", CheckParse::kExit), {}).ok());
}

TEST(RunCheckTest, TimedOutCommandIsNotOkEvenForExitParse) {
  CheckSpec spec = Check("sleep 30", CheckParse::kExit);
  spec.timeout = absl::Milliseconds(100);
  swell::v1::Sample s = RunCheck(spec, {});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.error(), HasSubstr("timed out"));
}

TEST(RunCheckTest, CommandSeesTheAgentsEnvironment) {
  swell::v1::Sample s =
      RunCheck(Check("sh -c 'echo $SWELL_TEST_N'", CheckParse::kNumber),
               {{"SWELL_TEST_N", "7"}});
  EXPECT_TRUE(s.ok()) << s.error();
  EXPECT_EQ(s.value(), 7.0);
}

TEST(CheckSchedulerTest, ChecksDueTogetherArriveAsOneBatch) {
  absl::Mutex mu;
  std::vector<std::vector<swell::v1::Sample>> batches;
  CheckSpec a = Check("echo 1", CheckParse::kNumber);
  a.name = "a";
  CheckSpec b = Check("false", CheckParse::kExit);
  b.name = "b";
  CheckScheduler scheduler({a, b}, {}, [&](std::vector<swell::v1::Sample> s) {
    absl::MutexLock lock(&mu);
    batches.push_back(std::move(s));
  });
  scheduler.Start();
  ASSERT_TRUE(WaitFor([&] {
    absl::MutexLock lock(&mu);
    return !batches.empty();
  }));
  scheduler.Stop();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(batches[0].size(), 2u);
  EXPECT_EQ(batches[0][0].name(), "a");
  EXPECT_EQ(batches[0][0].value(), 1.0);
  EXPECT_EQ(batches[0][1].name(), "b");
  EXPECT_EQ(batches[0][1].value(), 0.0);
}

TEST(CheckSchedulerTest, RunAllNowRunsEveryCheckBeforeItsInterval) {
  absl::Mutex mu;
  std::vector<std::vector<swell::v1::Sample>> batches;
  CheckSpec hourly = Check("echo 3", CheckParse::kNumber);
  hourly.name = "hourly";
  hourly.interval = absl::Hours(1);
  CheckScheduler scheduler({hourly}, {}, [&](std::vector<swell::v1::Sample> s) {
    absl::MutexLock lock(&mu);
    batches.push_back(std::move(s));
  });
  auto count = [&] {
    absl::MutexLock lock(&mu);
    return batches.size();
  };
  scheduler.Start();
  ASSERT_TRUE(WaitFor([&] { return count() == 1; }));  // the run at start
  scheduler.RunAllNow();
  ASSERT_TRUE(WaitFor([&] { return count() == 2; }))
      << "an hourly check ran again only after RunAllNow";
  scheduler.Stop();
  absl::MutexLock lock(&mu);
  ASSERT_EQ(batches[1].size(), 1u);
  EXPECT_EQ(batches[1][0].name(), "hourly");
  EXPECT_EQ(batches[1][0].value(), 3.0);
}

TEST(CheckSchedulerTest, RunAllNowSendsABatchEvenWithNothingToReport) {
  // A source that yields no sample (the Docker engine's, on a host without
  // a docker variable): the controller still learns the host was measured.
  class Empty final : public SampleSource {
   public:
    std::vector<swell::v1::Sample> Collect(const std::atomic<bool>&) override {
      return {};
    }
  };
  absl::Mutex mu;
  int batches = 0;
  CheckScheduler scheduler({}, {},
                           [&](std::vector<swell::v1::Sample> s) {
                             absl::MutexLock lock(&mu);
                             EXPECT_TRUE(s.empty());
                             ++batches;
                           },
                           {{std::make_shared<Empty>(), absl::Hours(1)}});
  scheduler.Start();
  scheduler.RunAllNow();
  ASSERT_TRUE(WaitFor([&] {
    absl::MutexLock lock(&mu);
    return batches == 1;
  }));
  scheduler.Stop();
}

TEST(CheckSchedulerTest, StopCancelsARunningCheck) {
  CheckSpec slow = Check("sleep 30", CheckParse::kExit);
  slow.timeout = absl::Seconds(60);
  int calls = 0;
  CheckScheduler scheduler({slow}, {},
                           [&](std::vector<swell::v1::Sample>) { ++calls; });
  scheduler.Start();
  const absl::Time start = absl::Now();
  scheduler.Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(25));
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace swell::agent
