#include "agent/journal.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/agent/test_util.h"

namespace swell::agent {
namespace {

using ::swell::agent::testing::TempDir;

std::unique_ptr<Journal> OpenOrDie(
    const std::string& path,
    size_t compact_above = Journal::kDefaultCompactAbove) {
  absl::StatusOr<std::unique_ptr<Journal>> j =
      Journal::Open(path, compact_above);
  EXPECT_TRUE(j.ok()) << j.status();
  return j.ok() ? *std::move(j) : nullptr;
}

TEST(JournalTest, IntentWithoutOutcomeIsFoundOnReopen) {
  TempDir dir;
  const std::string path = dir / "state/journal.log";
  {
    auto j = OpenOrDie(path);
    ASSERT_TRUE(
        j->RecordIntent({"nginx.conf", 7, "absent", "12 bytes, fnv 1"}).ok());
  }
  auto j = OpenOrDie(path);
  std::vector<JournalIntent> open = j->InterruptedAtOpen();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].variable, "nginx.conf");
  EXPECT_EQ(open[0].generation, 7);
  EXPECT_EQ(open[0].from, "absent");
  EXPECT_EQ(open[0].to, "12 bytes, fnv 1");
}

TEST(JournalTest, OutcomeClosesTheIntentAndSurvivesReopen) {
  TempDir dir;
  const std::string path = dir / "journal.log";
  {
    auto j = OpenOrDie(path);
    ASSERT_TRUE(j->RecordIntent({"a", 3, "x", "y"}).ok());
    ASSERT_TRUE(
        j->RecordOutcome("a", {3, false, "validate failed: exit 1"}).ok());
    ASSERT_TRUE(j->RecordOutcome("b", {2, true, "already converged"}).ok());
  }
  auto j = OpenOrDie(path);
  EXPECT_TRUE(j->InterruptedAtOpen().empty());
  std::optional<JournalOutcome> a = j->LastOutcome("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->generation, 3);
  EXPECT_FALSE(a->ok);
  EXPECT_EQ(a->message, "validate failed: exit 1");
  ASSERT_TRUE(j->LastOutcome("b").has_value());
  EXPECT_TRUE(j->LastOutcome("b")->ok);
  EXPECT_FALSE(j->LastOutcome("c").has_value());
}

TEST(JournalTest, FieldsWithTabsAndNewlinesRoundTrip) {
  TempDir dir;
  const std::string path = dir / "journal.log";
  const std::string odd = "a\tb\nc\\d\re";
  {
    auto j = OpenOrDie(path);
    ASSERT_TRUE(j->RecordOutcome(odd, {1, true, odd}).ok());
  }
  auto j = OpenOrDie(path);
  ASSERT_TRUE(j->LastOutcome(odd).has_value());
  EXPECT_EQ(j->LastOutcome(odd)->message, odd);
}

TEST(JournalTest, TornLastRecordIsIgnoredAndLaterRecordsStillRead) {
  TempDir dir;
  const std::string path = dir / "journal.log";
  {
    auto j = OpenOrDie(path);
    ASSERT_TRUE(j->RecordOutcome("a", {1, true, "ok"}).ok());
  }
  {
    std::ofstream out(path, std::ios::app);
    out << "I\t123\t2\ta\tfr";  // a crash mid-append
  }
  {
    auto j = OpenOrDie(path);
    EXPECT_TRUE(j->InterruptedAtOpen().empty());
    ASSERT_TRUE(j->RecordOutcome("a", {4, true, "later"}).ok());
  }
  auto j = OpenOrDie(path);
  ASSERT_TRUE(j->LastOutcome("a").has_value());
  EXPECT_EQ(j->LastOutcome("a")->generation, 4);
}

TEST(JournalTest, CompactionBoundsTheFileAndKeepsNewestRecords) {
  TempDir dir;
  const std::string path = dir / "journal.log";
  {
    auto j = OpenOrDie(path, 1024);
    for (int gen = 1; gen <= 100; ++gen) {
      ASSERT_TRUE(j->RecordIntent({"a", gen, "old", "new"}).ok());
      ASSERT_TRUE(j->RecordOutcome("a", {gen, true, "wrote /etc/a"}).ok());
      ASSERT_TRUE(j->RecordOutcome("b", {gen, gen % 2 == 0, "b"}).ok());
    }
    ASSERT_TRUE(j->RecordIntent({"a", 101, "old", "new"}).ok());
  }
  EXPECT_LT(std::filesystem::file_size(path), 2048u);
  auto j = OpenOrDie(path, 1024);
  EXPECT_EQ(j->LastOutcome("a")->generation, 100);
  EXPECT_EQ(j->LastOutcome("b")->generation, 100);
  EXPECT_TRUE(j->LastOutcome("b")->ok);
  ASSERT_EQ(j->InterruptedAtOpen().size(), 1u);
  EXPECT_EQ(j->InterruptedAtOpen()[0].generation, 101);
}

TEST(JournalTest, StepsOfAnInterruptedApplySurviveReopenAndCompaction) {
  TempDir dir;
  const std::string path = dir / "state/journal.log";
  {
    auto j = OpenOrDie(path, /*compact_above=*/256);
    ASSERT_TRUE(j->RecordIntent({"docker", 3, "24.0.7", "25.0.3"}).ok());
    ASSERT_TRUE(j->RecordStep("docker", 3, "install", "exit 0 in 1s").ok());
    ASSERT_TRUE(j->RecordStep("docker", 3, "hold", "exit 0").ok());
    // Other variables' records push the journal through compactions.
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(j->RecordOutcome("other", {i, true, "fine"}).ok());
    }
  }
  auto j = OpenOrDie(path);
  ASSERT_EQ(j->InterruptedAtOpen().size(), 1u);
  EXPECT_THAT(
      j->OpenSteps("docker"),
      ::testing::ElementsAre(::testing::Pair("hold", "exit 0"),
                             ::testing::Pair("install", "exit 0 in 1s")));
}

TEST(JournalTest, StepsBelongToTheirIntentOnly) {
  TempDir dir;
  auto j = OpenOrDie(dir / "journal.log");
  EXPECT_EQ(j->RecordStep("v", 1, "install", "").code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(j->RecordIntent({"v", 1, "a", "b"}).ok());
  EXPECT_EQ(j->RecordStep("v", 2, "install", "").code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(j->RecordStep("v", 1, "install", "").ok());
  ASSERT_TRUE(j->RecordOutcome("v", {1, true, "done"}).ok());
  EXPECT_TRUE(j->OpenSteps("v").empty());
  ASSERT_TRUE(j->RecordIntent({"v", 2, "b", "c"}).ok());
  EXPECT_TRUE(j->OpenSteps("v").empty()) << "a new apply starts with no steps";
}

}  // namespace
}  // namespace swell::agent
