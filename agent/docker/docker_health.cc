#include "agent/docker/docker_health.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "agent/atomic_file.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxBaselineBytes = 4 << 20;

swell::v1::Sample Good(const char* name, double value, absl::Time at) {
  swell::v1::Sample s;
  s.set_name(name);
  s.set_value(value);
  s.set_ok(true);
  s.set_unix_ms(absl::ToUnixMillis(at));
  return s;
}

swell::v1::Sample Bad(const char* name, const std::string& error,
                      absl::Time at) {
  swell::v1::Sample s;
  s.set_name(name);
  s.set_ok(false);
  s.set_error(error.substr(0, 512));
  s.set_unix_ms(absl::ToUnixMillis(at));
  return s;
}

}  // namespace

std::vector<swell::v1::Sample> DockerSamples(
    const DockerProbe::Snapshot& snap,
    const std::optional<std::vector<std::string>>& before, absl::Time at) {
  std::vector<swell::v1::Sample> out;
  out.push_back(Good(kDockerUp, snap.up ? 1 : 0, at));
  if (before.has_value()) {
    if (!snap.up || snap.listed) {
      std::set<std::string> running;
      for (const Container& c : snap.running) running.insert(c.id);
      int again = 0;
      for (const std::string& id : *before) again += running.count(id) > 0;
      const int total = static_cast<int>(before->size());
      out.push_back(Good(kDockerContainersBefore, total, at));
      out.push_back(Good(kDockerContainersRunning, again, at));
      out.push_back(Good(kDockerContainersMissing, total - again, at));
      out.push_back(Good(kDockerContainersRunningRatio,
                         total == 0 ? 1.0 : double(again) / total, at));
    } else {
      for (const char* name :
           {kDockerContainersBefore, kDockerContainersRunning,
            kDockerContainersMissing, kDockerContainersRunningRatio}) {
        out.push_back(Bad(name, snap.error, at));
      }
    }
  }
  if (snap.listed) {
    out.push_back(Good(kDockerOrphans, snap.orphans.count(), at));
  } else {
    out.push_back(Bad(
        kDockerOrphans,
        absl::StrCat("the daemon cannot list what it manages: ", snap.error),
        at));
  }
  return out;
}

DockerHealth::DockerHealth(std::string state_dir,
                           std::shared_ptr<const DockerProbe> probe,
                           DesiredFn desired)
    : state_dir_(std::move(state_dir)),
      probe_(std::move(probe)),
      desired_(std::move(desired)) {}

std::string DockerHealth::BaselinePath(const std::string& variable) const {
  // Variable names are [a-z0-9._-] (the plan parser checks), safe as file
  // names.
  return absl::StrCat(state_dir_, "/docker/", variable, ".containers");
}

absl::Status DockerHealth::SetBaseline(const std::string& variable,
                                       const std::vector<std::string>& ids) {
  std::string text = absl::StrJoin(ids, "\n");
  if (!text.empty()) text += "\n";
  if (absl::Status s = MakeDirs(absl::StrCat(state_dir_, "/docker")); !s.ok()) {
    return s;
  }
  if (absl::Status s = WriteFileAtomically(BaselinePath(variable), text);
      !s.ok()) {
    return s;
  }
  absl::MutexLock lock(&mu_);
  baselines_[variable] = ids;
  return absl::OkStatus();
}

std::optional<std::vector<std::string>> DockerHealth::Baseline(
    const std::string& variable) const {
  absl::MutexLock lock(&mu_);
  auto it = baselines_.find(variable);
  if (it != baselines_.end()) return it->second;
  std::optional<std::vector<std::string>> ids;
  absl::StatusOr<std::string> text =
      ReadFileBounded(BaselinePath(variable), kMaxBaselineBytes);
  if (text.ok()) {
    ids = absl::StrSplit(*text, '\n', absl::SkipEmpty());
  }
  // Cached either way: only SetBaseline changes the file.
  baselines_[variable] = ids;
  return ids;
}

std::vector<swell::v1::Sample> DockerHealth::Measure(
    const std::string& variable, const std::atomic<bool>* cancel) const {
  DockerProbe::Snapshot snap = probe_->Take(cancel);
  return DockerSamples(snap, Baseline(variable), absl::Now());
}

std::vector<swell::v1::Sample> DockerHealth::Collect(
    const std::atomic<bool>& cancel) {
  std::shared_ptr<const swell::v1::DesiredState> state = desired_();
  if (state == nullptr) return {};
  for (const swell::v1::DesiredVariable& var : state->variables()) {
    if (var.spec().kind() == swell::v1::VARIABLE_KIND_DOCKER) {
      return Measure(var.spec().name(), &cancel);
    }
  }
  return {};
}

}  // namespace swell::agent
