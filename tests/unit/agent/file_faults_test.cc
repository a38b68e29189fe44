// The file applier and the desired-state file under injected OS failures
// (tests/fakes/fault_env.h): a failed write, fsync or rename, a full disk
// and a crash at every step leave the live file whole.

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/appliers/file_applier.h"
#include "agent/desired_state_file.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/fault_env.h"
#include "tests/unit/agent/applier_test_util.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::MemoryStepLog;
using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WriteFile;
using ::swell::testing::FaultEnv;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename().string());
  }
  return names;
}

class FileApplierFaultTest : public ::testing::Test {
 protected:
  FileApplierFaultTest()
      : root_(dir_ / "root"),
        live_(root_ + "/etc/app.conf"),
        applier_(root_, {}, absl::Seconds(20), &env_) {
    WriteFile(live_, "old\n");
  }

  ApplyOutcome ApplyNew() {
    swell::v1::VariableSpec spec;
    spec.set_name("conf");
    spec.set_kind(swell::v1::VARIABLE_KIND_FILE);
    spec.mutable_file()->set_path("/etc/app.conf");
    MemoryStepLog steps;
    ApplyContext ctx;
    ctx.steps = &steps;
    return applier_.Apply(spec, common::PresentValue("new\n"), ctx);
  }

  TempDir dir_;
  const std::string root_;
  const std::string live_;
  FaultEnv env_;
  FileApplier applier_;
};

TEST_F(FileApplierFaultTest, FailedFsyncOfTheTempFileLeavesTheLiveFile) {
  env_.FailOn(FaultEnv::Op::kSync, "app.conf", EIO);
  ApplyOutcome out = ApplyNew();
  ASSERT_EQ(env_.faults_injected(), 1);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("fsync"));
  EXPECT_THAT(out.message, HasSubstr(std::strerror(EIO)));
  EXPECT_EQ(ReadFileOrEmpty(live_), "old\n");
  EXPECT_THAT(Listing(root_ + "/etc"), ElementsAre("app.conf"));

  // The same apply goes through once the disk behaves.
  ApplyOutcome again = ApplyNew();
  EXPECT_TRUE(again.ok) << again.message;
  EXPECT_EQ(ReadFileOrEmpty(live_), "new\n");
}

TEST_F(FileApplierFaultTest, FullDiskOnWriteLeavesTheLiveFileAndSaysSo) {
  env_.FailOn(FaultEnv::Op::kWrite, "app.conf", ENOSPC);
  ApplyOutcome out = ApplyNew();
  ASSERT_EQ(env_.faults_injected(), 1);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("write"));
  EXPECT_THAT(out.message, HasSubstr(std::strerror(ENOSPC)));
  EXPECT_EQ(ReadFileOrEmpty(live_), "old\n");
  EXPECT_THAT(Listing(root_ + "/etc"), ElementsAre("app.conf"));
}

TEST_F(FileApplierFaultTest, FailedRenameLeavesTheLiveFileAndNoTemp) {
  env_.FailOn(FaultEnv::Op::kRename, "app.conf", EIO);
  ApplyOutcome out = ApplyNew();
  ASSERT_EQ(env_.faults_injected(), 1);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("rename to " + live_));
  EXPECT_EQ(ReadFileOrEmpty(live_), "old\n");
  EXPECT_THAT(Listing(root_ + "/etc"), ElementsAre("app.conf"));
}

TEST_F(FileApplierFaultTest, FailedDirectoryFsyncAfterTheRenameFailsTheApply) {
  // The rename happened but may not survive a crash: not a success.
  env_.FailOn(FaultEnv::Op::kSyncDir, "/etc", EIO);
  ApplyOutcome out = ApplyNew();
  ASSERT_EQ(env_.faults_injected(), 1);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr(std::strerror(EIO)));
}

