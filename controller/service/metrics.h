#pragma once

#include <memory>
#include <vector>

#include "controller/paced_listener.h"
#include "controller/reconciler.h"
#include "controller/service/agent_service.h"
#include "controller/service/promql_poller.h"
#include "controller/service/session_registry.h"
#include "controller/store/leader_election.h"
#include "controller/store/postgres_store.h"
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

  // The agent listener's pacing, when it paces (--max_agent_handshakes).
  void set_paced_listener(const PacedListener* paced) { paced_ = paced; }

 private:
  const PacedListener* paced_ = nullptr;
  const Reconciler* reconciler_;
  const AgentServiceImpl* agents_;
  const SessionRegistry* sessions_;
  const PromqlPoller* promql_;
};

// Whether this replica leads, since when and at which epoch, and how many of
// its commits fencing refused (controller/store/leader_election.h). Served
// from the start, also while the replica is a standby.
class LeadershipMetrics final : public prometheus::Collectable {
 public:
  LeadershipMetrics(const LeaderElection* election, const PostgresStore* store)
      : election_(election), store_(store) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const LeaderElection* election_;
  const PostgresStore* store_;
};

}  // namespace swell::controller
