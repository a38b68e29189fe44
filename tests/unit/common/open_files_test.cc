#include "common/open_files.h"

#include <sys/resource.h>

#include "gtest/gtest.h"

namespace swell::common {
namespace {

TEST(OpenFilesTest, RaisesTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  // Start from a lowered soft limit, so that raising it is seen.
  rlimit lowered = before;
  lowered.rlim_cur = std::min<rlim_t>(before.rlim_max, 256);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);

  absl::StatusOr<OpenFileLimit> limit = RaiseOpenFileLimit();
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ(limit->soft, limit->hard);
  EXPECT_EQ(limit->hard, static_cast<uint64_t>(before.rlim_max));
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, before.rlim_max);
}

TEST(OpenFilesTest, AgentStreamsLeaveTheReserveFree) {
  EXPECT_EQ(AgentStreamCapacity({20000, 20000}), 20000u - 512u);
  EXPECT_EQ(AgentStreamCapacity({20000, 20000}, 1000), 19000u);
  // Never none: a tiny limit still serves one agent.
  EXPECT_EQ(AgentStreamCapacity({100, 100}), 1u);
  EXPECT_EQ(AgentStreamCapacity({513, 4096}), 1u);
  EXPECT_EQ(AgentStreamCapacity({514, 4096}), 2u);
}

}  // namespace
}  // namespace swell::common
