#include "agent/appliers/file_applier.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/applier_test_util.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::Exists;
using ::swell::agent::testing::ReadFileOrEmpty;
using ::swell::agent::testing::StandinHost;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WriteFile;
using ::testing::HasSubstr;

class FileApplierTest : public ::testing::Test {
 protected:
  FileApplierTest()
      : root_(dir_ / "root"),
        applier_(root_, {{"SWELL_ROOT", root_}, {"SWELL_HOST_ID", "h1"}},
                 absl::Seconds(20)) {
    std::filesystem::create_directories(root_);
  }

  swell::v1::VariableSpec Spec(const std::string& path) {
    swell::v1::VariableSpec spec;
    spec.set_name("conf");
    spec.set_kind(swell::v1::VARIABLE_KIND_FILE);
    spec.mutable_file()->set_path(path);
    return spec;
  }

  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value) {
    ::swell::agent::testing::MemoryStepLog steps;
    ApplyContext ctx;
    ctx.cancel = &cancel_;
    ctx.steps = &steps;
    return applier_.Apply(spec, value, ctx);
  }

  std::vector<std::string> Listing(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      names.push_back(e.path().filename().string());
    }
    return names;
  }

  TempDir dir_;
  std::string root_;
  FileApplier applier_;
  std::atomic<bool> cancel_{false};
};

TEST_F(FileApplierTest, WritesContentAndModeBelowRoot) {
  swell::v1::VariableSpec spec = Spec("/etc/app/app.conf");
  spec.mutable_file()->set_mode(0600);
  ApplyOutcome out = Apply(spec, common::PresentValue("port = 80\n"));
  ASSERT_TRUE(out.ok) << out.message;
  const std::string live = root_ + "/etc/app/app.conf";
  EXPECT_EQ(ReadFileOrEmpty(live), "port = 80\n");
  struct stat st;
  ASSERT_EQ(stat(live.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  absl::StatusOr<swell::v1::Value> actual = applier_.ReadActual(spec);
  ASSERT_TRUE(actual.ok()) << actual.status();
  EXPECT_TRUE(common::SameValue(*actual, common::PresentValue("port = 80\n")));
}

TEST_F(FileApplierTest, ModeZeroMeans0644) {
  ASSERT_TRUE(Apply(Spec("/a.conf"), common::PresentValue("x")).ok);
  struct stat st;
  ASSERT_EQ(stat((root_ + "/a.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(FileApplierTest, MissingFileReadsAsAbsent) {
  absl::StatusOr<swell::v1::Value> actual =
      applier_.ReadActual(Spec("/nope/x"));
  ASSERT_TRUE(actual.ok()) << actual.status();
  EXPECT_FALSE(actual->present());
}

TEST_F(FileApplierTest, EmptyContentIsPresentNotAbsent) {
  ASSERT_TRUE(Apply(Spec("/empty"), common::PresentValue("")).ok);
  absl::StatusOr<swell::v1::Value> actual = applier_.ReadActual(Spec("/empty"));
  ASSERT_TRUE(actual.ok());
  EXPECT_TRUE(actual->present());
}

TEST_F(FileApplierTest, FileOverOneMebibyteIsAnError) {
  WriteFile(root_ + "/big", std::string(FileApplier::kMaxFileBytes + 1, 'x'));
  EXPECT_EQ(applier_.ReadActual(Spec("/big")).status().code(),
            absl::StatusCode::kOutOfRange);
  ApplyOutcome out = Apply(
      Spec("/big2"),
      common::PresentValue(std::string(FileApplier::kMaxFileBytes + 1, 'y')));
  EXPECT_FALSE(out.ok);
  EXPECT_FALSE(Exists(root_ + "/big2"));
}

TEST_F(FileApplierTest, ValidateFailureLeavesLiveFileByteForByteAndNoTemp) {
  const std::string live = root_ + "/etc/app.conf";
  const std::string old_content("old\0content\n", 12);
  WriteFile(live, old_content);
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  spec.mutable_file()->set_validate(
      "sh -c 'echo checking $1; grep -q good $1 || { echo bad config >&2; exit "
      "3; }' "
      "validate {}");
  ApplyOutcome out = Apply(spec, common::PresentValue("this is broken\n"));
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("validate failed: exit 3"));
  EXPECT_THAT(out.message, HasSubstr("bad config"));
  EXPECT_THAT(out.output_tail, HasSubstr("bad config"));
  EXPECT_EQ(ReadFileOrEmpty(live), old_content);
  EXPECT_THAT(Listing(root_ + "/etc"), ::testing::ElementsAre("app.conf"));
}

TEST_F(FileApplierTest, UnknownOwnerFailsNamingItAndLeavesTheLiveFile) {
  const std::string live = root_ + "/etc/app.conf";
  WriteFile(live, "old\n");
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  spec.mutable_file()->set_owner("no-such-user-swell");
  ApplyOutcome out = Apply(spec, common::PresentValue("new\n"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.message, "user 'no-such-user-swell' does not exist");
  EXPECT_EQ(ReadFileOrEmpty(live), "old\n");
  EXPECT_THAT(Listing(root_ + "/etc"), ::testing::ElementsAre("app.conf"));
}

TEST_F(FileApplierTest, UnknownGroupFailsBeforeAnythingIsWritten) {
  swell::v1::VariableSpec spec = Spec("/etc/new/app.conf");
  spec.mutable_file()->set_group("no-such-group-swell");
  ApplyOutcome out = Apply(spec, common::PresentValue("new\n"));
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.message, "group 'no-such-group-swell' does not exist");
  EXPECT_FALSE(Exists(root_ + "/etc/new")) << "not even the directory";
}

// The witness for the two above: names and ids the host knows pass.
TEST_F(FileApplierTest, KnownOwnerAndGroupByNameOrIdApply) {
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  spec.mutable_file()->set_owner("root");
  spec.mutable_file()->set_group("0");
  ApplyOutcome out = Apply(spec, common::PresentValue("new\n"));
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "new\n");
}

TEST_F(FileApplierTest, UnknownOwnerDoesNotStopARemoval) {
  const std::string live = root_ + "/etc/app.conf";
  WriteFile(live, "old\n");
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  spec.mutable_file()->set_owner("no-such-user-swell");
  ApplyOutcome out = Apply(spec, common::AbsentValue());
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_FALSE(Exists(live));
}

TEST_F(FileApplierTest, ValidateSeesTheCandidateThroughThePlaceholder) {
  const std::string seen = dir_ / "seen";
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  spec.mutable_file()->set_validate(absl::StrCat("cp {} ", seen));
  ApplyOutcome out = Apply(spec, common::PresentValue("good config\n"));
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(seen), "good config\n");
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "good config\n");
  EXPECT_THAT(Listing(root_ + "/etc"), ::testing::ElementsAre("app.conf"));
}

TEST_F(FileApplierTest, ValidateThatCannotRunFailsTheApply) {
  WriteFile(root_ + "/c", "old");
  swell::v1::VariableSpec spec = Spec("/c");
  spec.mutable_file()->set_validate("swell-no-such-validator {}");
  ApplyOutcome out = Apply(spec, common::PresentValue("new"));
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("not found"));
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/c"), "old");
}

