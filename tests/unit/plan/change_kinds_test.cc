// The `change` section's kinds beyond plain files: package, docker and
// command, and the file kind's daemon-config settings.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/plan/plan.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::controller {
namespace {

using ::testing::ElementsAre;

constexpr char kStrategy[] = "strategy:\n  waves: [100%]\n";

// A plan named p1 whose change section is `change` (lines from 3 on).
std::string PlanWith(std::string_view change) {
  return absl::StrCat("name: p1\nchange:\n", std::string(change), kStrategy);
}

std::vector<std::string> Errors(std::string_view change) {
  std::vector<std::string> out;
  for (const PlanError& e : ParsePlan(PlanWith(change)).errors) {
    out.push_back(e.ToString("p"));
  }
  return out;
}

Plan Parsed(std::string_view change) {
  PlanParseResult r = ParsePlan(PlanWith(change));
  for (const PlanError& e : r.errors) ADD_FAILURE() << e.ToString("p");
  return r.plan;
}

TEST(ChangeKindsTest, DockerChangeTakesItsDefaults) {
  Plan p = Parsed(
      "  variable: docker-engine\n"
      "  kind: docker\n"
      "  version: \"5:25.0.3-1~debian.12~bookworm\"\n");
  EXPECT_EQ(p.variable.kind(), swell::v1::VARIABLE_KIND_DOCKER);
  EXPECT_EQ(p.variable.docker().package(), "docker-ce");
  EXPECT_EQ(p.variable.docker().service(), "docker");
  EXPECT_FALSE(p.variable.docker().no_hold());
  EXPECT_EQ(p.variable.docker().timeout_ms(), 0u);
  EXPECT_TRUE(common::SameValue(
      p.value, common::PresentValue("5:25.0.3-1~debian.12~bookworm")));
}

TEST(ChangeKindsTest, DockerChangeReadsEverySetting) {
  Plan p = Parsed(
      "  variable: docker-engine\n"
      "  kind: docker\n"
      "  package: docker.io\n"
      "  companion_packages: [docker-cli]\n"
      "  service: docker.service\n"
      "  hold: false\n"
      "  timeout: 15m\n"
      "  verify_timeout: 2m\n"
      "  version: 24.0.5-0ubuntu1~22.04.1\n");
  const swell::v1::DockerSpec& d = p.variable.docker();
  EXPECT_EQ(d.package(), "docker.io");
  EXPECT_THAT(d.companion_packages(), ElementsAre("docker-cli"));
  EXPECT_EQ(d.service(), "docker.service");
  EXPECT_TRUE(d.no_hold());
  EXPECT_EQ(d.timeout_ms(), 15u * 60 * 1000);
  EXPECT_EQ(d.verify_timeout_ms(), 120u * 1000);
  EXPECT_EQ(p.value.data(), "24.0.5-0ubuntu1~22.04.1");
}

TEST(ChangeKindsTest, PackageChangeNeedsAPackageAndAVersionOrAbsent) {
  Plan p = Parsed(
      "  variable: nginx\n"
      "  kind: package\n"
      "  package: nginx\n"
      "  version: 1.24.0-2\n"
      "  hold: true\n"
      "  restart: [nginx, nginx-exporter.service]\n");
  EXPECT_EQ(p.variable.package().name(), "nginx");
  EXPECT_TRUE(p.variable.package().hold());
  EXPECT_THAT(p.variable.package().restart_units(),
              ElementsAre("nginx", "nginx-exporter.service"));
  EXPECT_EQ(p.value.data(), "1.24.0-2");

  Plan removed = Parsed(
      "  variable: telnet\n"
      "  kind: package\n"
      "  package: telnet\n"
      "  absent: true\n");
  EXPECT_FALSE(removed.value.present());

  EXPECT_THAT(Errors("  variable: nginx\n  kind: package\n"),
              ElementsAre("p:3:3: change.package: required; expected a "
                          "Debian package name like nginx (a-z, 0-9, '+', "
                          "'-', '.')",
                          "p:3:3: change.version: required; expected a "
                          "Debian package version like \"1.22.1-9\" or "
                          "\"5:24.0.7-1~debian.12~bookworm\", or absent: "
                          "true to remove the package"));
}

TEST(ChangeKindsTest, BadPackageSettingsAreReportedWhereTheyAre) {
  EXPECT_THAT(
      Errors("  variable: nginx\n"
             "  kind: package\n"
             "  package: Nginx\n"
             "  version: latest\n"
             "  restart: [\"bad unit\"]\n"
             "  timeout: 0s\n"),
      ElementsAre(
          "p:5:12: change.package: expected a Debian package name like nginx "
          "(a-z, 0-9, '+', '-', '.'), got 'Nginx'",
          "p:6:12: change.version: expected a Debian package version like "
          "\"1.22.1-9\" or \"5:24.0.7-1~debian.12~bookworm\", got 'latest'",
          "p:7:13: change.restart[0]: expected a systemd unit like docker or "
          "nginx.service, or a list of them, got 'bad unit'",
          "p:8:12: change.timeout: expected a duration like 30s or 10m, from "
          "1s to 24h, got '0s'"));
  EXPECT_THAT(Errors("  variable: nginx\n"
                     "  kind: package\n"
                     "  package: nginx\n"
                     "  version: 1.2-1\n"
                     "  absent: true\n"),
              ElementsAre("p:6:12: change.version: version and absent: true "
                          "exclude each other; keep one"));
}

TEST(ChangeKindsTest, FieldsOfAnotherKindAreUnknownForThisOne) {
  std::vector<std::string> errors = Errors(
      "  variable: docker-engine\n"
      "  kind: docker\n"
      "  version: 24.0.7\n"
      "  path: /etc/docker/daemon.json\n");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], ::testing::StartsWith(
                             "p:6:3: change.path: unknown field 'path'"));
  EXPECT_THAT(errors[0], ::testing::HasSubstr("verify_timeout"));
}

