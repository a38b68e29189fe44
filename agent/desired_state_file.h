#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "agent/env.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// The agent's copy of its last desired state, kept across restarts so that
// it goes on enforcing it while the controller is unreachable.

// Writes `state` to `path` atomically (temp file, fsync, rename, fsync of
// the directory) through `env`. On failure the state saved before, if any,
// is still the one at `path`, unless only the directory's fsync failed.
[[nodiscard]] absl::Status SaveDesiredState(
    const std::string& path, const swell::v1::DesiredState& state,
    Env* env = Env::Default());

// kNotFound when no state was saved; kDataLoss when the file exists but is
// not a DesiredState.
[[nodiscard]] absl::StatusOr<swell::v1::DesiredState> LoadDesiredState(
    const std::string& path, Env* env = Env::Default());

}  // namespace swell::agent
