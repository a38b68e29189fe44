// Where swellctl takes its token from, and when it sends none.

#include "cli/api_credentials.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "tests/support/throwaway_pki.h"

namespace swell::cli {
namespace {

class ApiCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/credentialsXXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    auto pki = test_support::ThrowawayPki::Create(dir_, "test");
    ASSERT_TRUE(pki.ok()) << pki.status();
    ca_ = pki->ca_file();
    env_.default_token_file = Write("home-token", "swell_fromhome\n");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  absl::StatusOr<ApiCredentials> Resolve(
      std::map<std::string, std::string> flags) {
    ParsedArgs args;
    args.command = "list";
    args.flags = std::move(flags);
    return ResolveApiCredentials(args, env_);
  }

  std::string dir_;
  std::string ca_;
  Environment env_;
};

TEST_F(ApiCredentialsTest, TokenFileThenEnvironmentThenHomeFile) {
  env_.token = "swell_fromenv";
  const std::string file = Write("flag-token", "  swell_fromflag \n");
  EXPECT_EQ(Resolve({{"ca", ca_}, {"token-file", file}})->token,
            "swell_fromflag");
  EXPECT_EQ(Resolve({{"ca", ca_}})->token, "swell_fromenv");
  env_.token.clear();
  EXPECT_EQ(Resolve({{"ca", ca_}})->token, "swell_fromhome");
  std::filesystem::remove(env_.default_token_file);
  absl::StatusOr<ApiCredentials> none = Resolve({{"ca", ca_}});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->token, "");
  EXPECT_TRUE(none->tls);
}

TEST_F(ApiCredentialsTest, CaFromEnvironmentWhenNoFlag) {
  env_.ca = ca_;
  absl::StatusOr<ApiCredentials> creds = Resolve({});
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_TRUE(creds->tls);
  EXPECT_EQ(creds->token, "swell_fromhome");
}

TEST_F(ApiCredentialsTest, NoTokenIsSentOverPlaintext) {
  env_.token = "swell_fromenv";
  absl::StatusOr<ApiCredentials> creds = Resolve({});
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_FALSE(creds->tls);
  EXPECT_EQ(creds->token, "");
  EXPECT_NE(creds->channel, nullptr);
}

TEST_F(ApiCredentialsTest, UnreadableFilesAreBadInputNamingTheFlag) {
  absl::StatusOr<ApiCredentials> no_file =
      Resolve({{"ca", ca_}, {"token-file", dir_ + "/missing"}});
  EXPECT_EQ(no_file.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(no_file.status().message().find("--token-file"), std::string::npos);
  absl::StatusOr<ApiCredentials> empty =
      Resolve({{"ca", ca_}, {"token-file", Write("empty", "\n")}});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<ApiCredentials> bad_ca = Resolve({{"ca", dir_ + "/nope"}});
  EXPECT_EQ(bad_ca.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(bad_ca.status().message().find("--ca"), std::string::npos);
  env_.ca = dir_ + "/nope";
  absl::StatusOr<ApiCredentials> bad_env_ca = Resolve({});
  EXPECT_NE(bad_env_ca.status().message().find("SWELL_CA"), std::string::npos)
      << bad_env_ca.status();
}

}  // namespace
}  // namespace swell::cli
