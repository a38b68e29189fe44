#include "controller/listeners.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace swell::controller {
namespace {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(
    const ListenerConfig& config, bool agents) {
  if (config.insecure) return grpc::InsecureServerCredentials();
  common::TlsFiles files = config.tls;
  if (!agents) files.ca.clear();  // operators present tokens, not certs
  files.flag_prefix = "--tls_";
  files.ca_flag = "--tls_client_ca";
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
      common::TlsServerCredentials(files, /*require_client_cert=*/agents);
  if (!creds.ok() && agents && config.tls.ca.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca: required: the CA that issues hosts' certificates");
  }
  return creds;
}

absl::StatusOr<std::unique_ptr<grpc::Server>> Build(
    grpc::ServerBuilder& builder, const std::string& listen,
    const std::shared_ptr<grpc::ServerCredentials>& creds) {
  int port = 0;
  builder.AddListeningPort(listen, creds, &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", listen));
  }
  return server;
}

}  // namespace

absl::Status CheckListenerConfig(const ListenerConfig& config) {
  if (config.insecure) {
    for (const auto& [flag, address] :
         {std::pair{"--listen", &config.agent_listen},
          std::pair{"--api_listen", &config.api_listen},
          std::pair{"--pull_listen", &config.pull_listen}}) {
      if (!address->empty() && !common::IsLoopbackAddress(*address)) {
        return absl::InvalidArgumentError(absl::StrCat(
            flag,
            ": --insecure serves only loopback addresses (127.0.0.0/8, "
            "::1, localhost), not ",
            *address, "; give --tls_cert, --tls_key and --tls_client_ca"));
      }
    }
    if (!config.tls.cert.empty() || !config.tls.key.empty() ||
        !config.tls.ca.empty()) {
      return absl::InvalidArgumentError(
          "--insecure: cannot be given with --tls_cert, --tls_key or "
          "--tls_client_ca");
    }
    return absl::OkStatus();
  }
  if (config.tls.cert.empty() || config.tls.key.empty() ||
      config.tls.ca.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert, --tls_key and --tls_client_ca are required (the "
        "controller's certificate and key, and the CA of hosts' "
        "certificates); for a local experiment only, --insecure on loopback");
  }
  if (config.agent_listen == config.api_listen) {
    return absl::InvalidArgumentError(
        "--api_listen: must differ from --listen (agents and operators have "
        "listeners of their own)");
  }
  if (config.pull_listen == config.agent_listen ||
      config.pull_listen == config.api_listen) {
    return absl::InvalidArgumentError(
        "--pull_listen: must differ from --listen and --api_listen");
  }
  // The files themselves, before anything else starts.
  for (bool agents : {true, false}) {
    if (auto creds = Credentials(config, agents); !creds.ok()) {
      return creds.status();
    }
  }
  return absl::OkStatus();
}

void AgentListener::Shutdown(absl::Duration grace) {
  if (paced != nullptr) paced->Stop();
  if (server != nullptr) {
    server->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  }
}

absl::StatusOr<AgentListener> StartAgentServer(const ListenerConfig& config,
                                               AgentServiceImpl* agents) {
  auto creds = Credentials(config, /*agents=*/true);
  if (!creds.ok()) return creds.status();
  grpc::ServerBuilder builder;
  builder.RegisterService(agents);
  SetAgentMessageLimits(&builder);
  // Bounded memory per agent stream: a small flow-control window, and TLS
  // records of at most 4 KB, so that each connection's frame protector
  // keeps a 4 KB buffer rather than 16 KB (8 KB less per agent, measured).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 * 1024);
  builder.AddChannelArgument(GRPC_ARG_TSI_MAX_FRAME_SIZE, 4096);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  // An agent gives up on a connection whose handshake has not finished in
  // 20 s (agent::ControllerLink's connect_timeout) and opens another. gRPC's
  // server would keep the abandoned one for 120 s: in a reconnect storm the
  // abandoned handshakes then held most of the process's descriptors
  // (19,769 with 5,000 agents). They now end when the agent gives up.
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS, 20000);
  AgentListener listener;
  if (config.max_agent_handshakes == 0) {
    auto server = Build(builder, config.agent_listen, *creds);
    if (!server.ok()) return server.status();
    listener.server = *std::move(server);
    return listener;
  }
  // Bound first, so that a busy port fails before anything serves.
  auto paced = PacedListener::Bind(
      config.agent_listen, {.max_handshakes = config.max_agent_handshakes});
  if (!paced.ok()) return paced.status();
  listener.paced = *std::move(paced);
  agents->set_stream_began(
      [paced = listener.paced.get()](const std::string& peer) {
        paced->StreamBegan(peer);
      });
  auto acceptor = builder.experimental().AddExternalConnectionAcceptor(
      grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD,
      *creds);
  listener.server = builder.BuildAndStart();
  if (listener.server == nullptr) {
    return absl::UnavailableError("cannot start the agent listener");
  }
  listener.paced->Start(std::move(acceptor));
  return listener;
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartApiServer(
    const ListenerConfig& config, grpc::Service* api) {
  auto creds = Credentials(config, /*agents=*/false);
  if (!creds.ok()) return creds.status();
  grpc::ServerBuilder builder;
  builder.RegisterService(api);
  // A plan is at most 1 MiB; 4 MiB leaves room for the request around it.
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.SetMaxSendMessageSize(64 << 20);  // a whole fleet's status
  return Build(builder, config.api_listen, *creds);
}

}  // namespace swell::controller
