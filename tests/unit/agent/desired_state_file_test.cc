#include "agent/desired_state_file.h"

#include <filesystem>

#include "common/value.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WriteFile;

swell::v1::DesiredState Sample() {
  swell::v1::DesiredState state;
  state.set_host_id("web-1");
  state.set_generation(42);
  swell::v1::DesiredVariable* var = state.add_variables();
  var->set_enforce(true);
  var->mutable_spec()->set_name("nginx.conf");
  var->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
  var->mutable_spec()->mutable_file()->set_path("/etc/nginx/nginx.conf");
  var->mutable_spec()->mutable_file()->set_validate("nginx -t -c {}");
  *var->mutable_value() = common::PresentValue(std::string("a\0b", 3));
  return state;
}

TEST(DesiredStateFileTest, SavedStateLoadsBackEqual) {
  TempDir dir;
  const std::string path = dir / "state/desired.pb";
  ASSERT_TRUE(SaveDesiredState(path, Sample()).ok());
  absl::StatusOr<swell::v1::DesiredState> loaded = LoadDesiredState(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(*loaded, Sample()));
}

TEST(DesiredStateFileTest, SavingReplacesAndLeavesNoTempFile) {
  TempDir dir;
  const std::string path = dir / "desired.pb";
  swell::v1::DesiredState newer = Sample();
  newer.set_generation(43);
  ASSERT_TRUE(SaveDesiredState(path, Sample()).ok());
  ASSERT_TRUE(SaveDesiredState(path, newer).ok());
  EXPECT_EQ(LoadDesiredState(path)->generation(), 43);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(DesiredStateFileTest, MissingFileIsNotFound) {
  TempDir dir;
  EXPECT_EQ(LoadDesiredState(dir / "desired.pb").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DesiredStateFileTest, GarbageIsDataLoss) {
  TempDir dir;
  WriteFile(dir / "desired.pb", "\xff\xff\xff garbage");
  EXPECT_EQ(LoadDesiredState(dir / "desired.pb").status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace swell::agent
