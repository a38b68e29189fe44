#include "cli/args.h"

#include "absl/status/status.h"
#include "cli/command_table.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<ParsedArgs> Parse(std::vector<std::string> argv) {
  return ParseArgs(argv, GlobalFlags(), CommandSyntaxes());
}

TEST(ParseArgsTest, AcceptsGlobalFlagsBeforeAndAfterTheCommand) {
  absl::StatusOr<ParsedArgs> args =
      Parse({"--controller", "10.0.0.1:7070", "status", "r-1", "-o", "json"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->command, "status");
  EXPECT_THAT(args->args, ElementsAre("r-1"));
  EXPECT_EQ(args->Get("controller"), "10.0.0.1:7070");
  EXPECT_EQ(args->Get("output"), "json");
}

TEST(ParseArgsTest, AcceptsAttachedValuesInEveryForm) {
  absl::StatusOr<ParsedArgs> args =
      Parse({"halt", "r-1", "--reason=error rate up", "-ojson"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("reason"), "error rate up");
  EXPECT_EQ(args->Get("output"), "json");
  args = Parse({"list", "-o=table"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("output"), "table");
}

TEST(ParseArgsTest, SwitchesTakeNoValue) {
  absl::StatusOr<ParsedArgs> args = Parse({"list", "--all"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_TRUE(args->Has("all"));
  EXPECT_FALSE(args->Has("reason"));

  args = Parse({"list", "--all=yes"});
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("takes no value"));
}

TEST(ParseArgsTest, RejectsAnUnknownCommandNamingIt) {
  absl::StatusOr<ParsedArgs> args = Parse({"deploy", "x.yaml"});
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("unknown command 'deploy'"));
}

TEST(ParseArgsTest, RejectsAFlagTheCommandDoesNotHave) {
  absl::StatusOr<ParsedArgs> args = Parse({"list", "--reason", "x"});
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("unknown flag --reason"));
  EXPECT_THAT(args.status().message(), HasSubstr("swellctl list --help"));
}

TEST(ParseArgsTest, SaysWhereACommandFlagBelongsWhenGivenBeforeTheCommand) {
  absl::StatusOr<ParsedArgs> args = Parse({"--reason", "x", "halt", "r-1"});
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("after the command"));
}

TEST(ParseArgsTest, RejectsAValueFlagAtTheEndWithoutItsValue) {
  absl::StatusOr<ParsedArgs> args = Parse({"halt", "r-1", "--reason"});
  EXPECT_EQ(args.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(args.status().message(), HasSubstr("--reason needs a value"));
}

TEST(ParseArgsTest, ChecksTheNumberOfArguments) {
  EXPECT_THAT(Parse({"submit"}).status().message(),
              HasSubstr("'submit' needs an argument"));
  EXPECT_THAT(Parse({"status", "r-1", "r-2"}).status().message(),
              HasSubstr("unexpected argument 'r-2'"));
}

TEST(ParseArgsTest, HelpSkipsTheArgumentCount) {
  absl::StatusOr<ParsedArgs> args = Parse({"submit", "--help"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_TRUE(args->help);
  EXPECT_EQ(args->command, "submit");
}

TEST(ParseArgsTest, TreatsADashAsAnArgumentAndDoubleDashAsEndOfFlags) {
  absl::StatusOr<ParsedArgs> args = Parse({"submit", "-"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(args->args, ElementsAre("-"));

  args = Parse({"status", "--", "-weird-id"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(args->args, ElementsAre("-weird-id"));
}

TEST(ParseArgsTest, LaterFlagWins) {
  absl::StatusOr<ParsedArgs> args =
      Parse({"list", "-o", "json", "--output", "table"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(args->Get("output"), "table");
}

TEST(ParseArgsTest, KeepsEveryValueOfARepeatedFlagInOrder) {
  absl::StatusOr<ParsedArgs> args =
      Parse({"--controller", "a:7072", "list", "--controller=b:7072,c:7072"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_THAT(args->GetAll("controller"),
              ElementsAre("a:7072", "b:7072,c:7072"));
  EXPECT_EQ(args->Get("controller"), "b:7072,c:7072");
  EXPECT_TRUE(args->GetAll("timeout").empty());
}

TEST(ParseArgsTest, EmptyCommandLineHasNoCommand) {
  absl::StatusOr<ParsedArgs> args = Parse({});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_TRUE(args->command.empty());
  EXPECT_FALSE(args->help);
}

}  // namespace
}  // namespace swell::cli
