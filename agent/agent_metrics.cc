#include "agent/agent_metrics.h"

#include <exception>
#include <utility>

#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"

namespace swell::agent {
namespace {

prometheus::MetricFamily Gauge(std::string name, std::string help) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Gauge;
  return f;
}

prometheus::ClientMetric GaugeValue(
    double value, std::vector<prometheus::ClientMetric::Label> labels) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  return m;
}

}  // namespace

AgentMetrics::AgentMetrics(Options options) : options_(std::move(options)) {}

void AgentMetrics::Record(const std::vector<swell::v1::Sample>& samples) {
  const absl::Time now = options_.clock->Now();
  absl::MutexLock lock(&mu_);
  for (const swell::v1::Sample& s : samples) {
    samples_[s.name()] = Newest{s.ok(), s.ok() ? s.value() : 0.0, now};
  }
}

std::vector<prometheus::MetricFamily> AgentMetrics::Collect() const {
  const prometheus::ClientMetric::Label host{"host", options_.host_id};
  prometheus::MetricFamily value =
      Gauge("swell_health_sample",
            "The newest value of a health sample; absent while its newest "
            "collection failed.");
  prometheus::MetricFamily ok =
      Gauge("swell_health_sample_ok",
            "1 when the newest collection of a health sample succeeded.");
  {
    const absl::Time oldest = options_.clock->Now() - options_.stale_after;
    absl::MutexLock lock(&mu_);
    for (const auto& [name, newest] : samples_) {
      if (newest.recorded < oldest) continue;
      const prometheus::ClientMetric::Label sample{"sample", name};
      if (newest.ok) {
        value.metric.push_back(GaugeValue(newest.value, {host, sample}));
      }
      ok.metric.push_back(GaugeValue(newest.ok ? 1.0 : 0.0, {host, sample}));
    }
  }
  prometheus::MetricFamily generation =
      Gauge("swell_agent_desired_generation",
            "The generation of the desired state the agent holds (0: none).");
  generation.metric.push_back(
      GaugeValue(static_cast<double>(options_.generation()), {host}));
  prometheus::MetricFamily connected =
      Gauge("swell_agent_controller_connected",
            "1 while the agent's stream to a controller is open.");
  connected.metric.push_back(
      GaugeValue(options_.connected() ? 1.0 : 0.0, {host}));
  std::vector<prometheus::MetricFamily> out = {std::move(value), std::move(ok),
                                               std::move(generation),
                                               std::move(connected)};
  if (options_.failed_attempts) {
    prometheus::MetricFamily failed;
    failed.name = "swell_agent_controller_failed_attempts_total";
    failed.help =
        "Attempts to reach a controller that never opened a stream: "
        "unreachable, or the TLS handshake refused (a certificate the "
        "controller does not accept, or a controller this host does not "
        "trust).";
    failed.type = prometheus::MetricType::Counter;
    prometheus::ClientMetric m;
    m.label = {host};
    m.counter.value = static_cast<double>(options_.failed_attempts());
    failed.metric.push_back(std::move(m));
    out.push_back(std::move(failed));
  }
  return out;
}

absl::StatusOr<std::unique_ptr<prometheus::Exposer>> ServeMetrics(
    const std::string& listen, const std::shared_ptr<AgentMetrics>& metrics) {
  // prometheus-cpp (civetweb) reports a failed bind by exception; this is
  // its one boundary.
  try {
    auto exposer = std::make_unique<prometheus::Exposer>(listen, 2);
    exposer->RegisterCollectable(metrics);
    return exposer;
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", listen, ": ", e.what()));
  }
}

}  // namespace swell::agent
