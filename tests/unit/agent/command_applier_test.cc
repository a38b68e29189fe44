#include "agent/appliers/command_applier.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/applier_test_util.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::TestApplyContext;
using ::swell::agent::testing::WriteFile;
using ::testing::HasSubstr;

// A "setting" kept in a file: `current` cats it, `apply` writes it.
class CommandApplierTest : public ::testing::Test {
 protected:
  CommandApplierTest() : setting_(dir_ / "setting"), applier_({}) {}

  swell::v1::VariableSpec Spec() const {
    swell::v1::VariableSpec spec;
    spec.set_name("somaxconn");
    spec.set_kind(swell::v1::VARIABLE_KIND_COMMAND);
    swell::v1::CommandSpec* c = spec.mutable_command();
    c->set_current(absl::StrCat("cat ", setting_));
    c->set_apply(absl::StrCat("cp ", dir_ / "src-{}", " ", setting_));
    return spec;
  }

  TempDir dir_;
  std::string setting_;
  CommandApplier applier_;
};

TEST_F(CommandApplierTest, CurrentsOutputIsTheValueAndNoOutputIsAbsent) {
  WriteFile(setting_, "4096\n");
  absl::StatusOr<swell::v1::Value> v = applier_.ReadActual(Spec());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(common::SameValue(*v, common::PresentValue("4096")));
  WriteFile(setting_, "");
  v = applier_.ReadActual(Spec());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->present());
  swell::v1::VariableSpec broken = Spec();
  broken.mutable_command()->set_current("sh -c 'echo no such key >&2; exit 2'");
  v = applier_.ReadActual(broken);
  EXPECT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("no such key"));
}

TEST_F(CommandApplierTest, ValueReachesApplyAsOneWordWithoutAShell) {
  // Without a shell, a value full of shell syntax is one harmless word.
  const std::string value = "x; touch pwned $(id)";
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_apply(
      absl::StrCat("sh -c 'printf %s \"$1\" > ", setting_, "' apply {}"));
  TestApplyContext t;
  ApplyOutcome out = applier_.Apply(spec, common::PresentValue(value), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(setting_), value);
  EXPECT_FALSE(::swell::agent::testing::Exists(dir_ / "pwned"));
}

TEST_F(CommandApplierTest, ShellCommandsGetTheValueThroughTheEnvironment) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_shell(true);
  spec.mutable_command()->set_apply(
      absl::StrCat("echo \"$SWELL_VARIABLE=$SWELL_VALUE\" > ", setting_));
  TestApplyContext t;
  ApplyOutcome out = applier_.Apply(spec, common::PresentValue("8192"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(setting_), "somaxconn=8192\n");
}

TEST_F(CommandApplierTest, FailedVerifyRevertsToTheValueBefore) {
  WriteFile(setting_, "128\n");
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_shell(true);
  spec.mutable_command()->set_apply(
      absl::StrCat("echo \"$SWELL_VALUE\" > ", setting_));
  spec.mutable_command()->set_verify(
      "echo 'value too large for this kernel'; exit 1");
  spec.mutable_command()->set_revert(
      absl::StrCat("echo \"$SWELL_VALUE\" > ", setting_));
  TestApplyContext t;
  t.ctx.before = common::PresentValue("128");
  ApplyOutcome out = applier_.Apply(spec, common::PresentValue("99999"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("verify failed"));
  EXPECT_THAT(out.message, HasSubstr("value too large for this kernel"));
  EXPECT_THAT(out.message, HasSubstr("reverted to 128"));
  EXPECT_EQ(ReadFileOrEmpty(setting_), "128\n");
}

TEST_F(CommandApplierTest, OutputTailShowsEachCommandsExitAndDuration) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_apply("sh -c 'echo applying {}; exit 4'");
  TestApplyContext t;
  ApplyOutcome out = applier_.Apply(spec, common::PresentValue("7"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("apply failed"));
  EXPECT_THAT(out.message, HasSubstr("exit 4"));
  EXPECT_THAT(out.output_tail, HasSubstr("$ sh -c echo applying 7; exit 4"));
  EXPECT_THAT(out.output_tail, HasSubstr("(exit 4 in "));
  EXPECT_THAT(out.output_tail, HasSubstr("applying 7\n"));
}

TEST_F(CommandApplierTest, CommandOverItsTimeoutIsStoppedAndReported) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_apply("sleep 30");
  spec.mutable_command()->set_timeout_ms(200);
  TestApplyContext t;
  ApplyOutcome out = applier_.Apply(spec, common::PresentValue("1"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("timed out after"));
}

TEST_F(CommandApplierTest, InterruptedApplyIsVerifiedNeverRunAgain) {
  const std::string runs = dir_ / "runs";
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_shell(true);
  spec.mutable_command()->set_apply(absl::StrCat(
      "echo run >> ", runs, "; echo \"$SWELL_VALUE\" > ", setting_));
  // It had not taken effect: reported as failed, not repeated.
  WriteFile(setting_, "128\n");
  TestApplyContext first;
  first.ctx.resumed = true;
  ApplyOutcome out =
      applier_.Apply(spec, common::PresentValue("4096"), first.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("interrupted"));
  EXPECT_THAT(out.message, HasSubstr("the host reads 128"));
  EXPECT_EQ(ReadFileOrEmpty(runs), "");
  // It had taken effect: reported ok, still not repeated.
  WriteFile(setting_, "4096\n");
  TestApplyContext second;
  second.ctx.resumed = true;
  out = applier_.Apply(spec, common::PresentValue("4096"), second.ctx);
  EXPECT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(runs), "");
}

TEST_F(CommandApplierTest, ResumedAfterAFinishedApplyOnlyVerifies) {
  const std::string runs = dir_ / "runs";
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_command()->set_shell(true);
  spec.mutable_command()->set_apply(absl::StrCat("echo run >> ", runs));
  spec.mutable_command()->set_verify(absl::StrCat("echo verified >> ", runs));
  TestApplyContext t;
  t.ctx.resumed = true;
  ASSERT_TRUE(t.steps.Record("apply", "exit 0").ok());
  ApplyOutcome out = applier_.Apply(spec, common::PresentValue("1"), t.ctx);
  EXPECT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(runs), "verified\n");
}

}  // namespace
}  // namespace swell::agent
