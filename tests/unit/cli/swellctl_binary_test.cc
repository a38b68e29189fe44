// Runs the real swellctl binary against an in-test fake controller and
// checks what an operator or a script sees: stdout, stderr and the exit
// status.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/exit_code.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/unit/cli/fake_rollout_service.h"
#include "tests/unit/cli/refusing_port.h"

namespace swell::cli {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::StartsWith;

constexpr char kValidPlan[] = R"(name: app-workers-8
description: Raise app workers to 8
change:
  variable: app-config
  kind: file
  path: /etc/app/app.conf
  mode: "0644"
  content: |
    workers = 8
target:
  selector: {}
strategy:
  waves: [1, 25%, 50%, 100%]
  bake: 4s
  progress_deadline: 2m
gates:
  - name: app-healthy
    check: "min(app_healthy) >= 1"
on_failure: rollback
)";

// Three mistakes: a relative path, a 0% wave, a misspelt gate field.
constexpr char kInvalidPlan[] = R"(name: app-workers-8
change:
  variable: app-config
  kind: file
  path: etc/app/app.conf
  content: |
    workers = 8
strategy:
  waves: [1, 0%, 50%]
  bake: 4s
gates:
  - name: app-healthy
    check: "min(app_healthy) >= 1"
    mising_data: hold
)";

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;

  std::vector<std::string> ErrLines() const {
    return absl::StrSplit(err, '\n', absl::SkipEmpty());
  }
};

std::string ShellQuote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

class SwellctlBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // ctest sets SWELL_BUILD_DIR; a direct run uses the path CMake knew.
    const char* build_dir = std::getenv("SWELL_BUILD_DIR");
    binary_ = build_dir != nullptr ? absl::StrCat(build_dir, "/cli/swellctl")
                                   : SWELLCTL_BINARY;
    ASSERT_EQ(access(binary_.c_str(), X_OK), 0) << binary_ << " not built";
    std::string pattern = absl::StrCat(::testing::TempDir(), "swellctl_XXXXXX");
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path) << content;
    return path;
  }

  // Runs swellctl with `args` in a clean environment: no SWELL_CONTROLLER
  // unless `swell_controller` is given, no token, SWELL_ACTOR=oncall-tester,
  // stdin and stdout not a terminal.
  RunResult Run(const std::vector<std::string>& args,
                const std::string& swell_controller = "") {
    const std::string err_path = absl::StrCat(dir_, "/stderr");
    std::string command =
        "env -u SWELL_CONTROLLER -u SWELL_TOKEN -u SWELL_CA "
        "SWELL_ACTOR=oncall-tester ";
    if (!swell_controller.empty()) {
      command += "SWELL_CONTROLLER=" + ShellQuote(swell_controller) + " ";
    }
    command += ShellQuote(binary_);
    for (const std::string& arg : args) command += " " + ShellQuote(arg);
    command += " </dev/null 2>" + ShellQuote(err_path);

    RunResult result;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) {
      ADD_FAILURE() << "popen failed for " << command;
      return result;
    }
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) {
      result.out.append(buffer, n);
    }
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = ReadAll(err_path);
    return result;
  }

  RunResult RunAgainstFake(std::vector<std::string> args) {
    args.insert(args.begin(), {"--controller", controller_.address()});
    return Run(args);
  }

  testing::FakeController controller_;
  std::string binary_;
  std::string dir_;
};

TEST_F(SwellctlBinaryTest, SubmitPrintsTheRolloutIdAloneOnStdout) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r =
      RunAgainstFake({"submit", plan, "--reason", "CHG-1234 more workers"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.out, "r-0000002a\n");
  EXPECT_THAT(r.err, HasSubstr("swellctl watch r-0000002a"));

  ASSERT_EQ(controller_.service().submits(), 1);
  const v1::SubmitRequest sent = controller_.service().last_submit();
  EXPECT_EQ(sent.plan_yaml(), kValidPlan);
  EXPECT_EQ(sent.plan_file(), plan);
  EXPECT_EQ(sent.actor(), "oncall-tester");
  EXPECT_EQ(sent.reason(), "CHG-1234 more workers");
}

