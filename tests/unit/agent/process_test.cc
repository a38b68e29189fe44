#include "common/process.h"

#include <signal.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/test_util.h"

namespace swell::common {
namespace {

using ::swell::agent::testing::Exists;
using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;
using ::testing::HasSubstr;

CommandResult RunOk(CommandSpec spec) {
  absl::StatusOr<CommandResult> r = RunCommand(spec);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : CommandResult();
}

CommandSpec Sh(const std::string& script) {
  CommandSpec spec;
  spec.argv = {"sh", "-c", script};
  spec.timeout = absl::Seconds(20);
  return spec;
}

// True when no live (non-zombie) process has this pid.
bool ProcessGone(pid_t pid) {
  std::string stat = ReadFileOrEmpty(absl::StrCat("/proc/", pid, "/stat"));
  if (stat.empty()) return true;
  size_t close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() &&
         stat[close_paren + 2] == 'Z';
}

TEST(RunCommandTest, SuccessfulCommandIsOkWithExitZero) {
  CommandResult r = RunOk(Sh("exit 0"));
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.Describe(), ::testing::StartsWith("exit 0 in "));
}

TEST(RunCommandTest, NonZeroExitIsReportedNotAnError) {
  CommandResult r = RunOk(Sh("exit 3"));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.exited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(r.Describe(), ::testing::StartsWith("exit 3 in "));
}

TEST(RunCommandTest, OutputCombinesStdoutAndStderr) {
  CommandResult r = RunOk(Sh("echo out; echo err >&2"));
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_FALSE(r.truncated);
}

TEST(RunCommandTest, DeathBySignalIsReported) {
  CommandResult r = RunOk(Sh("kill -9 $$"));
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_FALSE(r.ok());
}

TEST(RunCommandTest, TimeoutStopsSleepLongBeforeItWouldEnd) {
  CommandSpec spec;
  spec.argv = {"sleep", "30"};
  spec.timeout = absl::Milliseconds(200);
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_LT(r.duration, absl::Seconds(25));
  EXPECT_THAT(r.Describe(), ::testing::StartsWith("timed out after "));
}

TEST(RunCommandTest, TimeoutKillsTheCommandsChildrenToo) {
  TempDir dir;
  std::string pid_file = dir / "child.pid";
  CommandSpec spec =
      Sh(absl::StrCat("sleep 30 & echo $! > ", pid_file, "; wait"));
  spec.timeout = absl::Milliseconds(300);
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(r.duration, absl::Seconds(25));
  int child = 0;
  ASSERT_TRUE(absl::SimpleAtoi(
      absl::StripAsciiWhitespace(ReadFileOrEmpty(pid_file)), &child));
  EXPECT_TRUE(WaitFor([&] { return ProcessGone(child); }))
      << "grandchild " << child << " survived the timeout";
}

TEST(RunCommandTest, CommandIgnoringSigtermIsKilled) {
  CommandSpec spec = Sh("trap '' TERM; sleep 30");
  spec.timeout = absl::Milliseconds(100);
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_LT(r.duration, absl::Seconds(25));
}

TEST(RunCommandTest, OutputKeepsOnlyTheBoundedTail) {
  CommandSpec spec =
      Sh("head -c 200000 /dev/zero | tr '\\000' a; echo; echo END");
  spec.max_output = 1000;
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output.size(), 1000u);
  EXPECT_TRUE(r.truncated);
  EXPECT_TRUE(absl::EndsWith(r.output, "aaa\nEND\n"));
}

TEST(RunCommandTest, MissingProgramIsNotFound) {
  CommandSpec spec;
  spec.argv = {"swell-no-such-program-anywhere"};
  absl::StatusOr<CommandResult> r = RunCommand(spec);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound) << r.status();

  spec.argv = {"/nonexistent/dir/program"};
  EXPECT_EQ(RunCommand(spec).status().code(), absl::StatusCode::kNotFound);
}

