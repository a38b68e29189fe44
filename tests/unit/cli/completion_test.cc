// `swellctl completion bash`, run through a real bash: the script the real
// binary prints completes commands, subcommands and flags.

#include "cli/completion.h"

#include <cstdlib>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

using ::testing::HasSubstr;

std::string Swellctl() {
  const char* build_dir = std::getenv("SWELL_BUILD_DIR");
  return build_dir != nullptr ? absl::StrCat(build_dir, "/cli/swellctl")
                              : SWELLCTL_BINARY;
}

// The completions bash offers for the words of `line` (the last one being
// completed), with the script the real swellctl printed.
std::string Complete(const std::vector<std::string>& line) {
  std::vector<std::string> quoted;
  for (const std::string& w : line) quoted.push_back("'" + w + "'");
  const std::string script = absl::StrCat(
      "source <(\"$0\" completion bash) || exit 9\n"
      "COMP_WORDS=(",
      absl::StrJoin(quoted, " "), ")\nCOMP_CWORD=", line.size() - 1,
      "\n_swellctl\necho \"${COMPREPLY[*]}\"\n");
  common::CommandSpec spec;
  spec.argv = {"bash", "-c", script, Swellctl()};
  spec.timeout = absl::Seconds(30);
  absl::StatusOr<common::CommandResult> r = common::RunCommand(spec);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return "";
  EXPECT_EQ(r->exit_code, 0) << r->output;
  return std::string(absl::StripTrailingAsciiWhitespace(r->output));
}

TEST(CompletionTest, CompletesCommands) {
  EXPECT_EQ(Complete({"swellctl", "sub"}), "submit");
  EXPECT_EQ(Complete({"swellctl", "--timeout", "5s", "rollb"}), "rollback");
}

TEST(CompletionTest, CompletesSubcommands) {
  EXPECT_EQ(Complete({"swellctl", "hosts", "re"}), "retire revoke");
  EXPECT_EQ(Complete({"swellctl", "token", "c"}), "create");
}

TEST(CompletionTest, CompletesACommandsFlagsAndTheGlobalOnes) {
  EXPECT_EQ(Complete({"swellctl", "submit", "--se"}), "--seed");
  EXPECT_EQ(Complete({"swellctl", "halt", "--al"}), "--all");
  EXPECT_EQ(Complete({"swellctl", "list", "--cont"}), "--controller");
}

// Every command of the table is offered, and every subcommand is one its
// synopsis names: the script cannot drift from the commands.
TEST(CompletionTest, KnowsEveryCommandAndOnlyRealSubcommands) {
  const std::string all = Complete({"swellctl", ""});
  for (const CommandInfo& c : Commands()) {
    EXPECT_THAT(all, HasSubstr(c.syntax.name));
    for (const std::string& sub : Subcommands(c.syntax.name)) {
      EXPECT_TRUE(absl::StrContains(c.synopsis, sub))
          << c.syntax.name << " " << sub << " not in " << c.synopsis;
    }
  }
}

TEST(CompletionTest, OtherShellsAreABadRequest) {
  common::CommandSpec spec;
  spec.argv = {Swellctl(), "completion", "fish"};
  spec.timeout = absl::Seconds(30);
  absl::StatusOr<common::CommandResult> r = common::RunCommand(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2);
  EXPECT_THAT(r->output, HasSubstr("only bash is supported, not 'fish'"));
}

}  // namespace
}  // namespace swell::cli
