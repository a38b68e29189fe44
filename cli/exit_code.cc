#include "cli/exit_code.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cli/format.h"

namespace swell::cli {
namespace {

std::string Prefixed(absl::string_view text) {
  return absl::StrCat("swellctl: ", OneLine(text));
}

std::string MessageOrCode(const absl::Status& status) {
  if (!status.message().empty()) return std::string(status.message());
  return absl::StatusCodeToString(status.code());
}

// "the controller at A: MESSAGE", or with several addresses "the
// controller at any of A, B; last error, from B: MESSAGE".
std::string WhereAndWhy(const CallTrace& trace, absl::string_view message) {
  if (trace.tried.size() > 1) {
    return absl::StrCat("the controller at any of ",
                        absl::StrJoin(trace.tried, ", "), "; last error, from ",
                        trace.last, ": ", message);
  }
  if (trace.last.empty()) return absl::StrCat("the controller: ", message);
  return absl::StrCat("the controller at ", trace.last, ": ", message);
}

void AddMayHaveBeenApplied(const CallTrace& trace, ErrorReport& report) {
  if (!trace.may_have_been_applied) return;
  report.lines.push_back(absl::StrCat(
      "swellctl: the request had reached ", trace.last,
      ", so it may have been applied: check with 'swellctl list' or "
      "'swellctl status' before sending it again"));
}

}  // namespace

ErrorReport DescribeError(const absl::Status& status, const CallTrace& trace) {
  ErrorReport report;
  const std::string message = MessageOrCode(status);
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: {
      report.exit_code = kExitBadInput;
      std::vector<std::string> lines;
      for (absl::string_view line : absl::StrSplit(message, '\n')) {
        line = absl::StripTrailingAsciiWhitespace(line);
        if (!line.empty()) lines.emplace_back(line);
      }
      if (lines.size() <= 1) {
        report.lines.push_back(Prefixed(message));
      } else {
        report.lines = std::move(lines);
      }
      return report;
    }
    case absl::StatusCode::kUnavailable:
      report.exit_code = kExitUnreachable;
      // The controller answered: its database is away. Retry later.
      if (absl::StartsWith(message, "database unavailable")) {
        report.lines.push_back(
            Prefixed(absl::StrCat(message,
                                  "; nothing was changed, retry "
                                  "when it is back")));
        return report;
      }
      report.lines.push_back(
          Prefixed(absl::StrCat("cannot reach ", WhereAndWhy(trace, message))));
      // What a plaintext client sees of a TLS server; not once a request
      // got through.
      if (!trace.may_have_been_applied &&
          absl::StrContains(message, "Socket closed")) {
        report.lines.push_back(
            "swellctl: if the controller serves TLS (the default), give "
            "--ca FILE or SWELL_CA");
      }
      AddMayHaveBeenApplied(trace, report);
      return report;
    case absl::StatusCode::kDeadlineExceeded:
      report.exit_code = kExitUnreachable;
      // The one address that took the time, whatever was tried before.
      report.lines.push_back(Prefixed(absl::StrCat(
          "the controller", trace.last.empty() ? "" : " at ", trace.last,
          " did not answer in time (see --timeout): ", message)));
      AddMayHaveBeenApplied(trace, report);
      return report;
    case absl::StatusCode::kFailedPrecondition:
      report.exit_code = kExitPrecondition;
      break;
    case absl::StatusCode::kNotFound:
      report.exit_code = kExitNotFound;
      break;
    case absl::StatusCode::kPermissionDenied:
      report.exit_code = kExitDenied;
      report.lines.push_back(
          Prefixed(absl::StrCat("permission denied: ", message)));
      return report;
    case absl::StatusCode::kUnauthenticated:
      report.exit_code = kExitDenied;
      report.lines.push_back(
          Prefixed(absl::StrCat("not authenticated: ", message)));
      return report;
    default:
      report.exit_code = kExitFailure;
      break;
  }
  report.lines.push_back(Prefixed(message));
  return report;
}

}  // namespace swell::cli
