// When an agent's silence starts to count after the controller loads its
// model: not while most of the watched fleet is still away, nor while the
// last of it is still saying hello; and never later than the limits.

#include "controller/rollout/reconnect_window.h"

#include "controller/service/agent_tracker.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

constexpr absl::Duration kReconnect = absl::Seconds(5);
constexpr absl::Duration kGrace = absl::Seconds(30);

class ReconnectWindowTest : public ::testing::Test {
 protected:
  void SetUp() override { window_.Open(loaded_, kReconnect, kGrace); }

  // A tick `after` the load that heard no hello.
  void Quiet(absl::Duration after, int connected, int watched = 100) {
    window_.Note(loaded_ + after, false, {watched, connected});
  }
  absl::Duration BackBy() const { return window_.back_by() - loaded_; }

  const absl::Time loaded_ = absl::FromUnixSeconds(1'000'000);
  ReconnectWindow window_;
};

TEST_F(ReconnectWindowTest, AFleetThatIsBackAtOnceClosesItAfterOneBackoff) {
  Quiet(absl::Seconds(1), 100);
  Quiet(absl::Seconds(4), 100);
  EXPECT_EQ(BackBy(), kReconnect);
  EXPECT_FALSE(window_.NeedsCount());
}

// The handshakes of a whole fleet finish together, long after any one
// agent's backoff: no hello for 11 s, and the window is still open then.
TEST_F(ReconnectWindowTest, NoHelloYetWhileMostOfTheFleetIsAwayKeepsItOpen) {
  for (int s = 1; s <= 11; ++s) Quiet(absl::Seconds(s), 0);
  EXPECT_EQ(BackBy(), absl::Seconds(16));
  EXPECT_TRUE(window_.NeedsCount());

  // 90 of 100 are back at 12 s: the rest have a backoff from the last
  // tick that found the fleet away.
  Quiet(absl::Seconds(12), 90);
  EXPECT_FALSE(window_.NeedsCount());
  EXPECT_EQ(BackBy(), absl::Seconds(16));
  Quiet(absl::Seconds(13), 0);  // no longer counted
  EXPECT_EQ(BackBy(), absl::Seconds(16));
}

TEST_F(ReconnectWindowTest, HellosStillArrivingAfterMostAreBackKeepItOpen) {
  Quiet(absl::Seconds(1), 95);
  window_.Note(loaded_ + absl::Seconds(8), true, {});
  window_.Note(loaded_ + absl::Seconds(12), true, {});
  EXPECT_EQ(BackBy(), absl::Seconds(17));
  // A hello long after the window closed does not reopen it.
  window_.Note(loaded_ + absl::Seconds(25), true, {});
  EXPECT_EQ(BackBy(), absl::Seconds(17));
}

TEST_F(ReconnectWindowTest, HellosKeepItOpenForAtMostTheGrace) {
  Quiet(absl::Seconds(1), 95);
  for (int s = 4; s <= 60; s += 4) {
    window_.Note(loaded_ + absl::Seconds(s), true, {});
  }
  EXPECT_EQ(BackBy(), kReconnect + kGrace);
}

// Hosts that died with the controller are waited for a minute at most.
TEST_F(ReconnectWindowTest, AFleetThatNeverComesBackIsWaitedForAtMostTheLimit) {
  for (int s = 1; s <= 120; ++s) Quiet(absl::Seconds(s), 10);
  EXPECT_EQ(BackBy(), kReconnect + kFleetReturnLimit);
}

TEST_F(ReconnectWindowTest, NothingWatchedIsAFleetThatIsBack) {
  Quiet(absl::Seconds(1), 0, 0);
  EXPECT_FALSE(window_.NeedsCount());
  EXPECT_EQ(BackBy(), kReconnect);
}

TEST(CountWatchedAgentsTest, CountsAdmittedHostsOfActiveRolloutsOnly) {
  Fleet fleet;
  auto add = [&](const std::string& rollout, RolloutState state,
                 std::map<std::string, HostState> hosts) {
    RolloutRecord& rec = fleet.rollouts[rollout];
    rec.rollout.id = rollout;
    rec.rollout.state = state;
    for (const auto& [host, s] : hosts) {
      rec.hosts[host].host_id = host;
      rec.hosts[host].state = s;
    }
  };
  add("r-1", RolloutState::kRunning,
      {{"a", HostState::kWaiting},
       {"b", HostState::kAdmitting},
       {"c", HostState::kApplying},
       {"d", HostState::kConverged},
       {"e", HostState::kFailed},
       {"f", HostState::kRollingBack},
       {"g", HostState::kRolledBack}});
  add("r-2", RolloutState::kSucceeded, {{"h", HostState::kConverged}});

  AgentTracker agents(absl::UnixEpoch());
  for (const char* id : {"a", "b", "d", "h"}) {
    swell::v1::Hello hello;
    hello.set_host_id(id);
    agents.Connected(hello, absl::UnixEpoch());
  }
  const WatchedAgents w = CountWatchedAgents(fleet, agents);
  EXPECT_EQ(w.watched, 4);    // b, c, d, f
  EXPECT_EQ(w.connected, 2);  // b, d
}

}  // namespace
}  // namespace swell::controller
