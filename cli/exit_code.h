#pragma once

// swellctl's exit statuses, and how a failed call becomes one line for a
// person and one of these codes for a script. `swellctl --help` documents
// the same table; keep them in step.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cli/failover.h"

namespace swell::cli {

inline constexpr int kExitOk = 0;
// Any other failure; for `watch`, the rollout ended rolled back.
inline constexpr int kExitFailure = 1;
// Bad usage, an unreadable or invalid plan, or the controller rejected the
// input (INVALID_ARGUMENT). Nothing was changed.
inline constexpr int kExitBadInput = 2;
// `watch` only: the rollout stopped halted or paused and needs a person.
inline constexpr int kExitStopped = 3;
// The controller could not be reached or did not answer in time, or its
// database is away. Retry later. Nothing was changed, unless the report
// says that the request may have been applied.
inline constexpr int kExitUnreachable = 4;
// The controller refused in the current state (FAILED_PRECONDITION): the
// fleet is frozen, a conflicting rollout is active, the rollout is not in a
// state that allows the action.
inline constexpr int kExitPrecondition = 5;
// No such rollout or host (NOT_FOUND).
inline constexpr int kExitNotFound = 6;
// Who you are was refused: no valid token (UNAUTHENTICATED: missing,
// unknown, revoked or expired), or your token's role may not do this
// (PERMISSION_DENIED). Nothing was changed.
inline constexpr int kExitDenied = 7;

struct ErrorReport {
  int exit_code = kExitFailure;
  // What to print on stderr, one element a line. A single line starting
  // with "swellctl: " except for multi-line INVALID_ARGUMENT messages (plan
  // errors, "file:line:col: field: message"), which are kept line by line.
  std::vector<std::string> lines;
};

// Maps a failed call to the controller, which tried the addresses of
// `trace` (cli/controller_client.h), or a local failure (an empty trace;
// no address is mentioned), to its report. When no controller could be
// reached the report names every address tried and the last error; when a
// change may have been applied all the same it says so, on a line of its
// own. `status` must not be OK.
ErrorReport DescribeError(const absl::Status& status, const CallTrace& trace);

}  // namespace swell::cli
