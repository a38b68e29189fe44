// The agent against a fake controller over real gRPC on 127.0.0.1.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/agent.h"
#include "agent/desired_state_file.h"
#include "common/process.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/fake_controller.h"
#include "tests/unit/agent/test_util.h"

extern char** environ;

namespace swell::agent {
namespace {

using ::swell::agent::testing::Exists;
using ::swell::agent::testing::FakeController;
using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;

swell::v1::DesiredState AppConfState(int64_t generation,
                                     const std::string& content) {
  swell::v1::DesiredState state;
  state.set_host_id("h1");
  state.set_generation(generation);
  swell::v1::DesiredVariable* var = state.add_variables();
  var->set_enforce(true);
  var->mutable_spec()->set_name("app.conf");
  var->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
  var->mutable_spec()->mutable_file()->set_path("/etc/app/app.conf");
  *var->mutable_value() = common::PresentValue(content);
  return state;
}

AgentConfig TestConfig(const std::string& root, const std::string& controller) {
  AgentFlagValues flags;
  flags.root = root;
  flags.host_id = "h1";
  flags.controllers = {controller};
  flags.labels = {"role=web"};
  flags.checks = {"up=echo 1"};
  flags.check_interval = absl::Seconds(1);
  flags.guardrails.file_prefixes = {{"/etc/app/"}};
  absl::StatusOr<AgentConfig> config = MergeAgentConfig({}, flags, "unused");
  EXPECT_TRUE(config.ok()) << config.status();
  config->backoff_initial = absl::Milliseconds(20);
  config->backoff_max = absl::Milliseconds(300);
  return *config;
}

bool HasOkResult(const FakeController& c, const std::string& variable,
                 int64_t generation) {
  for (const swell::v1::AgentMessage& m : c.received()) {
    if (m.has_apply_result() && m.apply_result().variable() == variable &&
        m.apply_result().generation() == generation && m.apply_result().ok()) {
      return true;
    }
  }
  return false;
}

bool HasSample(const FakeController& c, const std::string& name, double value) {
  for (const swell::v1::AgentMessage& m : c.received()) {
    for (const swell::v1::Sample& s : m.health().samples()) {
      if (s.name() == name && s.ok() && s.value() == value) return true;
    }
  }
  return false;
}

TEST(AgentLinkTest, AppliesDesiredStateAndKeepsItAcrossAControllerOutage) {
  TempDir dir;
  const std::string root = dir / "host";
  const std::string live = root + "/etc/app/app.conf";
  auto controller = std::make_unique<FakeController>();
  ASSERT_TRUE(controller->ok());
  const int port = controller->port();
  controller->SetDesired(AppConfState(3, "listen 80;\n"));

  Agent agent(TestConfig(root, controller->address()),
              grpc::InsecureChannelCredentials());
  ASSERT_TRUE(agent.Start().ok());

  ASSERT_TRUE(WaitFor([&] { return !controller->hellos().empty(); }));
  swell::v1::Hello hello = controller->hellos()[0];
  EXPECT_EQ(hello.host_id(), "h1");
  EXPECT_EQ(hello.agent_version(), "0.1.0");
  EXPECT_EQ(hello.labels().at("role"), "web");
  EXPECT_EQ(hello.last_generation(), 0);

  ASSERT_TRUE(WaitFor([&] { return ReadFileOrEmpty(live) == "listen 80;\n"; }));
  ASSERT_TRUE(WaitFor([&] { return HasOkResult(*controller, "app.conf", 3); }));
  ASSERT_TRUE(WaitFor([&] { return HasSample(*controller, "up", 1.0); }));
  EXPECT_TRUE(Exists(agent.desired_state_path()));

  controller->Shutdown();
  ASSERT_TRUE(WaitFor([&] { return agent.connection() == 0; }));
  EXPECT_EQ(ReadFileOrEmpty(live), "listen 80;\n");
  EXPECT_EQ(agent.generation(), 3);

  controller = std::make_unique<FakeController>(port);
  ASSERT_TRUE(controller->ok()) << "port " << port << " could not be reused";
  ASSERT_TRUE(WaitFor([&] { return !controller->hellos().empty(); }));
  hello = controller->hellos()[0];
  EXPECT_EQ(hello.last_generation(), 3);
  ASSERT_EQ(hello.actual_size(), 1);
  EXPECT_EQ(hello.actual(0).name(), "app.conf");
  EXPECT_EQ(hello.actual(0).value().data(), "listen 80;\n");
  EXPECT_EQ(ReadFileOrEmpty(live), "listen 80;\n");

  const absl::Time stop_start = absl::Now();
  agent.Stop();
  EXPECT_LT(absl::Now() - stop_start, absl::Seconds(10));
}

TEST(AgentLinkTest, RestartedAgentEnforcesSavedStateWithoutAController) {
  TempDir dir;
  const std::string root = dir / "host";
  AgentConfig config = TestConfig(root, "127.0.0.1:1");  // nothing listens
  ASSERT_TRUE(SaveDesiredState(config.state_dir + "/desired.pb",
                               AppConfState(9, "saved\n"))
                  .ok());
  Agent agent(config, grpc::InsecureChannelCredentials());
  ASSERT_TRUE(agent.Start().ok());
  EXPECT_EQ(agent.generation(), 9);
  EXPECT_TRUE(WaitFor([&] {
    return ReadFileOrEmpty(root + "/etc/app/app.conf") == "saved\n";
  }));
  agent.Stop();
}

TEST(AgentLinkTest, DesiredStateForAnotherHostIsIgnored) {
  TempDir dir;
  const std::string root = dir / "host";
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  swell::v1::DesiredState wrong = AppConfState(5, "not mine\n");
  wrong.set_host_id("someone-else");
  controller.SetDesired(wrong);
  Agent agent(TestConfig(root, controller.address()),
              grpc::InsecureChannelCredentials());
  ASSERT_TRUE(agent.Start().ok());
  ASSERT_TRUE(WaitFor([&] { return HasSample(controller, "up", 1.0); }));
  EXPECT_EQ(agent.generation(), 0);
  EXPECT_FALSE(Exists(root + "/etc/app/app.conf"));
  agent.Stop();
}

// The swell-agent built alongside this test (see CMakeLists.txt).
std::string AgentBinary() {
  if (const char* build = std::getenv("SWELL_BUILD_DIR"); build != nullptr) {
    return absl::StrCat(build, "/agent/swell-agent");
  }
  return SWELL_AGENT_BINARY;
}

// Runs swell-agent with `args`; its exit code and output.
common::CommandResult RunAgent(std::vector<std::string> args) {
  common::CommandSpec spec;
  spec.argv = {AgentBinary()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.timeout = absl::Seconds(20);
  absl::StatusOr<common::CommandResult> r = common::RunCommand(spec);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : common::CommandResult{};
}

TEST(AgentBinaryTest, RefusesToStartWithNeitherTlsNorInsecure) {
  common::CommandResult r = RunAgent({"--controller=127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, ::testing::HasSubstr(
                            "refusing to start without TLS: give --tls-cert, "
                            "--tls-key and --tls-ca"));
}

TEST(AgentBinaryTest, RefusesInsecureToAControllerOffLoopback) {
  common::CommandResult r = RunAgent(
      {"--insecure", "--controller=127.0.0.1:1,10.1.2.3:7070", "--host-id=h"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output,
              ::testing::HasSubstr("--insecure is refused: controller "
                                   "10.1.2.3:7070 is not a loopback address"));
}

TEST(AgentBinaryTest, RefusesTlsFilesItCannotReadOrInsecureBesideThem) {
  TempDir dir;
  common::CommandResult r = RunAgent(
      {"--controller=127.0.0.1:1", "--tls-cert", dir / "none.pem", "--tls-key",
       dir / "none.key", "--tls-ca", dir / "ca.pem", "--root", dir / "host"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, ::testing::HasSubstr("--tls-ca: cannot read"));
  r = RunAgent({"--insecure", "--controller=127.0.0.1:1", "--tls-cert=a",
                "--tls-key=b", "--tls-ca=c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, ::testing::HasSubstr("exclude each other"));
}

TEST(AgentBinaryTest, HelpExitsZeroAndShowsTheTlsFlags) {
  common::CommandResult r = RunAgent({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.output, ::testing::HasSubstr("--tls-cert"));
  EXPECT_THAT(r.output,
              ::testing::Not(::testing::HasSubstr("not implemented")));
}

TEST(AgentBinaryTest, AppliesFromAControllerAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const std::string root = dir / "host";
  FakeController controller;
  ASSERT_TRUE(controller.ok());
  controller.SetDesired(AppConfState(1, "from binary\n"));

  std::vector<std::string> args = {AgentBinary(),
                                   "--insecure",
                                   "--controller",
                                   controller.address(),
                                   "--host-id=h1",
                                   "--root",
                                   root,
                                   "--label=role=web",
                                   "--label=site=t1",
                                   "--check=up=echo 1",
                                   "--guardrail-file-prefix=/etc/app/",
                                   "--log-level=warn"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ),
            0);

  bool file_ok = WaitFor([&] {
    return ReadFileOrEmpty(root + "/etc/app/app.conf") == "from binary\n";
  });
  bool result_ok =
      WaitFor([&] { return HasOkResult(controller, "app.conf", 1); });
  kill(pid, SIGTERM);
  int status = 0;
  bool exited = WaitFor([&] { return waitpid(pid, &status, WNOHANG) == pid; });
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  EXPECT_TRUE(file_ok);
  EXPECT_TRUE(result_ok);
  ASSERT_TRUE(exited) << "agent did not stop on SIGTERM";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ASSERT_FALSE(controller.hellos().empty());
  EXPECT_EQ(controller.hellos()[0].labels().size(), 2u);
  EXPECT_TRUE(Exists(root + "/var/lib/swell-agent/desired.pb"));
}

}  // namespace
}  // namespace swell::agent
