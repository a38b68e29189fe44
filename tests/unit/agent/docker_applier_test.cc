#include "agent/appliers/docker_applier.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kOld[] = "5:24.0.7-1~debian.12~bookworm";
constexpr char kNew[] = "5:25.0.3-1~debian.12~bookworm";
constexpr char kWeb[] =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kWorker[] =
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

std::string HostState(const std::string& faults = "{}",
                      const std::string& extra = "") {
  return absl::StrCat(R"({"packages": {"docker-ce": ")", kOld,
                      R"(", "docker-ce-cli": ")", kOld,
                      R"("},
          "available": {"docker-ce": [")",
                      kOld, R"(", ")", kNew, R"("],
                        "docker-ce-cli": [")",
                      kOld, R"(", ")", kNew, R"("]},
          "held": ["docker-ce"],
          "daemon": {"running": true, "version": "24.0.7"},
          "containers": [
            {"id": ")",
                      kWeb, R"(", "name": "web",
             "ports": "0.0.0.0:8080->80/tcp", "running": true},
            {"id": ")",
                      kWorker, R"(", "name": "worker", "ports": "",
             "running": true}],
          "faults": )",
                      faults, extra, "}");
}

class DockerApplierTest : public ::testing::Test {
 protected:
  DockerApplierTest() : root_(dir_ / "root"), host_(dir_ / "standin") {
    std::filesystem::create_directories(root_);
    auto env = host_.Env(root_);
    health_ = std::make_shared<DockerHealth>(
        dir_ / "state", std::make_shared<DockerProbe>(env, root_ + "/proc"),
        [] { return nullptr; });
    applier_ = std::make_unique<DockerApplier>(env, health_);
    host_.SetState(HostState());
  }

  static swell::v1::VariableSpec Spec() {
    swell::v1::VariableSpec spec;
    spec.set_name("docker-engine");
    spec.set_kind(swell::v1::VARIABLE_KIND_DOCKER);
    spec.mutable_docker()->set_package("docker-ce");
    spec.mutable_docker()->set_service("docker");
    spec.mutable_docker()->set_verify_timeout_ms(1000);
    return spec;
  }

  static std::string Install(const std::string& packages) {
    return absl::StrCat(
        "apt-get install --yes --allow-downgrades "
        "--allow-change-held-packages -o DPkg::Lock::Timeout=600 -o "
        "Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ",
        packages);
  }

  std::map<std::string, double> Samples(const ApplyOutcome& out) {
    std::map<std::string, double> by_name;
    for (const auto& s : out.samples) {
      if (s.ok()) by_name[s.name()] = s.value();
    }
    return by_name;
  }

  TempDir dir_;
  std::string root_;
  StandinHost host_;
  std::shared_ptr<DockerHealth> health_;
  std::unique_ptr<DockerApplier> applier_;
};

TEST_F(DockerApplierTest, ActualValueIsTheEnginePackagesVersion) {
  absl::StatusOr<swell::v1::Value> v = applier_->ReadActual(Spec());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->data(), kOld);
}

TEST_F(DockerApplierTest, UpgradeRunsExactlyInstallHoldRestartVerify) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_docker()->add_companion_packages("docker-ce-cli");
  TestApplyContext t;
  ApplyOutcome out = applier_->Apply(spec, common::PresentValue(kNew), t.ctx);
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.output_tail;
  EXPECT_THAT(
      host_.Changes(),
      ElementsAre(
          Install(absl::StrCat("docker-ce=", kNew, " docker-ce-cli=", kNew)),
          "apt-mark hold docker-ce docker-ce-cli", "systemctl restart docker",
          "docker version --format {{.Server.Version}}"));
  EXPECT_THAT(t.steps.order(),
              ElementsAre("containers", "install", "hold", "restart"));
  EXPECT_EQ(applier_->ReadActual(spec)->data(), kNew);
  EXPECT_THAT(out.message, HasSubstr("the daemon runs 25.0.3"));
  EXPECT_THAT(out.message, HasSubstr("2 of 2 containers running again"));
  std::map<std::string, double> s = Samples(out);
  EXPECT_EQ(s[kDockerContainersRunning], 2);
  EXPECT_EQ(s[kDockerContainersMissing], 0);
  EXPECT_EQ(s[kDockerOrphans], 0);
  EXPECT_EQ(s[kDockerUp], 1);
}