TEST(ChangeKindsTest, UnknownKindNamesTheKnownOnes) {
  EXPECT_THAT(Errors("  variable: v\n  kind: rpm\n"),
              ElementsAre("p:4:9: change.kind: unknown kind 'rpm'; expected "
                          "one of file, package, docker, command"));
}

TEST(ChangeKindsTest, CommandChangeReadsItsCommandsAndValue) {
  Plan p = Parsed(
      "  variable: somaxconn\n"
      "  kind: command\n"
      "  current: sysctl -n net.core.somaxconn\n"
      "  apply: sysctl -w net.core.somaxconn={}\n"
      "  verify: \"sh -c 'test $(sysctl -n net.core.somaxconn) = {}'\"\n"
      "  timeout: 10s\n"
      "  value: 4096\n");
  const swell::v1::CommandSpec& c = p.variable.command();
  EXPECT_EQ(c.current(), "sysctl -n net.core.somaxconn");
  EXPECT_EQ(c.apply(), "sysctl -w net.core.somaxconn={}");
  EXPECT_FALSE(c.shell());
  EXPECT_EQ(c.timeout_ms(), 10000u);
  EXPECT_EQ(p.value.data(), "4096");
}

TEST(ChangeKindsTest, CommandThatCannotBeSplitNeedsAShell) {
  EXPECT_THAT(Errors("  variable: v\n"
                     "  kind: command\n"
                     "  current: cat /x\n"
                     "  apply: \"echo 'unterminated\"\n"
                     "  value: 1\n"),
              ElementsAre("p:6:10: change.apply: cannot split 'echo "
                          "\\'unterminated' into words: unterminated single "
                          "quote at offset 5 (or set shell: true)"));
  Plan p = Parsed(
      "  variable: v\n"
      "  kind: command\n"
      "  shell: true\n"
      "  current: cat /x\n"
      "  apply: \"echo 'unterminated\"\n"
      "  value: 1\n");
  EXPECT_TRUE(p.variable.command().shell());
}

TEST(ChangeKindsTest, CommandNeedsApplyCurrentAndValue) {
  EXPECT_THAT(
      Errors("  variable: v\n  kind: command\n"),
      ElementsAre(::testing::StartsWith("p:3:3: change.apply: required"),
                  ::testing::StartsWith("p:3:3: change.current: required"),
                  ::testing::StartsWith("p:3:3: change.value: required")));
}

