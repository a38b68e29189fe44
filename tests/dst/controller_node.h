#pragma once

// One incarnation of the controller's in-memory half: the reconciler, the
// agent tracker, the session registry and the health window, over a store
// that outlives it. A crash destroys the node; a restart builds a new one
// on the same store (DESIGN "controller threads": nothing here survives a
// restart but what was committed).

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "absl/status/status.h"
#include "common/clock.h"
#include "controller/fleet_snapshots.h"
#include "controller/gate/health_window.h"
#include "controller/reconciler.h"
#include "controller/service/agent_messages.h"
#include "controller/service/agent_tracker.h"
#include "controller/service/session_registry.h"
#include "controller/store/store.h"

namespace swell::dst {

class ControllerNode {
 public:
  // Nothing is owned; everything must outlive the node.
  ControllerNode(controller::Store* store, const common::Clock* clock,
                 controller::FleetSnapshots* snapshots);
  ControllerNode(const ControllerNode&) = delete;
  ControllerNode& operator=(const ControllerNode&) = delete;

  // Loads the model from the store (Reconciler::Start, without a thread).
  [[nodiscard]] absl::Status Start() { return reconciler_->Start(); }

  // What a stream's AgentMessageHandler updates, as AgentStream wires it:
  // `connected` runs once the hello was accepted and tracked.
  controller::AgentMessageTargets Targets(
      std::function<void(const swell::v1::Hello&)> connected);

  // What AgentStream::OnDone does when a stream of `host` ends.
  void StreamEnded(const std::string& host, controller::DesiredStateSink* sink);

  controller::Reconciler& reconciler() { return *reconciler_; }
  controller::AgentTracker& tracker() { return tracker_; }
  controller::SessionRegistry& sessions() { return sessions_; }

 private:
  const common::Clock* clock_;
  controller::AgentTracker tracker_;
  controller::SessionRegistry sessions_;
  controller::HealthWindow health_;
  std::atomic<uint64_t> health_reports_{0};
  std::array<std::atomic<uint64_t>, controller::kSampleRefusalCount>
      samples_refused_{};
  std::unique_ptr<controller::Reconciler> reconciler_;  // destroyed first
};

}  // namespace swell::dst
