#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace swell::e2e {

// A real child process (a controller, an agent) with stdout and stderr
// appended to a log file. The destructor kills it (SIGKILL) and reaps it.
class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path,
      const std::map<std::string, std::string>& extra_env = {});
  ~ChildProcess();

  // Sends `sig`; then, for SIGKILL or when `wait` is set, reaps the process.
  void Signal(int sig, bool wait = false);
  bool Running();
  pid_t pid() const { return pid_; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  bool reaped_ = false;
};

struct CommandOutput {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a command to completion and captures stdout and stderr separately.
CommandOutput RunCommand(
    const std::vector<std::string>& argv,
    const std::map<std::string, std::string>& extra_env = {});

// Polls `condition` every 50 ms until it is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition,
             absl::Duration timeout = absl::Seconds(30));

}  // namespace swell::e2e
