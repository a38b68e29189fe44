#include "agent/enforcer.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "agent/appliers/file_applier.h"
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

class EnforcerTest : public ::testing::Test {
 protected:
  EnforcerTest() : root_(dir_ / "root") {
    std::filesystem::create_directories(root_);
  }

  void StartEnforcer() {
    auto journal = Journal::Open(dir_ / "state/journal.log");
    ASSERT_TRUE(journal.ok()) << journal.status();
    journal_ = *std::move(journal);
    ApplierSet appliers;
    appliers[swell::v1::VARIABLE_KIND_FILE] = std::make_shared<FileApplier>(
        root_, std::map<std::string, std::string>{}, absl::Seconds(20));
    enforcer_ = std::make_unique<Enforcer>(std::move(appliers), journal_.get(),
                                           &sink_, absl::Hours(1),
                                           [this] { after_reports_++; });
    enforcer_->Start();
  }

  // Waits for `n` completed passes in total.
  void AwaitPasses(uint64_t n) {
    ASSERT_TRUE(WaitFor([&] { return enforcer_->passes() >= n; }))
        << "passes: " << enforcer_->passes();
  }

  static swell::v1::DesiredVariable FileVar(const std::string& name,
                                            const std::string& path,
                                            const std::string& content,
                                            bool enforce = true) {
    swell::v1::DesiredVariable var;
    var.set_enforce(enforce);
    var.mutable_spec()->set_name(name);
    var.mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
    var.mutable_spec()->mutable_file()->set_path(path);
    *var.mutable_value() = common::PresentValue(content);
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

  // Offers generation 1 of a file whose validate command touches
  // dir_/started, then runs `then` (shell); returns once it has started.
  void OfferApplyThatRuns(const std::string& then) {
    const std::string started = dir_ / "started";
    swell::v1::DesiredVariable var = FileVar("app", "/etc/app.conf", "v1\n");
    var.mutable_spec()->mutable_file()->set_validate(
        absl::StrCat("sh -c 'touch ", started, "; ", then, "'"));
    enforcer_->Offer(State(1, {var}));
    ASSERT_TRUE(WaitFor([&] { return Exists(started); }));
  }

  TempDir dir_;
  std::string root_;
  FakeSink sink_;
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Enforcer> enforcer_;
  std::atomic<int> after_reports_{0};
};

TEST_F(EnforcerTest, AppliesAnEnforcedFileAndReportsOk) {
  StartEnforcer();
  ASSERT_TRUE(
      enforcer_->Offer(State(1, {FileVar("app", "/etc/app.conf", "v1\n")})));
  AwaitPasses(1);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "v1\n");
  std::vector<swell::v1::ApplyResult> results = sink_.Results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].variable(), "app");
  EXPECT_EQ(results[0].generation(), 1);
  EXPECT_TRUE(results[0].ok()) << results[0].message();
  EXPECT_EQ(results[0].actual().data(), "v1\n");
  std::vector<swell::v1::ActualReport> reports = sink_.Reports();
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports[0].actual_size(), 1);
  EXPECT_EQ(reports[0].actual(0).value().data(), "v1\n");
  ASSERT_TRUE(journal_->LastOutcome("app").has_value());
  EXPECT_TRUE(journal_->LastOutcome("app")->ok);
}

TEST_F(EnforcerTest, HealthIsAskedForAfterAPassThatReportedAnApply) {
  StartEnforcer();
  enforcer_->Offer(State(1, {FileVar("app", "/etc/app.conf", "v1\n")}));
  AwaitPasses(1);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_EQ(after_reports_, 1);
  enforcer_->Wake();  // converged already: nothing new to report
  AwaitPasses(2);
  EXPECT_EQ(after_reports_, 1);
  enforcer_->Offer(State(2, {FileVar("app", "/etc/app.conf", "v2\n")}));
  AwaitPasses(3);
  EXPECT_EQ(after_reports_, 2);
}

TEST_F(EnforcerTest, ConvergedVariableIsReportedOkWithoutApplying) {
  WriteFile(root_ + "/etc/app.conf", "v1\n");
  StartEnforcer();
  swell::v1::DesiredVariable var = FileVar("app", "/etc/app.conf", "v1\n");
  var.mutable_spec()->mutable_file()->set_validate(
      "false");  // an apply would fail
  enforcer_->Offer(State(1, {var}));
  AwaitPasses(1);
  std::vector<swell::v1::ApplyResult> results = sink_.Results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[0].message(), "already converged");
  enforcer_->Wake();
  AwaitPasses(2);
  EXPECT_EQ(sink_.Results().size(), 1u) << "reported once per generation";
}

