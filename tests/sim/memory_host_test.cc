// A simulated host's protocol, without a network or a clock of its own:
// what it sends for each desired state, as agent/enforcer.cc does.

#include "tests/sim/memory_host.h"

#include <string>

#include "common/value.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/fake_sink.h"

namespace swell::sim {
namespace {

using ::swell::agent::testing::FakeSink;

constexpr char kStart[] = "workers = 4\n";
constexpr char kNew[] = "workers = 8\n";
constexpr char kBad[] = "workers = 0\n";
const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

swell::v1::DesiredState Desired(int64_t generation, const std::string& value,
                                bool enforce = true) {
  swell::v1::DesiredState s;
  s.set_host_id("h1");
  s.set_generation(generation);
  swell::v1::DesiredVariable* v = s.add_variables();
  v->mutable_spec()->set_name("app-config");
  v->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
  v->set_enforce(enforce);
  *v->mutable_value() = common::PresentValue(value);
  return s;
}

class MemoryHostTest : public ::testing::Test {
 protected:
  MemoryHost Host(HostFaults faults = {}) {
    return MemoryHost("h1", {{"app-config", common::PresentValue(kStart)}},
                      faults, &behaviour_, &counters_);
  }
  std::vector<double> AppHealthy() const {
    std::vector<double> out;
    for (const auto& s : sink_.Samples()) {
      if (s.name() == "app_healthy") out.push_back(s.value());
    }
    return out;
  }

  AgentBehaviour behaviour_;  // apply_delay 100ms
  FleetCounters counters_;
  FakeSink sink_;
};

TEST_F(MemoryHostTest, AnApplyTakesItsDelayAndItsOutcomeIsSaidOncePerLink) {
  MemoryHost host = Host();
  ASSERT_EQ(host.Offer(Desired(1, kNew), kT0), kT0 + absl::Milliseconds(100));
  EXPECT_EQ(host.PassDue(kT0), kT0 + absl::Milliseconds(100));
  host.Pass(&sink_);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_TRUE(sink_.Results()[0].ok());
  EXPECT_EQ(sink_.Results()[0].actual().data(), kNew);
  EXPECT_EQ(sink_.Reports().back().actual(0).value().data(), kNew);
  EXPECT_EQ(AppHealthy(), std::vector<double>{1}) << "measured at once";

  host.Pass(&sink_);  // a resync on the same connection
  EXPECT_EQ(sink_.Results().size(), 1u);
  sink_.SetConnection(2);
  host.Pass(&sink_);
  ASSERT_EQ(sink_.Results().size(), 2u);
  EXPECT_TRUE(sink_.Results()[1].ok());
  EXPECT_EQ(counters_.applies_ok.load(), 1u) << "applied once, said twice";
}

TEST_F(MemoryHostTest, ObservingChangesNothingAndAnOlderStateIsIgnored) {
  MemoryHost host = Host();
  EXPECT_EQ(host.Offer(Desired(2, kNew, /*enforce=*/false), kT0), kT0);
  host.Pass(&sink_);
  EXPECT_TRUE(sink_.Results().empty());
  EXPECT_EQ(sink_.Reports().back().actual(0).value().data(), kStart);
  EXPECT_FALSE(host.Offer(Desired(1, kNew), kT0).has_value());
  EXPECT_EQ(host.generation(), 2);
  ASSERT_EQ(host.arrivals().size(), 2u) << "every generation's arrival";
  EXPECT_EQ(host.arrivals()[0].enforced, EnforcedValues::kNone);
  EXPECT_EQ(host.arrivals()[1].enforced, EnforcedValues::kChanged);
}

TEST_F(MemoryHostTest, ARestartComesBackWithTheStateBeforeItsNewest) {
  MemoryHost host = Host();
  host.Offer(Desired(1, kNew), kT0);
  host.Pass(&sink_);
  host.Offer(Desired(2, kStart), kT0);  // a rollback, not applied yet
  EXPECT_EQ(host.arrivals().back().enforced, EnforcedValues::kStart);
  EXPECT_EQ(host.Restart(kT0), kT0) << "generation 1 holds already";
  EXPECT_EQ(host.generation(), 1);
  const swell::v1::Hello hello = host.Hello();
  EXPECT_EQ(hello.last_generation(), 1);
  ASSERT_EQ(hello.actual_size(), 1);
  EXPECT_EQ(hello.actual(0).value().data(), kNew);
  host.Pass(&sink_);  // nothing counts as said before the restart
  EXPECT_EQ(sink_.Results().size(), 2u);
}

TEST_F(MemoryHostTest, AFailedApplyKeepsTheValueUntilANewerGeneration) {
  HostFaults faults;
  faults.failing_apply = true;
  MemoryHost host = Host(faults);
  host.Offer(Desired(1, kNew), kT0);
  host.Pass(&sink_);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_FALSE(sink_.Results()[0].ok());
  EXPECT_EQ(sink_.Results()[0].actual().data(), kStart);
  EXPECT_EQ(host.PassDue(kT0), kT0) << "not retried";
  EXPECT_EQ(host.Offer(Desired(2, kNew), kT0), kT0 + absl::Milliseconds(100));
  host.Pass(&sink_);
  EXPECT_EQ(counters_.applies_failed.load(), 2u);
}

TEST_F(MemoryHostTest, UnhealthyOnlyWhileHoldingTheBadChange) {
  behaviour_.unhealthy_value = "workers = 0";
  HostFaults faults;
  faults.unhealthy_after_change = true;
  MemoryHost host = Host(faults);
  host.SendHealth(&sink_);
  host.Offer(Desired(1, kNew), kT0);
  host.Pass(&sink_);  // a change, but not the bad one
  EXPECT_EQ(counters_.first_unhealthy_ms.load(), 0) << "healthy so far";
  const int64_t before_bad = absl::ToUnixMillis(absl::Now());
  host.Offer(Desired(2, kBad), kT0);
  host.Pass(&sink_);
  const int64_t first_unhealthy = counters_.first_unhealthy_ms.load();
  EXPECT_GE(first_unhealthy, before_bad);
  host.Offer(Desired(3, kStart), kT0);
  host.Pass(&sink_);
  host.Offer(Desired(4, kBad), kT0);
  host.Pass(&sink_);
  EXPECT_EQ(AppHealthy(), (std::vector<double>{1, 1, 0, 1, 0}));
  EXPECT_EQ(counters_.first_unhealthy_ms.load(), first_unhealthy)
      << "the first unhealthy report is kept";
}

TEST_F(MemoryHostTest, ASilentHostReportsAppliesButNoHealth) {
  HostFaults faults;
  faults.silent = true;
  MemoryHost host = Host(faults);
  host.Offer(Desired(1, kNew), kT0);
  host.Pass(&sink_);
  host.SendHealth(&sink_);
  EXPECT_EQ(sink_.Results().size(), 1u);
  EXPECT_TRUE(sink_.Samples().empty());
}

}  // namespace
}  // namespace swell::sim
