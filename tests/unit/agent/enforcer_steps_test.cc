// The enforcer's handling of multi-step applies: resuming after a crash,
// being superseded by a newer desired state, and forwarding samples.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "agent/appliers/journaled_step.h"
#include "agent/enforcer.h"
#include "common/value.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/fake_sink.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::FakeSink;
using ::swell::agent::testing::TempDir;
using ::swell::agent::testing::WaitFor;
using ::testing::HasSubstr;

// An applier of two steps, "one" and "two", whose first step holds until
// the test opens its gate. Values live in memory.
class GatedApplier final : public Applier {
 public:
  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override {
    absl::MutexLock lock(&mu_);
    auto it = values_.find(spec.name());
    return it == values_.end() ? common::AbsentValue()
                               : common::PresentValue(it->second);
  }

  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value,
                     ApplyContext& ctx) override {
    {
      absl::MutexLock lock(&mu_);
      ++started_;
      last_resumed_ = ctx.resumed;
      last_had_one_ = ctx.steps->Done("one").has_value();
      if (!ctx.steps->Done("one")) {
        mu_.Await(absl::Condition(&open_));
        if (!ctx.steps->Record("one", "").ok()) return ApplyOutcome::Fail("j");
      }
    }
    if (ctx.superseded()) return SupersededBefore("two", "");
    absl::MutexLock lock(&mu_);
    values_[spec.name()] = value.data();
    completed_.push_back(value.data());
    if (!ctx.steps->Record("two", "").ok()) return ApplyOutcome::Fail("j");
    ApplyOutcome out = ApplyOutcome::Ok("done");
    swell::v1::Sample sample;
    sample.set_name("things_running");
    sample.set_value(3);
    sample.set_ok(true);
    out.samples.push_back(sample);
    return out;
  }

  void Open() {
    absl::MutexLock lock(&mu_);
    open_ = true;
  }
  int started() {
    absl::MutexLock lock(&mu_);
    return started_;
  }
  std::vector<std::string> completed() {
    absl::MutexLock lock(&mu_);
    return completed_;
  }
  bool last_resumed() {
    absl::MutexLock lock(&mu_);
    return last_resumed_;
  }
  bool last_had_one() {
    absl::MutexLock lock(&mu_);
    return last_had_one_;
  }

 private:
  absl::Mutex mu_;
  bool open_ ABSL_GUARDED_BY(mu_) = false;
  int started_ ABSL_GUARDED_BY(mu_) = 0;
  bool last_resumed_ ABSL_GUARDED_BY(mu_) = false;
  bool last_had_one_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, std::string> values_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> completed_ ABSL_GUARDED_BY(mu_);
};

class EnforcerStepsTest : public ::testing::Test {
 protected:
  void StartEnforcer() {
    auto journal = Journal::Open(dir_ / "journal.log");
    ASSERT_TRUE(journal.ok()) << journal.status();
    journal_ = *std::move(journal);
    ApplierSet appliers;
    appliers[swell::v1::VARIABLE_KIND_COMMAND] = applier_;
    enforcer_ = std::make_unique<Enforcer>(std::move(appliers), journal_.get(),
                                           &sink_, absl::Hours(1));
    enforcer_->Start();
  }

  static swell::v1::DesiredState State(
      int64_t generation, std::map<std::string, std::string> values) {
    swell::v1::DesiredState state;
    state.set_generation(generation);
    for (const auto& [name, value] : values) {
      swell::v1::DesiredVariable* var = state.add_variables();
      var->set_enforce(true);
      var->mutable_spec()->set_name(name);
      var->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_COMMAND);
      *var->mutable_value() = common::PresentValue(value);
    }
    return state;
  }

  std::vector<swell::v1::ApplyResult> ResultsFor(int64_t generation) {
    std::vector<swell::v1::ApplyResult> out;
    for (const auto& r : sink_.Results()) {
      if (r.generation() == generation) out.push_back(r);
    }
    return out;
  }

  TempDir dir_;
  FakeSink sink_;
  std::shared_ptr<GatedApplier> applier_ = std::make_shared<GatedApplier>();
  std::unique_ptr<Journal> journal_;
  std::unique_ptr<Enforcer> enforcer_;
};

