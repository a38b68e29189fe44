// The agent's TLS files from its config file and flags (tls_config.h).

#include "agent/tls_config.h"

#include "agent/agent_config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::agent {
namespace {

using ::testing::HasSubstr;

TEST(TlsConfigTest, TheFileGivesTheFilesAndAFlagReplacesOne) {
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(
      "host_id: web-1\n"
      "tls:\n"
      "  cert: /etc/swell/web-1.pem\n"
      "  key: /etc/swell/web-1.key\n"
      "  ca: /etc/swell/ca.pem\n");
  ASSERT_TRUE(file.ok()) << file.status();
  AgentFlagValues flags;
  flags.tls.cert = "/etc/swell/web-1-new.pem";
  absl::StatusOr<AgentConfig> config = MergeAgentConfig(*file, flags, "m");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->tls.cert, "/etc/swell/web-1-new.pem");
  EXPECT_EQ(config->tls.key, "/etc/swell/web-1.key");
  EXPECT_EQ(config->tls.ca, "/etc/swell/ca.pem");
}

TEST(TlsConfigTest, NoTlsAnywhereIsEmpty) {
  absl::StatusOr<AgentConfig> config =
      MergeAgentConfig(AgentConfigFile(), AgentFlagValues(), "m");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->tls.empty());
}

TEST(TlsConfigTest, FileErrorsNameTheKeyAndLine) {
  absl::StatusOr<AgentConfigFile> partial =
      ParseAgentConfigYaml("host_id: a\ntls:\n  cert: a.pem\n  key: a.key\n");
  ASSERT_FALSE(partial.ok());
  EXPECT_THAT(partial.status().message(),
              HasSubstr("tls needs cert, key and ca; ca is missing (line 3, "
                        "column 3)"));
  absl::StatusOr<AgentConfigFile> unknown = ParseAgentConfigYaml(
      "tls:\n  cert: a\n  key: b\n  ca: c\n  client_ca: d\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("unknown tls key 'client_ca' (tls takes cert, key "
                        "and ca) (line 5, column 3)"));
  absl::StatusOr<AgentConfigFile> empty =
      ParseAgentConfigYaml("tls:\n  cert: ''\n  key: b\n  ca: c\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(),
              HasSubstr("tls.cert: expected a file path (line 2, column 9)"));
  EXPECT_FALSE(ParseAgentConfigYaml("tls: yes\n").ok());
}

TEST(TlsConfigTest, FlagsAloneMustGiveAllThree) {
  AgentFlagValues flags;
  flags.tls.cert = "a.pem";
  absl::Status s = MergeAgentConfig(AgentConfigFile(), flags, "m").status();
  EXPECT_THAT(s.message(), HasSubstr("missing --tls-key (tls.key), --tls-ca "
                                     "(tls.ca)"));
}

TEST(TlsConfigTest, CredentialsNameTheFlagOfAnUnreadableFile) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      ControllerCredentials({"/nonexistent/web-1.pem", "/nonexistent/web-1.key",
                             "/nonexistent/ca.pem"});
  ASSERT_FALSE(creds.ok());
  EXPECT_THAT(creds.status().message(),
              HasSubstr("--tls-ca: cannot read /nonexistent/ca.pem"));
  EXPECT_TRUE(ControllerCredentials({}).ok());  // plaintext
}

TEST(TlsConfigTest, TlsOrInsecureToLoopbackNeverBothNeverNeither) {
  const AgentTlsFiles tls{"a.pem", "a.key", "ca.pem"};
  const std::vector<std::string> loopback = {"127.0.0.1:7070", "[::1]:7070",
                                             "localhost:1"};
  EXPECT_TRUE(CheckTransport(tls, {"10.0.0.2:7070"}, false).ok());
  EXPECT_TRUE(CheckTransport({}, loopback, true).ok());
  EXPECT_THAT(CheckTransport(tls, loopback, true).message(),
              HasSubstr("exclude each other"));
  EXPECT_THAT(CheckTransport({}, loopback, false).message(),
              HasSubstr("refusing to start without TLS"));
  EXPECT_THAT(
      CheckTransport({}, {"127.0.0.1:7070", "10.0.0.2:7070"}, true).message(),
      HasSubstr("controller 10.0.0.2:7070 is not a loopback address"));
}

}  // namespace
}  // namespace swell::agent
