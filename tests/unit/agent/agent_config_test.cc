#include "agent/agent_config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kFullConfig[] = R"(
host_id: web-7
controllers: [10.0.0.1:7070, 10.0.0.2:7070]
labels:
  site: par1
  role: web
root: /srv/hosts/web-7
state_dir: /var/lib/swell
check_interval: 10s
checks:
  - name: nginx_up
    command: systemctl is-active --quiet nginx
    parse: exit
  - name: error_rate
    command: /usr/local/bin/error-rate --window 1m
    interval: 30s
    timeout: 2s
    parse: number
)";

TEST(AgentConfigTest, FileAloneGivesItsValues) {
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(kFullConfig);
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<AgentConfig> config = MergeAgentConfig(*file, {}, "machine");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host_id, "web-7");
  EXPECT_THAT(config->controllers,
              ElementsAre("10.0.0.1:7070", "10.0.0.2:7070"));
  EXPECT_THAT(config->labels,
              ElementsAre(Pair("role", "web"), Pair("site", "par1")));
  EXPECT_EQ(config->root, "/srv/hosts/web-7");
  EXPECT_EQ(config->state_dir, "/srv/hosts/web-7/var/lib/swell");
  ASSERT_EQ(config->checks.size(), 2u);
  EXPECT_EQ(config->checks[0].name, "error_rate");
  EXPECT_EQ(config->checks[0].parse, CheckParse::kNumber);
  EXPECT_EQ(config->checks[0].interval, absl::Seconds(30));
  EXPECT_EQ(config->checks[0].timeout, absl::Seconds(2));
  EXPECT_EQ(config->checks[1].name, "nginx_up");
  EXPECT_EQ(config->checks[1].parse, CheckParse::kExit);
  EXPECT_EQ(config->checks[1].interval, absl::Seconds(10));
  EXPECT_EQ(config->checks[1].timeout, absl::Seconds(5));
}

TEST(AgentConfigTest, DefaultsWithNoFileAndNoFlags) {
  absl::StatusOr<AgentConfig> config = MergeAgentConfig({}, {}, "machine");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host_id, "machine");
  EXPECT_THAT(config->controllers, ElementsAre("127.0.0.1:7070"));
  EXPECT_EQ(config->root, "/");
  EXPECT_EQ(config->state_dir, "/var/lib/swell-agent");
  EXPECT_TRUE(config->checks.empty());
}

TEST(AgentConfigTest, FlagsOverrideTheFile) {
  AgentConfigFile file = *ParseAgentConfigYaml(kFullConfig);
  AgentFlagValues flags;
  flags.host_id = "web-8";
  flags.controllers = {"127.0.0.1:1,127.0.0.1:2", "127.0.0.1:3"};
  flags.labels = {"site=lon1", "rack=r2=b"};
  flags.root = "/tmp/h8";
  flags.checks = {"nginx_up=cat /run/nginx.up",
                  "load=awk '{print $1}' /proc/loadavg"};
  flags.check_interval = absl::Seconds(2);
  absl::StatusOr<AgentConfig> config = MergeAgentConfig(file, flags, "machine");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host_id, "web-8");
  EXPECT_THAT(config->controllers,
              ElementsAre("127.0.0.1:1", "127.0.0.1:2", "127.0.0.1:3"));
  EXPECT_THAT(config->labels,
              ElementsAre(Pair("rack", "r2=b"), Pair("role", "web"),
                          Pair("site", "lon1")));
  EXPECT_EQ(config->state_dir, "/tmp/h8/var/lib/swell");
  ASSERT_EQ(config->checks.size(), 3u);
  EXPECT_EQ(config->checks[1].name, "load");
  EXPECT_EQ(config->checks[1].command, "awk '{print $1}' /proc/loadavg");
  EXPECT_EQ(config->checks[1].parse, CheckParse::kNumber);
  EXPECT_EQ(config->checks[1].interval, absl::Seconds(2));
  EXPECT_EQ(config->checks[2].name, "nginx_up");
  EXPECT_EQ(config->checks[2].command, "cat /run/nginx.up");
  EXPECT_EQ(config->checks[2].parse, CheckParse::kNumber);
}

TEST(AgentConfigTest, StateDirAlwaysLivesBelowRoot) {
  AgentFlagValues flags;
  flags.root = "/tmp/h1";
  EXPECT_EQ(MergeAgentConfig({}, flags, "m")->state_dir,
            "/tmp/h1/var/lib/swell-agent");
  flags.state_dir = "state";
  EXPECT_EQ(MergeAgentConfig({}, flags, "m")->state_dir, "/tmp/h1/state");
  flags.state_dir = "/../escape";
  EXPECT_FALSE(MergeAgentConfig({}, flags, "m").ok());
}

TEST(AgentConfigTest, BadFlagValuesAreRejectedWithTheirText) {
  AgentFlagValues flags;
  flags.labels = {"novalue"};
  EXPECT_THAT(MergeAgentConfig({}, flags, "m").status().message(),
              HasSubstr("novalue"));
  flags = {};
  flags.checks = {"=true"};
  EXPECT_THAT(MergeAgentConfig({}, flags, "m").status().message(),
              HasSubstr("NAME=COMMAND"));
  flags = {};
  flags.check_interval = absl::Milliseconds(500);
  flags.checks = {"x=true"};
  EXPECT_THAT(MergeAgentConfig({}, flags, "m").status().message(),
              HasSubstr("minimum of 1s"));
}

