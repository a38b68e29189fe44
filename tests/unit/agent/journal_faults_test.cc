// The journal and the enforcer under injected OS failures
// (tests/fakes/fault_env.h): a journal that cannot be made durable stops
// the apply, and a crash mid-apply is resumed by a fresh agent.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "agent/appliers/file_applier.h"
#include "agent/enforcer.h"
#include "agent/journal.h"
#include "agent/posix_env.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fault_env.h"
#include "tests/unit/agent/fake_sink.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::FakeSink;
using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;
using ::swell::agent::testing::WriteFile;
using ::swell::testing::FakeClock;
using ::swell::testing::FaultEnv;
using ::testing::HasSubstr;

// One agent's journal, file applier and enforcer over `env`, on the state
// and root directories of `dir`: what a (re)started agent would build.
struct AgentParts {
  AgentParts(const TempDir& dir, Env* env, FakeSink* sink) {
    absl::StatusOr<std::unique_ptr<Journal>> opened = Journal::Open(
        dir / "state/journal.log", Journal::kDefaultCompactAbove, env);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) return;
    journal = *std::move(opened);
    ApplierSet appliers;
    appliers[swell::v1::VARIABLE_KIND_FILE] = std::make_shared<FileApplier>(
        dir / "root", std::map<std::string, std::string>{}, absl::Seconds(20),
        env);
    enforcer = std::make_unique<Enforcer>(std::move(appliers), journal.get(),
                                          sink, absl::Hours(1));
    enforcer->Start();
  }
  ~AgentParts() {
    if (enforcer != nullptr) enforcer->Stop();
  }

  std::unique_ptr<Journal> journal;
  std::unique_ptr<Enforcer> enforcer;
};

swell::v1::DesiredState AppConf(int64_t generation,
                                const std::string& content) {
  swell::v1::DesiredState state;
  state.set_generation(generation);
  swell::v1::DesiredVariable* var = state.add_variables();
  var->set_enforce(true);
  var->mutable_spec()->set_name("app.conf");
  var->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
  var->mutable_spec()->mutable_file()->set_path("/etc/app.conf");
  *var->mutable_value() = common::PresentValue(content);
  return state;
}

class JournalFaultTest : public ::testing::Test {
 protected:
  JournalFaultTest() : live_(dir_ / "root/etc/app.conf") {
    WriteFile(live_, "old\n");
  }

  TempDir dir_;
  const std::string live_;
  FakeSink sink_;
};

TEST_F(JournalFaultTest, FailedFsyncOfTheJournalMakesTheEnforcerRefuseToApply) {
  FaultEnv env;
  env.FailOn(FaultEnv::Op::kSync, "journal.log", EIO);
  AgentParts agent(dir_, &env, &sink_);
  ASSERT_NE(agent.enforcer, nullptr);
  agent.enforcer->Offer(AppConf(1, "new\n"));
  ASSERT_TRUE(WaitFor([&] { return sink_.Results().size() == 1; }));
  ASSERT_EQ(env.faults_injected(), 1);
  swell::v1::ApplyResult refused = sink_.Results()[0];
  EXPECT_FALSE(refused.ok());
  EXPECT_THAT(refused.message(), HasSubstr("journal: fsync"));
  EXPECT_THAT(refused.message(), HasSubstr(std::strerror(EIO)));
  EXPECT_EQ(ReadFileOrEmpty(live_), "old\n") << "the host was touched";

  // Once the journal is durable again, the same generation is applied.
  agent.enforcer->Wake();
  ASSERT_TRUE(WaitFor([&] { return sink_.Results().size() == 2; }));
  EXPECT_TRUE(sink_.Results()[1].ok()) << sink_.Results()[1].message();
  EXPECT_EQ(ReadFileOrEmpty(live_), "new\n");
}

