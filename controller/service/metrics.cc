#include "controller/service/metrics.h"

#include <limits>
#include <string>
#include <utility>

#include "controller/service/fleet_gauges.h"

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

// Agent streams refused, by reason; every reason present.
prometheus::MetricFamily StreamsRefused(const AgentServiceImpl& agents) {
  prometheus::MetricFamily f;
  f.name = "swell_agent_streams_refused_total";
  f.help =
      "Agent streams refused: identity (the hello names another host than "
      "the certificate), no_certificate, revoked, capacity (the controller "
      "serves --max_agent_streams already).";
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

prometheus::MetricFamily Histogram(std::string name, std::string help,
                                   const common::DurationHistogram& h) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Histogram;
  const common::DurationHistogram::Reading r = h.Read();
  prometheus::ClientMetric m;
  m.histogram.sample_count = r.count;
  m.histogram.sample_sum = r.sum_seconds;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < r.counts.size(); ++i) {
    cumulative += r.counts[i];
    const bool last = i == common::DurationHistogram::kBoundsSeconds.size();
    m.histogram.bucket.push_back(
        {cumulative, last ? std::numeric_limits<double>::infinity()
                          : common::DurationHistogram::kBoundsSeconds[i]});
  }
  f.metric.push_back(std::move(m));
  return f;
}

// Every result and dry_run pair present, zeros included.
prometheus::MetricFamily GateVerdicts(const GateVerdictCounts& counts) {
  prometheus::MetricFamily f;
  f.name = "swell_gate_verdicts_total";
  f.help =
      "Gate verdicts stored, by result (pass, fail, inconclusive) and "
      "dry_run: a failure that stopped a rollout, a dry-run gate's failure, "
      "or any verdict at the end of a bake; once per wave, gate and result.";
  f.type = prometheus::MetricType::Counter;
  for (GateResult r : GateVerdictCounts::kResults) {
    for (bool dry_run : {false, true}) {
      prometheus::ClientMetric m;
      m.label = {{"dry_run", dry_run ? "true" : "false"},
                 {"result", std::string(GateResultName(r))}};
      m.counter.value = static_cast<double>(counts.Get(r, dry_run));
      f.metric.push_back(std::move(m));
    }
  }
  return f;
}

prometheus::MetricFamily DatabaseErrors(const Reconciler::Stats& s) {
  prometheus::MetricFamily f;
  f.name = "swell_database_errors_total";
  f.help =
      "The reconciler's loads and commits that the database failed or "
      "refused, by operation.";
  f.type = prometheus::MetricType::Counter;
  for (auto [op, n] : {std::pair{"commit", s.commit_failures.load()},
                       std::pair{"load", s.load_failures.load()}}) {
    prometheus::ClientMetric m;
    m.label = {{"operation", op}};
    m.counter.value = static_cast<double>(n);
    f.metric.push_back(std::move(m));
  }
  return f;
}

// The model's gauges, from the newest published snapshot.
std::vector<prometheus::MetricFamily> ModelFamilies(
    const Reconciler& reconciler) {
  FleetGauges g;
  if (reconciler.snapshots() != nullptr) {
    if (auto fleet = reconciler.snapshots()->Latest().fleet) {
      g = CountFleet(*fleet, reconciler.agents(), reconciler.clock().Now(),
                     reconciler.agent_grace());
    }
  }
  return FleetFamilies(g);
}

std::vector<prometheus::MetricFamily> AcceptFamilies(
    const PacedListener& paced) {
  using prometheus::MetricType;
  return {
      One("swell_agent_handshakes_in_flight",
          "Agent connections accepted whose first stream has not begun yet.",
          MetricType::Gauge, static_cast<double>(paced.handshakes_in_flight())),
      One("swell_agent_handshakes_max",
          "Agent connections accepted at most before their first stream "
          "(--max_agent_handshakes); the rest wait in the accept queue.",
          MetricType::Gauge, static_cast<double>(paced.max_handshakes())),
      One("swell_agent_connections_waiting",
          "Agent connections in the kernel's accept queue now.",
          MetricType::Gauge, static_cast<double>(paced.waiting())),
      One("swell_agent_connections_accepted_total",
          "Agent connections accepted and handed to gRPC.", MetricType::Counter,
          static_cast<double>(paced.accepted())),
      One("swell_agent_connections_dropped_total",
          "Agent connections closed unhandled: their client had given up "
          "while they waited to be accepted.",
          MetricType::Counter, static_cast<double>(paced.dropped_closed())),
      One("swell_agent_handshake_slots_expired_total",
          "Accepted agent connections that began no stream within 5 s "
          "(a refused certificate, a client that gave up).",
          MetricType::Counter, static_cast<double>(paced.slots_expired())),
  };
}

}  // namespace

std::vector<prometheus::MetricFamily> ControllerMetrics::Collect() const {
  using prometheus::MetricType;
  const auto& s = reconciler_->stats();
  std::vector<prometheus::MetricFamily> out = {
      One("swell_agents_connected", "Agent streams open now.",
          MetricType::Gauge, static_cast<double>(sessions_->size())),
      One("swell_agent_streams_max",
          "Agent streams this controller serves at most "
          "(--max_agent_streams); more are refused with RESOURCE_EXHAUSTED.",
          MetricType::Gauge, static_cast<double>(agents_->max_streams())),
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
      Histogram("swell_reconciler_tick_duration_seconds",
                "How long one reconciler tick took: inbox, decisions, "
                "commit and pushes.",
                s.tick_duration),
      Histogram("swell_reconciler_commit_duration_seconds",
                "How long the database took to commit one tick's decisions "
                "(failed commits included).",
                s.commit_duration),
      GateVerdicts(s.gate_verdicts),
      DatabaseErrors(s),
  };
  for (auto& f : ModelFamilies(*reconciler_)) out.push_back(std::move(f));
  if (paced_ != nullptr) {
    for (auto& f : AcceptFamilies(*paced_)) out.push_back(std::move(f));
  }
  return out;
}

std::vector<prometheus::MetricFamily> LeadershipMetrics::Collect() const {
  using prometheus::MetricType;
  const bool leading = election_->leading();
  prometheus::MetricFamily leader =
      One("swell_leader", "1 while this replica leads (runs the reconciler).",
          MetricType::Gauge, leading ? 1.0 : 0.0);
  leader.metric.front().label.push_back({"replica", election_->replica()});
  return {
      std::move(leader),
      One("swell_leader_epoch",
          "The epoch of this replica's newest term as leader (0: never led).",
          MetricType::Gauge, static_cast<double>(election_->epoch())),
      One("swell_leader_since_seconds",
          "When this replica's term began, Unix seconds (0: not leading).",
          MetricType::Gauge,
          leading
              ? absl::ToDoubleSeconds(election_->since() - absl::UnixEpoch())
              : 0.0),
      One("swell_commits_fenced_total",
          "Commits refused because another replica leads at a newer epoch.",
          MetricType::Counter, static_cast<double>(store_->fenced_commits())),
  };
}

}  // namespace swell::controller
