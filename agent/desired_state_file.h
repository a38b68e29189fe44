#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// The agent's copy of its last desired state, kept across restarts so that
// it goes on enforcing it while the controller is unreachable.

// Writes `state` to `path` atomically (temp file, fsync, rename, fsync of
// the directory).
[[nodiscard]] absl::Status SaveDesiredState(
    const std::string& path, const swell::v1::DesiredState& state);

// kNotFound when no state was saved; kDataLoss when the file exists but is
// not a DesiredState.
[[nodiscard]] absl::StatusOr<swell::v1::DesiredState> LoadDesiredState(
    const std::string& path);

}  // namespace swell::agent
