#include "agent/appliers/debian_packages.h"

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

DebianPackages::DebianPackages(std::map<std::string, std::string> env,
                               absl::Duration timeout)
    : env_(std::move(env)), timeout_(timeout) {
  env_["DEBIAN_FRONTEND"] = "noninteractive";
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
  std::vector<std::string> argv = {
      "apt-get",
      "install",
      "--yes",
      "--allow-downgrades",
      "--allow-change-held-packages",
      "-o",
      absl::StrCat("DPkg::Lock::Timeout=", absl::ToInt64Seconds(timeout_)),
      "-o",
      "Dpkg::Options::=--force-confdef",
      "-o",
      "Dpkg::Options::=--force-confold"};
  for (const std::string& n : names)
    argv.push_back(absl::StrCat(n, "=", version));
  StepRun run = RunStepCommand(Command(std::move(argv)), cancel, transcript);
  if (!run.ok && run.started && !run.cancelled && NotFoundInApt(run.output)) {
    run.message = absl::StrCat("the package manager cannot find ",
                               absl::StrJoin(names, ", "), " version ", version,
                               ": ", LastLine(run.output));
  }
  return run;
}

StepRun DebianPackages::Remove(const std::vector<std::string>& names,
                               const std::atomic<bool>* cancel,
                               std::string* transcript) const {
  std::vector<std::string> argv = {
      "apt-get",
      "remove",
      "--yes",
      "--allow-change-held-packages",
      "-o",
      absl::StrCat("DPkg::Lock::Timeout=", absl::ToInt64Seconds(timeout_))};
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