TEST_F(FileApplierTest, AbsentRemovesTheFile) {
  WriteFile(root_ + "/etc/gone.conf", "bye");
  ApplyOutcome out = Apply(Spec("/etc/gone.conf"), common::AbsentValue());
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_FALSE(Exists(root_ + "/etc/gone.conf"));
  // Already absent is fine too.
  EXPECT_TRUE(Apply(Spec("/etc/gone.conf"), common::AbsentValue()).ok);
}

TEST_F(FileApplierTest, PathEscapingRootIsRejected) {
  for (const std::string path :
       {"/../outside.conf", "/etc/../../outside.conf", "relative.conf", ""}) {
    ApplyOutcome out = Apply(Spec(path), common::PresentValue("x"));
    EXPECT_FALSE(out.ok) << path;
    EXPECT_EQ(applier_.ReadActual(Spec(path)).status().code(),
              absl::StatusCode::kInvalidArgument)
        << path;
  }
  EXPECT_FALSE(Exists(dir_ / "outside.conf"));
}

TEST_F(FileApplierTest, SymlinkLeadingOutOfRootIsRejected) {
  std::filesystem::create_directories(dir_ / "elsewhere");
  std::filesystem::create_directory_symlink(dir_ / "elsewhere",
                                            root_ + "/link");
  ApplyOutcome out = Apply(Spec("/link/x.conf"), common::PresentValue("x"));
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("outside"));
  EXPECT_FALSE(Exists(dir_ / "elsewhere/x.conf"));
}

