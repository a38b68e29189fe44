#include "agent/appliers/package_applier.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/appliers/debian_packages.h"
#include "agent/appliers/journaled_step.h"
#include "common/value.h"

namespace swell::agent {
namespace {

absl::Duration TimeoutOf(const swell::v1::PackageSpec& p) {
  return p.timeout_ms() == 0 ? PackageApplier::kDefaultTimeout
                             : absl::Milliseconds(p.timeout_ms());
}

}  // namespace

PackageApplier::PackageApplier(std::map<std::string, std::string> command_env)
    : command_env_(std::move(command_env)) {}

absl::StatusOr<swell::v1::Value> PackageApplier::ReadActual(
    const swell::v1::VariableSpec& spec) {
  const swell::v1::PackageSpec& p = spec.package();
  if (p.name().empty()) {
    return absl::InvalidArgumentError("package variable names no package");
  }
  DebianPackages apt(command_env_, TimeoutOf(p));
  absl::StatusOr<std::optional<std::string>> version =
      apt.InstalledVersion(p.name(), nullptr);
  if (!version.ok()) return version.status();
  return *version ? common::PresentValue(**version) : common::AbsentValue();
}

ApplyOutcome PackageApplier::Apply(const swell::v1::VariableSpec& spec,
                                   const swell::v1::Value& value,
                                   ApplyContext& ctx) {
  const swell::v1::PackageSpec& p = spec.package();
  if (p.name().empty()) {
    return ApplyOutcome::Fail("package variable names no package");
  }
  DebianPackages apt(command_env_, TimeoutOf(p));
  const std::vector<std::string> names = {p.name()};
  std::string transcript;

  if (!value.present()) {
    if (auto stop = RunJournaledStep(ctx, "remove", &transcript, [&] {
          return apt.Remove(names, ctx.cancel, &transcript);
        })) {
      return *std::move(stop);
    }
    return ApplyOutcome::Ok(absl::StrCat("removed ", p.name()),
                            std::move(transcript));
  }

  const std::string& version = value.data();
  std::string done = absl::StrCat("installed ", p.name(), " ", version);
  if (auto stop = RunJournaledStep(ctx, "install", &transcript, [&] {
        absl::StatusOr<std::optional<std::string>> now =
            apt.InstalledVersion(p.name(), ctx.cancel);
        if (now.ok() && *now == version) {
          absl::StrAppend(&transcript, "# ", p.name(), " ", version,
                          " is installed already\n");
          StepRun already;
          already.ok = already.started = true;
          already.status = "installed already";
          return already;
        }
        return apt.Install(names, version, ctx.cancel, &transcript);
      })) {
    return *std::move(stop);
  }
  if (p.hold()) {
    if (auto stop = RunJournaledStep(ctx, "hold", &transcript, [&] {
          return apt.Hold(names, true, ctx.cancel, &transcript);
        })) {
      return *std::move(stop);
    }
    absl::StrAppend(&done, ", held");
  }
  for (const std::string& unit : p.restart_units()) {
    if (auto stop = RunJournaledStep(
            ctx, absl::StrCat("restart:", unit), &transcript,
            [&] { return apt.RestartUnit(unit, ctx.cancel, &transcript); })) {
      return *std::move(stop);
    }
    absl::StrAppend(&done, ", restarted ", unit);
  }
  return ApplyOutcome::Ok(std::move(done), std::move(transcript));
}

}  // namespace swell::agent