TEST_F(SwellctlBinaryTest, InvalidPlanPrintsEveryErrorExitsTwoAndSendsNothing) {
  const std::string plan = WriteFile("bad.yaml", kInvalidPlan);
  const RunResult r = RunAgainstFake({"submit", plan});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> lines = r.ErrLines();
  ASSERT_GE(lines.size(), 4u) << r.err;  // three problems and a summary
  const std::vector<std::string> problems(lines.begin(), lines.end() - 1);
  EXPECT_THAT(problems,
              Each(ContainsRegex("bad\\.yaml:[0-9]+:[0-9]+: [^:]+: .+")));
  EXPECT_THAT(lines.back(),
              AllOf(StartsWith("swellctl: "), HasSubstr("nothing was sent")));
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, PreviewOfAnInvalidPlanSendsNothing) {
  const std::string plan = WriteFile("bad.yaml", kInvalidPlan);
  EXPECT_EQ(RunAgainstFake({"preview", plan}).exit_code, kExitBadInput);
  EXPECT_EQ(controller_.service().previews(), 0);
}

TEST_F(SwellctlBinaryTest, MissingPlanFileExitsTwoWithOneLine) {
  const RunResult r = RunAgainstFake({"submit", dir_ + "/absent.yaml"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_THAT(r.ErrLines(), ElementsAre(HasSubstr("cannot read plan")));
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, PreviewShowsTheWavesTheControllerComputed) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r = RunAgainstFake({"preview", plan});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("3 waves, 74 hosts"));
  EXPECT_EQ(controller_.service().previews(), 1);
}

TEST_F(SwellctlBinaryTest, PreviewPrintsTheSeedAndHowToSubmitTheSameWaves) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  RunResult r = RunAgainstFake({"preview", plan});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("seed: 2891336453 (this plan's default: "
                               "submit, or submit --seed 2891336453, takes "
                               "these waves while the fleet is unchanged)\n"));
  r = RunAgainstFake({"preview", plan, "--seed", "7"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("seed: 7 (submit --seed 7 takes these waves"));
  r = RunAgainstFake({"preview", plan, "--seed", "7", "-o", "json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"seed\": 7,"));
}

