#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace swell::agent {

// One container as `docker ps` lists it.
struct Container {
  std::string id;  // full id (--no-trunc)
  std::string name;
  std::string ports;  // "0.0.0.0:8080->80/tcp, :::8080->80/tcp"
};

// The `docker ps` format the agent asks for, one container a line.
inline constexpr char kContainerFormat[] = "{{.ID}}|{{.Names}}|{{.Ports}}";

// Parses `docker ps --no-trunc --format kContainerFormat` output. Blank and
// malformed lines are skipped.
std::vector<Container> ParseContainerList(absl::string_view text);

// The upstream part of a Debian version: without the epoch and the Debian
// revision. "5:24.0.7-1~debian.12~bookworm" -> "24.0.7".
std::string UpstreamVersion(absl::string_view debian_version);

// Whether a daemon reporting `server_version` runs the package version
// `package_version`: the server reports the upstream version, or its
// prefix up to a '+' or '~' ("20.10.24" for "20.10.24+dfsg1-1").
bool ServerRunsVersion(absl::string_view server_version,
                       absl::string_view package_version);

// A process on the host: its pid and argv.
struct HostProcess {
  int pid = 0;
  std::vector<std::string> argv;
};

// What the daemon no longer manages but is still there.
struct Orphans {
  // containerd shims (namespace moby) whose container the daemon does not
  // know: "<id> (pid N)".
  std::vector<std::string> containers;
  // docker-proxy processes whose host port no running container publishes:
  // "tcp 0.0.0.0:8080 (pid N)". They keep the port, so a new container
  // cannot take it.
  std::vector<std::string> proxies;
  int count() const {
    return static_cast<int>(containers.size() + proxies.size());
  }
};

// Finds the orphans among `processes`, given the ids of every container
// the daemon knows (`docker ps -a`) and the running ones with their ports.
Orphans FindOrphans(const std::vector<HostProcess>& processes,
                    const std::set<std::string>& known_ids,
                    const std::vector<Container>& running);

}  // namespace swell::agent
