#include "agent/docker/docker_state.h"

#include "absl/time/time.h"
#include "agent/docker/docker_health.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(DockerStateTest, ParsesTheContainerListingAndSkipsNoise) {
  std::vector<Container> c = ParseContainerList(
      "abc123|web|0.0.0.0:8080->80/tcp, :::8080->80/tcp\n"
      "\n"
      "not a container line\n"
      "def456|worker|\n");
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].id, "abc123");
  EXPECT_EQ(c[0].name, "web");
  EXPECT_EQ(c[0].ports, "0.0.0.0:8080->80/tcp, :::8080->80/tcp");
  EXPECT_EQ(c[1].id, "def456");
  EXPECT_EQ(c[1].ports, "");
}

TEST(DockerStateTest, UpstreamVersionDropsEpochAndDebianRevision) {
  EXPECT_EQ(UpstreamVersion("5:24.0.7-1~debian.12~bookworm"), "24.0.7");
  EXPECT_EQ(UpstreamVersion("20.10.24+dfsg1-1+b3"), "20.10.24+dfsg1");
  EXPECT_EQ(UpstreamVersion("24.0.7"), "24.0.7");
}

TEST(DockerStateTest, ServerVersionMatchesThePackagesUpstreamVersion) {
  EXPECT_TRUE(ServerRunsVersion("24.0.7", "5:24.0.7-1~debian.12~bookworm"));
  EXPECT_TRUE(ServerRunsVersion("20.10.24", "20.10.24+dfsg1-1+b3"));
  EXPECT_TRUE(ServerRunsVersion("20.10.24+dfsg1\n", "20.10.24+dfsg1-1+b3"));
  EXPECT_FALSE(ServerRunsVersion("24.0.7", "5:25.0.3-1~debian.12~bookworm"));
  EXPECT_FALSE(ServerRunsVersion("24.0", "5:24.0.7-1"));
  EXPECT_FALSE(ServerRunsVersion("", "5:24.0.7-1"));
}

HostProcess Proc(int pid, std::vector<std::string> argv) {
  return HostProcess{pid, std::move(argv)};
}

TEST(DockerStateTest, ShimOfAContainerTheDaemonDoesNotKnowIsAnOrphan) {
  std::vector<HostProcess> procs = {
      Proc(10, {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id",
                "known", "-address", "/run/containerd.sock"}),
      Proc(11, {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id",
                "lost"}),
      // Not Docker's: another containerd client's namespace.
      Proc(12, {"containerd-shim-runc-v2", "-namespace", "k8s.io", "-id", "x"}),
      Proc(13, {"/usr/bin/dockerd", "-H", "fd://"}),
  };
  Orphans o = FindOrphans(procs, {"known"}, {});
  EXPECT_THAT(o.containers, ElementsAre("lost (pid 11)"));
  EXPECT_THAT(o.proxies, IsEmpty());
  EXPECT_EQ(o.count(), 1);
}

TEST(DockerStateTest, ProxyForAPortNoRunningContainerPublishesIsAnOrphan) {
  std::vector<HostProcess> procs = {
      Proc(20, {"/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0",
                "-host-port", "8080", "-container-ip", "172.17.0.2",
                "-container-port", "80"}),
      Proc(21, {"/usr/bin/docker-proxy", "-proto", "tcp", "-host-ip", "0.0.0.0",
                "-host-port", "9090", "-container-ip", "172.17.0.3",
                "-container-port", "90"}),
      Proc(22, {"/usr/bin/docker-proxy", "-proto", "udp", "-host-ip", "0.0.0.0",
                "-host-port", "8001", "-container-ip", "172.17.0.4",
                "-container-port", "53"}),
  };
  std::vector<Container> running = {
      {"a", "web", "0.0.0.0:8080->80/tcp, :::8080->80/tcp"},
      {"b", "dns", "0.0.0.0:8000-8002->53-55/udp"},
  };
  Orphans o = FindOrphans(procs, {"a", "b"}, running);
  EXPECT_THAT(o.proxies, ElementsAre("tcp 0.0.0.0:9090 (pid 21)"));
  EXPECT_THAT(o.containers, IsEmpty());
}

TEST(DockerSamplesTest, CountsContainersRunningAgainAndMissing) {
  DockerProbe::Snapshot snap;
  snap.up = true;
  snap.listed = true;
  snap.running = {{"a", "web", ""}, {"c", "new", ""}};
  snap.known_ids = {"a", "c"};
  snap.orphans.proxies = {"tcp 0.0.0.0:9090 (pid 21)"};
  std::map<std::string, double> by_name;
  for (const auto& s : DockerSamples(snap, std::vector<std::string>{"a", "b"},
                                     absl::FromUnixSeconds(100))) {
    EXPECT_TRUE(s.ok()) << s.name();
    EXPECT_EQ(s.unix_ms(), 100000);
    by_name[s.name()] = s.value();
  }
  EXPECT_EQ(by_name[kDockerUp], 1);
  EXPECT_EQ(by_name[kDockerContainersBefore], 2);
  EXPECT_EQ(by_name[kDockerContainersRunning], 1);
  EXPECT_EQ(by_name[kDockerContainersMissing], 1);
  EXPECT_EQ(by_name[kDockerContainersRunningRatio], 0.5);
  EXPECT_EQ(by_name[kDockerOrphans], 1);
}

TEST(DockerSamplesTest, DaemonDownMeansEveryContainerMissingAndOrphansUnknown) {
  DockerProbe::Snapshot snap;
  snap.error = "Cannot connect to the Docker daemon";
  std::map<std::string, swell::v1::Sample> by_name;
  for (const auto& s : DockerSamples(snap, std::vector<std::string>{"a", "b"},
                                     absl::FromUnixSeconds(1))) {
    by_name[s.name()] = s;
  }
  EXPECT_EQ(by_name[kDockerUp].value(), 0);
  EXPECT_TRUE(by_name[kDockerUp].ok());
  EXPECT_EQ(by_name[kDockerContainersMissing].value(), 2);
  EXPECT_FALSE(by_name[kDockerOrphans].ok());
  EXPECT_THAT(by_name[kDockerOrphans].error(),
              ::testing::HasSubstr("Cannot connect"));
}

TEST(DockerSamplesTest, WithoutABaselineOnlyUpAndOrphansAreSampled) {
  DockerProbe::Snapshot snap;
  snap.up = snap.listed = true;
  std::vector<std::string> names;
  for (const auto& s : DockerSamples(snap, std::nullopt, absl::Now())) {
    names.push_back(s.name());
  }
  EXPECT_THAT(names, ElementsAre(kDockerUp, kDockerOrphans));
}

}  // namespace
}  // namespace swell::agent
