// A thousand simulated agents (swell-fleet-sim, tests/sim) against the real
// controller, each over its own connection with its own client certificate
// (mutual TLS): they all connect, a whole-fleet rollout reaches every host,
// an unhealthy change is rolled back on every host it reached, and a
// controller killed mid-rollout fails no host once it is back. What each
// host received is read from the simulator's record of arrivals, where the
// agents saw it. Behaviour only, never timing.

#include <signal.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/identity_probes.h"
#include "tests/support/fixture_util.h"

namespace swell::e2e {
namespace {

constexpr int kHosts = 1000;
constexpr char kGood[] = "# managed by swell\nworkers = 8\n";
constexpr char kBad[] = "# managed by swell\nworkers = 0\n";
// Generous: 1,000 handshakes on a loaded 2-core machine took up to 17 s.
constexpr absl::Duration kFleetDeadline = absl::Seconds(120);

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// host -> generation -> enforced (none, start or changed), from the record.
using Arrivals = std::map<std::string, std::map<int64_t, std::string>>;

int AuditCount(const swell::v1::RolloutStatus& status,
               const std::string& action) {
  int n = 0;
  for (const auto& e : status.events()) n += e.action() == action;
  return n;
}

class FleetSimE2eTest : public E2eTest {
 protected:
  void TearDown() override {
    if (sim_) sim_->Signal(SIGKILL);
    sim_.reset();
    E2eTest::TearDown();
  }

