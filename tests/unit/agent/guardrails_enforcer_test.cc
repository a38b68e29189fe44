// The enforcer with real appliers behind the host's guardrails: a refused
// variable is reported as a failed apply naming the policy, journaled, and
// the host is left as it was.

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/appliers/command_applier.h"
#include "agent/appliers/file_applier.h"
#include "agent/appliers/guarded_applier.h"
#include "agent/enforcer.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/fake_sink.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::Exists;
using ::swell::agent::testing::FakeSink;
using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;
using ::swell::agent::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class GuardrailsEnforcerTest : public ::testing::Test {
 protected:
  GuardrailsEnforcerTest() : root_(dir_ / "root") {
    std::filesystem::create_directories(root_);
    guardrails_.file_prefixes = {"/etc/app/"};
  }

  void StartEnforcer() {
    auto journal = Journal::Open(dir_ / "state/journal.log");
    ASSERT_TRUE(journal.ok()) << journal.status();
    journal_ = *std::move(journal);
    ApplierSet appliers;
    appliers[swell::v1::VARIABLE_KIND_FILE] = std::make_shared<FileApplier>(
        root_, std::map<std::string, std::string>{}, absl::Seconds(20));
    appliers[swell::v1::VARIABLE_KIND_COMMAND] =
        std::make_shared<CommandApplier>(std::map<std::string, std::string>{});
    for (auto& [kind, applier] : appliers) {
      applier = std::make_shared<GuardedApplier>(applier, guardrails_);
    }
    enforcer_ = std::make_unique<Enforcer>(std::move(appliers), journal_.get(),
                                           &sink_, absl::Hours(1));
    enforcer_->Start();
  }

  void AwaitPasses(uint64_t n) {
    ASSERT_TRUE(WaitFor([&] { return enforcer_->passes() >= n; }))
        << "passes: " << enforcer_->passes();
  }

  static swell::v1::DesiredVariable FileVar(const std::string& name,
                                            const std::string& path,
                                            const std::string& content) {
    swell::v1::DesiredVariable var;
    var.set_enforce(true);
    var.mutable_spec()->set_name(name);
    var.mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
    var.mutable_spec()->mutable_file()->set_path(path);
    *var.mutable_value() = common::PresentValue(content);
    return var;
  }

  // A command variable each of whose commands leaves a marker named after
  // it in the test's directory when it runs.
  swell::v1::DesiredVariable CommandVar() const {
    swell::v1::DesiredVariable var;
    var.set_enforce(true);
    var.mutable_spec()->set_name("somaxconn");
    var.mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_COMMAND);
    swell::v1::CommandSpec* c = var.mutable_spec()->mutable_command();
    c->set_current(absl::StrCat("sh -c 'touch ", dir_ / "ran-current", "; cat ",
                                dir_ / "value", " 2>/dev/null'"));
    c->set_apply(absl::StrCat("sh -c 'touch ", dir_ / "ran-apply",
                              "; printf %s \"$SWELL_VALUE\" > ", dir_ / "value",
                              "'"));
    *var.mutable_value() = common::PresentValue("4096");
    return var;
  }

  static swell::v1::DesiredState State(
      int64_t generation, std::vector<swell::v1::DesiredVariable> vars) {
    swell::v1::DesiredState state;
    state.set_host_id("h1");
    state.set_generation(generation);
    for (auto& v : vars) *state.add_variables() = std::move(v);
    return state;
  }

  // Every regular file below the host's root, relative to it.
  std::set<std::string> FilesUnderRoot() const {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(root_)) {
      if (!e.is_directory()) {
        out.insert(std::filesystem::relative(e.path(), root_).string());
      }
    }
    return out;
  }

  const swell::v1::ApplyResult* ResultFor(
      const std::vector<swell::v1::ApplyResult>& results,
      const std::string& variable) {
    for (const auto& r : results) {
      if (r.variable() == variable) return &r;
    }
    return nullptr;
  }

  TempDir dir_;
  std::string root_;
  Guardrails guardrails_;
  FakeSink sink_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Enforcer> enforcer_;
};