TEST_F(SwellctlBinaryTest, SubmitSendsTheSeedItIsGiven) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r = RunAgainstFake({"submit", plan, "--seed", "4294967295"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  ASSERT_EQ(controller_.service().submits(), 1);
  EXPECT_EQ(controller_.service().last_submit().seed(), 4294967295u);
}

TEST_F(SwellctlBinaryTest, SeedThatIsNotAPositive32BitNumberSendsNothing) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  for (const char* bad : {"0", "-1", "4294967296", "seven", ""}) {
    const RunResult submit = RunAgainstFake({"submit", plan, "--seed", bad});
    EXPECT_EQ(submit.exit_code, kExitBadInput) << bad;
    EXPECT_THAT(submit.ErrLines(), ElementsAre(HasSubstr("--seed"))) << bad;
    EXPECT_EQ(RunAgainstFake({"preview", plan, "--seed", bad}).exit_code,
              kExitBadInput)
        << bad;
  }
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, HaltWithoutReasonRefusesAndSendsNothing) {
  const RunResult r = RunAgainstFake({"halt", "r-0000002a"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_THAT(r.ErrLines(), ElementsAre(AllOf(StartsWith("swellctl: "),
                                              HasSubstr("--reason"))));
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, RollbackWithBlankReasonRefuses) {
  const RunResult r =
      RunAgainstFake({"rollback", "r-0000002a", "--reason", "  "});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, HaltSendsTheReasonAndActor) {
  const RunResult r =
      RunAgainstFake({"halt", "r-0000002a", "--reason", "error rate up"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rollout r-0000002a halted"));
  ASSERT_EQ(controller_.service().halts(), 1);
  const v1::RolloutActionRequest sent = controller_.service().last_halt();
  EXPECT_EQ(sent.rollout_id(), "r-0000002a");
  EXPECT_EQ(sent.reason(), "error rate up");
  EXPECT_EQ(sent.actor(), "oncall-tester");
}

TEST_F(SwellctlBinaryTest, HostsRetireSendsTheHostReasonAndActor) {
  const RunResult r = RunAgainstFake(
      {"hosts", "retire", "db-fra1-01", "--reason", "decommissioned"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("host db-fra1-01 retired"));
  EXPECT_THAT(r.out, HasSubstr(": decommissioned\n"));
  ASSERT_EQ(controller_.service().retires(), 1);
  const v1::RetireHostRequest sent = controller_.service().last_retire();
  EXPECT_EQ(sent.host_id(), "db-fra1-01");
  EXPECT_EQ(sent.reason(), "decommissioned");
  EXPECT_EQ(sent.actor(), "oncall-tester");
}

TEST_F(SwellctlBinaryTest, HostsRetireWithoutReasonSendsNothing) {
  const RunResult r = RunAgainstFake({"hosts", "retire", "db-fra1-01"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_THAT(r.ErrLines(), ElementsAre(HasSubstr("--reason")));
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, HostsRetireOfAnUnknownHostExitsSix) {
  const RunResult r =
      RunAgainstFake({"hosts", "retire", "db-fra1-99", "--reason", "typo"});
  EXPECT_EQ(r.exit_code, kExitNotFound);
  EXPECT_THAT(r.err, HasSubstr("no host db-fra1-99"));
}

TEST_F(SwellctlBinaryTest, HostsRetireOfAConnectedHostExitsFive) {
  const RunResult r =
      RunAgainstFake({"hosts", "retire", "web-ams1-01", "--reason", "gone"});
  EXPECT_EQ(r.exit_code, kExitPrecondition);
  EXPECT_THAT(r.err, HasSubstr("stop its agent first"));
}

TEST_F(SwellctlBinaryTest, HostsWithAnUnknownSubcommandSendsNothing) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"hosts", "retir", "db-fra1-01"},
        std::vector<std::string>{"hosts", "retire"},
        std::vector<std::string>{"hosts", "--reason", "x"}}) {
    EXPECT_EQ(RunAgainstFake(args).exit_code, kExitBadInput) << args.size();
  }
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, HostsShowsEachHostsState) {
  RunResult r = RunAgainstFake({"hosts"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("STATE"));
  EXPECT_THAT(r.out, HasSubstr("disconnected"));
  r = RunAgainstFake({"hosts", "-o", "json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"state\": \"connected\""));
}

TEST_F(SwellctlBinaryTest, HaltAllFreezesTheFleetAndNamesTheHaltedRollouts) {
  const RunResult r =
      RunAgainstFake({"halt", "--all", "--reason", "INC-77", "--for", "2h"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("halted 2 rollouts: r-0000002a, r-0000002b"));
  const v1::FreezeRequest sent = controller_.service().last_freeze();
  EXPECT_EQ(sent.reason(), "INC-77");
  EXPECT_EQ(sent.expires_in_ms(), 2 * 3600 * 1000);
}

TEST_F(SwellctlBinaryTest, JsonOutputIsOneDocumentOfTheReplyMessage) {
  RunResult r = RunAgainstFake({"status", "r-0000002a", "-o", "json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  v1::RolloutStatus status;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &status).ok())
      << r.out;
  EXPECT_EQ(status.summary().id(), "r-0000002a");
  EXPECT_EQ(status.waves_size(), 4);

  r = RunAgainstFake({"-o", "json", "hosts"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  v1::ListHostsResponse hosts;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &hosts).ok())
      << r.out;
  EXPECT_EQ(hosts.hosts_size(), 2);
}

// `plan check -o json` as a script reads it: one JSON object on stdout.
google::protobuf::Struct ParseJsonObject(const std::string& text) {
  google::protobuf::Struct doc;
  const auto status = google::protobuf::util::JsonStringToMessage(text, &doc);
  EXPECT_TRUE(status.ok()) << status << "\n" << text;
  return doc;
}

TEST_F(SwellctlBinaryTest, PlanCheckJsonOfAValidPlanSaysOkAndSummarises) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r = Run({"plan", "check", plan, "-o", "json"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
  const google::protobuf::Struct doc = ParseJsonObject(r.out);
  const auto& f = doc.fields();
  ASSERT_TRUE(f.contains("ok")) << r.out;
  EXPECT_TRUE(f.at("ok").bool_value());
  EXPECT_EQ(f.at("file").string_value(), plan);
  ASSERT_TRUE(f.contains("errors")) << r.out;
  EXPECT_EQ(f.at("errors").list_value().values_size(), 0);
  EXPECT_EQ(f.at("name").string_value(), "app-workers-8");
  EXPECT_EQ(f.at("variable").string_value(), "app-config");
  EXPECT_THAT(f.at("waves").string_value(), HasSubstr("25%"));
  EXPECT_EQ(f.at("gates").number_value(), 1);
}

TEST_F(SwellctlBinaryTest, PlanCheckJsonOfAnInvalidPlanListsEveryLocatedError) {
  const std::string plan = WriteFile("bad.yaml", kInvalidPlan);
  const RunResult r = Run({"plan", "check", plan, "-o", "json"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_EQ(r.err, "");
  const google::protobuf::Struct doc = ParseJsonObject(r.out);
  const auto& f = doc.fields();
  ASSERT_TRUE(f.contains("ok")) << r.out;
  EXPECT_FALSE(f.at("ok").bool_value());
  EXPECT_EQ(f.at("file").string_value(), plan);
  EXPECT_FALSE(f.contains("name")) << r.out;
  ASSERT_TRUE(f.contains("errors")) << r.out;
  const google::protobuf::ListValue& errors = f.at("errors").list_value();
  // The path, two waves (0% and a last wave short of 100%), the gate field.
  ASSERT_EQ(errors.values_size(), 4) << r.out;
  const auto& first = errors.values(0).struct_value().fields();
  EXPECT_EQ(first.at("line").number_value(), 5);
  EXPECT_EQ(first.at("column").number_value(), 9);
  EXPECT_EQ(first.at("field").string_value(), "change.path");
  EXPECT_THAT(
      first.at("message").string_value(),
      AllOf(HasSubstr("'etc/app/app.conf'"), HasSubstr("it is not absolute")));
  std::vector<std::string> fields;
  for (const google::protobuf::Value& e : errors.values()) {
    fields.push_back(e.struct_value().fields().at("field").string_value());
  }
  EXPECT_THAT(fields, ElementsAre("change.path", "strategy.waves[1]",
                                  "strategy.waves[2]", "gates[0].mising_data"));
  const auto& last = errors.values(3).struct_value().fields();
  EXPECT_EQ(last.at("line").number_value(), 14);
  EXPECT_EQ(last.at("column").number_value(), 5);
}

TEST_F(SwellctlBinaryTest, PlanCheckRejectsAPathWithANewline) {
  std::string yaml = kValidPlan;
  const std::string good = "path: /etc/app/app.conf";
  yaml.replace(yaml.find(good), good.size(), R"(path: "/etc/app/app.conf\n")");
  const std::string plan = WriteFile("newline.yaml", yaml);

  RunResult r = Run({"plan", "check", plan});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_THAT(r.ErrLines(),
              ElementsAre(absl::StrCat(plan,
                                       ":6:9: change.path: expected an "
                                       "absolute, normalised file path like "
                                       "/etc/app/app.conf, got "
                                       "'/etc/app/app.conf\\n': it contains a "
                                       "newline (byte 18)"),
                          HasSubstr("1 problem")));

  r = Run({"plan", "check", plan, "-o", "json"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  const google::protobuf::Struct doc = ParseJsonObject(r.out);
  ASSERT_TRUE(doc.fields().contains("errors")) << r.out;
  const google::protobuf::ListValue& errors =
      doc.fields().at("errors").list_value();
  ASSERT_EQ(errors.values_size(), 1) << r.out;
  EXPECT_THAT(
      errors.values(0).struct_value().fields().at("message").string_value(),
      HasSubstr("it contains a newline"));
}

TEST_F(SwellctlBinaryTest, PlanCheckWithoutJsonStaysText) {
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r = Run({"plan", "check", plan});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, AllOf(StartsWith(plan + ": ok: app-workers-8"),
                           Not(HasSubstr("{"))));
}

TEST_F(SwellctlBinaryTest, ListShowsATableOfRollouts) {
  const RunResult r = RunAgainstFake({"list"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  const std::vector<std::string> lines =
      absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[0], StartsWith("ID "));
  EXPECT_THAT(lines[1], AllOf(HasSubstr("r-0000002a"), HasSubstr("2/4 baking"),
                              HasSubstr("5/6/20, 1 failed")));
}

TEST_F(SwellctlBinaryTest, UnknownRolloutExitsSix) {
  const RunResult r = RunAgainstFake({"status", "r-ffffffff"});
  EXPECT_EQ(r.exit_code, kExitNotFound);
  EXPECT_THAT(r.ErrLines(), ElementsAre("swellctl: no rollout r-ffffffff"));
}

TEST_F(SwellctlBinaryTest, RefusalInTheCurrentStateExitsFive) {
  controller_.service().FailSubmit(grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION, "the fleet is frozen: INC-77"));
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r = RunAgainstFake({"submit", plan});
  EXPECT_EQ(r.exit_code, kExitPrecondition);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.ErrLines(),
              ElementsAre("swellctl: the fleet is frozen: INC-77"));
}

TEST_F(SwellctlBinaryTest, UnreachableControllerExitsFourWithOneLine) {
  testing::RefusingPort refusing;
  ASSERT_NE(refusing.address(), "");
  // Retried until --timeout: kept short, the test waits for it.
  const RunResult r =
      Run({"list", "--controller", refusing.address(), "--timeout", "300ms"});
  EXPECT_EQ(r.exit_code, kExitUnreachable);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.ErrLines(), ElementsAre(StartsWith(absl::StrCat(
                                "swellctl: cannot reach the controller at ",
                                refusing.address(), ": "))));
}

TEST_F(SwellctlBinaryTest, ARefusingFirstAddressFailsOverToTheSecond) {
  testing::RefusingPort refusing;
  ASSERT_NE(refusing.address(), "");
  const RunResult r =
      Run({"--controller", refusing.address() + "," + controller_.address(),
           "status", testing::FakeRolloutService::kRolloutId});
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr(testing::FakeRolloutService::kRolloutId));
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(controller_.service().calls(), 1);
}

TEST_F(SwellctlBinaryTest, NoAddressAnsweringNamesEveryOneAndExitsFour) {
  testing::RefusingPort a, b;
  ASSERT_NE(a.address(), "");
  ASSERT_NE(b.address(), "");
  const RunResult r =
      Run({"halt", "r-00000001", "--reason", "INC-7", "--controller",
           a.address(), "--controller", b.address(), "--timeout", "300ms"});
  EXPECT_EQ(r.exit_code, kExitUnreachable);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.ErrLines(),
              ElementsAre(AllOf(
                  StartsWith(absl::StrCat(
                      "swellctl: cannot reach the controller at "
                      "any of ",
                      a.address(), ", ", b.address(), "; last error, from ")),
                  HasSubstr("Connection refused"))));
}

TEST_F(SwellctlBinaryTest, AHaltRefusedByAFollowerReachesTheLeader) {
  testing::FakeController follower;
  follower.service().ActAsFollower("");
  const RunResult r =
      Run({"halt", testing::FakeRolloutService::kRolloutId, "--reason", "INC-7",
           "--controller", follower.address() + "," + controller_.address()});
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("halted"));
  EXPECT_EQ(follower.service().halts(), 1);
  EXPECT_EQ(controller_.service().halts(), 1);
  EXPECT_EQ(controller_.service().last_halt().reason(), "INC-7");
}

TEST_F(SwellctlBinaryTest, ASubmitRefusedWithAnotherCodeIsNotSentAgain) {
  testing::FakeController refusing;
  refusing.service().FailSubmit(grpc::Status(
      grpc::StatusCode::FAILED_PRECONDITION, "the fleet is frozen: INC-77"));
  const std::string plan = WriteFile("plan.yaml", kValidPlan);
  const RunResult r = Run({"submit", plan, "--controller",
                           refusing.address() + "," + controller_.address()});
  EXPECT_EQ(r.exit_code, kExitPrecondition);
  EXPECT_EQ(refusing.service().calls(), 1);
  // The second would have accepted it: it was never asked.
  EXPECT_EQ(controller_.service().calls(), 0);
}

TEST_F(SwellctlBinaryTest, SwellControllerMayListSeveralReplicas) {
  testing::RefusingPort refusing;
  ASSERT_NE(refusing.address(), "");
  const RunResult r =
      Run({"list"}, refusing.address() + "," + controller_.address());
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr(testing::FakeRolloutService::kRolloutId));
}

// The replica being watched goes away mid-watch: the poll goes on to the
// next address, and the watch stays there.
TEST_F(SwellctlBinaryTest, WatchCarriesOnFromTheNextReplica) {
  testing::FakeController first;
  first.service().ScriptStates("r-00000005", {"running"});
  first.service().FailGetRolloutAfter(
      2, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                      "the controller is shutting down"));
  controller_.service().ScriptStates("r-00000005",
                                     {"running", "running", "succeeded"});
  const RunResult r =
      Run({"watch", "r-00000005", "--interval", "100ms", "--controller",
           first.address(), "--controller", controller_.address()});
  EXPECT_EQ(r.exit_code, kExitOk) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rollout r-00000005 succeeded"));
  // Two answers and the failure, then never asked again.
  EXPECT_EQ(first.service().calls(), 3);
  EXPECT_EQ(controller_.service().calls(), 3);
}

TEST_F(SwellctlBinaryTest, WatchEndsWithTheRolloutsOutcome) {
  struct Case {
    const char* id;
    const char* final_state;
    int exit_code;
  };
  for (const Case& c : {Case{"r-00000001", "succeeded", kExitOk},
                        Case{"r-00000002", "rolled_back", kExitFailure},
                        Case{"r-00000003", "halted", kExitStopped}}) {
    controller_.service().ScriptStates(c.id,
                                       {"running", "running", c.final_state});
    const RunResult r = RunAgainstFake({"watch", c.id, "--interval", "100ms"});
    EXPECT_EQ(r.exit_code, c.exit_code) << c.final_state << ": " << r.err;
    EXPECT_THAT(r.out,
                HasSubstr(absl::StrCat("rollout ", c.id, " ", c.final_state)));
  }
}

TEST_F(SwellctlBinaryTest, WatchWithoutATerminalPrintsOnlyChanges) {
  controller_.service().ScriptStates(
      "r-00000004", {"running", "running", "running", "succeeded"});
  const RunResult r =
      RunAgainstFake({"watch", "r-00000004", "--interval", "100ms"});
  ASSERT_EQ(r.exit_code, kExitOk) << r.err;
  // The fake advances one host per poll, so polls 1 and 2 differ, but the
  // verdicts stay the same: each is printed once.
  EXPECT_THAT(r.out, Not(HasSubstr("\033[")));
  const size_t first = r.out.find("INCONCLUSIVE");
  ASSERT_NE(first, std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("INCONCLUSIVE", first + 1), std::string::npos) << r.out;
}

TEST_F(SwellctlBinaryTest, HelpDocumentsCommandsAndExitStatuses) {
  RunResult r = Run({"--help"});
  ASSERT_EQ(r.exit_code, kExitOk);
  EXPECT_THAT(r.out, AllOf(HasSubstr("Exit status"), HasSubstr("submit"),
                           HasSubstr("watch"), HasSubstr("halt")));
  r = Run({"watch", "--help"});
  ASSERT_EQ(r.exit_code, kExitOk);
  EXPECT_THAT(r.out, AllOf(StartsWith("Usage: swellctl watch"),
                           HasSubstr("--interval"), HasSubstr("Examples")));
}

TEST_F(SwellctlBinaryTest, UnknownCommandIsAUsageError) {
  const RunResult r = Run({"deploy"});
  EXPECT_EQ(r.exit_code, kExitBadInput);
  EXPECT_THAT(r.ErrLines(), ElementsAre(HasSubstr("unknown command 'deploy'")));
}

}  // namespace
}  // namespace swell::cli
