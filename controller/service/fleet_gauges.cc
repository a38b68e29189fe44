#include "controller/service/fleet_gauges.h"

#include <algorithm>
#include <utility>

namespace swell::controller {
namespace {

using Label = prometheus::ClientMetric::Label;

prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily f;
  f.name = std::move(name);
  f.help = std::move(help);
  f.type = prometheus::MetricType::Gauge;
  return f;
}

void AddGauge(prometheus::MetricFamily* f, std::vector<Label> labels,
              double value) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f->metric.push_back(std::move(m));
}

prometheus::MetricFamily OneGauge(std::string name, std::string help,
                                  double value) {
  prometheus::MetricFamily f = GaugeFamily(std::move(name), std::move(help));
  AddGauge(&f, {}, value);
  return f;
}

}  // namespace

FleetGauges CountFleet(const Fleet& fleet, const AgentObservations& agents,
                       absl::Time now, absl::Duration agent_grace) {
  FleetGauges g;
  for (const auto& [id, rec] : fleet.rollouts) {
    const Rollout& r = rec.rollout;
    for (size_t i = 0; i < std::size(FleetGauges::kStates); ++i) {
      if (r.state == FleetGauges::kStates[i]) ++g.rollouts[i];
    }
    if (!IsActive(r)) continue;
    FleetGauges::ActiveRollout a;
    a.id = id;
    a.variable = r.variable;
    a.state = r.state;
    a.phase = r.phase;
    a.wave_count = r.wave_count;
    a.wave = std::clamp(r.current_wave + 1, 1, std::max(r.wave_count, 1));
    g.active.push_back(std::move(a));
  }
  for (const auto& [id, host] : fleet.hosts) {
    if (host.retired_at != absl::InfinitePast() ||
        host.revoked_at != absl::InfinitePast()) {
      continue;
    }
    ++g.hosts_known;
    if (!agents.Connected(id) && now - agents.LastHeard(id) > agent_grace) {
      ++g.agents_silent;
    }
  }
  if (fleet.freeze.active) g.frozen_since = fleet.freeze.since;
  return g;
}

std::vector<prometheus::MetricFamily> FleetFamilies(const FleetGauges& g) {
  prometheus::MetricFamily by_state = GaugeFamily(
      "swell_rollouts",
      "Rollouts the controller holds, by state (succeeded and rolled_back "
      "grow with history).");
  for (size_t i = 0; i < std::size(FleetGauges::kStates); ++i) {
    AddGauge(
        &by_state,
        {{"state", std::string(RolloutStateName(FleetGauges::kStates[i]))}},
        static_cast<double>(g.rollouts[i]));
  }
  prometheus::MetricFamily state =
      GaugeFamily("swell_rollout_state",
                  "1 for the state an active rollout is in, 0 for the others.");
  prometheus::MetricFamily wave = GaugeFamily(
      "swell_rollout_wave",
      "The wave an active rollout is at, 1-based (as swellctl shows it).");
  prometheus::MetricFamily waves =
      GaugeFamily("swell_rollout_waves", "How many waves a rollout has.");
  prometheus::MetricFamily phase = GaugeFamily(
      "swell_rollout_phase",
      "1 for the phase of an active rollout's current wave (admitting, "
      "converging, baking), 0 for the others.");
  for (const FleetGauges::ActiveRollout& a : g.active) {
    const std::vector<Label> ids = {{"rollout", a.id},
                                    {"variable", a.variable}};
    for (RolloutState s : FleetGauges::kStates) {
      std::vector<Label> labels = ids;
      labels.push_back({"state", std::string(RolloutStateName(s))});
      AddGauge(&state, std::move(labels), a.state == s ? 1.0 : 0.0);
    }
    AddGauge(&wave, ids, a.wave);
    AddGauge(&waves, ids, a.wave_count);
    for (WavePhase p : FleetGauges::kPhases) {
      std::vector<Label> labels = ids;
      labels.push_back({"phase", std::string(WavePhaseName(p))});
      AddGauge(&phase, std::move(labels), a.phase == p ? 1.0 : 0.0);
    }
  }
  const double frozen_since =
      g.frozen_since == absl::InfinitePast()
          ? 0.0
          : absl::ToDoubleSeconds(g.frozen_since - absl::UnixEpoch());
  std::vector<prometheus::MetricFamily> out;
  out.push_back(std::move(by_state));
  out.push_back(std::move(state));
  out.push_back(std::move(wave));
  out.push_back(std::move(waves));
  out.push_back(std::move(phase));
  out.push_back(OneGauge(
      "swell_hosts_known",
      "Hosts whose agents should be connected: every host that said hello, "
      "less retired and revoked ones.",
      static_cast<double>(g.hosts_known)));
  out.push_back(OneGauge(
      "swell_agents_silent",
      "Known hosts whose agent is not connected and was last heard from "
      "longer than --agent_grace ago.",
      static_cast<double>(g.agents_silent)));
  out.push_back(
      OneGauge("swell_fleet_frozen_since_seconds",
               "When the fleet was frozen (Unix seconds); 0 while it is not.",
               frozen_since));
  return out;
}

}  // namespace swell::controller
