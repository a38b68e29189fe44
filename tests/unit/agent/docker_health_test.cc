// The Docker health samples of a host with several docker variables: the
// host's under the plain names, and each variable's own.

#include "agent/docker/docker_health.h"

#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "agent/appliers/docker_applier.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/applier_test_util.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::StandinHost;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::TestApplyContext;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using Samples = std::vector<swell::v1::Sample>;

std::map<std::string, swell::v1::Sample> ByName(const Samples& samples) {
  std::map<std::string, swell::v1::Sample> out;
  for (const swell::v1::Sample& s : samples) {
    EXPECT_TRUE(out.emplace(s.name(), s).second) << "twice: " << s.name();
  }
  return out;
}

// The value of an ok sample `name`; -1 when absent or failed.
double Value(const Samples& samples, const std::string& name) {
  for (const swell::v1::Sample& s : samples) {
    if (s.name() == name && s.ok()) return s.value();
  }
  return -1;
}

std::string Missing(const std::string& variable) {
  return DockerSampleName(kDockerContainersMissing, variable);
}

DockerProbe::Snapshot Running(std::vector<std::string> ids) {
  DockerProbe::Snapshot snap;
  snap.up = snap.listed = true;
  for (std::string& id : ids) snap.running.push_back({id, id, ""});
  return snap;
}

TEST(DockerSampleNameTest, IsAMetricNameEndingInTheVariable) {
  EXPECT_EQ(DockerSampleName(kDockerContainersMissing, "docker-engine"),
            "docker_containers_missing:docker_engine");
  EXPECT_EQ(DockerSampleName(kDockerContainersBefore, "edge.docker-2_b"),
            "docker_containers_before:edge_docker_2_b");
  const std::regex metric("[A-Za-z_:][A-Za-z0-9_:]*");
  EXPECT_TRUE(std::regex_match(DockerSampleName("x", "a.b-c_9"), metric));
}

TEST(HostDockerSamplesTest, EachVariableGetsItsOwnContainerSamples) {
  Samples s = HostDockerSamples(
      Running({"a", "c"}), {{"engine", {{"a", "b"}}}, {"rootless", {{"c"}}}},
      absl::FromUnixSeconds(7));
  std::map<std::string, swell::v1::Sample> by_name = ByName(s);
  EXPECT_EQ(by_name.size(), 6u + 2 * 4u);
  EXPECT_EQ(Value(s, Missing("engine")), 1);
  EXPECT_EQ(Value(s, DockerSampleName(kDockerContainersBefore, "engine")), 2);
  EXPECT_EQ(Value(s, Missing("rootless")), 0);
  EXPECT_EQ(
      Value(s, DockerSampleName(kDockerContainersRunningRatio, "rootless")), 1);
  // The host's: every variable's containers together.
  EXPECT_EQ(Value(s, kDockerContainersBefore), 3);
  EXPECT_EQ(Value(s, kDockerContainersRunning), 2);
  EXPECT_EQ(Value(s, kDockerContainersMissing), 1);
  EXPECT_DOUBLE_EQ(Value(s, kDockerContainersRunningRatio), 2.0 / 3);
  EXPECT_EQ(Value(s, kDockerUp), 1);
  EXPECT_EQ(Value(s, kDockerOrphans), 0);
  for (const swell::v1::Sample& sample : s) {
    EXPECT_EQ(sample.unix_ms(), 7000) << sample.name();
  }
}

TEST(HostDockerSamplesTest, OneVariableKeepsThePlainNamesAndTheirValues) {
  DockerProbe::Snapshot snap = Running({"a"});
  const absl::Time at = absl::FromUnixSeconds(1);
  Samples host = HostDockerSamples(snap, {{"engine", {{"a", "b"}}}}, at);
  Samples plain = DockerSamples(snap, std::vector<std::string>{"a", "b"}, at);
  ASSERT_EQ(plain.size(), 6u);
  for (const swell::v1::Sample& p : plain) {
    EXPECT_EQ(Value(host, p.name()), p.value()) << p.name();
  }
  EXPECT_EQ(Value(host, Missing("engine")), 1);
  EXPECT_EQ(host.size(), 6u + 4u);
}

TEST(HostDockerSamplesTest, AContainerInTwoBaselinesCountsOnceForTheHost) {
  Samples s = HostDockerSamples(Running({"a"}),
                                {{"one", {{"a", "b"}}}, {"two", {{"b", "a"}}}},
                                absl::Now());
  EXPECT_EQ(Value(s, kDockerContainersBefore), 2);
  EXPECT_EQ(Value(s, kDockerContainersMissing), 1);
  EXPECT_EQ(Value(s, Missing("one")), 1);
  EXPECT_EQ(Value(s, Missing("two")), 1);
}

TEST(HostDockerSamplesTest, VariableThatNeverRestartedTheEngineHasNone) {
  Samples s = HostDockerSamples(Running({"a"}),
                                {{"engine", {{"a"}}}, {"idle", std::nullopt}},
                                absl::Now());
  EXPECT_EQ(Value(s, Missing("engine")), 0);  // the witness
  for (const swell::v1::Sample& sample : s) {
    EXPECT_THAT(sample.name(), Not(HasSubstr(":idle")));
  }
  EXPECT_EQ(Value(s, kDockerContainersBefore), 1);
  Samples none =
      HostDockerSamples(Running({}), {{"idle", std::nullopt}}, absl::Now());
  EXPECT_EQ(ByName(none).size(), 2u);  // docker_up, docker_orphans
}

