// Runs the real swell-controller and swell-agent binaries with --help and
// checks what a new user sees: exit status 0 and the flags on stdout.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

struct Binary {
  const char* build_path;  // below SWELL_BUILD_DIR
  const char* cmake_path;  // where CMake built it, for a direct run
  const char* usage;       // words from its usage message
  const char* flag;        // one of its own flags
};

constexpr Binary kController = {
    "controller/swell-controller", SWELL_CONTROLLER_BINARY,
    "the Swell rollout controller", "--agent-grace"};
constexpr Binary kAgent = {"agent/swell-agent", SWELL_AGENT_BINARY,
                           "keeps this host converged", "--state-dir"};

std::string PathOf(const Binary& b) {
  // ctest sets SWELL_BUILD_DIR; a direct run uses the path CMake knew.
  const char* build_dir = std::getenv("SWELL_BUILD_DIR");
  return build_dir != nullptr ? absl::StrCat(build_dir, "/", b.build_path)
                              : b.cmake_path;
}

struct HelpRun {
  int exit_code = -1;
  std::string out;  // stdout only
};

// Runs `binary` with `arg`, keeping its stdout and dropping its stderr.
HelpRun RunWith(const Binary& binary, const std::string& arg) {
  const std::string path = PathOf(binary);
  EXPECT_EQ(access(path.c_str(), X_OK), 0) << path << " not built";
  common::CommandSpec spec;
  spec.argv = {"sh", "-c", "exec \"$0\" \"$1\" 2>/dev/null", path, arg};
  spec.timeout = absl::Seconds(30);
  absl::StatusOr<common::CommandResult> result = common::RunCommand(spec);
  EXPECT_TRUE(result.ok()) << result.status();
  HelpRun run;
  if (!result.ok()) return run;
  EXPECT_TRUE(result->exited) << result->Describe();
  EXPECT_FALSE(result->truncated);
  run.exit_code = result->exit_code;
  run.out = result->output;
  return run;
}

class ServerHelpTest : public ::testing::TestWithParam<Binary> {};

TEST_P(ServerHelpTest, HelpExitsZeroAndListsItsOwnFlags) {
  for (const char* arg : {"--help", "-h", "--helpshort"}) {
    const HelpRun r = RunWith(GetParam(), arg);
    EXPECT_EQ(r.exit_code, 0) << arg << ":\n" << r.out;
    EXPECT_THAT(r.out,
                AllOf(HasSubstr(GetParam().usage), HasSubstr(GetParam().flag),
                      HasSubstr("--insecure"), HasSubstr("--log-level")))
        << arg;
    // Only the binary's own flags: Abseil's stay behind --helpfull.
    EXPECT_THAT(r.out, Not(HasSubstr("--flagfile ("))) << arg;
  }
}

TEST_P(ServerHelpTest, HelpfullExitsZeroAndListsAbseilsFlagsToo) {
  const HelpRun r = RunWith(GetParam(), "--helpfull");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out,
              AllOf(HasSubstr(GetParam().flag), HasSubstr("--flagfile (")));
}

// The witness that the exit status is the binary's own: a usage error still
// fails, and prints no help.
TEST_P(ServerHelpTest, UnknownFlagStillFails) {
  const HelpRun r = RunWith(GetParam(), "--no_such_flag_swell");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.out, Not(HasSubstr(GetParam().flag)));
}

// A refused start, as journald would keep it: --log-format json (dashes
// work too) gives one JSON object a line, and the error names the flag.
TEST(ControllerStartTest, InsecureOffLoopbackIsRefusedInJson) {
  common::CommandSpec spec;
  spec.argv = {PathOf(kController), "--config",     "",
               "--log-format",      "json",         "--insecure",
               "--listen",          "0.0.0.0:7070", "--database",
               "host=127.0.0.1"};
  spec.timeout = absl::Seconds(30);
  absl::StatusOr<common::CommandResult> r = common::RunCommand(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2) << r->output;
  EXPECT_THAT(r->output,
              AllOf(HasSubstr(R"({"time":")"),
                    HasSubstr(R"("level":"critical","component":"controller")"),
                    HasSubstr(R"("message":"--listen: --insecure serves only )"
                              R"(loopback addresses)")));
}

// The agent logs in JSON too, as journald would keep it: its loud
// insecure-mode warning, then why it cannot start (a metrics address that
// is not this machine's).
TEST(AgentStartTest, LogsOneJsonObjectALine) {
  const std::string root = ::testing::TempDir() + "/json-agent";
  common::CommandSpec spec;
  spec.argv = {
      PathOf(kAgent),     "--log-format",  "json", "--insecure", "--controller",
      "127.0.0.1:1",      "--host-id",     "h1",   "--root",     root,
      "--metrics-listen", "192.0.2.1:9100"};
  spec.timeout = absl::Seconds(30);
  absl::StatusOr<common::CommandResult> r = common::RunCommand(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 1) << r->output;
  EXPECT_THAT(
      r->output,
      AllOf(HasSubstr(R"("level":"warning","component":"swell-agent")"),
            HasSubstr("INSECURE"),
            HasSubstr(R"("level":"critical","component":"swell-agent")")))
      << r->output;
}

// A config file's errors come all at once, each with its line and column;
// a good file is applied, and the command line overrides it.
TEST(ControllerStartTest, ConfigFileIsCheckedWholeAndFlagsOverrideIt) {
  const std::string dir = ::testing::TempDir();
  const std::string bad = dir + "/bad-controller.yaml";
  std::ofstream(bad) << "listen: 127.0.0.1:7070\n"
                        "agent-grace: soon\n"
                        "no_such_setting: 1\n";
  common::CommandSpec spec;
  spec.argv = {PathOf(kController), "--config", bad};
  spec.timeout = absl::Seconds(30);
  absl::StatusOr<common::CommandResult> r = common::RunCommand(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2) << r->output;
  EXPECT_THAT(r->output, AllOf(HasSubstr(bad + ":2:1: agent-grace: "),
                               HasSubstr(bad + ":3:1: no_such_setting: not a "
                                               "setting")));

  const std::string good = dir + "/good-controller.yaml";
  std::ofstream(good) << "# the file's listen is refused: not loopback\n"
                         "listen: 0.0.0.0:7070\n"
                         "insecure: true\n";
  spec.argv = {PathOf(kController), "--config", good};
  r = common::RunCommand(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 2) << r->output;
  EXPECT_THAT(r->output, HasSubstr("--listen: --insecure serves only loopback "
                                   "addresses (127.0.0.0/8, ::1, localhost), "
                                   "not 0.0.0.0:7070"));
  // The command line wins: the start gets as far as the database.
  spec.argv = {PathOf(kController),
               "--config",
               good,
               "--listen",
               "127.0.0.1:7070",
               "--database",
               "host=127.0.0.1 port=1 connect_timeout=1",
               "--database_wait",
               "0s"};
  r = common::RunCommand(spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 1) << r->output;
  EXPECT_THAT(r->output, HasSubstr("cannot connect to the database"));
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerHelpTest,
                         ::testing::Values(kController, kAgent),
                         [](const ::testing::TestParamInfo<Binary>& info) {
                           return info.index == 0 ? std::string("Controller")
                                                  : std::string("Agent");
                         });

}  // namespace
}  // namespace swell
