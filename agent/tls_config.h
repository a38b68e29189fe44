#pragma once

// The agent's TLS files: its certificate and key, which say which host it
// is, and the CA that verifies the controller. From the config file's
// `tls:` map and the --tls-cert, --tls-key and --tls-ca flags.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "yaml-cpp/yaml.h"

namespace swell::agent {

// The keys a config file's `tls:` map or the flags set; nullopt: not set
// there.
struct TlsSettings {
  std::optional<std::string> cert;
  std::optional<std::string> key;
  std::optional<std::string> ca;
};

// The files an agent runs with: all three, or none (then it may only run
// with --insecure).
struct AgentTlsFiles {
  std::string cert;
  std::string key;
  std::string ca;
  bool empty() const { return cert.empty() && key.empty() && ca.empty(); }
};

// Parses the `tls:` map {cert, key, ca}: all three, each a non-empty file
// path. kInvalidArgument naming the key, with line and column, for anything
// missing, malformed or unknown.
absl::StatusOr<TlsSettings> ParseTlsYaml(const YAML::Node& node);

// Each file from the flags when given there, else from the file. All three
// or none: kInvalidArgument naming what is missing otherwise. The files
// themselves are read by ControllerCredentials.
absl::StatusOr<AgentTlsFiles> MergeTls(const TlsSettings& file,
                                       const TlsSettings& flags);

// Credentials for the controller link: mutual TLS from `files` (re-read
// when they change on disk, so certificates rotate without a restart), or
// plaintext when `files` is empty. kInvalidArgument naming the flag
// (--tls-cert, ...) and the file when a file is missing, unreadable, not
// PEM, or the key does not match the certificate.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ControllerCredentials(
    const AgentTlsFiles& files);

// The agent runs with TLS files, or with `insecure` (plaintext) when every
// controller address is loopback (common::IsLoopbackAddress); never with
// both, never with neither. kInvalidArgument saying which rule was broken
// and what to give instead.
absl::Status CheckTransport(const AgentTlsFiles& tls,
                            const std::vector<std::string>& controllers,
                            bool insecure);

}  // namespace swell::agent
