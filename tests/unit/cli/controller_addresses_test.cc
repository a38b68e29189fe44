#include "cli/controller_addresses.h"

#include "absl/status/status.h"
#include "cli/args.h"
#include "cli/command_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<std::vector<std::string>> Resolve(
    std::vector<std::string> argv, const std::string& env_controller = "") {
  absl::StatusOr<ParsedArgs> args =
      ParseArgs(argv, GlobalFlags(), CommandSyntaxes());
  if (!args.ok()) return args.status();
  Environment env;
  env.controller = env_controller;
  return ResolveControllerAddresses(*args, env);
}

TEST(ControllerAddressesTest, CommaListRepeatedFlagAndEnvironmentAgree) {
  const std::vector<std::string> want = {"a:7072", "b:7072", "c:7072"};
  EXPECT_EQ(*Resolve({"list", "--controller", "a:7072,b:7072,c:7072"}), want);
  EXPECT_EQ(*Resolve({"--controller", "a:7072", "list", "--controller",
                      "b:7072", "--controller=c:7072"}),
            want);
  EXPECT_EQ(*Resolve({"list", "--controller", "a:7072",
                      "--controller=b:7072,c:7072"}),
            want);
  EXPECT_EQ(*Resolve({"list"}, "a:7072,b:7072,c:7072"), want);
}

TEST(ControllerAddressesTest,
     TheFlagOverridesTheEnvironmentWhichOverridesTheDefault) {
  EXPECT_THAT(*Resolve({"list", "--controller", "f:1"}, "e:1,e:2"),
              ElementsAre("f:1"));
  EXPECT_THAT(*Resolve({"list"}, "e:1,e:2"), ElementsAre("e:1", "e:2"));
  EXPECT_THAT(*Resolve({"list"}), ElementsAre(kDefaultController));
}

TEST(ControllerAddressesTest, DropsBlanksAndRepeatsKeepingTheOrder) {
  EXPECT_THAT(*Resolve({"list"}, " b:1 , a:1,,b:1, "),
              ElementsAre("b:1", "a:1"));
}

TEST(ControllerAddressesTest, ANameWithoutAnyAddressIsBadInputNamingItsSource) {
  absl::StatusOr<std::vector<std::string>> flag =
      Resolve({"list", "--controller", " , "});
  EXPECT_EQ(flag.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(flag.status().message(), HasSubstr("--controller"));
  absl::StatusOr<std::vector<std::string>> env = Resolve({"list"}, ",");
  EXPECT_EQ(env.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(env.status().message(), HasSubstr("SWELL_CONTROLLER"));
}

}  // namespace
}  // namespace swell::cli
