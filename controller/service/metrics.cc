#include "controller/service/metrics.h"

#include <string>

namespace swell::controller {
namespace {

prometheus::MetricFamily One(std::string name, std::string help,
                             prometheus::MetricType type, double value) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

// One series a refusal reason, every reason present (a counter that
// appears only once it is non-zero breaks rate() and alerts).
prometheus::MetricFamily SamplesRefused(const AgentServiceImpl& agents) {
  prometheus::MetricFamily f;
  f.name = "swell_health_samples_refused_total";
  f.help =
      "Health samples refused for exceeding a bound, by reason "
      "(see docs/runbook.md).";
  f.type = prometheus::MetricType::Counter;
  for (size_t i = 0; i < kSampleRefusalCount; ++i) {
    prometheus::ClientMetric m;
    m.label.push_back({"reason", std::string(SampleRefusalName(
                                     static_cast<SampleRefusal>(i)))});
    m.counter.value = static_cast<double>(agents.samples_refused[i].load());
    f.metric.push_back(std::move(m));
  }
  return f;
}

// Agent streams refused for who they are; every reason present.
prometheus::MetricFamily StreamsRefused(const AgentServiceImpl& agents) {
  prometheus::MetricFamily f;
  f.name = "swell_agent_streams_refused_total";
  f.help =
      "Agent streams refused for who they are: identity (the hello names "
      "another host than the certificate), no_certificate, revoked.";
  f.type = prometheus::MetricType::Counter;
  for (size_t i = 0; i < kStreamRefusalCount; ++i) {
    const auto reason = static_cast<StreamRefusal>(i);
    prometheus::ClientMetric m;
    m.label.push_back({"reason", std::string(StreamRefusalName(reason))});
    m.counter.value = static_cast<double>(agents.refusals().count(reason));
    f.metric.push_back(std::move(m));
  }
  return f;
}

}  // namespace

std::vector<prometheus::MetricFamily> ControllerMetrics::Collect() const {
  using prometheus::MetricType;
  const auto& s = reconciler_->stats();
  return {
      One("swell_agents_connected", "Agent streams open now.",
          MetricType::Gauge, static_cast<double>(sessions_->size())),
      One("swell_rollouts_active", "Rollouts not yet succeeded or rolled back.",
          MetricType::Gauge, static_cast<double>(s.active_rollouts.load())),
      One("swell_fleet_frozen", "1 while the fleet is frozen.",
          MetricType::Gauge, s.frozen.load() ? 1.0 : 0.0),
      One("swell_database_up",
          "0 while the database does not answer the reconciler: nothing "
          "advances, agents keep their current state.",
          MetricType::Gauge, s.database_down_since_ms.load() == 0 ? 1.0 : 0.0),
      One("swell_reconciler_ticks_total", "Reconciler loop iterations.",
          MetricType::Counter, static_cast<double>(s.ticks.load())),
      One("swell_reconciler_commits_total", "Decisions committed.",
          MetricType::Counter, static_cast<double>(s.commits.load())),
      One("swell_reconciler_commit_failures_total",
          "Commits that failed (the model is then reloaded).",
          MetricType::Counter, static_cast<double>(s.commit_failures.load())),
      One("swell_desired_state_pushes_total",
          "Desired states queued to agent streams.", MetricType::Counter,
          static_cast<double>(s.pushes.load())),
      One("swell_health_reports_total", "Health reports received.",
          MetricType::Counter,
          static_cast<double>(agents_->health_reports.load())),
      SamplesRefused(*agents_),
      One("swell_health_window_bytes",
          "Memory the health windows of all hosts keep, in bytes.",
          MetricType::Gauge,
          static_cast<double>(agents_->health().BytesKept())),
      One("swell_health_window_max_bytes",
          "The health windows' budget (--health_window_max_mib), in bytes.",
          MetricType::Gauge,
          static_cast<double>(agents_->health().max_bytes())),
      One("swell_health_window_hosts_evicted_total",
          "Idle hosts' health windows forgotten to make room.",
          MetricType::Counter,
          static_cast<double>(agents_->health().hosts_evicted())),
      One("swell_agent_streams_rejected_total",
          "Agent streams closed for sending invalid messages.",
          MetricType::Counter,
          static_cast<double>(agents_->streams_rejected.load())),
      StreamsRefused(*agents_),
      One("swell_promql_queries_total",
          "PromQL gate queries asked of Prometheus servers.",
          MetricType::Counter,
          static_cast<double>(promql_->stats().queries.load())),
      One("swell_promql_query_failures_total",
          "PromQL gate queries with no answer or an error answer.",
          MetricType::Counter,
          static_cast<double>(promql_->stats().failures.load())),
  };
}

}  // namespace swell::controller
