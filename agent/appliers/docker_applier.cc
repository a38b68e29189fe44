#include "agent/appliers/docker_applier.h"

#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/appliers/debian_packages.h"
#include "agent/appliers/journaled_step.h"
#include "common/value.h"

namespace swell::agent {
namespace {

constexpr absl::Duration kVerifyPoll = absl::Milliseconds(250);

std::string EnginePackage(const swell::v1::DockerSpec& d) {
  return d.package().empty() ? "docker-ce" : d.package();
}

std::string ServiceUnit(const swell::v1::DockerSpec& d) {
  return d.service().empty() ? "docker" : d.service();
}

std::vector<std::string> Packages(const swell::v1::DockerSpec& d) {
  std::vector<std::string> names = {EnginePackage(d)};
  names.insert(names.end(), d.companion_packages().begin(),
               d.companion_packages().end());
  return names;
}

absl::Duration TimeoutOf(const swell::v1::DockerSpec& d) {
  return d.timeout_ms() == 0 ? DockerApplier::kDefaultTimeout
                             : absl::Milliseconds(d.timeout_ms());
}

absl::Duration VerifyTimeoutOf(const swell::v1::DockerSpec& d) {
  return d.verify_timeout_ms() == 0 ? DockerApplier::kDefaultVerifyTimeout
                                    : absl::Milliseconds(d.verify_timeout_ms());
}

StepRun Succeeded(std::string status) {
  StepRun run;
  run.ok = run.started = true;
  run.status = std::move(status);
  return run;
}

double SampleValue(const std::vector<swell::v1::Sample>& samples,
                   absl::string_view name) {
  for (const swell::v1::Sample& s : samples) {
    if (s.name() == name && s.ok()) return s.value();
  }
  return -1;
}

// Waits until the daemon reports `version`, or the deadline. Returns "" on
// success, else why not.
std::string AwaitServerVersion(const DockerProbe& probe,
                               const std::string& version,
                               absl::Duration timeout, ApplyContext& ctx,
                               std::string* transcript) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (true) {
    // Only the first attempt and the last failure go to the transcript.
    std::string attempt;
    absl::StatusOr<std::string> server =
        probe.ServerVersion(ctx.cancel, &attempt);
    if (server.ok() && ServerRunsVersion(*server, version)) {
      absl::StrAppend(transcript, attempt);
      return "";
    }
    last = server.ok() ? absl::StrCat("the daemon reports version ", *server,
                                      ", expected ", UpstreamVersion(version))
                       : std::string(server.status().message());
    if (ctx.Cancelled() || absl::Now() + kVerifyPoll > deadline) {
      absl::StrAppend(transcript, attempt);
      return absl::StrCat(
          last, " (after ",
          absl::FormatDuration(absl::Trunc(timeout, absl::Milliseconds(1))),
          ")");
    }
    absl::SleepFor(kVerifyPoll);
  }
}

}  // namespace

std::vector<std::string> DockerPackages(const swell::v1::DockerSpec& docker) {
  return Packages(docker);
}

DockerApplier::DockerApplier(std::map<std::string, std::string> command_env,
                             std::shared_ptr<DockerHealth> health)
    : command_env_(std::move(command_env)), health_(std::move(health)) {}

absl::StatusOr<swell::v1::Value> DockerApplier::ReadActual(
    const swell::v1::VariableSpec& spec) {
  DebianPackages apt(command_env_, TimeoutOf(spec.docker()));
  absl::StatusOr<std::optional<std::string>> version =
      apt.InstalledVersion(EnginePackage(spec.docker()), nullptr);
  if (!version.ok()) return version.status();
  return *version ? common::PresentValue(**version) : common::AbsentValue();
}

