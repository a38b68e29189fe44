// Docker engine upgrades and daemon configs across a fleet, with the real
// controller, agents and swellctl, and the stand-in apt, systemd and Docker
// of tests/standins on each agent's PATH.

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/e2e/standin_hosts.h"

namespace swell::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kOld[] = "5:24.0.7-1~debian.12~bookworm";
constexpr char kNew[] = "5:25.0.3-1~debian.12~bookworm";

// A host running Docker kOld with two containers, one publishing a port.
std::string HostState(const std::string& faults = "{}") {
  return absl::StrCat(R"({"packages": {"docker-ce": ")", kOld, R"("},
          "available": {"docker-ce": [")",
                      kOld, R"(", ")", kNew, R"("]},
          "held": ["docker-ce"],
          "daemon": {"running": true, "version": "24.0.7"},
          "containers": [
            {"id": "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
             "name": "web", "ports": "0.0.0.0:8080->80/tcp", "running": true},
            {"id": "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
             "name": "worker", "ports": "", "running": true}],
          "faults": )",
                      faults, "}");
}

std::string DockerPlan(const std::string& name, const std::string& waves,
                       const std::string& bake) {
  return absl::StrCat("name: ", name, R"(
change:
  variable: docker-engine
  kind: docker
  package: docker-ce
  version: ")",
                      kNew, R"("
  verify_timeout: 10s
strategy:
  waves: )",
                      waves, R"(
  bake: )",
                      bake, R"(
  progress_deadline: 60s
gates:
  - name: no-orphans
    check: "max(docker_orphans) <= 0"
  - name: containers-back
    check: "max(docker_containers_missing) <= 0"
  - name: no-failed-hosts
    check: "failed_hosts <= 0"
)");
}

std::string Install(const std::string& version) {
  return absl::StrCat(
      "apt-get install --yes --allow-downgrades --allow-change-held-packages "
      "-o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o "
      "Dpkg::Options::=--force-confold docker-ce=",
      version);
}

class DockerE2eTest : public E2eTest {
 protected:
  std::map<std::string, std::string> Labels(int i) {
    return {{"site", i % 2 ? "b" : "a"}, {"role", "docker"}};
  }

  // Starts hosts h0..h{n-1}; `faults` applies to every host.
  void StartDockerFleet(int n, const std::string& faults = "{}") {
    for (int i = 0; i < n; ++i) {
      std::string id = absl::StrCat("h", i);
      auto s = hosts_.Start(id, Labels(i), HostState(faults));
      ASSERT_TRUE(s.ok()) << s;
    }
    ASSERT_TRUE(cluster_->AwaitConnected(n)) << "agents did not connect";
  }

  // Waits until `id`'s stand-ins recorded a call starting with `prefix`.
  bool AwaitCall(const std::string& id, const std::string& prefix) {
    return WaitFor([&] { return hosts_.Count(id, prefix) > 0; });
  }

  StandinHosts hosts_{nullptr, {}};

  void SetUp() override {
    E2eTest::SetUp();
    // What these hosts accept: the Docker engine's packages, and the
    // daemon's config checked by its own validator.
    hosts_ = StandinHosts(
        cluster_.get(),
        {"--guardrail-kinds=file,docker", "--guardrail-package=docker-ce*",
         "--guardrail-file-prefix=/etc/docker/",
         "--guardrail-file-command=dockerd --validate --config-file {}"});
  }
};

TEST_F(DockerE2eTest, UpgradeCompletesOnEveryHostWithTheExpectedCommands) {
  StartDockerFleet(4);
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "upgrade", DockerPlan("docker-upgrade", "[1, 50%, 100%]", "2s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded", absl::Seconds(90)))
      << cluster_->State(id) << ": " << cluster_->Status(id).summary().reason();
  for (int i = 0; i < 4; ++i) {
    std::string h = absl::StrCat("h", i);
    EXPECT_EQ(hosts_.InstalledVersion(h, "docker-ce"), kNew) << h;
    EXPECT_EQ(hosts_.DaemonVersion(h), "25.0.3") << h;
  }
  EXPECT_THAT(hosts_.Changes("h0"),
              ElementsAre(Install(kNew), "apt-mark hold docker-ce",
                          "systemctl restart docker",
                          "docker version --format {{.Server.Version}}"));
  EXPECT_EQ(cluster_->Status(id).summary().hosts_converged(), 4);
}

TEST_F(DockerE2eTest, UpgradeThatOrphansContainersIsRolledBackByTheGate) {
  StartDockerFleet(4, R"({"orphans_on_restart_to": ["25.0.3"]})");
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "orphans", DockerPlan("docker-upgrade", "[1, 50%, 100%]", "5s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back", absl::Seconds(90)))
      << cluster_->State(id);

  swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_THAT(status.summary().reason(), HasSubstr("no-orphans"));
  int rolled_back = 0;
  for (int i = 0; i < 4; ++i) {
    const auto h = cluster_->HostStatus(id, absl::StrCat("h", i));
    if (h.state() == "rolled_back") {
      ++rolled_back;
      // Reinstalled and restarted on its previous version.
      EXPECT_EQ(hosts_.InstalledVersion(h.host_id(), "docker-ce"), kOld)
          << h.host_id();
      EXPECT_EQ(hosts_.DaemonVersion(h.host_id()), "24.0.7") << h.host_id();
      EXPECT_EQ(hosts_.Count(h.host_id(), Install(kOld)), 1) << h.host_id();
    } else {
      EXPECT_THAT(hosts_.Changes(h.host_id()), IsEmpty())
          << h.host_id() << " is " << h.state();
    }
  }
  EXPECT_GE(rolled_back, 1);
}

