#include "controller/rollout/reconnect_window.h"

#include <algorithm>

namespace swell::controller {

WatchedAgents CountWatchedAgents(const Fleet& fleet,
                                 const AgentObservations& agents) {
  WatchedAgents out;
  for (const auto& [id, rec] : fleet.rollouts) {
    if (!IsActive(rec.rollout)) continue;
    for (const auto& [host, rh] : rec.hosts) {
      switch (rh.state) {
        case HostState::kAdmitting:
        case HostState::kApplying:
        case HostState::kConverged:
        case HostState::kRollingBack:
          ++out.watched;
          if (agents.Connected(host)) ++out.connected;
          break;
        default:
          break;
      }
    }
  }
  return out;
}

void ReconnectWindow::Open(absl::Time loaded, absl::Duration reconnect,
                           absl::Duration grace) {
  loaded_ = loaded;
  reconnect_ = reconnect;
  grace_ = grace;
  back_by_ = loaded + reconnect;
  fleet_back_ = false;
}

void ReconnectWindow::Note(absl::Time now, bool heard_hellos,
                           WatchedAgents watched) {
  if (!fleet_back_) {
    fleet_back_ = watched.connected >= kFleetBackShare * watched.watched;
    const absl::Time limit = loaded_ + reconnect_ + kFleetReturnLimit;
    if (!fleet_back_ && now < limit) {
      back_by_ = std::max(back_by_, std::min(limit, now + reconnect_));
    }
  }
  // The last of the fleet: hellos that go on arriving within a backoff of
  // the window's end keep it open.
  const absl::Time limit = loaded_ + reconnect_ + grace_;
  if (heard_hellos && now < back_by_ + reconnect_) {
    back_by_ = std::max(back_by_, std::min(limit, now + reconnect_));
  }
}

}  // namespace swell::controller
