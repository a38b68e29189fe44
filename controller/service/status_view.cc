#include "controller/service/status_view.h"

#include "absl/strings/str_cat.h"
#include "controller/plan/plan_describe.h"
#include "controller/rollout/wave_scheduler.h"
#include "controller/rollout/wave_sizes.h"

namespace swell::controller {
namespace {

bool Admitted(HostState s) {
  return s != HostState::kWaiting && s != HostState::kAdmitting &&
         s != HostState::kSkipped;
}

std::string WavePhaseOf(const Rollout& r, int wave) {
  if (wave < r.current_wave || r.state == RolloutState::kSucceeded)
    return "done";
  const bool undone = r.state == RolloutState::kRollingBack ||
                      r.state == RolloutState::kRolledBack;
  // Waves a rolled-back rollout never reached will never come.
  if (wave > r.current_wave) return undone ? "skipped" : "waiting";
  if (r.state == RolloutState::kRollingBack) return "rolling_back";
  if (r.state == RolloutState::kRolledBack) return "rolled_back";
  return std::string(WavePhaseName(r.phase));
}

// Failed at any point: now, or before a rollback returned it.
bool EverFailed(const RolloutHost& h) {
  return h.state == HostState::kFailed || !h.failure.empty();
}

// Why it failed: the kept failure, else (still failed, nothing kept yet)
// its message; "" for a host that never failed.
std::string FailureOf(const RolloutHost& h) {
  if (!h.failure.empty()) return h.failure;
  return h.state == HostState::kFailed ? h.message : "";
}

std::string LabelOr(const Host& h, const char* key) {
  auto it = h.labels.find(key);
  return it == h.labels.end() ? "-" : it->second;
}

}  // namespace

int64_t UnixMillis(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return 0;
  return absl::ToUnixMillis(t);
}

swell::v1::RolloutSummary Summarize(const RolloutRecord& rec) {
  const Rollout& r = rec.rollout;
  swell::v1::RolloutSummary s;
  s.set_id(r.id);
  s.set_name(r.name);
  s.set_variable(r.variable);
  s.set_state(std::string(RolloutStateName(r.state)));
  s.set_current_wave(r.current_wave);
  s.set_wave_count(r.wave_count);
  s.set_wave_phase(std::string(WavePhaseName(r.phase)));
  s.set_hosts_total(static_cast<int>(rec.hosts.size()));
  int converged = 0, failed = 0, admitted = 0, rolled_back = 0;
  for (const auto& [id, h] : rec.hosts) {
    converged += h.state == HostState::kConverged;
    failed += EverFailed(h);
    admitted += Admitted(h.state);
    rolled_back += h.state == HostState::kRolledBack;
  }
  s.set_hosts_converged(converged);
  s.set_hosts_failed(failed);
  s.set_hosts_admitted(admitted);
  s.set_hosts_rolled_back(rolled_back);
  s.set_created_unix_ms(UnixMillis(r.created));
  s.set_updated_unix_ms(UnixMillis(r.updated));
  s.set_reason(r.reason);
  s.set_seed(r.order_seed);
  return s;
}

swell::v1::RolloutStatus DescribeRollout(
    const RolloutRecord& rec, const std::vector<VerdictRecord>& verdicts,
    const std::vector<AuditEvent>& audit, const std::string& host) {
  const Rollout& r = rec.rollout;
  swell::v1::RolloutStatus out;
  *out.mutable_summary() = Summarize(rec);
  std::vector<swell::v1::WaveStatus> waves(r.wave_count);
  for (int i = 0; i < r.wave_count; ++i) {
    waves[i].set_index(i);
    waves[i].set_phase(WavePhaseOf(r, i));
    if (i == r.current_wave && r.phase == WavePhase::kBaking &&
        r.state == RolloutState::kRunning) {
      waves[i].set_bake_ends_unix_ms(
          UnixMillis(r.phase_started + rec.plan.bake));
    }
  }
  for (const auto& [id, h] : rec.hosts) {
    if (h.wave < 0 || h.wave >= r.wave_count) continue;
    auto& w = waves[h.wave];
    w.set_size(w.size() + 1);
    w.set_admitted(w.admitted() + Admitted(h.state));
    w.set_converged(w.converged() + (h.state == HostState::kConverged));
    w.set_failed(w.failed() + EverFailed(h));
    w.set_rolled_back(w.rolled_back() + (h.state == HostState::kRolledBack));
    const bool settled =
        !EverFailed(h) &&
        (h.state == HostState::kConverged || h.state == HostState::kWaiting ||
         h.state == HostState::kRolledBack || h.state == HostState::kSkipped);
    if (host.empty() ? settled : id != host) continue;
    auto* hs = out.add_hosts();
    hs->set_host_id(id);
    hs->set_wave(h.wave);
    hs->set_state(std::string(HostStateName(h.state)));
    hs->set_message(h.message);
    hs->set_output_tail(h.output_tail);
    hs->set_previous_present(h.previous.present());
    hs->set_failure(FailureOf(h));
  }
  for (auto& w : waves) *out.add_waves() = std::move(w);
  for (const auto& v : verdicts) {
    auto* o = out.add_verdicts();
    o->set_wave(v.wave);
    o->set_gate(v.gate);
    o->set_verdict(v.dry_run ? absl::StrCat(v.verdict, " (dry run)")
                             : v.verdict);
    o->set_summary(v.summary);
    o->set_evidence_json(v.evidence_json);
    o->set_at_unix_ms(UnixMillis(v.at));
  }
  for (const auto& e : audit) {
    auto* o = out.add_events();
    o->set_at_unix_ms(UnixMillis(e.at));
    o->set_actor(e.actor);
    o->set_action(e.action);
    o->set_rollout_id(e.rollout_id);
    o->set_reason(e.reason);
  }
  return out;
}

swell::v1::HostStatus DescribeHost(const Fleet& fleet, const Host& h,
                                   const AgentObservations& agents,
                                   absl::Time now, absl::Duration stale_after) {
  swell::v1::HostStatus o;
  o.set_host_id(h.id);
  o.mutable_labels()->insert(h.labels.begin(), h.labels.end());
  const bool connected = agents.Connected(h.id);
  o.set_connected(connected);
  o.set_state(std::string(
      HostPresenceName(PresenceOf(h, connected, now, stale_after))));
  o.set_last_seen_unix_ms(
      UnixMillis(connected ? agents.LastHeard(h.id) : h.last_seen));
  o.set_retired_unix_ms(UnixMillis(h.retired_at));
  o.set_retire_reason(h.retire_reason);
  o.set_revoked_unix_ms(UnixMillis(h.revoked_at));
  o.set_revoke_reason(h.revoke_reason);
  o.set_desired_generation(h.desired_generation);
  o.set_agent_version(h.agent_version);
  auto d = fleet.desired.find(h.id);
  o.set_managed_variables(d == fleet.desired.end() ? 0 : d->second.size());
  return o;
}

swell::v1::ListHostsResponse DescribeHosts(const Fleet& fleet,
                                           const AgentObservations& agents,
                                           absl::Time now,
                                           absl::Duration stale_after) {
  swell::v1::ListHostsResponse out;
  if (stale_after != absl::InfiniteDuration()) {
    out.set_stale_after_ms(absl::ToInt64Milliseconds(stale_after));
  }
  for (const auto& [id, h] : fleet.hosts) {
    *out.add_hosts() = DescribeHost(fleet, h, agents, now, stale_after);
  }
  return out;
}

swell::v1::PreviewResponse DescribePreview(
    const Fleet& fleet, const Plan& plan,
    const std::vector<std::vector<std::string>>& waves, uint32_t seed,
    const std::vector<ExcludedHost>& excluded) {
  swell::v1::PreviewResponse out;
  out.set_name(plan.name);
  out.set_variable(plan.variable.name());
  out.set_seed(seed);
  out.set_seed_is_default(seed == DefaultWaveSeed(plan));
  for (const ExcludedHost& e : excluded) {
    auto* o = out.add_excluded();
    o->set_host_id(e.id);
    o->set_state(std::string(HostPresenceName(e.presence)));
    o->set_reason(e.reason);
  }
  const int wave_count = static_cast<int>(waves.size());
  const std::string role_label =
      plan.per_role.label.empty() ? "role" : plan.per_role.label;
  for (size_t i = 0; i < waves.size(); ++i) {
    auto* w = out.add_waves();
    w->set_index(static_cast<int>(i));
    w->set_bake_ms(absl::ToInt64Milliseconds(WaveBake(plan, wave_count)));
    for (const auto& id : waves[i]) {
      w->add_hosts(id);
      const Host& h = fleet.hosts.at(id);
      (*w->mutable_by_site())[LabelOr(h, "site")]++;
      (*w->mutable_by_role())[LabelOr(h, role_label.c_str())]++;
    }
  }
  bool has_failed_hosts_gate = false;
  for (const auto& g : plan.gates) {
    has_failed_hosts_gate |= g.kind == GateKind::kFailedHosts;
    std::string line = absl::StrCat(g.name, ": ", DescribeGate(g));
    if (g.consecutive_breaches > 1) {
      absl::StrAppend(&line, "; fails after ", g.consecutive_breaches,
                      " breaches in a row");
    }
    if (g.kind != GateKind::kFailedHosts && g.kind != GateKind::kPromql) {
      absl::StrAppend(&line, "; missing data: ",
                      g.missing_data == MissingData::kFail   ? "fail"
                      : g.missing_data == MissingData::kHold ? "hold"
                                                             : "pass");
    }
    if (g.dry_run) absl::StrAppend(&line, " (dry run)");
    out.add_gates(std::move(line));
  }
  if (!has_failed_hosts_gate) {
    out.add_gates("failed-hosts: failed_hosts <= 0 (implicit)");
  }
  out.set_earliest_finish_ms(
      absl::ToInt64Milliseconds(EarliestFinish(plan, wave_count)));
  return out;
}

swell::v1::FreezeStatus DescribeFreeze(const Freeze& f) {
  swell::v1::FreezeStatus out;
  out.set_frozen(f.active);
  if (!f.active) return out;
  out.set_reason(f.reason);
  out.set_actor(f.actor);
  out.set_since_unix_ms(UnixMillis(f.since));
  out.set_expires_unix_ms(UnixMillis(f.expires));
  return out;
}

}  // namespace swell::controller
