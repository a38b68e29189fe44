#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "common/clock.h"
#include "controller/gate/health_window.h"
#include "controller/service/agent_messages.h"
#include "controller/service/agent_tracker.h"
#include "controller/service/session_registry.h"
#include "controller/service/stream_refusals.h"
#include "grpcpp/server_builder.h"
#include "swell/v1/agent.grpc.pb.h"

namespace swell::controller {

// Callbacks the service makes into the reconciler. Both must be cheap and
// must not block: they run inside gRPC reactions.
struct AgentEvents {
  std::function<void(const swell::v1::Hello&)> hello;  // a stream said hello
  std::function<void()> wake;  // something the reconciler waits on changed
  // The stream of a host that had said hello ended; may be empty.
  std::function<void(const std::string& host)> gone;
};

// Who a stream speaks for.
enum class AgentIdentity {
  // The host id is the verified client certificate's one DNS subjectAltName
  // (common::PeerHostId); a hello naming another host is refused with
  // PERMISSION_DENIED before anything is recorded, so the real host's
  // stream is not disturbed. The server must require client certificates.
  kCertificate,
  // Whatever the hello says: any process that reaches the port may speak
  // for any host. Only for --insecure on loopback.
  kHelloUnverified,
};

// AgentService on the callback API: one reactor per stream, no thread per
// agent, no database call inside a reaction. Reads update the tracker and
// the health window; writes send the newest desired state, one in flight.
// A hello is admitted only when `identity` allows its host id and the host
// is not revoked (SessionRegistry); refusals are counted in refusals().
class AgentServiceImpl final : public swell::v1::AgentService::CallbackService {
 public:
  AgentServiceImpl(SessionRegistry* sessions, AgentTracker* tracker,
                   HealthWindow* health, AgentEvents events,
                   const common::Clock* clock, AgentIdentity identity);

  grpc::ServerBidiReactor<swell::v1::AgentMessage,
                          swell::v1::ControllerMessage>*
  Connect(grpc::CallbackServerContext* ctx) override;

  // Counters for /metrics.
  std::atomic<uint64_t> health_reports{0};
  std::array<std::atomic<uint64_t>, kSampleRefusalCount>
      samples_refused{};  // by SampleRefusal
  std::atomic<uint64_t> streams_rejected{0};
  uint64_t samples_refused_total() const;
  // Streams refused: for who they are (identity, certificate, revocation),
  // or because max_streams() are open already.
  const StreamRefusals& refusals() const { return refusals_; }

  // At most `n` streams are served at once (default: no bound); one more is
  // refused with RESOURCE_EXHAUSTED before it says anything, and its agent
  // retries with backoff, perhaps at another replica. Every stream holds a
  // descriptor: this keeps the process's last ones for the API and the
  // database (common::AgentStreamCapacity). Call before serving.
  void set_max_streams(size_t n) { max_streams_ = n; }
  size_t max_streams() const { return max_streams_; }
  // Streams open now, refused ones included until they end.
  size_t open_streams() const { return open_streams_.load(); }

  const HealthWindow& health() const { return *health_; }

  // Called with ServerContext::peer() when a stream begins, before anything
  // else (PacedListener::StreamBegan: the connection's handshake is over).
  // Call before serving.
  void set_stream_began(std::function<void(const std::string& peer)> f) {
    stream_began_ = std::move(f);
  }

 private:
  friend class AgentStream;
  SessionRegistry* sessions_;
  AgentTracker* tracker_;
  HealthWindow* health_;
  AgentEvents events_;
  const common::Clock* clock_;
  const AgentIdentity identity_;
  StreamRefusals refusals_;
  size_t max_streams_ = SIZE_MAX;
  std::atomic<size_t> open_streams_{0};
  std::function<void(const std::string& peer)> stream_began_;
};

// The largest message either side of an agent stream may send. A hello or
// an actual report carries the contents of the host's managed files, the
// mirror of its desired state, so both directions share one limit. Larger
// messages are refused by gRPC itself (RESOURCE_EXHAUSTED) before they are
// parsed.
inline constexpr int kMaxAgentMessageBytes = 16 << 20;

// Applies kMaxAgentMessageBytes to a server that serves AgentServiceImpl.
// The limits are per server, not per service.
void SetAgentMessageLimits(grpc::ServerBuilder* builder);

}  // namespace swell::controller
