// What one agent stream's messages wake: the reconciler ticks at once for an
// apply result or a changed actual value, and not for a resync that reports
// what it already knows.

#include "controller/service/agent_messages.h"

#include <array>
#include <atomic>

#include "common/value.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"

namespace swell::controller {
namespace {

class AgentMessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    swell::v1::AgentMessage hello;
    hello.mutable_hello()->set_host_id("h1");
    ASSERT_TRUE(handler_.Handle(hello).ok());
  }

  // An actual report of app-config: `value`, or a read error when `error`
  // is set.
  absl::Status Report(std::string value, std::string error = "") {
    swell::v1::AgentMessage m;
    swell::v1::ActualVariable* v = m.mutable_actual()->add_actual();
    v->set_name("app-config");
    if (error.empty()) {
      *v->mutable_value() = common::PresentValue(value);
    } else {
      v->set_error(error);
    }
    return handler_.Handle(m);
  }

  testing::FakeClock clock_;
  AgentTracker tracker_{clock_.Now()};
  HealthWindow health_;
  std::atomic<uint64_t> health_reports_{0};
  std::array<std::atomic<uint64_t>, kSampleRefusalCount> refused_{};
  int wakes_ = 0;
  AgentMessageHandler handler_{
      AgentMessageTargets{&tracker_,
                          &health_,
                          &clock_,
                          &health_reports_,
                          &refused_,
                          {},
                          [](const swell::v1::Hello&) {},
                          [this] { ++wakes_; }}};
};

TEST_F(AgentMessagesTest, AResyncReportingNothingNewDoesNotWake) {
  ASSERT_TRUE(Report("workers = 4").ok());
  EXPECT_EQ(wakes_, 1);  // first seen

  clock_.Advance(absl::Seconds(30));
  ASSERT_TRUE(Report("workers = 4").ok());
  EXPECT_EQ(wakes_, 1);
  // The report was taken: the agent was heard at its arrival.
  EXPECT_EQ(tracker_.LastHeard("h1"), clock_.Now());

  ASSERT_TRUE(Report("workers = 8").ok());
  EXPECT_EQ(wakes_, 2);
  EXPECT_EQ(tracker_.Actual("h1", "app-config")->data(), "workers = 8");
}

TEST_F(AgentMessagesTest, AReadErrorWakesWhenItAppearsOrChanges) {
  ASSERT_TRUE(Report("workers = 4").ok());
  ASSERT_TRUE(Report("", "permission denied").ok());
  EXPECT_EQ(wakes_, 2);
  ASSERT_TRUE(Report("", "permission denied").ok());
  EXPECT_EQ(wakes_, 2);
  EXPECT_EQ(tracker_.ActualError("h1", "app-config"), "permission denied");
  ASSERT_TRUE(Report("", "no such file").ok());
  EXPECT_EQ(wakes_, 3);
  ASSERT_TRUE(Report("workers = 4").ok());  // readable again, same value
  EXPECT_EQ(wakes_, 4);
  EXPECT_EQ(tracker_.ActualError("h1", "app-config"), "");
}

TEST_F(AgentMessagesTest, EveryApplyResultWakes) {
  swell::v1::AgentMessage m;
  m.mutable_apply_result()->set_variable("app-config");
  m.mutable_apply_result()->set_generation(1);
  m.mutable_apply_result()->set_ok(true);
  ASSERT_TRUE(handler_.Handle(m).ok());
  ASSERT_TRUE(handler_.Handle(m).ok());
  EXPECT_EQ(wakes_, 2);
}

}  // namespace
}  // namespace swell::controller
