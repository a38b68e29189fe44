// The package and docker appliers refresh the host's package lists
// (apt-get update) before installing a version the lists do not have yet.

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/appliers/debian_packages.h"
#include "agent/appliers/docker_applier.h"
#include "agent/appliers/package_applier.h"
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
using ::swell::agent::testing::WaitFor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kUpdate[] = "apt-get update -o DPkg::Lock::Timeout=600";

std::string Install(const std::string& targets) {
  return absl::StrCat(
      "apt-get install --yes --allow-downgrades "
      "--allow-change-held-packages -o DPkg::Lock::Timeout=600 -o "
      "Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold ",
      targets);
}

TEST(MadisonListsAllTest, NeedsARowWithTheExactVersionForEveryName) {
  const std::string madison =
      "N: Unable to locate package nosuch\n"
      " docker-ce | 5:25.0.3-1~debian.12~bookworm | "
      "https://download.docker.com/linux/debian bookworm/stable amd64 "
      "Packages\n"
      " docker-ce | 5:24.0.7-1~debian.12~bookworm | "
      "https://download.docker.com/linux/debian bookworm/stable amd64 "
      "Packages\n"
      "docker-ce-cli:arm64 | 5:25.0.3-1~debian.12~bookworm | https://x "
      "bookworm/stable arm64 Packages\n"
      "     nginx | 1.22.1-9 | http://deb.debian.org/debian bookworm/main "
      "Sources\n";
  const std::string v25 = "5:25.0.3-1~debian.12~bookworm";
  EXPECT_TRUE(MadisonListsAll(madison, {"docker-ce"}, v25));
  EXPECT_TRUE(MadisonListsAll(madison, {"docker-ce", "docker-ce-cli"}, v25));
  EXPECT_FALSE(MadisonListsAll(madison, {"docker-ce", "docker-ce-cli"},
                               "5:24.0.7-1~debian.12~bookworm"));
  EXPECT_TRUE(MadisonListsAll(madison, {"nginx"}, "1.22.1-9"));
  EXPECT_FALSE(MadisonListsAll(madison, {"nginx"}, "1.22.1-90"));
  EXPECT_FALSE(MadisonListsAll(madison, {"nginx"}, "1.22.1"));
  EXPECT_FALSE(MadisonListsAll(madison, {"nosuch"}, "1.22.1-9"));
  EXPECT_FALSE(MadisonListsAll("", {"nginx"}, "1.22.1-9"));
  EXPECT_FALSE(MadisonListsAll(madison, {}, "1.22.1-9"));
}

class PackageListsTest : public ::testing::Test {
 protected:
  PackageListsTest()
      : host_(dir_ / "standin"), applier_(host_.Env(dir_ / "root")) {
    // 1.24.0-2 is published, but the host's lists have not seen it yet.
    SetHost("{}");
  }

  void SetHost(const std::string& faults) {
    host_.SetState(absl::StrCat(R"({
      "packages": {"nginx": "1.22.1-9"},
      "available": {"nginx": ["1.22.1-9"]},
      "repository": {"nginx": ["1.22.1-9", "1.24.0-2"]},
      "faults": )",
                                faults, "}"));
  }

  static swell::v1::VariableSpec Spec() {
    swell::v1::VariableSpec spec;
    spec.set_name("nginx");
    spec.set_kind(swell::v1::VARIABLE_KIND_PACKAGE);
    spec.mutable_package()->set_name("nginx");
    return spec;
  }

  std::string Actual() {
    absl::StatusOr<swell::v1::Value> v = applier_.ReadActual(Spec());
    return v.ok() ? v->data() : std::string(v.status().message());
  }

  TempDir dir_;
  StandinHost host_;
  PackageApplier applier_;
};

TEST_F(PackageListsTest, UnlistedVersionInstallsAfterOneUpdate) {
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.output_tail;
  EXPECT_THAT(host_.Changes(), ElementsAre(Install("nginx=1.24.0-2"), kUpdate,
                                           Install("nginx=1.24.0-2")));
  EXPECT_EQ(host_.Count("apt-cache madison nginx"), 1);
  EXPECT_EQ(Actual(), "1.24.0-2");
  EXPECT_THAT(t.steps.order(), ElementsAre("install"));
}

TEST_F(PackageListsTest, ListedVersionNeverUpdatesTheLists) {
  host_.SetState(R"({"packages": {"nginx": "1.22.1-9"},
                     "available": {"nginx": ["1.22.1-9", "1.24.0-2"]}})");
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(Actual(), "1.24.0-2");  // the install really ran
  EXPECT_THAT(host_.Changes(), ElementsAre(Install("nginx=1.24.0-2")));
  EXPECT_EQ(host_.Count("apt-cache"), 0);
}

