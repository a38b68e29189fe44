#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/collectors/sample_source.h"
#include "agent/docker/docker_probe.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// The health samples of the Docker engine, named as plan gates use them.
// The agent probes one daemon (the `docker` CLI's default), so docker_up
// and docker_orphans are the host's. The container samples exist for each
// docker variable, under DockerSampleName(), and for the host under the
// plain names.
inline constexpr char kDockerUp[] = "docker_up";  // 1: the daemon answers
// Containers running before the last engine restart by the agent.
inline constexpr char kDockerContainersBefore[] = "docker_containers_before";
// Of those, how many run now, and how many do not.
inline constexpr char kDockerContainersRunning[] = "docker_containers_running";
inline constexpr char kDockerContainersMissing[] = "docker_containers_missing";
// running / before; 1 when none ran before.
inline constexpr char kDockerContainersRunningRatio[] =
    "docker_containers_running_ratio";
// Containers (containerd shims) and docker-proxy processes left behind that
// the daemon no longer manages.
inline constexpr char kDockerOrphans[] = "docker_orphans";

// The name of container sample `base` for docker variable `variable`:
// "base:variable" with each '.' and '-' of the variable written '_', since
// sample names are metric names ([A-Za-z_:][A-Za-z0-9_:]*).
// "docker_containers_missing:docker_engine" for variable "docker-engine".
std::string DockerSampleName(absl::string_view base,
                             absl::string_view variable);

// The samples for `snapshot`, taken at `at`. Container samples need the
// containers running before the restart (`before`); without them only
// docker_up and docker_orphans are given. While the daemon is down,
// docker_up is 0, every container of `before` is missing, and
// docker_orphans is a failed sample (the daemon cannot say what it
// manages).
std::vector<swell::v1::Sample> DockerSamples(
    const DockerProbe::Snapshot& snapshot,
    const std::optional<std::vector<std::string>>& before, absl::Time at);

// A docker variable and the containers that ran before its last engine
// restart by the agent (nullopt: it never restarted the engine).
struct DockerBaseline {
  std::string variable;
  std::optional<std::vector<std::string>> before;
};

// The samples of a host whose docker variables are `baselines`, from one
// `snapshot`:
//  - DockerSamples() under the plain names, over the union of every
//    variable's containers (so with one variable, that variable's);
//  - for each variable with a baseline, its four container samples named
//    by DockerSampleName(). Variables whose names give the same sample
//    names (a-b and a_b) get failed samples there saying so.
std::vector<swell::v1::Sample> HostDockerSamples(
    const DockerProbe::Snapshot& snapshot,
    const std::vector<DockerBaseline>& baselines, absl::Time at);

// Samples the Docker engine for gates, on the agent's check cadence, while
// the desired state has a docker variable. The docker applier hands it the
// containers that ran before each engine restart; they are kept under
// `state_dir` so that "missing" still means something after an agent
// restart. Thread-safe.
class DockerHealth final : public SampleSource {
 public:
  using DesiredFn =
      std::function<std::shared_ptr<const swell::v1::DesiredState>()>;

  DockerHealth(std::string state_dir, std::shared_ptr<const DockerProbe> probe,
               DesiredFn desired);

  // Durably records the containers running before an engine restart.
  [[nodiscard]] absl::Status SetBaseline(const std::string& variable,
                                         const std::vector<std::string>& ids);
  std::optional<std::vector<std::string>> Baseline(
      const std::string& variable) const;

  // HostDockerSamples() now, for every docker variable of the desired
  // state and `variable` (the one an apply just changed, which the desired
  // state may not list yet).
  std::vector<swell::v1::Sample> Measure(const std::string& variable,
                                         const std::atomic<bool>* cancel) const;

  // HostDockerSamples() now, for every docker variable of the desired
  // state; empty without one.
  std::vector<swell::v1::Sample> Collect(
      const std::atomic<bool>& cancel) override;

  const DockerProbe& probe() const { return *probe_; }

 private:
  std::string BaselinePath(const std::string& variable) const;
  // The desired state's docker variables, in its order.
  std::vector<std::string> DesiredVariables() const;
  std::vector<swell::v1::Sample> MeasureAll(
      const std::vector<std::string>& variables,
      const std::atomic<bool>* cancel) const;

  const std::string state_dir_;
  const std::shared_ptr<const DockerProbe> probe_;
  const DesiredFn desired_;
  mutable absl::Mutex mu_;
  // variable -> ids, cached from the files.
  mutable std::map<std::string, std::optional<std::vector<std::string>>>
      baselines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swell::agent