TEST_F(EnforcerStepsTest, RollbackArrivingMidApplyStopsItAtTheNextStepAndWins) {
  StartEnforcer();
  enforcer_->Offer(State(1, {{"engine", "new"}}));
  ASSERT_TRUE(WaitFor([&] { return applier_->started() == 1; }));
  enforcer_->Offer(State(2, {{"engine", "old"}}));
  applier_->Open();
  ASSERT_TRUE(WaitFor([&] { return ResultsFor(2).size() == 1; }));
  EXPECT_THAT(applier_->completed(), ::testing::ElementsAre("old"));
  ASSERT_EQ(ResultsFor(1).size(), 1u);
  EXPECT_FALSE(ResultsFor(1)[0].ok());
  EXPECT_THAT(ResultsFor(1)[0].message(),
              HasSubstr("superseded by a newer desired state"));
  EXPECT_TRUE(ResultsFor(2)[0].ok()) << ResultsFor(2)[0].message();
  EXPECT_EQ(ResultsFor(2)[0].actual().data(), "old");
  EXPECT_EQ(journal_->LastOutcome("engine")->generation, 2);
}

TEST_F(EnforcerStepsTest, NewerStateLeavingTheVariableAloneLetsItsApplyFinish) {
  StartEnforcer();
  enforcer_->Offer(State(1, {{"engine", "new"}}));
  ASSERT_TRUE(WaitFor([&] { return applier_->started() == 1; }));
  enforcer_->Offer(State(2, {{"engine", "new"}, {"other", "x"}}));
  applier_->Open();
  ASSERT_TRUE(WaitFor([&] { return ResultsFor(2).size() == 2; }));
  ASSERT_EQ(ResultsFor(1).size(), 1u);
  EXPECT_TRUE(ResultsFor(1)[0].ok()) << ResultsFor(1)[0].message();
  EXPECT_THAT(applier_->completed(), ::testing::ElementsAre("new", "x"));
}

TEST_F(EnforcerStepsTest, SameGenerationDeliveredTwiceMidApplyIsAppliedOnce) {
  StartEnforcer();
  enforcer_->Offer(State(1, {{"engine", "new"}}));
  ASSERT_TRUE(WaitFor([&] { return applier_->started() == 1; }));
  enforcer_->Offer(State(1, {{"engine", "new"}}));
  applier_->Open();
  ASSERT_TRUE(WaitFor([&] { return enforcer_->passes() >= 1; }));
  // Read before offering: the pass the offer starts may end at once.
  const uint64_t passes = enforcer_->passes();
  enforcer_->Offer(State(1, {{"engine", "new"}}));
  ASSERT_TRUE(WaitFor([&] { return enforcer_->passes() > passes; }));
  EXPECT_EQ(applier_->started(), 1);
  EXPECT_EQ(ResultsFor(1).size(), 1u);
}

TEST_F(EnforcerStepsTest, InterruptedApplyResumesWithTheStepsItFinished) {
  {
    auto journal = Journal::Open(dir_ / "journal.log");
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->RecordIntent({"engine", 4, "old", "new"}).ok());
    ASSERT_TRUE((*journal)->RecordStep("engine", 4, "one", "").ok());
  }
  StartEnforcer();
  enforcer_->Offer(State(4, {{"engine", "new"}}));
  ASSERT_TRUE(WaitFor([&] { return ResultsFor(4).size() == 1; }));
  EXPECT_TRUE(applier_->last_resumed());
  EXPECT_TRUE(applier_->last_had_one());
  EXPECT_TRUE(ResultsFor(4)[0].ok()) << ResultsFor(4)[0].message();
}

TEST_F(EnforcerStepsTest, InterruptedApplyOfAnOlderGenerationStartsAfresh) {
  {
    auto journal = Journal::Open(dir_ / "journal.log");
    ASSERT_TRUE(journal.ok());
    ASSERT_TRUE((*journal)->RecordIntent({"engine", 4, "old", "new"}).ok());
    ASSERT_TRUE((*journal)->RecordStep("engine", 4, "one", "").ok());
  }
  StartEnforcer();
  applier_->Open();
  enforcer_->Offer(State(5, {{"engine", "old"}}));
  ASSERT_TRUE(WaitFor([&] { return ResultsFor(5).size() == 1; }));
  EXPECT_FALSE(applier_->last_resumed());
  EXPECT_FALSE(applier_->last_had_one());
}

TEST_F(EnforcerStepsTest, SamplesAnApplyMeasuredAreSentAsHealth) {
  StartEnforcer();
  applier_->Open();
  enforcer_->Offer(State(1, {{"engine", "new"}}));
  ASSERT_TRUE(WaitFor([&] { return ResultsFor(1).size() == 1; }));
  std::vector<swell::v1::Sample> samples = sink_.Samples();
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].name(), "things_running");
  EXPECT_EQ(samples[0].value(), 3);
}

}  // namespace
}  // namespace swell::agent
