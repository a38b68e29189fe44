#include "cli/exit_code.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace swell::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

// A call that tried `addresses` in turn, the last giving its status.
CallTrace Tried(std::vector<std::string> addresses) {
  CallTrace trace;
  trace.last = addresses.back();
  trace.tried = std::move(addresses);
  return trace;
}

TEST(DescribeErrorTest, UnavailableNamesTheControllerOnOneLine) {
  const ErrorReport report = DescribeError(
      absl::UnavailableError("failed to connect to all addresses\nrefused"),
      Tried({"127.0.0.1:7070"}));
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  ASSERT_THAT(report.lines, SizeIs(1));
  EXPECT_EQ(report.lines[0],
            "swellctl: cannot reach the controller at 127.0.0.1:7070: failed "
            "to connect to all addresses; refused");
}

// The controller answered, but its database is away: not "cannot reach".
// A change refused so was sent, yet its answer is authoritative: the
// decision and its audit row are one transaction, so nothing was changed.
TEST(DescribeErrorTest, AnAwayDatabaseIsRetryableAndSaysNothingChanged) {
  CallTrace trace = Tried({"127.0.0.1:7072"});
  trace.may_have_been_applied = true;
  const ErrorReport report = DescribeError(
      absl::UnavailableError("database unavailable: nothing advances; agents "
                             "keep their current state (connection lost)"),
      trace);
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
      Tried({"127.0.0.1:7072"}));
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  EXPECT_THAT(report.lines,
              ElementsAre(HasSubstr("cannot reach the controller"),
                          "swellctl: if the controller serves TLS (the "
                          "default), give --ca FILE or SWELL_CA"));
}

TEST(DescribeErrorTest, DeadlineExceededCountsAsUnreachable) {
  const ErrorReport report = DescribeError(
      absl::DeadlineExceededError("Deadline Exceeded"), Tried({"c:1"}));
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  EXPECT_THAT(report.lines, ElementsAre(HasSubstr("did not answer in time")));
}

TEST(DescribeErrorTest, NamesEveryAddressTriedAndTheLastError) {
  const ErrorReport report = DescribeError(
      absl::UnavailableError("failed to connect to all addresses; refused"),
      Tried({"a:7072", "b:7072"}));
  EXPECT_EQ(report.exit_code, kExitUnreachable);
  EXPECT_THAT(report.lines,
              ElementsAre("swellctl: cannot reach the controller at any of "
                          "a:7072, b:7072; last error, from b:7072: failed to "
                          "connect to all addresses; refused"));
}

// The request was sent and the answer lost: the person must not simply run
// the change again.
TEST(DescribeErrorTest, AChangeThatMayHaveBeenAppliedSaysToCheckFirst) {
  CallTrace trace = Tried({"a:7072", "b:7072"});
  trace.may_have_been_applied = true;
  for (const absl::Status& status :
       {absl::UnavailableError("Socket closed"),  // no --ca hint: it got in
        absl::DeadlineExceededError("Deadline Exceeded")}) {
    const ErrorReport report = DescribeError(status, trace);
    EXPECT_EQ(report.exit_code, kExitUnreachable);
    EXPECT_THAT(report.lines,
                ElementsAre(HasSubstr("b:7072"),
                            "swellctl: the request had reached b:7072, so it "
                            "may have been applied: check with 'swellctl "
                            "list' or 'swellctl status' before sending it "
                            "again"))
        << status;
  }
  trace.may_have_been_applied = false;
  EXPECT_THAT(
      DescribeError(absl::DeadlineExceededError("Deadline Exceeded"), trace)
          .lines,
      ElementsAre("swellctl: the controller at b:7072 did not answer in time "
                  "(see --timeout): Deadline Exceeded"));
}

TEST(DescribeErrorTest, KeepsEveryPlanErrorLineOfAnInvalidArgument) {
  const ErrorReport report =
      DescribeError(absl::InvalidArgumentError(
                        "p.yaml:3:5: change.path: must be absolute\n"
                        "p.yaml:9:12: strategy.waves[1]: must be above 0%\n"),
                    Tried({"c:1"}));
  EXPECT_EQ(report.exit_code, kExitBadInput);
  EXPECT_THAT(report.lines,
              ElementsAre("p.yaml:3:5: change.path: must be absolute",
                          "p.yaml:9:12: strategy.waves[1]: must be above 0%"));
}

TEST(DescribeErrorTest, PrefixesASingleLineInvalidArgument) {
  const ErrorReport report = DescribeError(
      absl::InvalidArgumentError("reason is empty"), Tried({"c:1"}));
  EXPECT_EQ(report.exit_code, kExitBadInput);
  EXPECT_THAT(report.lines, ElementsAre("swellctl: reason is empty"));
}

TEST(DescribeErrorTest, MapsPreconditionAndNotFoundToTheirOwnCodes) {
  const ErrorReport frozen = DescribeError(
      absl::FailedPreconditionError("the fleet is frozen"), Tried({"c:1"}));
  EXPECT_EQ(frozen.exit_code, kExitPrecondition);
  EXPECT_THAT(frozen.lines, ElementsAre("swellctl: the fleet is frozen"));

  const ErrorReport missing =
      DescribeError(absl::NotFoundError("no rollout r-9"), Tried({"c:1"}));
  EXPECT_EQ(missing.exit_code, kExitNotFound);
  EXPECT_THAT(missing.lines, ElementsAre("swellctl: no rollout r-9"));
}

TEST(DescribeErrorTest, RefusedIdentityHasItsOwnExitCodeAndOneLine) {
  const ErrorReport denied = DescribeError(
      absl::PermissionDeniedError(
          "halt needs the operator role; your token 'x' is a viewer"),
      Tried({"c:1"}));
  EXPECT_EQ(denied.exit_code, kExitDenied);
  EXPECT_THAT(denied.lines,
              ElementsAre("swellctl: permission denied: halt needs the "
                          "operator role; your token 'x' is a viewer"));

  const ErrorReport unknown = DescribeError(
      absl::UnauthenticatedError("token 'ana' was revoked at 2026-11-30"),
      Tried({"c:1"}));
  EXPECT_EQ(unknown.exit_code, kExitDenied);
  EXPECT_THAT(unknown.lines,
              ElementsAre("swellctl: not authenticated: token 'ana' was "
                          "revoked at 2026-11-30"));
  EXPECT_NE(kExitDenied, kExitFailure);
}

TEST(DescribeErrorTest, AnyOtherCodeIsAGenericFailureOnOneLine) {
  const ErrorReport report =
      DescribeError(absl::InternalError("store: boom\nmore"), Tried({"c:1"}));
  EXPECT_EQ(report.exit_code, kExitFailure);
  EXPECT_THAT(report.lines, ElementsAre("swellctl: store: boom; more"));
}

TEST(DescribeErrorTest, UsesTheCodeNameWhenTheMessageIsEmpty) {
  const ErrorReport report =
      DescribeError(absl::AbortedError(""), Tried({"c:1"}));
  EXPECT_THAT(report.lines, ElementsAre(StartsWith("swellctl: ABORTED")));
}

}  // namespace
}  // namespace swell::cli
