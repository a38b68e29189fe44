#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/appliers/step_command.h"

namespace swell::agent {

// The host's Debian package manager, reached through dpkg-query, apt-get
// and apt-mark on PATH. Every command runs without a shell, with `env`
// added to the agent's environment, bounded by `timeout`. apt-get waits up
// to `timeout` for the dpkg lock, so a second install never races one left
// running by an agent that was killed. Thread-compatible; holds no state.
class DebianPackages {
 public:
  DebianPackages(std::map<std::string, std::string> env,
                 absl::Duration timeout);

  // The version dpkg reports installed for `name`, or nullopt when it is
  // not installed (unknown, removed, or only its config files left).
  // kFailedPrecondition for a package dpkg left half-installed or
  // half-configured; kUnavailable when dpkg-query cannot run.
  absl::StatusOr<std::optional<std::string>> InstalledVersion(
      const std::string& name, const std::atomic<bool>* cancel) const;

  // `apt-get install` of every package in `names` at `version`, allowing
  // downgrades and changes to held packages. A version apt cannot find
  // gives a message naming the package and the version.
  StepRun Install(const std::vector<std::string>& names,
                  const std::string& version, const std::atomic<bool>* cancel,
                  std::string* transcript) const;
  // `apt-get remove` of every package in `names`.
  StepRun Remove(const std::vector<std::string>& names,
                 const std::atomic<bool>* cancel,
                 std::string* transcript) const;
  // `apt-mark hold` (or unhold) of every package in `names`.
  StepRun Hold(const std::vector<std::string>& names, bool hold,
               const std::atomic<bool>* cancel, std::string* transcript) const;
  // `systemctl restart unit`.
  StepRun RestartUnit(const std::string& unit, const std::atomic<bool>* cancel,
                      std::string* transcript) const;

  absl::Duration timeout() const { return timeout_; }

 private:
  StepCommand Command(std::vector<std::string> argv) const;

  std::map<std::string, std::string> env_;
  absl::Duration timeout_;
};

}  // namespace swell::agent