TEST_F(FileApplierTest, ReloadRunsAfterTheFileIsInPlaceWithTheAgentsEnv) {
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  const std::string marker = dir_ / "reloaded";
  spec.mutable_file()->set_reload(absl::StrCat("sh -c 'cat {} > ", marker,
                                               "; echo \"$SWELL_HOST_ID\" >> ",
                                               marker, "'"));
  ApplyOutcome out = Apply(spec, common::PresentValue("v2\n"));
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_EQ(ReadFileOrEmpty(marker), "v2\nh1\n");
}

TEST_F(FileApplierTest, ReloadFailureFailsTheApplyButTheFileStays) {
  swell::v1::VariableSpec spec = Spec("/etc/app.conf");
  spec.mutable_file()->set_reload("sh -c 'echo daemon refused; exit 1'");
  ApplyOutcome out = Apply(spec, common::PresentValue("v2\n"));
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("reload failed: exit 1"));
  EXPECT_THAT(out.message, HasSubstr("daemon refused"));
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/etc/app.conf"), "v2\n");
}

TEST_F(FileApplierTest, RestartUnitsRestartAfterReloadAndAreReported) {
  StandinHost host(dir_ / "standin");
  FileApplier applier(root_, host.Env(root_), absl::Seconds(20));
  swell::v1::VariableSpec spec = Spec("/etc/docker/daemon.json");
  spec.mutable_file()->set_validate("dockerd --validate --config-file {}");
  spec.mutable_file()->add_restart_units("docker");
  host.SetState(R"({"packages": {"docker-ce": "5:24.0.7-1"}})");
  ::swell::agent::testing::TestApplyContext t;
  ApplyOutcome out =
      applier.Apply(spec, common::PresentValue("{\"debug\": true}\n"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_THAT(out.message, HasSubstr("restarted docker"));
  ASSERT_EQ(host.Calls().size(), 2u);
  EXPECT_THAT(host.Calls()[0],
              ::testing::StartsWith("dockerd --validate --config-file "));
  EXPECT_EQ(host.Calls()[1], "systemctl restart docker");
  EXPECT_THAT(out.output_tail, HasSubstr("$ systemctl restart docker (exit 0"));
}

TEST_F(FileApplierTest,
       DaemonConfigThatFailsValidationNeverReachesTheLiveFile) {
  StandinHost host(dir_ / "standin");
  FileApplier applier(root_, host.Env(root_), absl::Seconds(20));
  const std::string live = root_ + "/etc/docker/daemon.json";
  WriteFile(live, "{\"debug\": false}\n");
  swell::v1::VariableSpec spec = Spec("/etc/docker/daemon.json");
  spec.mutable_file()->set_validate("dockerd --validate --config-file {}");
  spec.mutable_file()->add_restart_units("docker");
  ::swell::agent::testing::TestApplyContext t;
  ApplyOutcome out = applier.Apply(
      spec, common::PresentValue("{\"debug\": true, \"bogus\": 1}\n"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message,
              HasSubstr("don't match any configuration option: bogus"));
  EXPECT_EQ(ReadFileOrEmpty(live), "{\"debug\": false}\n");
  EXPECT_THAT(Listing(root_ + "/etc/docker"),
              ::testing::ElementsAre("daemon.json"));
  for (const std::string& call : host.Calls()) {
    EXPECT_THAT(call, ::testing::Not(HasSubstr("systemctl"))) << call;
  }
}

TEST_F(FileApplierTest, ReloadRunsAfterRemoval) {
  WriteFile(root_ + "/x", "x");
  swell::v1::VariableSpec spec = Spec("/x");
  const std::string marker = dir_ / "reloaded";
  spec.mutable_file()->set_reload(absl::StrCat("touch ", marker));
  ASSERT_TRUE(Apply(spec, common::AbsentValue()).ok);
  EXPECT_TRUE(Exists(marker));
}

TEST_F(FileApplierTest, CancelledValidateLeavesLiveFileAndSaysCancelled) {
  WriteFile(root_ + "/c", "old");
  swell::v1::VariableSpec spec = Spec("/c");
  spec.mutable_file()->set_validate("sleep 30");
  cancel_ = true;
  ApplyOutcome out = Apply(spec, common::PresentValue("new"));
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.cancelled);
  EXPECT_EQ(ReadFileOrEmpty(root_ + "/c"), "old");
  EXPECT_THAT(Listing(root_), ::testing::ElementsAre("c"));
}

}  // namespace
}  // namespace swell::agent
