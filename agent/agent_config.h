#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/collector_config.h"
#include "agent/collectors/collector_spec.h"
#include "agent/collectors/command_check.h"
#include "agent/guardrails.h"
#include "agent/guardrails_config.h"
#include "agent/tls_config.h"

namespace swell::agent {

inline constexpr char kAgentVersion[] = "0.1.0";
inline constexpr char kDefaultController[] = "127.0.0.1:7070";
inline constexpr char kDefaultStateDir[] = "/var/lib/swell-agent";

// Everything an Agent runs with, complete and validated.
struct AgentConfig {
  std::string host_id;
  std::vector<std::string> controllers{kDefaultController};
  std::map<std::string, std::string> labels;
  // The directory the agent treats as the host's "/": every managed path
  // and the state dir resolve below it. Absolute and normalized.
  std::string root = "/";
  // Absolute, already below root.
  std::string state_dir = kDefaultStateDir;
  std::vector<CheckSpec> checks;
  // No two report a sample of the same name, nor one a check reports.
  std::vector<CollectorSpec> collectors;
  // How often built-in samples (the Docker engine's) are collected: the
  // check interval of checks that do not set their own.
  absl::Duration check_interval = absl::Seconds(5);
  // Reconnect backoff (ControllerLink). The cap bounds how long a running
  // agent takes to notice that a restarted controller is back; the
  // controller's --agent_reconnect assumes it, so keep the two in step.
  absl::Duration backoff_initial = absl::Milliseconds(200);
  absl::Duration backoff_max = absl::Seconds(5);
  // How often the desired state is re-checked against the host with no new
  // desired state arriving.
  absl::Duration resync_interval = absl::Seconds(30);
  // Bound on each validate/reload/restart command of file variables.
  absl::Duration command_timeout = absl::Seconds(60);
  // On SIGTERM, how long an apply that is running may take to finish before
  // it is stopped (a package install cut half way leaves dpkg to repair).
  absl::Duration stop_grace = absl::Minutes(5);
  // host:port where /metrics is served for Prometheus; empty: not served.
  std::string metrics_listen;
  // What this host lets the controller read and change.
  Guardrails guardrails;
  // Its certificate (whose DNS name is its host id), key, and the CA that
  // verifies the controller; empty: plaintext (only with --insecure).
  AgentTlsFiles tls;
};

// What a --config YAML file may set. Unset fields are left to flags and
// defaults. Keys: host_id, controllers (list or comma-separated string),
// labels (map), root, state_dir, check_interval, checks (list of {name,
// command, interval, timeout, parse: exit|number}), collectors (list, see
// ParseCollectorYaml; docs/agent.md), metrics_listen (host:port),
// guardrails (map, see ParseGuardrailsYaml), tls (map {cert, key, ca}).
struct AgentConfigFile {
  std::optional<std::string> host_id;
  std::vector<std::string> controllers;
  std::map<std::string, std::string> labels;
  std::optional<std::string> root;
  std::optional<std::string> state_dir;
  std::optional<absl::Duration> check_interval;
  // Checks without an interval get check_interval.
  struct Check {
    CheckSpec spec;
    bool has_interval = false;
  };
  std::vector<Check> checks;
  std::vector<CollectorEntry> collectors;     // names unique
  std::optional<std::string> metrics_listen;  // valid host:port, or ""
  GuardrailsSettings guardrails;              // entries valid
  TlsSettings tls;
};

// The values given on the command line; empty/nullopt means "not given".
struct AgentFlagValues {
  std::optional<std::string> host_id;
  std::vector<std::string> controllers;  // each may be comma-separated
  std::vector<std::string> labels;       // "key=value"
  std::optional<std::string> root;
  std::optional<std::string> state_dir;
  std::vector<std::string> checks;  // "NAME=COMMAND"
  std::optional<absl::Duration> check_interval;
  std::optional<std::string> metrics_listen;  // "" turns the file's off
  GuardrailsSettings guardrails;              // --guardrail-*
  TlsSettings tls;                            // --tls-cert, --tls-key, --tls-ca
};

// Parses a config file's text. kInvalidArgument naming the key, with line
// and column, for anything malformed or unknown.
absl::StatusOr<AgentConfigFile> ParseAgentConfigYaml(absl::string_view text);
absl::StatusOr<AgentConfigFile> LoadAgentConfigFile(const std::string& path);

// OK when `address` is HOST:PORT with a port in 1..65535 and a host name,
// IPv4 address or bracketed IPv6 address ("[::1]:9464"); kInvalidArgument
// saying what is wrong otherwise.
absl::Status ValidateListenAddress(absl::string_view address);

// Combines file and flags into a complete config: a flag given on the
// command line overrides the file; labels and checks merge by key/name with
// the flag winning; controllers given as flags replace the file's list.
// host_id defaults to `default_host_id`. Each guardrails key given as a
// flag replaces the file's (see MergeGuardrails); so does each TLS file
// (all three or none, see MergeTls).
//
// The state dir rule: it always lives below root, like every managed path.
// `--root /srv/h1 --state-dir /var/lib/swell-agent` gives
// /srv/h1/var/lib/swell-agent. A relative state dir is relative to root.
absl::StatusOr<AgentConfig> MergeAgentConfig(
    const AgentConfigFile& file, const AgentFlagValues& flags,
    const std::string& default_host_id);

}  // namespace swell::agent
