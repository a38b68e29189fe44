#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/appliers/step_command.h"

namespace swell::agent {

// Whether `madison`, the output of `apt-cache madison` (rows of
// "name | version | source"; other lines are ignored), lists `version` for
// every one of `names`.
bool MadisonListsAll(absl::string_view madison,
                     const std::vector<std::string>& names,
                     absl::string_view version);

// The host's Debian package manager, reached through dpkg-query, apt-get,
// apt-cache and apt-mark on PATH. Every command runs without a shell, with
// `env` added to the agent's environment, bounded by `timeout`. apt-get waits
// up to `timeout` for the dpkg lock, so a second install never races one left
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
  // downgrades and changes to held packages. When it fails and the
  // package lists do not list `version` for every one of `names`
  // (ListsHave), the lists are refreshed (Update) and the install runs
  // once more, so a version published since the host last updated its
  // lists installs. An install that fails otherwise is not repeated: apt
  // resolves versions before dpkg runs, so the first attempt changed
  // nothing. Failure messages name the command and its last output line;
  // a version apt still cannot find names the packages and the version.
  StepRun Install(const std::vector<std::string>& names,
                  const std::string& version, const std::atomic<bool>* cancel,
                  std::string* transcript) const;
  // `apt-get update`: refreshes the package lists from the host's sources.
  StepRun Update(const std::atomic<bool>* cancel,
                 std::string* transcript) const;
  // Whether the package lists list `version` for every one of `names`
  // (`apt-cache madison`). kUnavailable when apt-cache cannot run, times
  // out or is cancelled.
  absl::StatusOr<bool> ListsHave(const std::vector<std::string>& names,
                                 const std::string& version,
                                 const std::atomic<bool>* cancel,
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
  // "DPkg::Lock::Timeout=<timeout in seconds>", for apt-get's -o.
  std::string LockTimeoutOption() const;

  std::map<std::string, std::string> env_;
  absl::Duration timeout_;
};

}  // namespace swell::agent