  // Starts kHosts simulated agents (plus `extra` flags) and waits until the
  // simulator and the controller both count every one connected.
  void StartSim(const std::vector<std::string>& extra = {}) {
    const std::string ca = cluster_->ca_file();
    // ThrowawayPki keeps the CA's key beside its certificate.
    const std::string ca_key = ca.substr(0, ca.size() - 4) + ".key";
    std::vector<std::string> args = {SWELL_FLEET_SIM_BINARY,
                                     "--controller=" + cluster_->address(),
                                     "--ca=" + ca,
                                     "--ca-key=" + ca_key,
                                     absl::StrCat("--hosts=", kHosts),
                                     "--status-file=" + dir_ + "/sim.json",
                                     "--record=" + dir_ + "/arrivals.csv",
                                     "--duration=600s",
                                     "--label=role=web"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto sim = ChildProcess::Start(args, dir_ + "/fleet-sim.log");
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
    ASSERT_TRUE(WaitFor([&] { return SimStatus("connected") == kHosts; },
                        kFleetDeadline))
        << SimStatus("connected") << " of " << kHosts
        << " connected; see fleet-sim.log";
    ASSERT_TRUE(cluster_->AwaitConnected(kHosts));
  }

  // A number of the simulator's status file; -1 before it exists.
  int64_t SimStatus(const std::string& key) const {
    nlohmann::json status =
        nlohmann::json::parse(ReadAll(dir_ + "/sim.json"), nullptr, false);
    if (status.is_discarded() || !status.contains(key)) return -1;
    return status[key].get<int64_t>();
  }
  int64_t Faulty(const std::string& fault) const {
    nlohmann::json status =
        nlohmann::json::parse(ReadAll(dir_ + "/sim.json"), nullptr, false);
    if (status.is_discarded()) return -1;
    return status["faulty"].value(fault, int64_t{-1});
  }

  Arrivals ReadArrivals() const {
    Arrivals out;
    std::vector<std::string> lines = absl::StrSplit(
        ReadAll(dir_ + "/arrivals.csv"), '\n', absl::SkipEmpty());
    for (size_t i = 1; i < lines.size(); ++i) {  // after the header
      std::vector<std::string> f = absl::StrSplit(lines[i], ',');
      int64_t generation = 0;
      if (f.size() == 4 && absl::SimpleAtoi(f[1], &generation)) {
        out[f[0]][generation] = f[3];
      }
    }
    return out;
  }

  // Each host's desired generation, as the controller holds it.
  std::map<std::string, int64_t> DesiredGenerations() const {
    std::map<std::string, int64_t> out;
    CommandOutput listed = cluster_->Ctl({"hosts", "-o", "json"});
    swell::v1::ListHostsResponse hosts;
    if (listed.exit_code != 0 ||
        !google::protobuf::util::JsonStringToMessage(listed.out, &hosts).ok()) {
      return out;
    }
    for (const auto& h : hosts.hosts()) {
      out[h.host_id()] = h.desired_generation();
    }
    return out;
  }

  // Waits until each host of the fleet has received the generation the
  // controller holds for it, and that state enforced `enforced` on the
  // hosts of `which` (every host when empty).
  ::testing::AssertionResult EveryHostReceived(
      const std::string& enforced, const std::set<std::string>& which = {}) {
    std::vector<std::string> missing;
    const bool all = WaitFor(
        [&] {
          missing.clear();
          const std::map<std::string, int64_t> desired = DesiredGenerations();
          if (desired.size() != kHosts) {
            missing.push_back(absl::StrCat(desired.size(), " hosts listed"));
            return false;
          }
          const Arrivals arrivals = ReadArrivals();
          for (const auto& [host, generation] : desired) {
            auto h = arrivals.find(host);
            auto a = h == arrivals.end() ? std::map<int64_t, std::string>{}
                                         : h->second;
            auto g = a.find(generation);
            const bool checked = which.empty() || which.count(host);
            if (g == a.end() || (checked && g->second != enforced)) {
              missing.push_back(absl::StrCat(
                  host, " (generation ", generation, ": ",
                  g == a.end() ? "never arrived" : g->second, ")"));
            }
          }
          return missing.empty();
        },
        absl::Seconds(60));
    if (all) return ::testing::AssertionSuccess();
    missing.resize(std::min<size_t>(missing.size(), 5));
    return ::testing::AssertionFailure()
           << "not received: " << absl::StrJoin(missing, ", ");
  }

  std::unique_ptr<ChildProcess> sim_;
};

TEST_F(FleetSimE2eTest, AThousandAgentsConnectAndAFleetWideRolloutReachesAll) {
  StartSim();
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "fleet", ConfigPlan("fleet", kGood, "[1, 25%, 50%, 100%]", "1s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded", kFleetDeadline))
      << cluster_->Status(id).summary().reason();
  swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_converged(), kHosts);
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  EXPECT_EQ(AuditCount(status, "wave_started"), 3);
  EXPECT_TRUE(EveryHostReceived("changed"));
}

TEST_F(FleetSimE2eTest, AnUnhealthyChangeIsRolledBackOnEveryHostItReached) {
  StartSim({"--unhealthy-after-change=0.05", "--unhealthy-value=workers = 0"});
  ASSERT_GT(Faulty("unhealthy_after_change"), 0) << "no host would breach";
  std::string id = cluster_->Submit(
      cluster_->WritePlan("bad", ConfigPlan("bad", kBad, "[25%, 100%]", "2s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back", kFleetDeadline))
      << cluster_->State(id);

  swell::v1::RolloutStatus status = cluster_->Status(id);
  // The witness: the gate saw the unhealthy hosts' samples.
  EXPECT_NE(status.summary().reason().find("app-healthy FAILED"),
            std::string::npos)
      << status.summary().reason();
  // Wave 1 is 25 %; a breach may come before its slowest hosts are admitted
  // (on a loaded machine 192 of 250 were): those are skipped, never touched.
  EXPECT_GT(status.summary().hosts_admitted(), 0);
  EXPECT_LE(status.summary().hosts_admitted(), kHosts / 4);
  EXPECT_EQ(status.summary().hosts_rolled_back(),
            status.summary().hosts_admitted());
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  // The hosts the change reached, as they saw it. A host admitted just
  // before the rollback may never see the change (the controller sends only
  // a host's newest state), so they are at most the admitted ones.
  // The record is rewritten once a report interval: it may not show the
  // arrivals yet when the rollback is already decided.
  std::set<std::string> reached;
  EXPECT_TRUE(WaitFor([&] {
    for (const auto& [host, generations] : ReadArrivals()) {
      for (const auto& [generation, enforced] : generations) {
        if (enforced == "changed") reached.insert(host);
      }
    }
    return !reached.empty();
  })) << "no host's record shows the change";
  EXPECT_LE(static_cast<int>(reached.size()),
            status.summary().hosts_admitted());
  // Each got the state that restores its start value; the others the one
  // that no longer observes the variable.
  EXPECT_TRUE(EveryHostReceived("start", reached));
}

// As waits_e2e_test's ControllerOutageLongerThanTheGraceFailsNoHost, at
// scale: the outage is longer than the grace. A thousand agents take longer
// to come back than their 5 s backoff cap (--agent_reconnect's default) on
// this machine; the controller waits on while their hellos keep arriving.
TEST_F(FleetSimE2eTest, AControllerKilledMidRolloutFailsNoHostWhenItIsBack) {
  const std::vector<std::string> flags = {"--agent_grace", "5s"};
  cluster_->KillController();
  ASSERT_TRUE(cluster_->StartController(flags).ok());
  StartSim();
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "outage", ConfigPlan("outage", kGood, "[1, 25%, 50%, 100%]", "3s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(WaitFor(
      [&] { return cluster_->Status(id).summary().hosts_admitted() > 1; },
      kFleetDeadline))
      << "wave 2 never started";

  cluster_->KillController();
  // The witness: the agents saw the controller go.
  ASSERT_TRUE(WaitFor([&] { return SimStatus("connected") < kHosts; }));
  // The outage itself, longer than the grace.
  absl::SleepFor(absl::Seconds(6));
  absl::StatusOr<int> metrics_port = test_support::FreeLoopbackPort();
  ASSERT_TRUE(metrics_port.ok()) << metrics_port.status();
  const std::string metrics =
      absl::StrCat("http://127.0.0.1:", *metrics_port, "/metrics");
  std::vector<std::string> restart_flags = flags;
  restart_flags.insert(
      restart_flags.end(),
      {"--metrics_listen", absl::StrCat("127.0.0.1:", *metrics_port)});
  ASSERT_TRUE(cluster_->StartController(restart_flags).ok());

  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded", kFleetDeadline))
      << cluster_->Status(id).summary().reason();
  swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  EXPECT_EQ(status.summary().hosts_converged(), kHosts);
  EXPECT_EQ(AuditCount(status, "gate_failed"), 0);
  EXPECT_EQ(AuditCount(status, "rolled_back"), 0);
  EXPECT_TRUE(EveryHostReceived("changed"));
  // The fleet came back through the paced agent listener, and none of its
  // handshakes is still holding a slot.
  EXPECT_GE(MetricValue(metrics, "swell_agent_connections_accepted_total "),
            kHosts);
  EXPECT_TRUE(WaitFor([&] {
    return MetricValue(metrics, "swell_agent_handshakes_in_flight ") == 0;
  }));
}

}  // namespace
}  // namespace swell::e2e
