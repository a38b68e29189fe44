#pragma once

#include <atomic>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/docker/docker_state.h"

namespace swell::agent {

// Reads the Docker daemon's state through the `docker` CLI on PATH and the
// host's process table under `proc_dir` (<root>/proc). Commands run without
// a shell, with `env` added, each bounded by `timeout`: a wedged daemon
// makes a probe fail, never hang. Thread-safe; holds no state.
class DockerProbe {
 public:
  DockerProbe(std::map<std::string, std::string> env, std::string proc_dir,
              absl::Duration timeout = absl::Seconds(30));

  // What the daemon reports as its version (`docker version`); an error
  // naming the command's status when it does not answer.
  absl::StatusOr<std::string> ServerVersion(const std::atomic<bool>* cancel,
                                            std::string* transcript) const;
  // Running containers (`docker ps`), or every container (`docker ps -a`).
  absl::StatusOr<std::vector<Container>> Containers(
      bool all, const std::atomic<bool>* cancel, std::string* transcript) const;
  // Every process readable under proc_dir.
  std::vector<HostProcess> Processes() const;

  // The daemon's state in one look, for health samples.
  struct Snapshot {
    bool up = false;      // `docker info` answered
    std::string error;    // why it is not up, or why a listing failed
    bool listed = false;  // the container listings succeeded
    std::vector<Container> running;
    std::set<std::string> known_ids;  // every container, running or not
    Orphans orphans;                  // meaningful when listed
  };
  Snapshot Take(const std::atomic<bool>* cancel) const;

 private:
  std::map<std::string, std::string> env_;
  std::string proc_dir_;
  absl::Duration timeout_;
};

}  // namespace swell::agent