TEST(AgentConfigTest, FileErrorsNameTheKeyAndLine) {
  absl::StatusOr<AgentConfigFile> file =
      ParseAgentConfigYaml("host_id: a\nbogus: 1\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("unknown key 'bogus'"));
  EXPECT_THAT(file.status().message(), HasSubstr("line 2"));

  file = ParseAgentConfigYaml(
      "checks:\n  - name: x\n    command: true\n    parse: maybe\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("parse must be"));
  EXPECT_THAT(file.status().message(), HasSubstr("line 4"));

  file = ParseAgentConfigYaml("checks:\n  - name: x\n    command: true\n");
  EXPECT_THAT(file.status().message(), HasSubstr("needs parse"));

  file = ParseAgentConfigYaml("labels: [a, b\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("line"));

  file = ParseAgentConfigYaml("check_interval: soon\n");
  EXPECT_THAT(file.status().message(), HasSubstr("check_interval"));
}

TEST(AgentConfigTest, MetricsListenIsOffByDefaultAndTheFlagOverridesTheFile) {
  EXPECT_EQ(MergeAgentConfig({}, {}, "m")->metrics_listen, "");
  absl::StatusOr<AgentConfigFile> file =
      ParseAgentConfigYaml("metrics_listen: 127.0.0.1:7072\n");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(MergeAgentConfig(*file, {}, "m")->metrics_listen, "127.0.0.1:7072");
  AgentFlagValues flags;
  flags.metrics_listen = "[::1]:9464";
  EXPECT_EQ(MergeAgentConfig(*file, flags, "m")->metrics_listen, "[::1]:9464");
  flags.metrics_listen = "";  // given empty: off, whatever the file says
  EXPECT_EQ(MergeAgentConfig(*file, flags, "m")->metrics_listen, "");
}

TEST(AgentConfigTest, MetricsListenMustBeHostAndPort) {
  for (const char* good :
       {"127.0.0.1:9464", "0.0.0.0:1", "[::1]:65535", "agent-7.example:9464"}) {
    EXPECT_TRUE(ValidateListenAddress(good).ok()) << good;
  }
  for (const char* bad : {"9464", ":9464", "127.0.0.1", "127.0.0.1:",
                          "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:+80",
                          "::1:9464", "[::1:9464", "host name:80"}) {
    EXPECT_EQ(ValidateListenAddress(bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  AgentFlagValues flags;
  flags.metrics_listen = "localhost";
  EXPECT_THAT(MergeAgentConfig({}, flags, "m").status().message(),
              HasSubstr("--metrics-listen 'localhost'"));

  absl::StatusOr<AgentConfigFile> file =
      ParseAgentConfigYaml("host_id: a\nmetrics_listen: 9464\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("metrics_listen"));
  EXPECT_THAT(file.status().message(), HasSubstr("line 2"));
}

TEST(AgentConfigTest, GuardrailsDefaultToNoCommandAndNoFile) {
  absl::StatusOr<AgentConfig> config = MergeAgentConfig({}, {}, "m");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->guardrails.kinds,
              ElementsAre(swell::v1::VARIABLE_KIND_FILE,
                          swell::v1::VARIABLE_KIND_PACKAGE,
                          swell::v1::VARIABLE_KIND_DOCKER));
  EXPECT_TRUE(config->guardrails.file_prefixes.empty());
  EXPECT_TRUE(config->guardrails.file_commands.empty());
  EXPECT_THAT(config->guardrails.packages, ElementsAre("*"));
}

TEST(AgentConfigTest, GuardrailsComeFromTheFileAndAFlagReplacesItsKey) {
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(
      "host_id: a\n"
      "guardrails:\n"
      "  kinds: [file, package]\n"
      "  file_prefixes: [/etc/app/]\n"
      "  packages: [\"nginx*\"]\n");
  ASSERT_TRUE(file.ok()) << file.status();
  AgentFlagValues flags;
  flags.guardrails.packages = {{"nginx*", "docker-ce*"}};
  absl::StatusOr<AgentConfig> config = MergeAgentConfig(*file, flags, "m");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->guardrails.kinds,
              ElementsAre(swell::v1::VARIABLE_KIND_FILE,
                          swell::v1::VARIABLE_KIND_PACKAGE));
  EXPECT_THAT(config->guardrails.file_prefixes, ElementsAre("/etc/app/"));
  EXPECT_THAT(config->guardrails.packages, ElementsAre("nginx*", "docker-ce*"));

  flags.guardrails.kinds = {{"shell"}};
  EXPECT_THAT(MergeAgentConfig(*file, flags, "m").status().message(),
              HasSubstr("--guardrail-kinds: unknown kind 'shell'"));
}

TEST(AgentConfigTest, GuardrailsErrorsNameTheKeyAndLine) {
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(
      "host_id: a\nguardrails:\n  file_prefixes: [/etc/app/, /etc/app]\n");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(),
              HasSubstr("guardrails.file_prefixes: file prefix '/etc/app'"));
  EXPECT_THAT(file.status().message(), HasSubstr("line 3, column 30"));
}

}  // namespace
}  // namespace swell::agent