TEST_F(FileApplierFaultTest, UnreadableFileIsAnErrorNotAbsent) {
  env_.FailOn(FaultEnv::Op::kRead, "app.conf", EIO);
  swell::v1::VariableSpec spec;
  spec.set_kind(swell::v1::VARIABLE_KIND_FILE);
  spec.mutable_file()->set_path("/etc/app.conf");
  absl::StatusOr<swell::v1::Value> actual = applier_.ReadActual(spec);
  ASSERT_EQ(env_.faults_injected(), 1);
  EXPECT_FALSE(actual.ok());
  EXPECT_THAT(actual.status().message(), HasSubstr(std::strerror(EIO)));
}

swell::v1::DesiredState StateOf(int64_t generation) {
  swell::v1::DesiredState state;
  state.set_host_id("web-1");
  state.set_generation(generation);
  swell::v1::DesiredVariable* var = state.add_variables();
  var->mutable_spec()->set_name("app.conf");
  *var->mutable_value() = common::PresentValue(std::string(4096, 'x'));
  return state;
}

struct SaveFault {
  FaultEnv::Op op;
  int err;
};

class DesiredStateSaveFaultTest : public ::testing::TestWithParam<SaveFault> {};

TEST_P(DesiredStateSaveFaultTest, FailedSaveIsReportedAndTheOldStateStays) {
  TempDir dir;
  const std::string path = dir / "desired.pb";
  ASSERT_TRUE(SaveDesiredState(path, StateOf(42)).ok());
  FaultEnv env;
  env.FailOn(GetParam().op, "desired.pb", GetParam().err);
  absl::Status saved = SaveDesiredState(path, StateOf(43), &env);
  ASSERT_EQ(env.faults_injected(), 1);
  EXPECT_FALSE(saved.ok());
  EXPECT_THAT(saved.message(), HasSubstr(std::strerror(GetParam().err)));
  absl::StatusOr<swell::v1::DesiredState> loaded = LoadDesiredState(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->generation(), 42);
  EXPECT_THAT(Listing(dir.path()), ElementsAre("desired.pb"));
}

INSTANTIATE_TEST_SUITE_P(
    EveryStepBeforeTheRename, DesiredStateSaveFaultTest,
    ::testing::Values(SaveFault{FaultEnv::Op::kCreate, ENOSPC},
                      SaveFault{FaultEnv::Op::kWrite, ENOSPC},
                      SaveFault{FaultEnv::Op::kChmod, EIO},
                      SaveFault{FaultEnv::Op::kSync, EIO},
                      SaveFault{FaultEnv::Op::kClose, EIO},
                      SaveFault{FaultEnv::Op::kRename, EIO}));

TEST(DesiredStateCrashTest, CrashAtAnyStepOfASaveLeavesTheOldOrTheNewState) {
  int crashes_keeping_old = 0;
  int crashes_after_the_rename = 0;
  for (int n = 0;; ++n) {
    ASSERT_LT(n, 100) << "a save should take far fewer calls";
    TempDir dir;
    const std::string path = dir / "desired.pb";
    ASSERT_TRUE(SaveDesiredState(path, StateOf(42)).ok());
    FaultEnv env;
    env.CrashAfter(n);
    absl::Status saved = SaveDesiredState(path, StateOf(43), &env);
    absl::StatusOr<swell::v1::DesiredState> loaded = LoadDesiredState(path);
    ASSERT_TRUE(loaded.ok()) << "crash after " << n << ": " << loaded.status();
    if (!env.crashed()) {
      EXPECT_TRUE(saved.ok()) << saved;
      EXPECT_EQ(loaded->generation(), 43);
      break;
    }
    EXPECT_FALSE(saved.ok()) << "crash after " << n;
    if (loaded->generation() == 42) {
      ++crashes_keeping_old;
    } else {
      EXPECT_EQ(loaded->generation(), 43) << "crash after " << n;
      ++crashes_after_the_rename;
    }
  }
  // The sweep reached both sides of the rename.
  EXPECT_GT(crashes_keeping_old, 0);
  EXPECT_GT(crashes_after_the_rename, 0);
}

}  // namespace
}  // namespace swell::agent