TEST_F(JournalFaultTest, CrashBetweenIntentAndRenameIsResumedByAFreshAgent) {
  {
    FaultEnv env;
    env.CrashBefore(FaultEnv::Op::kRename, "app.conf");
    AgentParts agent(dir_, &env, &sink_);
    ASSERT_NE(agent.enforcer, nullptr);
    agent.enforcer->Offer(AppConf(1, "new\n"));
    ASSERT_TRUE(WaitFor([&] { return !sink_.Results().empty(); }));
    ASSERT_TRUE(env.crashed());
  }
  EXPECT_EQ(ReadFileOrEmpty(live_), "old\n");

  FakeSink after_restart;
  AgentParts agent(dir_, Env::Default(), &after_restart);
  ASSERT_NE(agent.journal, nullptr);
  std::vector<JournalIntent> interrupted = agent.journal->InterruptedAtOpen();
  ASSERT_EQ(interrupted.size(), 1u);
  EXPECT_EQ(interrupted[0].variable, "app.conf");
  EXPECT_EQ(interrupted[0].generation, 1);
  EXPECT_EQ(interrupted[0].to,
            common::DescribeValue(common::PresentValue(std::string("new\n"))));

  agent.enforcer->Offer(AppConf(1, "new\n"));
  ASSERT_TRUE(WaitFor([&] { return !after_restart.Results().empty(); }));
  EXPECT_TRUE(after_restart.Results()[0].ok())
      << after_restart.Results()[0].message();
  EXPECT_EQ(ReadFileOrEmpty(live_), "new\n");
  std::optional<JournalOutcome> outcome =
      agent.journal->LastOutcome("app.conf");
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->generation, 1);
  EXPECT_TRUE(outcome->ok);
}

// What a reopened journal says about variable "a".
struct Seen {
  bool interrupted = false;
  size_t steps = 0;
  bool outcome = false;
};

TEST(JournalCrashTest, CrashAtAnyStepLeavesAJournalThatOpensOnARecordBoundary) {
  std::map<std::string, int> shapes;
  for (int n = 0;; ++n) {
    ASSERT_LT(n, 200) << "three records should take far fewer calls";
    TempDir dir;
    const std::string path = dir / "journal.log";
    FaultEnv env;
    env.CrashAfter(n);
    {
      absl::StatusOr<std::unique_ptr<Journal>> j =
          Journal::Open(path, Journal::kDefaultCompactAbove, &env);
      if (j.ok()) {
        (*j)->RecordIntent({"a", 1, "x", "y"}).IgnoreError();
        (*j)->RecordStep("a", 1, "install", "ok").IgnoreError();
        (*j)->RecordOutcome("a", {1, true, "done"}).IgnoreError();
      }
    }
    absl::StatusOr<std::unique_ptr<Journal>> reopened = Journal::Open(path);
    ASSERT_TRUE(reopened.ok())
        << "crash after " << n << ": " << reopened.status();
    Seen seen;
    seen.interrupted = !(*reopened)->InterruptedAtOpen().empty();
    seen.steps = (*reopened)->OpenSteps("a").size();
    seen.outcome = (*reopened)->LastOutcome("a").has_value();
    // Records are durable in order: an outcome closes the intent, a step
    // only exists under it.
    EXPECT_FALSE(seen.outcome && seen.interrupted) << "crash after " << n;
    EXPECT_TRUE(seen.steps == 0 || seen.interrupted) << "crash after " << n;
    ++shapes[seen.outcome       ? "done"
             : seen.steps > 0   ? "step"
             : seen.interrupted ? "intent"
                                : "empty"];
    if (!env.crashed()) {
      EXPECT_TRUE(seen.outcome);
      break;
    }
  }
  // The sweep crashed before each record and between every two.
  EXPECT_GT(shapes["empty"], 0);
  EXPECT_GT(shapes["intent"], 0);
  EXPECT_GT(shapes["step"], 0);
}

TEST(JournalClockTest, RecordsAreStampedWithTheEnvsClock) {
  TempDir dir;
  FakeClock clock(absl::FromUnixMillis(1'234'567));
  PosixEnv env(&clock);
  {
    absl::StatusOr<std::unique_ptr<Journal>> j =
        Journal::Open(dir / "journal.log", Journal::kDefaultCompactAbove, &env);
    ASSERT_TRUE(j.ok()) << j.status();
    ASSERT_TRUE((*j)->RecordIntent({"a", 1, "x", "y"}).ok());
  }
  EXPECT_TRUE(absl::StartsWith(ReadFileOrEmpty(dir / "journal.log"),
                               "I\t1234567\t1\ta\t"));
}

}  // namespace
}  // namespace swell::agent