TEST(ChangeKindsTest, DaemonConfigFileGetsValidateAndRestartUnits) {
  Plan p = Parsed(
      "  variable: docker-daemon-config\n"
      "  kind: file\n"
      "  path: /etc/docker/daemon.json\n"
      "  owner: root\n"
      "  group: docker\n"
      "  mode: \"0640\"\n"
      "  validate: dockerd --validate --config-file {}\n"
      "  restart: docker\n"
      "  content: '{\"debug\": true}'\n");
  const swell::v1::FileSpec& f = p.variable.file();
  EXPECT_EQ(f.validate(), "dockerd --validate --config-file {}");
  EXPECT_THAT(f.restart_units(), ElementsAre("docker"));
  EXPECT_EQ(f.owner(), "root");
  EXPECT_EQ(f.group(), "docker");
  EXPECT_EQ(f.mode(), 0640u);
}

TEST(ChangeKindsTest, ValidateMustNameTheCandidateFile) {
  EXPECT_THAT(Errors("  variable: v\n"
                     "  kind: file\n"
                     "  path: /etc/docker/daemon.json\n"
                     "  validate: dockerd --validate\n"
                     "  content: x\n"),
              ElementsAre("p:6:13: change.validate: validate must name the "
                          "candidate file as {}, e.g. \"dockerd --validate "
                          "--config-file {}\""));
}

// The shipped examples of these kinds parse to what their comments say.
PlanParseResult ParseExample(const std::string& name) {
  const char* dir = std::getenv("SWELL_SOURCE_DIR");
  std::ifstream in(
      std::filesystem::path(dir != nullptr ? dir : SWELL_SOURCE_DIR_DEFAULT) /
      "deploy/examples" / name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  PlanParseResult r = ParsePlan(text.str());
  for (const PlanError& e : r.errors) ADD_FAILURE() << e.ToString(name);
  return r;
}

TEST(ChangeKindsExamplesTest, DockerUpgradeIsGatedOnContainersAndOrphans) {
  PlanParseResult r = ParseExample("docker-upgrade.yaml");
  EXPECT_EQ(r.plan.variable.kind(), swell::v1::VARIABLE_KIND_DOCKER);
  EXPECT_THAT(r.plan.variable.docker().companion_packages(),
              ElementsAre("docker-ce-cli"));
  EXPECT_EQ(r.plan.value.data(), "5:25.0.3-1~debian.12~bookworm");
  std::vector<std::string> metrics;
  for (const GateSpec& g : r.plan.gates) metrics.push_back(g.metric);
  EXPECT_THAT(metrics,
              ::testing::IsSupersetOf({"docker_up", "docker_containers_missing",
                                       "docker_orphans"}));
}

TEST(ChangeKindsExamplesTest, DaemonConfigIsValidatedByDockerd) {
  PlanParseResult r = ParseExample("daemon-config.yaml");
  EXPECT_EQ(r.plan.variable.file().validate(),
            "dockerd --validate --config-file {}");
  EXPECT_THAT(r.plan.variable.file().restart_units(), ElementsAre("docker"));
}

TEST(ChangeKindsExamplesTest, PackageUpgradeHoldsAndRestarts) {
  PlanParseResult r = ParseExample("package-upgrade.yaml");
  EXPECT_EQ(r.plan.variable.package().name(), "nginx");
  EXPECT_TRUE(r.plan.variable.package().hold());
  EXPECT_THAT(r.plan.variable.package().restart_units(), ElementsAre("nginx"));
  EXPECT_EQ(r.plan.value.data(), "1.24.0-2");
}

TEST(ChangeKindsExamplesTest, CommandExampleHasEveryCommand) {
  PlanParseResult r = ParseExample("command-example.yaml");
  const swell::v1::CommandSpec& c = r.plan.variable.command();
  EXPECT_FALSE(c.current().empty());
  EXPECT_FALSE(c.apply().empty());
  EXPECT_FALSE(c.verify().empty());
  EXPECT_FALSE(c.revert().empty());
  EXPECT_EQ(c.timeout_ms(), 10000u);
  EXPECT_EQ(r.plan.value.data(), "4096");
}

}  // namespace
}  // namespace swell::controller
