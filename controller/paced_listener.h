#pragma once

// The agent listener's accept, paced (issue 11). gRPC's own listener accepts
// every connection at once and works on all their TLS handshakes together:
// when a restarted controller meets thousands of reconnecting agents, every
// handshake then takes longer than the 20 s both sides allow, every retry
// adds one more, and almost none completes (5,000 agents: 34 back after
// 120 s). This listener accepts a connection only while fewer than
// `max_handshakes` are between their accept and their first stream; the
// rest wait in the kernel's accept queue, where they cost no CPU, and the
// handshakes in flight finish in a fraction of a second.
//
// A connection's slot is freed when a stream begins on it (StreamBegan,
// matched by the peer's address and port), or after `slot_timeout` (a
// refused certificate, a client that gave up). A connection whose client
// closed it while it waited in the queue is closed unhandled.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server_builder.h"

namespace swell::controller {

class PacedListener {
 public:
  struct Options {
    size_t max_handshakes = 256;
    absl::Duration slot_timeout = absl::Seconds(5);
  };

  // Binds `listen` (host:port; port 0 picks one) now, so that a bad or
  // busy address fails at start. kUnavailable when it cannot be bound,
  // kInvalidArgument when it is not host:port.
  static absl::StatusOr<std::unique_ptr<PacedListener>> Bind(
      const std::string& listen, Options options);
  ~PacedListener();  // stops

  // Starts accepting, handing each connection to `acceptor`
  // (ServerBuilder::experimental().AddExternalConnectionAcceptor) once its
  // server runs.
  void Start(
      std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor);
  // Stops accepting; connections already handed over stay with gRPC.
  void Stop();

  // A stream began on the connection from `peer` (ServerContext::peer(),
  // e.g. "ipv4:127.0.0.1:50432"): its handshake is over. Cheap; any thread.
  void StreamBegan(std::string_view peer);

  int port() const { return port_; }
  size_t max_handshakes() const { return options_.max_handshakes; }
  size_t handshakes_in_flight() const;
  // Connections in the kernel's accept queue now, waiting for a slot.
  size_t waiting() const;
  uint64_t accepted() const { return accepted_.load(); }
  // Closed unhandled: the client had already given up.
  uint64_t dropped_closed() const { return dropped_closed_.load(); }
  // Slots freed by slot_timeout rather than by a stream.
  uint64_t slots_expired() const { return slots_expired_.load(); }

  // "127.0.0.1:50432", "::1:50432": the key StreamBegan matches, from a
  // gRPC peer string. Exposed for tests.
  static std::string PeerKey(std::string_view grpc_peer);

 private:
  PacedListener(std::vector<int> fds, int port, Options options);
  void Run();
  void AcceptFrom(int listener);
  void ExpireSlots(absl::Time now);
  absl::Duration UntilNextExpiry(absl::Time now) const;

  const std::vector<int> listeners_;
  const int port_;
  const Options options_;
  const int wake_fd_;  // eventfd: a slot was freed, or Stop
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> acceptor_;
  std::thread thread_;
  std::atomic<bool> stop_{false};

  mutable absl::Mutex mu_;
  // Peer key -> when its slot expires.
  absl::flat_hash_map<std::string, absl::Time> in_flight_ ABSL_GUARDED_BY(mu_);

  std::atomic<uint64_t> accepted_{0};
  std::atomic<uint64_t> dropped_closed_{0};
  std::atomic<uint64_t> slots_expired_{0};
};

}  // namespace swell::controller