ApplyOutcome DockerApplier::Apply(const swell::v1::VariableSpec& spec,
                                  const swell::v1::Value& value,
                                  ApplyContext& ctx) {
  const swell::v1::DockerSpec& d = spec.docker();
  DebianPackages apt(command_env_, TimeoutOf(d));
  const std::vector<std::string> packages = Packages(d);
  const std::string engine = EnginePackage(d);
  std::string transcript;

  if (!value.present()) {
    if (!d.no_hold()) {
      if (auto stop = RunJournaledStep(ctx, "unhold", &transcript, [&] {
            return apt.Hold(packages, false, ctx.cancel, &transcript);
          })) {
        return *std::move(stop);
      }
    }
    if (auto stop = RunJournaledStep(ctx, "remove", &transcript, [&] {
          return apt.Remove(packages, ctx.cancel, &transcript);
        })) {
      return *std::move(stop);
    }
    return ApplyOutcome::Ok(absl::StrCat("removed ", engine),
                            std::move(transcript));
  }

  const std::string& version = value.data();
  // The containers recorded before the first restart stay the baseline of
  // a resumed apply: by now some of them may be down.
  if (auto stop = RunJournaledStep(ctx, "containers", &transcript, [&] {
        std::vector<std::string> ids;
        absl::StatusOr<std::vector<Container>> running =
            health_->probe().Containers(false, ctx.cancel, &transcript);
        if (running.ok()) {
          for (const Container& c : *running) ids.push_back(c.id);
        } else {
          absl::StrAppend(&transcript,
                          "# the daemon does not answer; no containers "
                          "recorded as running\n");
        }
        if (absl::Status s = health_->SetBaseline(spec.name(), ids); !s.ok()) {
          StepRun failed;
          failed.started = true;
          failed.status = failed.message = std::string(s.message());
          return failed;
        }
        return Succeeded(absl::StrCat(ids.size(), " running"));
      })) {
    return *std::move(stop);
  }
  if (auto stop = RunJournaledStep(ctx, "install", &transcript, [&] {
        absl::StatusOr<std::optional<std::string>> now =
            apt.InstalledVersion(engine, ctx.cancel);
        if (now.ok() && *now == version) {
          absl::StrAppend(&transcript, "# ", engine, " ", version,
                          " is installed already\n");
          return Succeeded("installed already");
        }
        return apt.Install(packages, version, ctx.cancel, &transcript);
      })) {
    return *std::move(stop);
  }
  if (!d.no_hold()) {
    if (auto stop = RunJournaledStep(ctx, "hold", &transcript, [&] {
          return apt.Hold(packages, true, ctx.cancel, &transcript);
        })) {
      return *std::move(stop);
    }
  }
  if (auto stop = RunJournaledStep(ctx, "restart", &transcript, [&] {
        return apt.RestartUnit(ServiceUnit(d), ctx.cancel, &transcript);
      })) {
    return *std::move(stop);
  }
  std::string unverified = AwaitServerVersion(
      health_->probe(), version, VerifyTimeoutOf(d), ctx, &transcript);
  if (!unverified.empty()) {
    ApplyOutcome out = ApplyOutcome::Fail(
        absl::StrCat("verify failed: ", unverified), std::move(transcript));
    out.cancelled = ctx.Cancelled();
    return out;
  }
  std::vector<swell::v1::Sample> samples =
      health_->Measure(spec.name(), ctx.cancel);
  std::string message =
      absl::StrCat("installed ", engine, " ", version, "; the daemon runs ",
                   UpstreamVersion(version));
  // This variable's own containers: the plain names are the host's.
  const double before = SampleValue(
      samples, DockerSampleName(kDockerContainersBefore, spec.name()));
  if (before >= 0) {
    absl::StrAppend(
        &message, "; ",
        SampleValue(samples,
                    DockerSampleName(kDockerContainersRunning, spec.name())),
        " of ", before, " containers running again");
  }
  if (double orphans = SampleValue(samples, kDockerOrphans); orphans >= 0) {
    absl::StrAppend(&message, "; ", orphans, " orphans");
  }
  ApplyOutcome out =
      ApplyOutcome::Ok(std::move(message), std::move(transcript));
  out.samples = std::move(samples);
  return out;
}

}  // namespace swell::agent