TEST_F(EnforcerTest, FailedGenerationIsAppliedOnceAndResentOnReconnect) {
  StartEnforcer();
  const std::string counter = dir_ / "validations";
  swell::v1::DesiredVariable var = FileVar("app", "/etc/app.conf", "bad\n");
  var.mutable_spec()->mutable_file()->set_validate(
      absl::StrCat("sh -c 'echo run >> ", counter, "; exit 1'"));
  enforcer_->Offer(State(1, {var}));
  AwaitPasses(1);
  enforcer_->Wake();
  AwaitPasses(2);
  EXPECT_EQ(ReadFileOrEmpty(counter), "run\n");
  std::vector<swell::v1::ApplyResult> results = sink_.Results();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_FALSE(results[0].ok());
  EXPECT_THAT(results[0].message(),
              ::testing::HasSubstr("validate failed: exit 1"));
  EXPECT_FALSE(Exists(root_ + "/etc/app.conf"));

  sink_.SetConnection(2);
  enforcer_->Wake();
  AwaitPasses(3);
  results = sink_.Results();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].message(), results[0].message());
  EXPECT_EQ(ReadFileOrEmpty(counter), "run\n") << "not applied again";

  swell::v1::DesiredVariable fixed = FileVar("app", "/etc/app.conf", "good\n");
  enforcer_->Offer(State(2, {fixed}));
  AwaitPasses(4);
  results = sink_.Results();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[2].ok());
  EXPECT_EQ(results[2].generation(), 2);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "good\n");
}

TEST_F(EnforcerTest, ObservedVariableIsOnlyRead) {
  WriteFile(root_ + "/etc/app.conf", "theirs\n");
  StartEnforcer();
  enforcer_->Offer(
      State(1, {FileVar("app", "/etc/app.conf", "ours\n", false)}));
  AwaitPasses(1);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "theirs\n");
  EXPECT_TRUE(sink_.Results().empty());
  ASSERT_EQ(sink_.Reports().size(), 1u);
  EXPECT_EQ(sink_.Reports()[0].actual(0).value().data(), "theirs\n");
}

TEST_F(EnforcerTest, OlderGenerationIsRefused) {
  StartEnforcer();
  EXPECT_TRUE(enforcer_->Offer(State(5, {})));
  EXPECT_FALSE(enforcer_->Offer(State(4, {FileVar("a", "/a", "a")})));
  EXPECT_TRUE(enforcer_->Offer(State(5, {})));
  EXPECT_EQ(enforcer_->Current()->generation(), 5);
  EXPECT_EQ(enforcer_->Current()->variables_size(), 0);
}

TEST_F(EnforcerTest, NewerStateMidPassWinsAfterTheCurrentVariable) {
  StartEnforcer();
  const std::string started = dir_ / "started";
  const std::string go = dir_ / "go";
  swell::v1::DesiredVariable slow = FileVar("slow", "/slow", "s");
  slow.mutable_spec()->mutable_file()->set_validate(
      absl::StrCat("sh -c 'touch ", started, "; while [ ! -e ", go,
                   " ]; do sleep 0.01; done'"));
  enforcer_->Offer(State(1, {slow, FileVar("later", "/later", "old")}));
  ASSERT_TRUE(WaitFor([&] { return Exists(started); }));
  enforcer_->Offer(State(2, {FileVar("later", "/later", "new")}));
  WriteFile(go, "");
  AwaitPasses(1);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/slow"), "s")
      << "the current variable finished";
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/later"), "new");
  for (const swell::v1::ApplyResult& r : sink_.Results()) {
    EXPECT_FALSE(r.variable() == "later" && r.generation() == 1)
        << "generation 1 of 'later' should have been skipped";
  }
}