TEST_F(DockerApplierTest, UpgradeThatOrphansContainersReportsThem) {
  host_.SetState(HostState(R"({"orphans_on_restart_to": ["25.0.3"]})"));
  TestApplyContext t;
  ApplyOutcome out = applier_->Apply(Spec(), common::PresentValue(kNew), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  std::map<std::string, double> s = Samples(out);
  EXPECT_EQ(s[kDockerContainersBefore], 2);
  EXPECT_EQ(s[kDockerContainersRunning], 1);
  EXPECT_EQ(s[kDockerContainersMissing], 1);
  // The web container's shim and its docker-proxy.
  EXPECT_EQ(s[kDockerOrphans], 2);
  // The health source keeps reporting them from the recorded baseline.
  std::map<std::string, double> later;
  for (const auto& sample : health_->Measure("docker-engine", nullptr)) {
    later[sample.name()] = sample.value();
  }
  EXPECT_EQ(later[kDockerOrphans], 2);
  EXPECT_EQ(later[kDockerContainersMissing], 1);
}

TEST_F(DockerApplierTest, RollbackReinstallsThePreviousVersionTheSameWay) {
  TestApplyContext up, down;
  ASSERT_TRUE(applier_->Apply(Spec(), common::PresentValue(kNew), up.ctx).ok);
  const size_t before = host_.Changes().size();
  ApplyOutcome out =
      applier_->Apply(Spec(), common::PresentValue(kOld), down.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  std::vector<std::string> changes = host_.Changes();
  changes.erase(changes.begin(), changes.begin() + before);
  EXPECT_THAT(changes,
              ElementsAre(Install(absl::StrCat("docker-ce=", kOld)),
                          "apt-mark hold docker-ce", "systemctl restart docker",
                          "docker version --format {{.Server.Version}}"));
  EXPECT_EQ(applier_->ReadActual(Spec())->data(), kOld);
}

TEST_F(DockerApplierTest, DaemonStillOnTheOldVersionFailsVerification) {
  // The unit restarted is not the one running the daemon.
  host_.SetState(HostState("{}", R"(, "docker_unit": "docker-real")"));
  TestApplyContext t;
  ApplyOutcome out = applier_->Apply(Spec(), common::PresentValue(kNew), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("verify failed: the daemon reports "
                                     "version 24.0.7, expected 25.0.3"));
}

TEST_F(DockerApplierTest, UnavailableVersionFailsNamingPackageAndVersion) {
  TestApplyContext t;
  ApplyOutcome out = applier_->Apply(
      Spec(), common::PresentValue("5:99.0.0-1~debian.12~bookworm"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message,
              HasSubstr("install failed: the package manager cannot find "
                        "docker-ce version 5:99.0.0-1~debian.12~bookworm"));
  for (const std::string& call : host_.Calls()) {
    EXPECT_THAT(call, ::testing::Not(HasSubstr("systemctl"))) << call;
  }
}

TEST_F(DockerApplierTest, ResumeAfterAnInterruptedRestartKeepsTheBaseline) {
  // The first attempt recorded both containers, installed, held, and was
  // killed during the restart; meanwhile the worker container died.
  ASSERT_TRUE(health_->SetBaseline("docker-engine", {kWeb, kWorker}).ok());
  host_.SetState(absl::StrCat(R"({"packages": {"docker-ce": ")", kNew, R"("},
      "available": {"docker-ce": [")",
                              kOld, R"(", ")", kNew, R"("]},
      "held": ["docker-ce"],
      "daemon": {"running": false, "version": "24.0.7"},
      "containers": [{"id": ")",
                              kWeb, R"(", "name": "web",
                      "ports": "", "running": true}]})"));
  TestApplyContext t;
  t.ctx.resumed = true;
  for (const char* step : {"containers", "install", "hold"}) {
    ASSERT_TRUE(t.steps.Record(step, "done").ok());
  }
  ApplyOutcome out = applier_->Apply(Spec(), common::PresentValue(kNew), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_THAT(host_.Changes(),
              ElementsAre("systemctl restart docker",
                          "docker version --format {{.Server.Version}}"));
  std::map<std::string, double> s = Samples(out);
  EXPECT_EQ(s[kDockerContainersBefore], 2);
  EXPECT_EQ(s[kDockerContainersMissing], 1);
}

TEST_F(DockerApplierTest, SupersededDuringInstallStopsBeforeTheRestart) {
  TestApplyContext t;
  t.ctx.superseded = [&] {
    for (const std::string& c : host_.Calls()) {
      if (absl::StartsWith(c, "apt-get install")) return true;
    }
    return false;
  };
  ApplyOutcome out = applier_->Apply(Spec(), common::PresentValue(kNew), t.ctx);
  EXPECT_TRUE(out.superseded);
  EXPECT_THAT(out.message, HasSubstr("stopped before step hold"));
  for (const std::string& call : host_.Calls()) {
    EXPECT_THAT(call, ::testing::Not(HasSubstr("systemctl"))) << call;
  }
}

TEST_F(DockerApplierTest, AbsentUnholdsAndRemovesTheEngine) {
  TestApplyContext t;
  ApplyOutcome out = applier_->Apply(Spec(), common::AbsentValue(), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_FALSE(applier_->ReadActual(Spec())->present());
  EXPECT_THAT(host_.Changes(),
              ElementsAre("apt-mark unhold docker-ce",
                          "apt-get remove --yes --allow-change-held-packages "
                          "-o DPkg::Lock::Timeout=600 docker-ce"));
}

}  // namespace
}  // namespace swell::agent
