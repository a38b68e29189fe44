#pragma once

// Small helpers the test fixtures share.

#include <string>

#include "absl/status/statusor.h"

namespace swell::test_support {

// "what: <strerror(errno)>".
std::string ErrnoText(const char* what);

// A port on 127.0.0.1 that was free (nothing listened on it) a moment ago.
// A server started on it may still lose a race for it.
absl::StatusOr<int> FreeLoopbackPort();

// The whole file, or "" when it cannot be read.
std::string ReadFileOrEmpty(const std::string& path);

}  // namespace swell::test_support
