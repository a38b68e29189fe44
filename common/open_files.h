#pragma once

// The process's open-file limit. Every agent stream holds one descriptor,
// so a controller's fleet is bounded by this limit: it raises its soft limit
// to the hard one at start, and keeps some descriptors back for what must
// never be locked out (the API, the database, the pull API, log files).

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"

namespace swell::common {

struct OpenFileLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard one; returns the limits now in
// force. kInternal, with errno's text, when they cannot be read or set.
absl::StatusOr<OpenFileLimit> RaiseOpenFileLimit();

// Descriptors kept back from agent streams under AgentStreamCapacity.
inline constexpr size_t kReservedDescriptors = 512;

// How many agent streams fit under `limit.soft` with `reserved` descriptors
// left for everything else; at least 1.
size_t AgentStreamCapacity(const OpenFileLimit& limit,
                           size_t reserved = kReservedDescriptors);

}  // namespace swell::common
