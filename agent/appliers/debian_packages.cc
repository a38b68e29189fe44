#include "agent/appliers/debian_packages.h"

#include <algorithm>
#include <functional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace swell::agent {
namespace {

// What apt-get prints when a package or a version is not in its lists.
bool NotFoundInApt(absl::string_view output) {
  return absl::StrContains(output, "was not found") ||
         absl::StrContains(output, "Unable to locate package") ||
         absl::StrContains(output, "has no installation candidate");
}

}  // namespace

bool MadisonListsAll(absl::string_view madison,
                     const std::vector<std::string>& names,
                     absl::string_view version) {
  std::set<std::string, std::less<>> listed;
  for (absl::string_view line : absl::StrSplit(madison, '\n')) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, '|');
    if (fields.size() < 3) continue;
    if (absl::StripAsciiWhitespace(fields[1]) != version) continue;
    // "name:arch" on hosts with foreign architectures.
    absl::string_view name = absl::StripAsciiWhitespace(fields[0]);
    listed.insert(std::string(name.substr(0, name.find(':'))));
  }
  for (const std::string& name : names) {
    if (!listed.contains(name)) return false;
  }
  return !names.empty();
}

DebianPackages::DebianPackages(std::map<std::string, std::string> env,
                               absl::Duration timeout)
    : env_(std::move(env)), timeout_(timeout) {
  env_["DEBIAN_FRONTEND"] = "noninteractive";
}

std::string DebianPackages::LockTimeoutOption() const {
  return absl::StrCat("DPkg::Lock::Timeout=", absl::ToInt64Seconds(timeout_));
}

StepCommand DebianPackages::Command(std::vector<std::string> argv) const {
  return StepCommand{std::move(argv), env_, timeout_, 16 * 1024};
}

absl::StatusOr<std::optional<std::string>> DebianPackages::InstalledVersion(
    const std::string& name, const std::atomic<bool>* cancel) const {
  StepCommand cmd =
      Command({"dpkg-query", "--show",
               "--showformat=${db:Status-Status}\\t${Version}\\n", name});
  cmd.timeout = std::min(timeout_, absl::Seconds(30));
  StepRun run = RunStepCommand(cmd, cancel, nullptr);
  if (!run.started) return absl::UnavailableError(run.message);
  // dpkg-query exits 1 for a package it has never heard of.
  if (!run.ok) {
    if (run.exit_code == 1 &&
        absl::StrContains(run.output, "no packages found")) {
      return std::nullopt;
    }
    return absl::UnavailableError(run.message);
  }
  std::string line = LastLine(run.output, 1024);
  std::vector<std::string> fields = absl::StrSplit(line, '\t');
  if (fields.size() != 2) {
    return absl::InternalError(
        absl::StrCat("dpkg-query printed '", line, "' for ", name,
                     ", expected a status and a version separated by a tab"));
  }
  const std::string& status = fields[0];
  std::string version(absl::StripAsciiWhitespace(fields[1]));
  if (status == "installed" || status == "triggers-pending" ||
      status == "triggers-awaited") {
    return version;
  }
  if (status == "not-installed" || status == "config-files" || status.empty()) {
    return std::nullopt;
  }
  return absl::FailedPreconditionError(
      absl::StrCat(name, " is ", status, " at ", version,
                   " (dpkg left it unfinished; `dpkg --configure -a` may "
                   "repair it)"));
}

StepRun DebianPackages::Install(const std::vector<std::string>& names,
                                const std::string& version,
                                const std::atomic<bool>* cancel,
                                std::string* transcript) const {
  std::vector<std::string> argv = {"apt-get",
                                   "install",
                                   "--yes",
                                   "--allow-downgrades",
                                   "--allow-change-held-packages",
                                   "-o",
                                   LockTimeoutOption(),
                                   "-o",
                                   "Dpkg::Options::=--force-confdef",
                                   "-o",
                                   "Dpkg::Options::=--force-confold"};
  for (const std::string& n : names)
    argv.push_back(absl::StrCat(n, "=", version));
  const StepCommand install = Command(std::move(argv));
  StepRun run = RunStepCommand(install, cancel, transcript);
  // Only an install that ran to its exit may have failed for stale lists.
  if (run.ok || !run.started || run.cancelled || run.exit_code < 0) {
    return run;
  }
  const std::string wanted =
      absl::StrCat(absl::StrJoin(names, ", "), " version ", version);
  absl::StatusOr<bool> listed = ListsHave(names, version, cancel, transcript);
  bool updated = false;
  if (listed.ok() && !*listed) {
    StepRun update = Update(cancel, transcript);
    if (!update.ok) {
      update.message =
          absl::StrCat("the package lists have no ", wanted,
                       ", and updating them failed: ", update.message);
      return update;
    }
    updated = true;
    run = RunStepCommand(install, cancel, transcript);
  }
  if (!run.ok && run.started && !run.cancelled && NotFoundInApt(run.output)) {
    run.message = absl::StrCat("the package manager cannot find ", wanted,
                               updated ? " even after apt-get update" : "",
                               ": ", LastLine(run.output));
  }
  return run;
}

StepRun DebianPackages::Update(const std::atomic<bool>* cancel,
                               std::string* transcript) const {
  return RunStepCommand(
      Command({"apt-get", "update", "-o", LockTimeoutOption()}), cancel,
      transcript);
}

absl::StatusOr<bool> DebianPackages::ListsHave(
    const std::vector<std::string>& names, const std::string& version,
    const std::atomic<bool>* cancel, std::string* transcript) const {
  std::vector<std::string> argv = {"apt-cache", "madison"};
  argv.insert(argv.end(), names.begin(), names.end());
  StepCommand cmd = Command(std::move(argv));
  cmd.timeout = std::min(timeout_, absl::Seconds(30));
  StepRun run = RunStepCommand(cmd, cancel, transcript);
  // Its exit status is not the answer: apt-cache exits 0 for a package
  // the lists do not have at all, and a failure that printed no rows at
  // worst costs an update that was not needed.
  if (!run.started || run.cancelled || run.exit_code < 0) {
    return absl::UnavailableError(run.message);
  }
  return MadisonListsAll(run.output, names, version);
}

StepRun DebianPackages::Remove(const std::vector<std::string>& names,
                               const std::atomic<bool>* cancel,
                               std::string* transcript) const {
  std::vector<std::string> argv = {"apt-get", "remove",
                                   "--yes",   "--allow-change-held-packages",
                                   "-o",      LockTimeoutOption()};
  argv.insert(argv.end(), names.begin(), names.end());
  return RunStepCommand(Command(std::move(argv)), cancel, transcript);
}

StepRun DebianPackages::Hold(const std::vector<std::string>& names, bool hold,
                             const std::atomic<bool>* cancel,
                             std::string* transcript) const {
  std::vector<std::string> argv = {"apt-mark", hold ? "hold" : "unhold"};
  argv.insert(argv.end(), names.begin(), names.end());
  return RunStepCommand(Command(std::move(argv)), cancel, transcript);
}

StepRun DebianPackages::RestartUnit(const std::string& unit,
                                    const std::atomic<bool>* cancel,
                                    std::string* transcript) const {
  return RunStepCommand(Command({"systemctl", "restart", unit}), cancel,
                        transcript);
}

}  // namespace swell::agent