TEST_F(EnforcerTest, InterruptedApplyIsRedoneInFullAtStart) {
  WriteFile(root_ + "/etc/app.conf", "v1\n");  // renamed, but reload never ran
  {
    auto journal = Journal::Open(dir_ / "state/journal.log");
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->RecordIntent({"app", 1, "absent", "v1\n"}).ok());
  }
  const std::string reloaded = dir_ / "reloaded";
  swell::v1::DesiredVariable var = FileVar("app", "/etc/app.conf", "v1\n");
  var.mutable_spec()->mutable_file()->set_reload(
      absl::StrCat("touch ", reloaded));
  StartEnforcer();
  enforcer_->Offer(State(1, {var}));
  AwaitPasses(1);
  EXPECT_TRUE(Exists(reloaded));
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_TRUE(sink_.Results()[0].ok());
}

TEST_F(EnforcerTest, DriftAfterASuccessfulApplyIsCorrected) {
  StartEnforcer();
  enforcer_->Offer(State(1, {FileVar("app", "/etc/app.conf", "v1\n")}));
  AwaitPasses(1);
  WriteFile(root_ + "/etc/app.conf", "hand edited\n");
  enforcer_->Wake();
  AwaitPasses(2);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "v1\n");
}

TEST_F(EnforcerTest, KindWithoutApplierIsReportedAsFailed) {
  StartEnforcer();
  swell::v1::DesiredVariable var;
  var.set_enforce(true);
  var.mutable_spec()->set_name("docker");
  var.mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_DOCKER);
  *var.mutable_value() = common::PresentValue("24.0.7");
  enforcer_->Offer(State(1, {var}));
  AwaitPasses(1);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_FALSE(sink_.Results()[0].ok());
  EXPECT_THAT(sink_.Results()[0].message(), ::testing::HasSubstr("no applier"));
  EXPECT_THAT(sink_.Reports()[0].actual(0).error(),
              ::testing::HasSubstr("no applier"));
}

TEST_F(EnforcerTest, ResultsWithheldWhileDisconnectedAreSentAfterConnecting) {
  sink_.SetConnection(0);
  StartEnforcer();
  enforcer_->Offer(State(1, {FileVar("app", "/etc/app.conf", "v1\n")}));
  AwaitPasses(1);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "v1\n");
  EXPECT_TRUE(sink_.Results().empty());
  sink_.SetConnection(1);
  enforcer_->Wake();
  AwaitPasses(2);
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_TRUE(sink_.Results()[0].ok());
  EXPECT_EQ(sink_.Results()[0].generation(), 1);
}

TEST_F(EnforcerTest, StopCancelsARunningApply) {
  StartEnforcer();
  OfferApplyThatRuns("sleep 30");
  const absl::Time start = absl::Now();
  enforcer_->Stop();
  EXPECT_LT(absl::Now() - start, absl::Seconds(25));
  EXPECT_FALSE(Exists(root_ + "/etc/app.conf"));
  EXPECT_FALSE(journal_->LastOutcome("app").has_value())
      << "a cancelled apply leaves its intent open for the next start";
}

// A stop lets the apply that runs finish (a package install must not be
// cut half way), then returns; the result is still reported.
TEST_F(EnforcerTest, StopLetsARunningApplyFinishWithinTheGrace) {
  StartEnforcer();
  const std::string release = dir_ / "release";
  OfferApplyThatRuns(
      absl::StrCat("while [ ! -e ", release, " ]; do sleep 0.05; done"));
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    enforcer_->Stop(absl::Seconds(60));
    stopped = true;
  });
  // The step is not cut: the apply ends only when its command does.
  EXPECT_FALSE(stopped.load());
  WriteFile(release, "");
  stopper.join();
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "v1\n");
  ASSERT_EQ(sink_.Results().size(), 1u);
  EXPECT_TRUE(sink_.Results()[0].ok()) << sink_.Results()[0].message();
}

// Past the grace, what still runs is stopped as before.
TEST_F(EnforcerTest, StopCancelsAnApplyThatOutlastsTheGrace) {
  StartEnforcer();
  OfferApplyThatRuns("sleep 30");
  const absl::Time start = absl::Now();
  enforcer_->Stop(absl::Milliseconds(300));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  EXPECT_LT(absl::Now() - start, absl::Seconds(25));
  EXPECT_FALSE(Exists(root_ + "/etc/app.conf"));
  EXPECT_FALSE(journal_->LastOutcome("app").has_value());
}

}  // namespace
}  // namespace swell::agent
