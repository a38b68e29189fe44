#pragma once

// The controller's two gRPC listeners (DESIGN.md: a reconnecting fleet
// never locks operators out):
// - the agent listener serves AgentService over mutual TLS: an agent must
//   present a certificate from the client CA, and its name is its host id;
// - the API listener serves RolloutService over TLS with the controller's
//   certificate; operators authenticate with bearer tokens.
// In insecure mode both are plaintext, and only loopback addresses are
// allowed.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/tls.h"
#include "grpcpp/grpcpp.h"

namespace swell::controller {

struct ListenerConfig {
  std::string agent_listen;  // host:port
  std::string api_listen;    // host:port
  // cert and key: the controller's; ca: the CA that issues hosts'
  // certificates (--tls_client_ca). Unused when insecure.
  common::TlsFiles tls;
  bool insecure = false;
  std::string pull_listen;  // host:port of the pull API; empty: none
};

// kInvalidArgument, naming the flag, when the config cannot be served
// safely: insecure with a non-loopback address, TLS files given with
// --insecure, or secure without them.
absl::Status CheckListenerConfig(const ListenerConfig& config);

// Starts a server on `listen` for `service`. kUnavailable when the address
// cannot be bound; kInvalidArgument for unusable TLS files.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartAgentServer(
    const ListenerConfig& config, grpc::Service* agents);
absl::StatusOr<std::unique_ptr<grpc::Server>> StartApiServer(
    const ListenerConfig& config, grpc::Service* api);

}  // namespace swell::controller
