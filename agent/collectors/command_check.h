#pragma once

#include <atomic>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// How a check command's result becomes a sample's value.
enum class CheckParse {
  kExit,    // 1 when the command exits 0, else 0
  kNumber,  // the number on the last non-blank line of its output
};

// A health check that runs a command, named in the agent's config.
struct CheckSpec {
  std::string name;
  std::string command;  // split like a shell would, but run without one
  absl::Duration interval = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(5);
  CheckParse parse = CheckParse::kNumber;
};

// Runs the check once and returns its sample, stamped with the time it
// ended. Never fails: a command that cannot be split or started, times out,
// is cancelled, or (kNumber) exits non-zero or prints no finite number gives
// ok=false with `error` saying why, and value 0. Output is stdout and stderr
// combined, bounded to a few KiB.
swell::v1::Sample RunCheck(const CheckSpec& spec,
                           const std::map<std::string, std::string>& env,
                           const std::atomic<bool>* cancel = nullptr);

}  // namespace swell::agent
