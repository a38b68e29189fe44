#include "agent/docker/docker_health.h"

#include <algorithm>
#include <map>
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

constexpr const char* kContainerSamples[] = {
    kDockerContainersBefore, kDockerContainersRunning, kDockerContainersMissing,
    kDockerContainersRunningRatio};

swell::v1::Sample Good(std::string name, double value, absl::Time at) {
  swell::v1::Sample s;
  s.set_name(std::move(name));
  s.set_value(value);
  s.set_ok(true);
  s.set_unix_ms(absl::ToUnixMillis(at));
  return s;
}

swell::v1::Sample Bad(std::string name, const std::string& error,
                      absl::Time at) {
  swell::v1::Sample s;
  s.set_name(std::move(name));
  s.set_ok(false);
  s.set_error(error.substr(0, 512));
  s.set_unix_ms(absl::ToUnixMillis(at));
  return s;
}

// The four container samples of `before`, named for `variable` (the plain
// names when it is empty).
void AddContainerSamples(const DockerProbe::Snapshot& snap,
                         const std::vector<std::string>& before,
                         absl::string_view variable, absl::Time at,
                         std::vector<swell::v1::Sample>* out) {
  auto name = [&](const char* base) {
    return variable.empty() ? std::string(base)
                            : DockerSampleName(base, variable);
  };
  if (snap.up && !snap.listed) {
    for (const char* base : kContainerSamples) {
      out->push_back(Bad(name(base), snap.error, at));
    }
    return;
  }
  std::set<std::string> running;
  for (const Container& c : snap.running) running.insert(c.id);
  int again = 0;
  for (const std::string& id : before) again += running.count(id) > 0;
  const int total = static_cast<int>(before.size());
  out->push_back(Good(name(kDockerContainersBefore), total, at));
  out->push_back(Good(name(kDockerContainersRunning), again, at));
  out->push_back(Good(name(kDockerContainersMissing), total - again, at));
  out->push_back(Good(name(kDockerContainersRunningRatio),
                      total == 0 ? 1.0 : double(again) / total, at));
}

}  // namespace

std::string DockerSampleName(absl::string_view base,
                             absl::string_view variable) {
  std::string name = absl::StrCat(base, ":", variable);
  for (size_t i = base.size() + 1; i < name.size(); ++i) {
    if (name[i] == '.' || name[i] == '-') name[i] = '_';
  }
  return name;
}

std::vector<swell::v1::Sample> DockerSamples(
    const DockerProbe::Snapshot& snap,
    const std::optional<std::vector<std::string>>& before, absl::Time at) {
  std::vector<swell::v1::Sample> out;
  out.push_back(Good(kDockerUp, snap.up ? 1 : 0, at));
  if (before.has_value()) AddContainerSamples(snap, *before, "", at, &out);
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

std::vector<swell::v1::Sample> HostDockerSamples(
    const DockerProbe::Snapshot& snap,
    const std::vector<DockerBaseline>& baselines, absl::Time at) {
  std::optional<std::vector<std::string>> all;
  std::set<std::string> seen;
  // The variables under each sample-name suffix.
  std::map<std::string, std::vector<std::string>> by_suffix;
  for (const DockerBaseline& b : baselines) {
    by_suffix[DockerSampleName("", b.variable)].push_back(b.variable);
    if (!b.before.has_value()) continue;
    if (!all.has_value()) all.emplace();
    for (const std::string& id : *b.before) {
      if (seen.insert(id).second) all->push_back(id);
    }
  }
  std::vector<swell::v1::Sample> out = DockerSamples(snap, all, at);
  for (const DockerBaseline& b : baselines) {
    const std::vector<std::string>& sharing =
        by_suffix[DockerSampleName("", b.variable)];
    if (sharing.size() > 1) {
      // Reported once, at the first of them.
      if (sharing.front() != b.variable) continue;
      for (const char* base : kContainerSamples) {
        out.push_back(Bad(
            DockerSampleName(base, b.variable),
            absl::StrCat("docker variables ", absl::StrJoin(sharing, " and "),
                         " share these sample names"),
            at));
      }
    } else if (b.before.has_value()) {
      AddContainerSamples(snap, *b.before, b.variable, at, &out);
    }
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

std::vector<std::string> DockerHealth::DesiredVariables() const {
  std::vector<std::string> out;
  std::shared_ptr<const swell::v1::DesiredState> state = desired_();
  if (state == nullptr) return out;
  for (const swell::v1::DesiredVariable& var : state->variables()) {
    if (var.spec().kind() == swell::v1::VARIABLE_KIND_DOCKER) {
      out.push_back(var.spec().name());
    }
  }
  return out;
}

std::vector<swell::v1::Sample> DockerHealth::MeasureAll(
    const std::vector<std::string>& variables,
    const std::atomic<bool>* cancel) const {
  std::vector<DockerBaseline> baselines;
  for (const std::string& v : variables) baselines.push_back({v, Baseline(v)});
  DockerProbe::Snapshot snap = probe_->Take(cancel);
  return HostDockerSamples(snap, baselines, absl::Now());
}

std::vector<swell::v1::Sample> DockerHealth::Measure(
    const std::string& variable, const std::atomic<bool>* cancel) const {
  std::vector<std::string> variables = DesiredVariables();
  if (!variable.empty() && std::find(variables.begin(), variables.end(),
                                     variable) == variables.end()) {
    variables.push_back(variable);
  }
  return MeasureAll(variables, cancel);
}

std::vector<swell::v1::Sample> DockerHealth::Collect(
    const std::atomic<bool>& cancel) {
  std::vector<std::string> variables = DesiredVariables();
  if (variables.empty()) return {};
  return MeasureAll(variables, &cancel);
}

}  // namespace swell::agent
