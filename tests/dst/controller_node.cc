#include "tests/dst/controller_node.h"

namespace swell::dst {

ControllerNode::ControllerNode(controller::Store* store,
                               const common::Clock* clock,
                               controller::FleetSnapshots* snapshots)
    : clock_(clock), tracker_(clock->Now()) {
  controller::Reconciler::Options options;
  options.snapshots = snapshots;
  options.run_thread = false;
  reconciler_ = std::make_unique<controller::Reconciler>(
      store, &tracker_, &sessions_, &health_, clock, options);
}

controller::AgentMessageTargets ControllerNode::Targets(
    std::function<void(const swell::v1::Hello&)> connected) {
  return controller::AgentMessageTargets{
      .tracker = &tracker_,
      .health = &health_,
      .clock = clock_,
      .health_reports = &health_reports_,
      .samples_refused = &samples_refused_,
      .admit = nullptr,  // the simulation has no certificates nor revocation
      .connected =
          [this,
           connected = std::move(connected)](const swell::v1::Hello& hello) {
            connected(hello);
            reconciler_->OnHello(hello);
          },
      .wake = [this] { reconciler_->Wake(); },
  };
}

void ControllerNode::StreamEnded(const std::string& host,
                                 controller::DesiredStateSink* sink) {
  sessions_.Unregister(host, sink);
  tracker_.Disconnected(host, clock_->Now());
  reconciler_->OnGone(host);
  reconciler_->Wake();
}

}  // namespace swell::dst
