// Hosts that are gone for good: the real swellctl retires one, new rollouts
// of the whole fleet leave it out (and preview says so), and it comes back
// by itself when its agent connects again.

#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {
namespace {

constexpr char kConf[] = "/etc/app/app.conf";
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";

using HostsE2eTest = E2eTest;

// The host's STATE as `swellctl hosts -o json` reports it; "" when the
// controller does not list it (or did not answer).
std::string HostState(const Cluster& cluster, const std::string& host) {
  CommandOutput out = cluster.Ctl({"hosts", "-o", "json"});
  swell::v1::ListHostsResponse hosts;
  if (out.exit_code != 0 ||
      !google::protobuf::util::JsonStringToMessage(out.out, &hosts).ok()) {
    return "";
  }
  for (const auto& h : hosts.hosts()) {
    if (h.host_id() == host) return h.state();
  }
  return "";
}

TEST_F(HostsE2eTest, RetiredHostIsNotTargetedAndComesBackWhenItConnects) {
  StartFleet(3);
  const std::string before_h2 = cluster_->ReadHostFile("h2", kConf);
  cluster_->KillAgent("h2");
  ASSERT_TRUE(WaitFor([&] {
    return HostState(*cluster_, "h2") == "disconnected";
  })) << HostState(*cluster_, "h2");

  // A host whose agent is connected, or that does not exist, is refused.
  CommandOutput refused =
      cluster_->Ctl({"hosts", "retire", "h0", "--reason", "oops"});
  EXPECT_EQ(refused.exit_code, 5) << refused.err;
  EXPECT_NE(refused.err.find("connected"), std::string::npos) << refused.err;
  CommandOutput unknown =
      cluster_->Ctl({"hosts", "retire", "h9", "--reason", "typo"});
  EXPECT_EQ(unknown.exit_code, 6) << unknown.err;
  EXPECT_EQ(HostState(*cluster_, "h0"), "connected");

  CommandOutput retired = cluster_->Ctl(
      {"hosts", "retire", "h2", "--reason", "decommissioned, CHG-981"});
  ASSERT_EQ(retired.exit_code, 0) << retired.err;
  EXPECT_NE(retired.out.find("host h2 retired"), std::string::npos)
      << retired.out;
  EXPECT_EQ(HostState(*cluster_, "h2"), "retired");
  CommandOutput table = cluster_->Ctl({"hosts"});
  EXPECT_NE(table.out.find("decommissioned, CHG-981"), std::string::npos)
      << table.out;

  // The whole fleet, as preview and submit see it: h0 and h1 only.
  const std::string plan =
      cluster_->WritePlan("good", ConfigPlan("good", kGood, "[1, 100%]", "1s"));
  CommandOutput preview = cluster_->Ctl({"preview", plan, "-o", "json"});
  ASSERT_EQ(preview.exit_code, 0) << preview.err;
  swell::v1::PreviewResponse waves;
  ASSERT_TRUE(
      google::protobuf::util::JsonStringToMessage(preview.out, &waves).ok())
      << preview.out;
  int previewed = 0;
  for (const auto& w : waves.waves()) previewed += w.hosts_size();
  EXPECT_EQ(previewed, 2);
  ASSERT_EQ(waves.excluded_size(), 1);
  EXPECT_EQ(waves.excluded(0).host_id(), "h2");
  EXPECT_EQ(waves.excluded(0).state(), "retired");

  const std::string id = cluster_->Submit(plan);
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded")) << cluster_->State(id);
  const swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_total(), 2);
  EXPECT_EQ(status.summary().hosts_converged(), 2);
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  EXPECT_EQ(cluster_->ReadHostFile("h0", kConf), kGood);
  EXPECT_EQ(cluster_->ReadHostFile("h1", kConf), kGood);
  EXPECT_EQ(cluster_->ReadHostFile("h2", kConf), before_h2);

  // Its agent connects again: it is a host like any other.
  ASSERT_TRUE(
      cluster_->StartAgent("h2", {{"site", "a"}, {"role", "web"}}).ok());
  EXPECT_TRUE(WaitFor([&] {
    return HostState(*cluster_, "h2") == "connected";
  })) << HostState(*cluster_, "h2");
}

}  // namespace
}  // namespace swell::e2e