TEST(HostDockerSamplesTest, VariablesSharingSampleNamesGetFailedSamples) {
  Samples s = HostDockerSamples(
      Running({"a"}), {{"a-b", {{"a"}}}, {"a_b", {{"x"}}}}, absl::Now());
  std::map<std::string, swell::v1::Sample> by_name = ByName(s);
  ASSERT_TRUE(by_name.contains(Missing("a_b")));
  EXPECT_FALSE(by_name[Missing("a_b")].ok());
  EXPECT_THAT(by_name[Missing("a_b")].error(),
              HasSubstr("docker variables a-b and a_b share"));
  EXPECT_EQ(by_name.size(), 6u + 4u);
  // The host's samples still count both.
  EXPECT_EQ(Value(s, kDockerContainersMissing), 1);
}

TEST(HostDockerSamplesTest, UnlistableContainersFailEveryContainerSample) {
  DockerProbe::Snapshot snap;
  snap.up = true;
  snap.error = "docker ps: timed out";
  Samples s = HostDockerSamples(snap, {{"one", {{"a"}}}, {"two", {{"b"}}}},
                                absl::Now());
  for (const std::string& name : {std::string(kDockerContainersMissing),
                                  Missing("one"), Missing("two")}) {
    std::map<std::string, swell::v1::Sample> by_name = ByName(s);
    ASSERT_TRUE(by_name.contains(name)) << name;
    EXPECT_FALSE(by_name[name].ok()) << name;
  }
  EXPECT_EQ(Value(s, kDockerUp), 1);
}

// DockerHealth and the applier against the stand-in daemon, with a desired
// state of two docker variables (and a file variable between them).
class TwoDockerVariablesTest : public ::testing::Test {
 protected:
  static constexpr char kVersion[] = "5:24.0.7-1~debian.12~bookworm";
  // Container ids are hex, as docker prints them.
  static constexpr char kWeb[] = "a1", kDb[] = "b2", kBatch[] = "c3";

  TwoDockerVariablesTest() : root_(dir_ / "root"), host_(dir_ / "standin") {
    std::filesystem::create_directories(root_);
    auto state = std::make_shared<swell::v1::DesiredState>();
    for (const char* name : {"docker-a", "config", "docker-b"}) {
      swell::v1::VariableSpec* spec = state->add_variables()->mutable_spec();
      spec->set_name(name);
      if (absl::StartsWith(name, "docker")) {
        spec->set_kind(swell::v1::VARIABLE_KIND_DOCKER);
        spec->mutable_docker()->set_verify_timeout_ms(1000);
      } else {
        spec->set_kind(swell::v1::VARIABLE_KIND_FILE);
        spec->mutable_file()->set_path("/etc/docker/daemon.json");
      }
    }
    desired_ = state;
    health_ = std::make_shared<DockerHealth>(
        dir_ / "state",
        std::make_shared<DockerProbe>(host_.Env(root_), root_ + "/proc"),
        [this] { return desired_; });
    host_.SetState(absl::StrCat(R"({"packages": {"docker-ce": ")", kVersion,
                                R"("},
            "available": {"docker-ce": [")",
                                kVersion, R"("]},
            "daemon": {"running": true, "version": "24.0.7"},
            "containers": [
              {"id": "a1", "name": "web", "ports": "", "running": true},
              {"id": "b2", "name": "db", "ports": "", "running": true},
              {"id": "c3", "name": "batch", "ports": "",
               "running": false}]})"));
  }

  TempDir dir_;
  std::string root_;
  StandinHost host_;
  std::shared_ptr<const swell::v1::DesiredState> desired_;
  std::shared_ptr<DockerHealth> health_;
};

TEST_F(TwoDockerVariablesTest, CollectCoversEveryDockerVariable) {
  ASSERT_TRUE(health_->SetBaseline("docker-a", {kWeb}).ok());
  // The batch container ran before docker-b's restart, and does not now.
  ASSERT_TRUE(health_->SetBaseline("docker-b", {kDb, kBatch}).ok());
  std::atomic<bool> cancel{false};
  Samples s = health_->Collect(cancel);
  EXPECT_EQ(Value(s, Missing("docker-a")), 0);
  EXPECT_EQ(Value(s, Missing("docker-b")), 1);
  EXPECT_EQ(Value(s, kDockerContainersMissing), 1);
  EXPECT_EQ(Value(s, kDockerContainersBefore), 3);
  EXPECT_EQ(Value(s, kDockerUp), 1);
  EXPECT_THAT(ByName(s), Not(Contains(::testing::Key(Missing("config")))));
}

TEST_F(TwoDockerVariablesTest, ApplyReportsTheHostAndItsOwnContainers) {
  ASSERT_TRUE(health_->SetBaseline("docker-a", {kBatch}).ok());
  DockerApplier applier(host_.Env(root_), health_);
  swell::v1::VariableSpec spec = desired_->variables(2).spec();
  TestApplyContext t;
  ApplyOutcome out = applier.Apply(spec, common::PresentValue(kVersion), t.ctx);
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.output_tail;
  // docker-b recorded web and db, both running again.
  EXPECT_THAT(out.message, HasSubstr("2 of 2 containers running again"));
  EXPECT_EQ(Value(out.samples, Missing("docker-b")), 0);
  EXPECT_EQ(Value(out.samples, Missing("docker-a")), 1);
  EXPECT_EQ(Value(out.samples, kDockerContainersMissing), 1);
  EXPECT_EQ(Value(out.samples, kDockerContainersBefore), 3);
}

TEST_F(TwoDockerVariablesTest, NoDockerVariableMeansNoSamples) {
  ASSERT_TRUE(health_->SetBaseline("docker-a", {kWeb}).ok());
  std::atomic<bool> cancel{false};
  EXPECT_THAT(health_->Collect(cancel), Not(IsEmpty()));  // the witness
  desired_ = std::make_shared<swell::v1::DesiredState>();
  EXPECT_THAT(health_->Collect(cancel), IsEmpty());
}

}  // namespace
}  // namespace swell::agent
