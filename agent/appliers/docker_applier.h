#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agent/appliers/applier.h"
#include "agent/docker/docker_health.h"

namespace swell::agent {

// The packages a docker variable installs: the engine package (docker-ce
// when the spec names none), then its companions.
std::vector<std::string> DockerPackages(const swell::v1::DockerSpec& docker);

// Manages VARIABLE_KIND_DOCKER variables: the value is the engine
// package's installed version as dpkg reports it
// ("5:24.0.7-1~debian.12~bookworm"), or absent when it is not installed.
//
// Apply (present) runs, as journaled steps:
//   "containers"  records the running containers (`docker ps`) with
//                 `health`, before anything can restart the daemon;
//   "install"     apt-get install of the engine package (and companions)
//                 at the version, downgrades allowed, after apt-get
//                 update when the package lists do not have it; skipped
//                 when dpkg already has that version;
//   "hold"        apt-mark hold of them (unless the spec says no_hold);
//   "restart"     systemctl restart of the daemon's unit;
// then verifies, polling `docker version` for up to the verify timeout,
// that the daemon reports the version, and measures how many of the
// recorded containers run again and what orphans are left (the outcome's
// samples; `health` keeps sampling them afterwards).
// Apply (absent) runs "unhold" and "remove".
//
// A resumed apply skips finished steps (so the containers recorded before
// the first restart stay the baseline) and runs the interrupted one again;
// each is safe to repeat. Stops between steps when superseded, and never
// kills a running package manager for it.
class DockerApplier final : public Applier {
 public:
  static constexpr absl::Duration kDefaultTimeout = absl::Minutes(10);
  static constexpr absl::Duration kDefaultVerifyTimeout = absl::Seconds(60);

  DockerApplier(std::map<std::string, std::string> command_env,
                std::shared_ptr<DockerHealth> health);

  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override;
  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value, ApplyContext& ctx) override;

 private:
  std::map<std::string, std::string> command_env_;
  std::shared_ptr<DockerHealth> health_;
};

}  // namespace swell::agent
