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
#include "controller/paced_listener.h"
#include "controller/service/agent_service.h"
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
  // Agent connections between their accept and their first stream, at most
  // (PacedListener); 0: gRPC's own listener accepts every one at once.
  size_t max_agent_handshakes = 256;
};

// The agent listener: gRPC's server, fed by a PacedListener unless
// max_agent_handshakes is 0.
struct AgentListener {
  std::unique_ptr<PacedListener> paced;  // null: gRPC accepts by itself
  std::unique_ptr<grpc::Server> server;

  // Stops accepting, then ends the streams (gRPC's Shutdown).
  void Shutdown(absl::Duration grace);
};

// kInvalidArgument, naming the flag, when the config cannot be served
// safely: insecure with a non-loopback address, TLS files given with
// --insecure, or secure without them.
absl::Status CheckListenerConfig(const ListenerConfig& config);

// Starts a server on `listen` for `service`. kUnavailable when the address
// cannot be bound; kInvalidArgument for unusable TLS files.
absl::StatusOr<AgentListener> StartAgentServer(const ListenerConfig& config,
                                               AgentServiceImpl* agents);
absl::StatusOr<std::unique_ptr<grpc::Server>> StartApiServer(
    const ListenerConfig& config, grpc::Service* api);

}  // namespace swell::controller
