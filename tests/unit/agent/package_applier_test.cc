#include "agent/appliers/package_applier.h"

#include <string>
#include <vector>

#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/applier_test_util.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::StandinHost;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::TestApplyContext;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kLockOption[] = "DPkg::Lock::Timeout=600";

class PackageApplierTest : public ::testing::Test {
 protected:
  PackageApplierTest()
      : host_(dir_ / "standin"), applier_(host_.Env(dir_ / "root")) {
    host_.SetState(R"({
      "packages": {"nginx": "1.22.1-9"},
      "available": {"nginx": ["1.22.1-9", "1.24.0-2"]}})");
  }

  static swell::v1::VariableSpec Spec() {
    swell::v1::VariableSpec spec;
    spec.set_name("nginx");
    spec.set_kind(swell::v1::VARIABLE_KIND_PACKAGE);
    spec.mutable_package()->set_name("nginx");
    return spec;
  }

  static std::string Install(const std::string& version) {
    return absl::StrCat(
        "apt-get install --yes --allow-downgrades "
        "--allow-change-held-packages -o ",
        kLockOption,
        " -o Dpkg::Options::=--force-confdef -o "
        "Dpkg::Options::=--force-confold nginx=",
        version);
  }

  TempDir dir_;
  StandinHost host_;
  PackageApplier applier_;
};

TEST_F(PackageApplierTest, ActualValueIsTheVersionDpkgReports) {
  absl::StatusOr<swell::v1::Value> v = applier_.ReadActual(Spec());
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE(common::SameValue(*v, common::PresentValue("1.22.1-9")));
  swell::v1::VariableSpec other = Spec();
  other.mutable_package()->set_name("curl");
  v = applier_.ReadActual(other);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_FALSE(v->present());
}

TEST_F(PackageApplierTest, InstallsTheVersionHoldsItAndRestartsUnits) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_package()->set_hold(true);
  spec.mutable_package()->add_restart_units("nginx");
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(spec, common::PresentValue("1.24.0-2"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_THAT(host_.Changes(),
              ElementsAre(Install("1.24.0-2"), "apt-mark hold nginx",
                          "systemctl restart nginx"));
  EXPECT_THAT(t.steps.order(), ElementsAre("install", "hold", "restart:nginx"));
  EXPECT_TRUE(common::SameValue(*applier_.ReadActual(spec),
                                common::PresentValue("1.24.0-2")));
  EXPECT_THAT(out.output_tail, HasSubstr("Setting up nginx (1.24.0-2)"));
  EXPECT_THAT(out.output_tail, HasSubstr("(exit 0 in "));
}

TEST_F(PackageApplierTest, RollbackDowngradesToThePreviousVersion) {
  TestApplyContext up, down;
  ASSERT_TRUE(
      applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), up.ctx).ok);
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("1.22.1-9"), down.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_TRUE(common::SameValue(*applier_.ReadActual(Spec()),
                                common::PresentValue("1.22.1-9")));
}

TEST_F(PackageApplierTest, VersionTheManagerCannotFindFailsNamingIt) {
  TestApplyContext t;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("9.9.9-1"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_THAT(out.message, HasSubstr("cannot find nginx version 9.9.9-1"));
  EXPECT_THAT(out.output_tail, HasSubstr("(exit 100 in "));
  EXPECT_TRUE(common::SameValue(*applier_.ReadActual(Spec()),
                                common::PresentValue("1.22.1-9")));
}

TEST_F(PackageApplierTest, ResumedApplyNeverRunsAFinishedStepAgain) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_package()->set_hold(true);
  spec.mutable_package()->add_restart_units("nginx");
  TestApplyContext t;
  t.ctx.resumed = true;
  ASSERT_TRUE(t.steps.Record("install", "exit 0").ok());
  ApplyOutcome out =
      applier_.Apply(spec, common::PresentValue("1.24.0-2"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_THAT(host_.Changes(),
              ElementsAre("apt-mark hold nginx", "systemctl restart nginx"));
}

TEST_F(PackageApplierTest, InterruptedInstallThatHadFinishedIsNotRunAgain) {
  // The install was cut off (no step recorded), but apt had finished it.
  host_.SetState(R"({"packages": {"nginx": "1.24.0-2"},
                     "available": {"nginx": ["1.22.1-9", "1.24.0-2"]}})");
  TestApplyContext t;
  t.ctx.resumed = true;
  ApplyOutcome out =
      applier_.Apply(Spec(), common::PresentValue("1.24.0-2"), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_THAT(host_.Changes(), ::testing::IsEmpty());
}

TEST_F(PackageApplierTest, SupersededApplyStopsBetweenSteps) {
  swell::v1::VariableSpec spec = Spec();
  spec.mutable_package()->add_restart_units("nginx");
  TestApplyContext t;
  t.ctx.superseded = [&] { return !host_.Changes().empty(); };
  ApplyOutcome out =
      applier_.Apply(spec, common::PresentValue("1.24.0-2"), t.ctx);
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.superseded);
  EXPECT_THAT(out.message, HasSubstr("before step restart:nginx"));
  EXPECT_THAT(host_.Changes(), ElementsAre(Install("1.24.0-2")));
}

TEST_F(PackageApplierTest, AbsentRemovesThePackage) {
  TestApplyContext t;
  ApplyOutcome out = applier_.Apply(Spec(), common::AbsentValue(), t.ctx);
  ASSERT_TRUE(out.ok) << out.message;
  EXPECT_FALSE(applier_.ReadActual(Spec())->present());
}

TEST_F(PackageApplierTest, MissingPackageManagerIsAReadError) {
  PackageApplier bare({{"PATH", dir_ / "empty"}});
  absl::StatusOr<swell::v1::Value> v = bare.ReadActual(Spec());
  EXPECT_FALSE(v.ok());
  EXPECT_THAT(std::string(v.status().message()), HasSubstr("dpkg-query"));
}

}  // namespace
}  // namespace swell::agent
