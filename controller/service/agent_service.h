#pragma once

#include <atomic>
#include <functional>

#include "absl/status/status.h"
#include "common/clock.h"
#include "controller/gate/health_window.h"
#include "controller/service/agent_tracker.h"
#include "controller/service/session_registry.h"
#include "swell/v1/agent.grpc.pb.h"

namespace swell::controller {

// Callbacks the service makes into the reconciler. Both must be cheap and
// must not block: they run inside gRPC reactions.
struct AgentEvents {
  std::function<void(const swell::v1::Hello&)> hello;  // a stream said hello
  std::function<void()> wake;  // something the reconciler waits on changed
};

// AgentService on the callback API: one reactor per stream, no thread per
// agent, no database call inside a reaction. Reads update the tracker and
// the health window; writes send the newest desired state, one in flight.
class AgentServiceImpl final : public swell::v1::AgentService::CallbackService {
 public:
  AgentServiceImpl(SessionRegistry* sessions, AgentTracker* tracker,
                   HealthWindow* health, AgentEvents events,
                   const common::Clock* clock);

  grpc::ServerBidiReactor<swell::v1::AgentMessage,
                          swell::v1::ControllerMessage>*
  Connect(grpc::CallbackServerContext* ctx) override;

  // Counters for /metrics.
  std::atomic<uint64_t> health_reports{0};
  std::atomic<uint64_t> samples_refused{0};
  std::atomic<uint64_t> streams_rejected{0};

 private:
  friend class AgentStream;
  SessionRegistry* sessions_;
  AgentTracker* tracker_;
  HealthWindow* health_;
  AgentEvents events_;
  const common::Clock* clock_;
};

// Checks a Hello's bounds: host id shape and length, label count and sizes.
// kInvalidArgument naming the field otherwise.
absl::Status ValidateHello(const swell::v1::Hello& hello);

}  // namespace swell::controller
