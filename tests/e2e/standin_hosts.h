#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "tests/e2e/cluster.h"

namespace swell::e2e {

// Hosts of a Cluster whose package manager, systemd and Docker engine are
// the stand-ins of tests/standins, put first on each agent's PATH. Each
// host's stand-in state lives below its root.
class StandinHosts {
 public:
  // `guardrails`: what the hosts accept, as swell-agent's --guardrail-*
  // flags (AgentOptions::guardrails).
  StandinHosts(Cluster* cluster, std::vector<std::string> guardrails)
      : cluster_(cluster), guardrails_(std::move(guardrails)) {}

  // Writes the host's stand-in state (see tests/standins/standin.py), then
  // starts (or restarts) its agent with the stand-ins on PATH.
  absl::Status Start(const std::string& id,
                     const std::map<std::string, std::string>& labels,
                     const std::string& state_json);
  // Restarts the agent of a host already set up, keeping its state.
  absl::Status Restart(const std::string& id,
                       const std::map<std::string, std::string>& labels);

  std::string StateDir(const std::string& id) const;
  // Every call the host's stand-ins recorded, in order.
  std::vector<std::string> Calls(const std::string& id) const;
  // The calls that change or verify the host: Calls() without the
  // read-only queries (dpkg-query, docker ps, docker info) that reads and
  // health samples make at any time.
  std::vector<std::string> Changes(const std::string& id) const;
  // How many calls start with `prefix`.
  int Count(const std::string& id, const std::string& prefix) const;
  // What dpkg says is installed ("" when nothing), and what the daemon
  // runs ("" when it is down), as the host's own tools report them.
  std::string InstalledVersion(const std::string& id,
                               const std::string& package) const;
  std::string DaemonVersion(const std::string& id) const;

 private:
  std::map<std::string, std::string> Env(const std::string& id) const;
  std::string RunTool(const std::string& id,
                      std::vector<std::string> argv) const;

  Cluster* cluster_;
  std::vector<std::string> guardrails_;
};

}  // namespace swell::e2e