TEST(RunCommandTest, EmptyArgvIsInvalid) {
  EXPECT_EQ(RunCommand(CommandSpec()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(RunCommandTest, CancelStopsARunningCommand) {
  TempDir dir;
  std::string started = dir / "started";
  std::atomic<bool> cancel{false};
  CommandSpec spec = Sh(absl::StrCat("touch ", started, "; sleep 30"));
  spec.cancel = &cancel;
  std::thread canceller([&] {
    if (WaitFor([&] { return Exists(started); })) cancel = true;
  });
  CommandResult r = RunOk(spec);
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_LT(r.duration, absl::Seconds(25));
  EXPECT_THAT(r.Describe(), ::testing::StartsWith("cancelled after "));
}

TEST(RunCommandTest, StdinDataReachesTheCommand) {
  CommandSpec spec;
  spec.argv = {"cat"};
  spec.stdin_data = "hello\nworld\n";
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, "hello\nworld\n");
}

TEST(RunCommandTest, CommandThatIgnoresStdinStillFinishes) {
  CommandSpec spec = Sh("exit 0");
  spec.stdin_data = std::string(1 << 20, 'x');  // more than a pipe holds
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.ok());
}

TEST(RunCommandTest, ExtraEnvironmentIsAddedAndOverrides) {
  CommandSpec spec = Sh("echo \"$SWELL_TEST_VAR:$HOME\"");
  spec.extra_env = {{"SWELL_TEST_VAR", "v1"}, {"HOME", "/swell-home"}};
  EXPECT_EQ(RunOk(spec).output, "v1:/swell-home\n");
}

TEST(RunCommandTest, WorkingDirectoryIsUsed) {
  TempDir dir;
  CommandSpec spec;
  spec.argv = {"pwd"};
  spec.working_dir = dir.path();
  EXPECT_EQ(RunOk(spec).output, dir.path() + "\n");
}

TEST(RunCommandTest, BackgroundedGrandchildDoesNotHoldTheResultBack) {
  CommandSpec spec = Sh("sleep 3 & echo done");
  spec.timeout = absl::Seconds(20);
  CommandResult r = RunOk(spec);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.output, "done\n");
  EXPECT_LT(r.duration, absl::Seconds(15));
}

TEST(SplitCommandLineTest, SplitsOnWhitespace) {
  EXPECT_THAT(*SplitCommandLine("  nginx  -t\t-c /etc/nginx.conf \n"),
              ::testing::ElementsAre("nginx", "-t", "-c", "/etc/nginx.conf"));
}

TEST(SplitCommandLineTest, SingleQuotesKeepEverythingLiteral) {
  EXPECT_THAT(*SplitCommandLine(R"(sh -c 'echo "$HOME" \ done')"),
              ::testing::ElementsAre("sh", "-c", R"(echo "$HOME" \ done)"));
}

TEST(SplitCommandLineTest, DoubleQuotesHonourTheirEscapes) {
  EXPECT_THAT(*SplitCommandLine(R"(echo "a \"b\" \$c \\ \n")"),
              ::testing::ElementsAre("echo", R"(a "b" $c \ \n)"));
}

TEST(SplitCommandLineTest, BackslashEscapesOutsideQuotes) {
  EXPECT_THAT(*SplitCommandLine(R"(touch my\ file \'x)"),
              ::testing::ElementsAre("touch", "my file", "'x"));
}

TEST(SplitCommandLineTest, AdjacentPartsFormOneWord) {
  EXPECT_THAT(*SplitCommandLine(R"(a'b c'"d e"f)"),
              ::testing::ElementsAre("ab cd ef"));
}

TEST(SplitCommandLineTest, EmptyQuotesAreAnEmptyWord) {
  EXPECT_THAT(*SplitCommandLine("prog '' \"\""),
              ::testing::ElementsAre("prog", "", ""));
}

TEST(SplitCommandLineTest, NoExpansionHappens) {
  EXPECT_THAT(*SplitCommandLine("echo $HOME * ~ {}"),
              ::testing::ElementsAre("echo", "$HOME", "*", "~", "{}"));
}

TEST(SplitCommandLineTest, UnterminatedQuoteIsInvalid) {
  EXPECT_EQ(SplitCommandLine("echo 'abc").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitCommandLine("echo \"abc").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitCommandLine("echo abc\\").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SplitCommandLineTest, EmptyLineIsInvalid) {
  EXPECT_EQ(SplitCommandLine("").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitCommandLine("  \t ").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace swell::common
