#pragma once

#include <atomic>
#include <cstddef>
#include <map>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/env.h"

namespace swell::agent {

// One external command an applier runs: no shell unless argv asks for one,
// a timeout, and a bounded output buffer.
struct StepCommand {
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to the agent's
  absl::Duration timeout = absl::Seconds(60);
  size_t max_output = 16 * 1024;  // the tail kept of stdout+stderr
};

// How a StepCommand ended.
struct StepRun {
  bool ok = false;         // exited 0
  bool started = false;    // false: it could not run at all
  bool cancelled = false;  // stopped through the cancel flag
  int exit_code = -1;      // valid when it exited
  // "exit 0 in 12ms", "timed out after 5s", or why it could not run.
  std::string status;
  // "apt-get install ...: exit 100 in 1.2s: E: Version '9' ... not found",
  // or "... could not run: program 'x' not found on PATH".
  std::string message;
  std::string output;  // the tail of its output
};

// Runs `cmd` through `env` to completion, timeout or cancel (`cancel` may
// be null), and adds what it did to `transcript` when not null: a "$ argv"
// line with the exit status and duration, then the tail of its output.
// Never fails: a command that cannot start is a StepRun with ok=false
// saying why.
StepRun RunStepCommand(const StepCommand& cmd, const std::atomic<bool>* cancel,
                       std::string* transcript, Env* env = Env::Default());

// A plan's command line as argv. Without `shell` it is split like a shell
// would but run without one, and "{}" inside any word becomes `subject`.
// With `shell` it is ["sh", "-c", line] and "{}" is left alone: the value
// reaches the shell only through the environment, never through its
// syntax. kInvalidArgument for an unterminated quote or an empty line.
absl::StatusOr<std::vector<std::string>> PlanCommandArgv(
    absl::string_view line, absl::string_view subject, bool shell);

// The last non-blank line of `output`, cut to `max` bytes, for one-line
// messages.
std::string LastLine(absl::string_view output, size_t max = 200);

// Keeps the last `max` bytes of `text`.
std::string TailOf(std::string text, size_t max);

}  // namespace swell::agent
