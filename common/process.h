#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace swell::common {

// One external command. No shell is involved: argv[0] is looked up on PATH
// and run with the given arguments. A plan that wants a shell says so
// (`sh -c '...'`).
struct CommandSpec {
  std::vector<std::string> argv;
  std::map<std::string, std::string> extra_env;  // added to the inherited env
  std::string working_dir;                       // empty: inherit
  std::string stdin_data;                        // written to stdin, then EOF
  absl::Duration timeout = absl::Seconds(60);    // then SIGTERM, 2 s, SIGKILL
  size_t max_output = 64 * 1024;  // combined stdout+stderr: the tail kept
  // When set and it becomes true, the command is stopped as on a timeout.
  const std::atomic<bool>* cancel = nullptr;
};

struct CommandResult {
  bool exited = false;  // ended by itself (exit_code is valid)
  int exit_code = -1;
  int signal = 0;          // the signal that ended it, if any
  bool timed_out = false;  // stopped by us after the timeout
  bool cancelled = false;  // stopped by us through `cancel`
  std::string output;      // tail of combined stdout and stderr
  bool truncated = false;  // output lost its head to max_output
  absl::Duration duration;

  bool ok() const { return exited && exit_code == 0; }
  // One line: "exit 0 in 12ms", "exit 3 in 1.2s", "timed out after 5s".
  std::string Describe() const;
};

// Runs the command to completion (or timeout/cancel). Thread-safe. Returns
// an error only when the command could not be started at all (e.g. kNotFound
// for a program missing from PATH); a command that runs and fails is an OK
// result with ok() == false.
absl::StatusOr<CommandResult> RunCommand(const CommandSpec& spec);

// Splits a command line into words the way a POSIX shell does for quoting
// ('single', "double", backslash), without any expansion. kInvalidArgument
// on an unterminated quote or an empty line.
absl::StatusOr<std::vector<std::string>> SplitCommandLine(
    std::string_view line);

}  // namespace swell::common
