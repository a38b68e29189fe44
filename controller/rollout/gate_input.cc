#include "controller/rollout/gate_input.h"

#include <algorithm>
#include <vector>

namespace swell::controller {
namespace {

bool Admitted(HostState s) {
  return s == HostState::kApplying || s == HostState::kConverged ||
         s == HostState::kFailed || s == HostState::kRollingBack ||
         s == HostState::kRolledBack;
}

std::vector<double> GoodValues(const std::vector<HealthWindow::Point>& points) {
  std::vector<double> out;
  for (const HealthWindow::Point& p : points) {
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
                       const HealthWindow& health, absl::Time phase_started) {
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
      std::vector<HealthWindow::Point> points =
          health.Since(id, g.metric, std::max(phase_started, h.updated));
      in.changed_series[id] = GoodValues(points);
      if (!points.empty()) in.sample_at[id] = points.back().at;
      in.roles[id] = LabelOf(fleet_hosts, id, g.baseline.role_label);
    }
  }
  return in;
}

}  // namespace swell::controller
