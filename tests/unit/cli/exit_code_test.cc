#include "cli/exit_code.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

TEST(DescribeErrorTest, UnavailableNamesTheControllerOnOneLine) {
  const ErrorReport report = DescribeError(
      absl::UnavailableError("failed to connect to all addresses\nrefused"),
      "127.0.0.1:7070");
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  ASSERT_THAT(report.lines, SizeIs(1));
  EXPECT_EQ(report.lines[0],
            "swellctl: cannot reach the controller at 127.0.0.1:7070: failed "
            "to connect to all addresses; refused");
}

// The controller answered, but its database is away: not "cannot reach".
TEST(DescribeErrorTest, AnAwayDatabaseIsRetryableAndSaysNothingChanged) {
  const ErrorReport report = DescribeError(
      absl::UnavailableError("database unavailable: nothing advances; agents "
                             "keep their current state (connection lost)"),
      "127.0.0.1:7072");
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  EXPECT_THAT(report.lines,
              ElementsAre("swellctl: database unavailable: nothing advances; "
                          "agents keep their current state (connection lost); "
                          "nothing was changed, retry when it is back"));
}

// A plaintext swellctl against a TLS controller sees the socket closed:
// the report says what to give.
TEST(DescribeErrorTest, ASocketClosedOnConnectSuggestsTheCa) {
  const ErrorReport report = DescribeError(
      absl::UnavailableError("failed to connect to all addresses; last error: "
                             "UNAVAILABLE: ipv4:127.0.0.1:7072: Socket closed"),
      "127.0.0.1:7072");
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  EXPECT_THAT(report.lines,
              ElementsAre(HasSubstr("cannot reach the controller"),
                          "swellctl: if the controller serves TLS (the "
                          "default), give --ca FILE or SWELL_CA"));
}

TEST(DescribeErrorTest, DeadlineExceededCountsAsUnreachable) {
  const ErrorReport report =
      DescribeError(absl::DeadlineExceededError("Deadline Exceeded"), "c:1");
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  EXPECT_THAT(report.lines, ElementsAre(HasSubstr("did not answer in time")));
}

TEST(DescribeErrorTest, KeepsEveryPlanErrorLineOfAnInvalidArgument) {
  const ErrorReport report =
      DescribeError(absl::InvalidArgumentError(
                        "p.yaml:3:5: change.path: must be absolute\n"
                        "p.yaml:9:12: strategy.waves[1]: must be above 0%\n"),
                    "c:1");
  EXPECT_EQ(report.exit_code, kExitBadInput);
  EXPECT_THAT(report.lines,
              ElementsAre("p.yaml:3:5: change.path: must be absolute",
                          "p.yaml:9:12: strategy.waves[1]: must be above 0%"));
}

TEST(DescribeErrorTest, PrefixesASingleLineInvalidArgument) {
  const ErrorReport report =
      DescribeError(absl::InvalidArgumentError("reason is empty"), "c:1");
  EXPECT_EQ(report.exit_code, kExitBadInput);
  EXPECT_THAT(report.lines, ElementsAre("swellctl: reason is empty"));
}

TEST(DescribeErrorTest, MapsPreconditionAndNotFoundToTheirOwnCodes) {
  const ErrorReport frozen = DescribeError(
      absl::FailedPreconditionError("the fleet is frozen"), "c:1");
  EXPECT_EQ(frozen.exit_code, kExitPrecondition);
  EXPECT_THAT(frozen.lines, ElementsAre("swellctl: the fleet is frozen"));

  const ErrorReport missing =
      DescribeError(absl::NotFoundError("no rollout r-9"), "c:1");
  EXPECT_EQ(missing.exit_code, kExitNotFound);
  EXPECT_THAT(missing.lines, ElementsAre("swellctl: no rollout r-9"));
}

TEST(DescribeErrorTest, RefusedIdentityHasItsOwnExitCodeAndOneLine) {
  const ErrorReport denied = DescribeError(
      absl::PermissionDeniedError(
          "halt needs the operator role; your token 'x' is a viewer"),
      "c:1");
  EXPECT_EQ(denied.exit_code, kExitDenied);
  EXPECT_THAT(denied.lines,
              ElementsAre("swellctl: permission denied: halt needs the "
                          "operator role; your token 'x' is a viewer"));

  const ErrorReport unknown = DescribeError(
      absl::UnauthenticatedError("token 'ana' was revoked at 2026-11-30"),
      "c:1");
  EXPECT_EQ(unknown.exit_code, kExitDenied);
  EXPECT_THAT(unknown.lines,
              ElementsAre("swellctl: not authenticated: token 'ana' was "
                          "revoked at 2026-11-30"));
  EXPECT_NE(kExitDenied, kExitFailure);
}

TEST(DescribeErrorTest, AnyOtherCodeIsAGenericFailureOnOneLine) {
  const ErrorReport report =
      DescribeError(absl::InternalError("store: boom\nmore"), "c:1");
  EXPECT_EQ(report.exit_code, kExitFailure);
  EXPECT_THAT(report.lines, ElementsAre("swellctl: store: boom; more"));
}

TEST(DescribeErrorTest, UsesTheCodeNameWhenTheMessageIsEmpty) {
  const ErrorReport report = DescribeError(absl::AbortedError(""), "c:1");
  EXPECT_THAT(report.lines, ElementsAre(StartsWith("swellctl: ABORTED")));
}

}  // namespace
}  // namespace swell::cli