TEST_F(GuardrailsEnforcerTest, FileOutsideThePrefixesIsRefusedAndUntouched) {
  WriteFile(root_ + "/etc/shadow", "root:$6$secret:19000::::::\n");
  StartEnforcer();
  // The variable inside the prefixes is the witness: the same pass writes it.
  enforcer_->Offer(State(1, {FileVar("shadow", "/etc/shadow", "root::0:\n"),
                             FileVar("app", "/etc/app/app.conf", "ok\n")}));
  AwaitPasses(1);

  std::vector<swell::v1::ApplyResult> results = sink_.Results();
  ASSERT_EQ(results.size(), 2u);
  const swell::v1::ApplyResult* shadow = ResultFor(results, "shadow");
  ASSERT_NE(shadow, nullptr);
  EXPECT_FALSE(shadow->ok());
  EXPECT_EQ(shadow->message(),
            "refused by host policy: /etc/shadow is not under [/etc/app/]");
  EXPECT_FALSE(shadow->actual().present());
  const swell::v1::ApplyResult* app = ResultFor(results, "app");
  ASSERT_NE(app, nullptr);
  EXPECT_TRUE(app->ok()) << app->message();
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app/app.conf"), "ok\n");

  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/shadow"),
            "root:$6$secret:19000::::::\n");
  EXPECT_THAT(FilesUnderRoot(),
              UnorderedElementsAre("etc/shadow", "etc/app/app.conf"));
  ASSERT_TRUE(journal_->LastOutcome("shadow").has_value());
  EXPECT_FALSE(journal_->LastOutcome("shadow")->ok);
  EXPECT_EQ(journal_->LastOutcome("shadow")->message, shadow->message());

  // Its content never leaves the host: neither in the report nor in Hello.
  std::vector<swell::v1::ActualReport> reports = sink_.Reports();
  ASSERT_EQ(reports.size(), 1u);
  for (const auto& actual : reports[0].actual()) {
    if (actual.name() != "shadow") continue;
    EXPECT_THAT(actual.error(), HasSubstr("refused by host policy"));
    EXPECT_EQ(actual.value().data(), "");
  }
  for (const auto& actual : enforcer_->ReadActuals()) {
    EXPECT_EQ(actual.value().data().find("secret"), std::string::npos);
  }
}

TEST_F(GuardrailsEnforcerTest, ARefusedGenerationIsNotTriedAgain) {
  StartEnforcer();
  enforcer_->Offer(State(1, {FileVar("cron", "/etc/cron.d/x", "* * * *\n")}));
  AwaitPasses(1);
  enforcer_->Wake();
  AwaitPasses(2);
  ASSERT_EQ(sink_.Results().size(), 1u) << "reported once per generation";
  EXPECT_FALSE(sink_.Results()[0].ok());
  EXPECT_TRUE(FilesUnderRoot().empty());
}

TEST_F(GuardrailsEnforcerTest, CommandVariableRunsNothingOnAHostWithoutIt) {
  StartEnforcer();
  enforcer_->Offer(State(1, {CommandVar()}));
  AwaitPasses(1);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_FALSE(sink_.Results()[0].ok());
  EXPECT_THAT(sink_.Results()[0].message(),
              HasSubstr("refused by host policy: command variables are not "
                        "allowed on this host"));
  EXPECT_THAT(sink_.Reports()[0].actual(0).error(),
              HasSubstr("refused by host policy"));
  EXPECT_FALSE(Exists(dir_ / "ran-current")) << "not even read";
  EXPECT_FALSE(Exists(dir_ / "ran-apply"));
  EXPECT_FALSE(Exists(dir_ / "value"));
}

// The witness of the test above: the same variable on a host that allows
// commands runs them, so their absence there is the guardrails' doing.
TEST_F(GuardrailsEnforcerTest, CommandVariableRunsOnAHostThatAllowsIt) {
  guardrails_.kinds.insert(swell::v1::VARIABLE_KIND_COMMAND);
  StartEnforcer();
  enforcer_->Offer(State(1, {CommandVar()}));
  AwaitPasses(1);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_TRUE(sink_.Results()[0].ok()) << sink_.Results()[0].message();
  EXPECT_TRUE(Exists(dir_ / "ran-current"));
  EXPECT_EQ(ReadFileOrEmpty(dir_ / "value"), "4096");
}

TEST_F(GuardrailsEnforcerTest, UnlistedValidateCommandIsNotRun) {
  StartEnforcer();
  swell::v1::DesiredVariable var =
      FileVar("app", "/etc/app/app.conf", "workers = 8\n");
  var.mutable_spec()->mutable_file()->set_validate(
      absl::StrCat("touch ", dir_ / "validated"));
  enforcer_->Offer(State(1, {var}));
  AwaitPasses(1);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_FALSE(sink_.Results()[0].ok());
  EXPECT_THAT(sink_.Results()[0].message(),
              HasSubstr("the validate command 'touch "));
  EXPECT_FALSE(Exists(dir_ / "validated"));
  EXPECT_FALSE(Exists(root_ + "/etc/app/app.conf"));
}

}  // namespace
}  // namespace swell::agent