TEST_F(DockerE2eTest, DaemonConfigFailingValidationNeverReachesALiveFile) {
  const std::string conf = "/etc/docker/daemon.json";
  const std::string before = "{\"debug\": false}\n";
  for (int i = 0; i < 3; ++i) {
    std::string root = cluster_->Root(absl::StrCat("h", i));
    std::filesystem::create_directories(root + "/etc/docker");
    std::ofstream(root + conf) << before;
  }
  StartDockerFleet(3);
  std::string id = cluster_->Submit(cluster_->WritePlan("daemon-config", R"(
name: daemon-config
change:
  variable: docker-daemon-config
  kind: file
  path: /etc/docker/daemon.json
  content: |
    {"debug": true, "max-concurent-downloads": 6}
  validate: "dockerd --validate --config-file {}"
  restart: [docker]
strategy:
  waves: [1, 50%, 100%]
  bake: 2s
  progress_deadline: 60s
gates:
  - name: no-failed-hosts
    check: "failed_hosts <= 0"
)"));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back", absl::Seconds(60)))
      << cluster_->State(id);

  swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_THAT(status.summary().reason(), HasSubstr("no-failed-hosts"));
  // The first wave's host failed with the validator's words; its row keeps
  // the validator's output after the rollback.
  std::string failed;
  for (int i = 0; i < 3; ++i) {
    const auto h = cluster_->HostStatus(id, absl::StrCat("h", i));
    if (h.state() != "skipped") failed = h.host_id();
  }
  ASSERT_FALSE(failed.empty()) << "no host was admitted";
  EXPECT_THAT(status.summary().reason(), HasSubstr(failed));
  const std::string validator =
      "the following directives don't match any configuration option: "
      "max-concurent-downloads";
  EXPECT_THAT(cluster_->HostStatus(id, failed).output_tail(),
              HasSubstr(validator));
  CommandOutput detail = cluster_->Ctl({"status", id, "--host", failed});
  EXPECT_EQ(detail.exit_code, 0) << detail.err;
  EXPECT_THAT(detail.out, HasSubstr(validator));
  EXPECT_THAT(detail.out, HasSubstr("$ dockerd --validate --config-file"));
  for (int i = 0; i < 3; ++i) {
    std::string h = absl::StrCat("h", i);
    EXPECT_EQ(cluster_->ReadHostFile(h, conf), before) << h;
    EXPECT_EQ(hosts_.Count(h, "systemctl restart"), 0) << h;
  }
}

TEST_F(DockerE2eTest, AgentKilledMidApplyResumesWithoutRepeatingAStep) {
  ASSERT_TRUE(hosts_
                  .Start("h0", Labels(0),
                         HostState(R"({"slow": {"systemctl restart": 4}})"))
                  .ok());
  ASSERT_TRUE(hosts_.Start("h1", Labels(1), HostState()).ok());
  ASSERT_TRUE(cluster_->AwaitConnected(2));
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "killed", DockerPlan("docker-upgrade", "[100%]", "1s")));
  ASSERT_FALSE(id.empty());
  // Install and hold are done; the daemon restart is under way.
  ASSERT_TRUE(AwaitCall("h0", "systemctl restart docker"));
  cluster_->KillAgent("h0");
  ASSERT_TRUE(hosts_.Restart("h0", Labels(0)).ok());
  ASSERT_TRUE(cluster_->AwaitState(id, "succeeded", absl::Seconds(90)))
      << cluster_->State(id) << ": " << cluster_->Status(id).summary().reason();

  EXPECT_EQ(hosts_.Count("h0", "apt-get install"), 1);
  EXPECT_EQ(hosts_.Count("h0", "apt-mark hold"), 1);
  EXPECT_EQ(hosts_.InstalledVersion("h0", "docker-ce"), kNew);
  EXPECT_EQ(hosts_.DaemonVersion("h0"), "25.0.3");
  swell::v1::RolloutStatus status = cluster_->Status(id);
  EXPECT_EQ(status.summary().hosts_converged(), 2);
  EXPECT_EQ(status.summary().hosts_admitted(), 2);
  EXPECT_EQ(status.summary().hosts_failed(), 0);
  EXPECT_EQ(cluster_->HostStatus(id, "h0").state(), "converged");
}

TEST_F(DockerE2eTest, RollbackDuringAnApplyEndsWithThePreviousVersion) {
  ASSERT_TRUE(hosts_
                  .Start("h0", Labels(0),
                         HostState(R"({"slow": {"apt-get install": 4}})"))
                  .ok());
  ASSERT_TRUE(cluster_->AwaitConnected(1));
  std::string id = cluster_->Submit(cluster_->WritePlan(
      "interrupted", DockerPlan("docker-upgrade", "[100%]", "30s")));
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(AwaitCall("h0", Install(kNew)));
  CommandOutput rollback =
      cluster_->Ctl({"rollback", id, "--reason", "wrong version"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  ASSERT_TRUE(cluster_->AwaitState(id, "rolled_back", absl::Seconds(60)))
      << cluster_->State(id);

  EXPECT_EQ(hosts_.InstalledVersion("h0", "docker-ce"), kOld);
  EXPECT_EQ(hosts_.DaemonVersion("h0"), "24.0.7");
  // The upgrade stopped after its install; no restart ever ran the new
  // version.
  EXPECT_THAT(hosts_.Changes("h0"),
              ElementsAre(Install(kNew), Install(kOld),
                          "apt-mark hold docker-ce", "systemctl restart docker",
                          "docker version --format {{.Server.Version}}"));
}

}  // namespace
}  // namespace swell::e2e
