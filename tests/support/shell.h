#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace swell::test_support {

struct ShellResult {
  int exit_code = -1;  // -1 when ended by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Quotes `word` for /bin/sh so that it stays one literal word.
std::string ShellQuote(std::string_view word);

// Runs `argv` through /bin/sh in `cwd`, waits for it and returns its exit
// code and combined output. kInternal only when the shell cannot be run.
// For test fixtures only: production code runs commands through
// common/process.h.
absl::StatusOr<ShellResult> RunShell(const std::vector<std::string>& argv,
                                     const std::string& cwd);

}  // namespace swell::test_support