TEST_F(PackageListsTest, FailedUpdateNamesTheCommandAndItsLastLine) {
  SetHost(
      R"({"update_fails": "E: The repository 'http://deb.example bookworm Release' does not have a Release file."})");
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_FALSE(out.cancelled);
  EXPECT_THAT(out.message,
              HasSubstr(absl::StrCat("install failed: the package lists have "
                                     "no nginx version 1.24.0-2, and updating "
                                     "them failed: ",
                                     kUpdate, ": exit 100 in ")));
  EXPECT_THAT(out.message, HasSubstr(": E: The repository 'http://deb.example "
                                     "bookworm Release' does not have a "
                                     "Release file."));
  EXPECT_EQ(host_.Count("apt-get install"), 1);
  EXPECT_EQ(Actual(), "1.22.1-9");
}

TEST_F(PackageListsTest, VersionUnknownEvenAfterUpdateSaysSo) {
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("9.9.9-1"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message,
              HasSubstr("cannot find nginx version 9.9.9-1 even after "
                        "apt-get update: E: Version '9.9.9-1' for 'nginx' "
                        "was not found"));
  EXPECT_EQ(host_.Count("apt-get update"), 1);
  EXPECT_EQ(host_.Count("apt-get install"), 2);
}

TEST_F(PackageListsTest, InstallFailingWithTheVersionListedDoesNotUpdate) {
  host_.SetState(R"({"packages": {"nginx": "1.22.1-9"},
                     "available": {"nginx": ["1.22.1-9", "1.24.0-2"]},
                     "faults": {"refuse_versions": ["1.24.0-2"]}})");
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), t.ctx);
  EXPECT_FALSE(out.ok);
  // The lists were asked, and they have the version: nothing to update.
  EXPECT_EQ(host_.Count("apt-cache madison nginx"), 1);
  EXPECT_EQ(host_.Count("apt-get update"), 0);
  EXPECT_EQ(host_.Count("apt-get install"), 1);
  EXPECT_THAT(out.message, HasSubstr("cannot find nginx version 1.24.0-2: "));
}

TEST_F(PackageListsTest, UpdateIsBoundedByTheSpecsTimeout) {
  SetHost(R"({"slow": {"apt-get update": 60}})");
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_package()->set_timeout_ms(1000);
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(spec, common::PresentValue("1.24.0-2"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message,
              HasSubstr("updating them failed: apt-get update -o "
                        "DPkg::Lock::Timeout=1: timed out after "));
  EXPECT_EQ(host_.Count("apt-get install"), 1);
}

TEST_F(PackageListsTest, CancelledUpdateStopsBeforeInstallingAgain) {
  SetHost(R"({"slow": {"apt-get update": 60}})");
  TestApplyContext t;
  ApplyOutcome out;
  std::thread apply([&] {
    out = applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), t.ctx);
  });
  EXPECT_TRUE(WaitFor([&] { return host_.Count("apt-get update") == 1; }));
  t.cancel = true;
  apply.join();
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.cancelled);
  EXPECT_THAT(out.message, HasSubstr("install cancelled"));
  EXPECT_EQ(host_.Count("apt-get install"), 1);
  EXPECT_TRUE(t.steps.order().empty());
}

TEST(DockerPackageListsTest, UnlistedEngineInstallsAfterOneUpdate) {
  constexpr char kOld[] = "5:24.0.7-1~debian.12~bookworm";
  constexpr char kNew[] = "5:25.0.3-1~debian.12~bookworm";
  TempDir dir;
  const std::string root = dir / "root";
  std::filesystem::create_directories(root);
  StandinHost host(dir / "standin");
  host.SetState(absl::StrCat(R"({"packages": {"docker-ce": ")", kOld,
                             R"(", "docker-ce-cli": ")", kOld, R"("},
      "available": {"docker-ce": [")",
                             kOld, R"("], "docker-ce-cli": [")", kOld, R"("]},
      "repository": {"docker-ce": [")",
                             kNew, R"("], "docker-ce-cli": [")", kNew, R"("]},
      "daemon": {"running": true, "version": "24.0.7"}})"));
  auto health = std::make_shared<DockerHealth>(
      dir / "state",
      std::make_shared<DockerProbe>(host.Env(root), root + "/proc"),
      [] { return nullptr; });
  DockerApplier applier(host.Env(root), health);
  swell::v1::VariableSpec spec;
  spec.set_name("docker-engine");
  spec.set_kind(swell::v1::VARIABLE_KIND_DOCKER);
  spec.mutable_docker()->add_companion_packages("docker-ce-cli");
  spec.mutable_docker()->set_verify_timeout_ms(1000);
  TestApplyContext t;
  ApplyOutcome out = applier.Apply(spec, common::PresentValue(kNew), t.ctx);
  ASSERT_TRUE(out.ok) << out.message << "\n" << out.output_tail;
  const std::string install =
      Install(absl::StrCat("docker-ce=", kNew, " docker-ce-cli=", kNew));
  EXPECT_THAT(host.Changes(),
              ElementsAre(install, kUpdate, install,
                          "apt-mark hold docker-ce docker-ce-cli",
                          "systemctl restart docker",
                          "docker version --format {{.Server.Version}}"));
  EXPECT_EQ(applier.ReadActual(spec)->data(), kNew);
}

}  // namespace
}  // namespace swell::agent
