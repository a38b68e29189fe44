#pragma once

#include <memory>
#include <vector>

#include "controller/reconciler.h"
#include "controller/service/agent_service.h"
#include "controller/service/promql_poller.h"
#include "controller/service/session_registry.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace swell::controller {

// The controller's /metrics, read at scrape time from the counters the
// parts already keep (no per-event locking for metrics), and from the model
// the reconciler last published (rollouts, hosts, the freeze; see
// fleet_gauges.h), so that a scrape never waits for nor slows a tick.
// Every family is present from the first scrape. Thread-safe.
class ControllerMetrics final : public prometheus::Collectable {
 public:
  ControllerMetrics(const Reconciler* reconciler,
                    const AgentServiceImpl* agents,
                    const SessionRegistry* sessions, const PromqlPoller* promql)
      : reconciler_(reconciler),
        agents_(agents),
        sessions_(sessions),
        promql_(promql) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Reconciler* reconciler_;
  const AgentServiceImpl* agents_;
  const SessionRegistry* sessions_;
  const PromqlPoller* promql_;
};

}  // namespace swell::controller
