#include "tests/integration/model_dump.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace swell::controller {
namespace {

std::string T(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone());
}

std::string Q(const std::string& s) {
  return absl::StrCat("\"", absl::CHexEscape(s), "\"");
}

std::string V(const swell::v1::Value& v) {
  return absl::StrCat(v.present() ? "present:" : "absent:", Q(v.data()));
}

std::string N(std::string_view enum_name) { return std::string(enum_name); }

std::string S(const swell::v1::VariableSpec& spec) {
  return absl::StrCat("{", Q(spec.ShortDebugString()), "}");
}

}  // namespace

std::string Dump(const Host& h) {
  std::string labels;
  for (const auto& [k, v] : h.labels)
    absl::StrAppend(&labels, Q(k), "=", Q(v), " ");
  return absl::StrCat(
      "Host id=", Q(h.id), " labels=[", labels,
      "] agent_version=", Q(h.agent_version), " first_seen=", T(h.first_seen),
      " last_seen=", T(h.last_seen),
      " desired_generation=", h.desired_generation,
      " retired_at=", T(h.retired_at), " retire_reason=", Q(h.retire_reason),
      " revoked_at=", T(h.revoked_at), " revoke_reason=", Q(h.revoke_reason));
}

std::string Dump(const HostDesired& d) {
  return absl::StrCat("HostDesired host_id=", Q(d.host_id), " spec=", S(d.spec),
                      " value=", V(d.value), " rollout_id=", Q(d.rollout_id));
}

std::string Dump(const Rollout& r) {
  return absl::StrCat(
      "Rollout id=", Q(r.id), " name=", Q(r.name),
      " plan_yaml=", Q(r.plan_yaml), " plan_file=", Q(r.plan_file),
      " policy_yaml=", Q(r.policy_yaml), " variable=", Q(r.variable),
      " spec=", S(r.spec), " new_value=", V(r.new_value),
      " state=", N(RolloutStateName(r.state)), " current_wave=", r.current_wave,
      " wave_count=", r.wave_count, " order_seed=", r.order_seed,
      " phase=", N(WavePhaseName(r.phase)),
      " phase_started=", T(r.phase_started), " reason=", Q(r.reason),
      " actor=", Q(r.actor), " created=", T(r.created),
      " updated=", T(r.updated));
}

std::string Dump(const RolloutHost& rh) {
  return absl::StrCat(
      "RolloutHost rollout_id=", Q(rh.rollout_id), " host_id=", Q(rh.host_id),
      " wave=", rh.wave, " state=", N(HostStateName(rh.state)),
      " previous_known=", rh.previous_known, " previous=", V(rh.previous),
      " generation=", rh.generation, " message=", Q(rh.message),
      " output_tail=", Q(rh.output_tail), " failure=", Q(rh.failure),
      " updated=", T(rh.updated));
}

std::string Dump(const VerdictRecord& v) {
  return absl::StrCat("Verdict rollout_id=", Q(v.rollout_id), " wave=", v.wave,
                      " gate=", Q(v.gate), " verdict=", Q(v.verdict),
                      " summary=", Q(v.summary),
                      " evidence=", Q(v.evidence_json), " dry_run=", v.dry_run,
                      " at=", T(v.at));
}

std::string Dump(const AuditEvent& a) {
  return absl::StrCat("Audit at=", T(a.at), " actor=", Q(a.actor),
                      " action=", Q(a.action), " rollout_id=", Q(a.rollout_id),
                      " reason=", Q(a.reason));
}

std::string Dump(const Freeze& f) {
  return absl::StrCat("Freeze active=", f.active, " reason=", Q(f.reason),
                      " actor=", Q(f.actor), " since=", T(f.since),
                      " expires=", T(f.expires));
}

std::string Dump(const FleetState& s) {
  std::string out;
  for (const auto& [id, h] : s.hosts)
    absl::StrAppend(&out, Q(id), ": ", Dump(h), "\n");
  for (const auto& [host, vars] : s.desired) {
    for (const auto& [var, d] : vars) {
      absl::StrAppend(&out, Q(host), "/", Q(var), ": ", Dump(d), "\n");
    }
  }
  for (const auto& [id, r] : s.rollouts)
    absl::StrAppend(&out, Q(id), ": ", Dump(r), "\n");
  for (const auto& [id, rows] : s.rollout_hosts) {
    for (const RolloutHost& rh : rows) {
      absl::StrAppend(&out, Q(id), "[]: ", Dump(rh), "\n");
    }
  }
  absl::StrAppend(&out, Dump(s.freeze), "\n");
  return out;
}

}  // namespace swell::controller
