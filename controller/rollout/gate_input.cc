#include "controller/rollout/gate_input.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/gate/gate_format.h"

namespace swell::controller {
namespace {

bool Admitted(HostState s) {
  return s == HostState::kApplying || s == HostState::kConverged ||
         s == HostState::kFailed || s == HostState::kRollingBack ||
         s == HostState::kRolledBack;
}

std::vector<double> GoodValues(const std::vector<HealthPoint>& points) {
  std::vector<double> out;
  for (const HealthPoint& p : points) {
    if (p.ok) out.push_back(p.value);
  }
  return out;
}

std::string LabelOf(const std::map<std::string, Host>& hosts,
                    const std::string& id, const std::string& label) {
  auto h = hosts.find(id);
  if (h == hosts.end()) return "";
  auto v = h->second.labels.find(label);
  return v == h->second.labels.end() ? "" : v->second;
}

}  // namespace

GateInput GateInputFor(const GateSpec& g,
                       const std::map<std::string, RolloutHost>& hosts,
                       const std::map<std::string, Host>& fleet_hosts,
                       const HealthReader& health, absl::Time phase_started) {
  GateInput in;
  const bool latest =
      g.kind == GateKind::kMetric || g.kind == GateKind::kFraction;
  const bool baseline = g.kind == GateKind::kBaseline;
  for (const auto& [id, h] : hosts) {
    if (baseline && h.state == HostState::kWaiting) {
      in.control_series[id] =
          GoodValues(health.Since(id, g.metric, phase_started));
      in.roles[id] = LabelOf(fleet_hosts, id, g.baseline.role_label);
      continue;
    }
    if (!Admitted(h.state)) continue;
    ++in.admitted_hosts;
    if (h.state == HostState::kFailed) in.failed_hosts.push_back(id);
    if (h.state != HostState::kConverged) continue;
    if (latest) {
      auto p = health.Latest(id, g.metric, h.updated);
      in.samples[id] =
          (p && p->ok) ? std::optional<double>(p->value) : std::nullopt;
      if (p) in.sample_at[id] = p->at;
    } else if (baseline) {
      std::vector<HealthPoint> points =
          health.Since(id, g.metric, std::max(phase_started, h.updated));
      in.changed_series[id] = GoodValues(points);
      if (!points.empty()) in.sample_at[id] = points.back().at;
      in.roles[id] = LabelOf(fleet_hosts, id, g.baseline.role_label);
    }
  }
  return in;
}

HealthSnapshot::MetricSet GatedMetrics(const Fleet& fleet) {
  HealthSnapshot::MetricSet out;
  for (const auto& [id, r] : fleet.rollouts) {
    if (!IsActive(r.rollout)) continue;
    for (const GateSpec& g : r.plan.gates) {
      if (g.kind == GateKind::kMetric || g.kind == GateKind::kFraction ||
          g.kind == GateKind::kBaseline) {
        out.insert(g.metric);
      }
    }
  }
  return out;
}

std::string PromqlQueryFor(const GateSpec& g, const std::string& rollout_id,
                           const std::map<std::string, RolloutHost>& hosts) {
  std::vector<std::string> admitted;
  for (const auto& [id, h] : hosts) {
    if (h.state == HostState::kApplying || h.state == HostState::kConverged ||
        h.state == HostState::kFailed) {
      admitted.push_back(id);
    }
  }
  return ExpandPromqlQuery(g.promql.query, rollout_id, admitted);
}

absl::Duration PromqlStaleAfter(const GateSpec& g) {
  return 3 * g.promql.interval + kPromqlTimeout;
}

void AddPromqlInput(const GateSpec& g, const std::string& rollout_id,
                    const std::map<std::string, RolloutHost>& hosts,
                    const PromqlReadings* readings, absl::Time phase_started,
                    absl::Time now, GateInput* in) {
  in->promql_query = PromqlQueryFor(g, rollout_id, hosts);
  std::optional<PromqlReading> r =
      readings ? readings->Latest(PromqlKey(rollout_id, g.name)) : std::nullopt;
  if (!r || r->query != in->promql_query || r->url != g.promql.url ||
      r->at < phase_started) {
    in->promql_missing = absl::StrCat("no answer from ", g.promql.url,
                                      " yet for the current hosts");
  } else if (now - r->at > PromqlStaleAfter(g)) {
    in->promql_missing = absl::StrCat(
        "the newest answer from ", g.promql.url, " is ",
        gate_internal::Num(absl::ToDoubleSeconds(now - r->at)), " s old");
  } else {
    in->promql = std::move(r);
  }
}

}  // namespace swell::controller
