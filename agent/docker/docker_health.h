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
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/collectors/sample_source.h"
#include "agent/docker/docker_probe.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// The health samples of the Docker engine, named as plan gates use them.
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

// The samples for `snapshot`, taken at `at`. Container samples need the
// containers running before the restart (`before`); without them only
// docker_up and docker_orphans are given. While the daemon is down,
// docker_up is 0, every container of `before` is missing, and
// docker_orphans is a failed sample (the daemon cannot say what it
// manages).
std::vector<swell::v1::Sample> DockerSamples(
    const DockerProbe::Snapshot& snapshot,
    const std::optional<std::vector<std::string>>& before, absl::Time at);

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

  // The samples for `variable` now.
  std::vector<swell::v1::Sample> Measure(const std::string& variable,
                                         const std::atomic<bool>* cancel) const;

  // Measure() for the desired state's docker variable; empty without one.
  std::vector<swell::v1::Sample> Collect(
      const std::atomic<bool>& cancel) override;

  const DockerProbe& probe() const { return *probe_; }

 private:
  std::string BaselinePath(const std::string& variable) const;

  const std::string state_dir_;
  const std::shared_ptr<const DockerProbe> probe_;
  const DesiredFn desired_;
  mutable absl::Mutex mu_;
  // variable -> ids, cached from the files.
  mutable std::map<std::string, std::optional<std::vector<std::string>>>
      baselines_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swell::agent
