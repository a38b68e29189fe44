#include "controller/store/pg_write.h"

#include <string>
#include <utility>
#include <vector>

#include "controller/rollout/mutation.h"
#include "controller/store/pg_array.h"
#include "controller/store/store_values.h"

namespace swell::controller {
namespace {

std::string SerializedSpec(const swell::v1::VariableSpec& spec) {
  std::string bytes;
  spec.SerializeToString(&bytes);
  return bytes;
}

void WriteHosts(pqxx::transaction_base& tx, const std::vector<Host>& all) {
  std::vector<const Host*> hosts = LastUpserts(all);
  PgArray id, agent_version, first_seen, last_seen, generation, retired_at,
      retire_reason, revoked_at, revoke_reason;
  PgArray label_host, label_key, label_value;
  for (const Host* h : hosts) {
    id.AddText(h->id);
    agent_version.AddText(h->agent_version);
    first_seen.AddInt(TimeToMicros(h->first_seen));
    last_seen.AddInt(TimeToMicros(h->last_seen));
    generation.AddInt(h->desired_generation);
    retired_at.AddInt(TimeToMicros(h->retired_at));
    retire_reason.AddText(h->retire_reason);
    revoked_at.AddInt(TimeToMicros(h->revoked_at));
    revoke_reason.AddText(h->revoke_reason);
    for (const auto& [key, value] : h->labels) {
      label_host.AddText(h->id);
      label_key.AddText(key);
      label_value.AddText(value);
    }
  }
  std::string ids = std::move(id).Finish();
  tx.exec_params(
      "INSERT INTO hosts (id, agent_version, first_seen, last_seen,"
      "                   desired_generation, retired_at, retire_reason,"
      "                   revoked_at, revoke_reason)"
      " SELECT id, v, swell_ts(f), swell_ts(l), g, swell_ts(ra), rr,"
      "        swell_ts(va), vr"
      " FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[],"
      "             $5::bigint[], $6::bigint[], $7::text[], $8::bigint[],"
      "             $9::text[])"
      "  AS u(id, v, f, l, g, ra, rr, va, vr)"
      " ON CONFLICT (id) DO UPDATE SET"
      "  agent_version = EXCLUDED.agent_version,"
      "  first_seen = EXCLUDED.first_seen, last_seen = EXCLUDED.last_seen,"
      "  desired_generation = EXCLUDED.desired_generation,"
      "  retired_at = EXCLUDED.retired_at,"
      "  retire_reason = EXCLUDED.retire_reason,"
      "  revoked_at = EXCLUDED.revoked_at,"
      "  revoke_reason = EXCLUDED.revoke_reason",
      ids, std::move(agent_version).Finish(), std::move(first_seen).Finish(),
      std::move(last_seen).Finish(), std::move(generation).Finish(),
      std::move(retired_at).Finish(), std::move(retire_reason).Finish(),
      std::move(revoked_at).Finish(), std::move(revoke_reason).Finish());
  // A host's labels are replaced whole.
  tx.exec_params("DELETE FROM host_labels WHERE host_id = ANY($1::text[])",
                 ids);
  if (label_host.empty()) return;
  tx.exec_params(
      "INSERT INTO host_labels (host_id, key, value)"
      " SELECT * FROM unnest($1::text[], $2::text[], $3::text[])",
      std::move(label_host).Finish(), std::move(label_key).Finish(),
      std::move(label_value).Finish());
}

void WriteRollouts(pqxx::transaction_base& tx,
                   const std::vector<Rollout>& all) {
  std::vector<const Rollout*> rollouts = LastUpserts(all);
  PgArray id, name, plan_yaml, plan_file, variable, spec, new_present, new_data,
      state, current_wave, wave_count, phase, phase_started, reason, actor,
      created, updated, policy_yaml, order_seed;
  for (const Rollout* r : rollouts) {
    id.AddText(r->id);
    name.AddText(r->name);
    plan_yaml.AddText(r->plan_yaml);
    plan_file.AddText(r->plan_file);
    variable.AddText(r->variable);
    spec.AddBytes(SerializedSpec(r->spec));
    new_present.AddBool(r->new_value.present());
    new_data.AddBytes(r->new_value.data());
    state.AddText(RolloutStateName(r->state));
    current_wave.AddInt(r->current_wave);
    wave_count.AddInt(r->wave_count);
    phase.AddText(WavePhaseName(r->phase));
    phase_started.AddInt(TimeToMicros(r->phase_started));
    reason.AddText(r->reason);
    actor.AddText(r->actor);
    created.AddInt(TimeToMicros(r->created));
    updated.AddInt(TimeToMicros(r->updated));
    policy_yaml.AddText(r->policy_yaml);
    order_seed.AddInt(r->order_seed);
  }
  tx.exec_params(
      "INSERT INTO rollouts (id, name, plan_yaml, plan_file, variable, spec,"
      "  new_present, new_data, state, current_wave, wave_count, phase,"
      "  phase_started, reason, actor, created, updated, policy_yaml,"
      "  order_seed)"
      " SELECT id, name, plan_yaml, plan_file, variable, spec, new_present,"
      "  new_data, state, current_wave, wave_count, phase,"
      "  swell_ts(phase_started), reason, actor, swell_ts(created),"
      "  swell_ts(updated), policy_yaml, order_seed"
      " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
      "  $5::text[], $6::bytea[], $7::boolean[], $8::bytea[], $9::text[],"
      "  $10::integer[], $11::integer[], $12::text[], $13::bigint[],"
      "  $14::text[], $15::text[], $16::bigint[], $17::bigint[],"
      "  $18::text[], $19::bigint[])"
      " AS u(id, name, plan_yaml, plan_file, variable, spec, new_present,"
      "  new_data, state, current_wave, wave_count, phase, phase_started,"
      "  reason, actor, created, updated, policy_yaml, order_seed)"
      " ON CONFLICT (id) DO UPDATE SET"
      "  name = EXCLUDED.name, plan_yaml = EXCLUDED.plan_yaml,"
      "  plan_file = EXCLUDED.plan_file, variable = EXCLUDED.variable,"
      "  spec = EXCLUDED.spec, new_present = EXCLUDED.new_present,"
      "  new_data = EXCLUDED.new_data, state = EXCLUDED.state,"
      "  current_wave = EXCLUDED.current_wave,"
      "  wave_count = EXCLUDED.wave_count, phase = EXCLUDED.phase,"
      "  phase_started = EXCLUDED.phase_started, reason = EXCLUDED.reason,"
      "  actor = EXCLUDED.actor, created = EXCLUDED.created,"
      "  updated = EXCLUDED.updated, policy_yaml = EXCLUDED.policy_yaml,"
      "  order_seed = EXCLUDED.order_seed",
      std::move(id).Finish(), std::move(name).Finish(),
      std::move(plan_yaml).Finish(), std::move(plan_file).Finish(),
      std::move(variable).Finish(), std::move(spec).Finish(),
      std::move(new_present).Finish(), std::move(new_data).Finish(),
      std::move(state).Finish(), std::move(current_wave).Finish(),
      std::move(wave_count).Finish(), std::move(phase).Finish(),
      std::move(phase_started).Finish(), std::move(reason).Finish(),
      std::move(actor).Finish(), std::move(created).Finish(),
      std::move(updated).Finish(), std::move(policy_yaml).Finish(),
      std::move(order_seed).Finish());
}

void WriteRolloutHosts(pqxx::transaction_base& tx,
                       const std::vector<RolloutHost>& all) {
  std::vector<const RolloutHost*> rows = LastUpserts(all);
  PgArray rollout_id, host_id, wave, state, previous_known, previous_present,
      previous_data, generation, message, output_tail, failure, updated;
  for (const RolloutHost* rh : rows) {
    rollout_id.AddText(rh->rollout_id);
    host_id.AddText(rh->host_id);
    wave.AddInt(rh->wave);
    state.AddText(HostStateName(rh->state));
    previous_known.AddBool(rh->previous_known);
    previous_present.AddBool(rh->previous.present());
    previous_data.AddBytes(rh->previous.data());
    generation.AddInt(rh->generation);
    message.AddText(rh->message);
    output_tail.AddBytes(rh->output_tail);
    failure.AddText(rh->failure);
    updated.AddInt(TimeToMicros(rh->updated));
  }
  tx.exec_params(
      "INSERT INTO rollout_hosts (rollout_id, host_id, wave, state,"
      "  previous_known, previous_present, previous_data, generation,"
      "  message, output_tail, failure, updated)"
      " SELECT r, h, w, s, pk, pp, pd, g, m, o, f, swell_ts(u)"
      " FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[],"
      "  $5::boolean[], $6::boolean[], $7::bytea[], $8::bigint[],"
      "  $9::text[], $10::bytea[], $11::text[], $12::bigint[])"
      " AS x(r, h, w, s, pk, pp, pd, g, m, o, f, u)"
      " ON CONFLICT (rollout_id, host_id) DO UPDATE SET"
      "  wave = EXCLUDED.wave, state = EXCLUDED.state,"
      "  previous_known = EXCLUDED.previous_known,"
      "  previous_present = EXCLUDED.previous_present,"
      "  previous_data = EXCLUDED.previous_data,"
      "  generation = EXCLUDED.generation, message = EXCLUDED.message,"
      "  output_tail = EXCLUDED.output_tail, failure = EXCLUDED.failure,"
      "  updated = EXCLUDED.updated",
      std::move(rollout_id).Finish(), std::move(host_id).Finish(),
      std::move(wave).Finish(), std::move(state).Finish(),
      std::move(previous_known).Finish(), std::move(previous_present).Finish(),
      std::move(previous_data).Finish(), std::move(generation).Finish(),
      std::move(message).Finish(), std::move(output_tail).Finish(),
      std::move(failure).Finish(), std::move(updated).Finish());
}

void WriteDesired(pqxx::transaction_base& tx,
                  const std::vector<HostDesired>& all) {
  std::vector<const HostDesired*> rows = LastUpserts(all);
  PgArray host_id, variable, spec, value_present, value_data, rollout_id;
  for (const HostDesired* d : rows) {
    host_id.AddText(d->host_id);
    variable.AddText(d->spec.name());
    spec.AddBytes(SerializedSpec(d->spec));
    value_present.AddBool(d->value.present());
    value_data.AddBytes(d->value.data());
    rollout_id.AddText(d->rollout_id);
  }
  tx.exec_params(
      "INSERT INTO host_desired (host_id, variable, spec, value_present,"
      "  value_data, rollout_id)"
      " SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[],"
      "  $4::boolean[], $5::bytea[], $6::text[])"
      " ON CONFLICT (host_id, variable) DO UPDATE SET"
      "  spec = EXCLUDED.spec, value_present = EXCLUDED.value_present,"
      "  value_data = EXCLUDED.value_data, rollout_id = EXCLUDED.rollout_id",
      std::move(host_id).Finish(), std::move(variable).Finish(),
      std::move(spec).Finish(), std::move(value_present).Finish(),
      std::move(value_data).Finish(), std::move(rollout_id).Finish());
}

void RemoveDesired(
    pqxx::transaction_base& tx,
    const std::vector<std::pair<std::string, std::string>>& removed) {
  PgArray host_id, variable;
  for (const auto& [host, var] : removed) {
    host_id.AddText(host);
    variable.AddText(var);
  }
  tx.exec_params(
      "DELETE FROM host_desired d"
      " USING unnest($1::text[], $2::text[]) AS u(h, v)"
      " WHERE d.host_id = u.h AND d.variable = u.v",
      std::move(host_id).Finish(), std::move(variable).Finish());
}

void AppendVerdicts(pqxx::transaction_base& tx,
                    const std::vector<VerdictRecord>& verdicts) {
  PgArray rollout_id, wave, gate, verdict, summary, evidence, dry_run, at;
  for (const VerdictRecord& v : verdicts) {
    rollout_id.AddText(v.rollout_id);
    wave.AddInt(v.wave);
    gate.AddText(v.gate);
    verdict.AddText(v.verdict);
    summary.AddText(v.summary);
    if (v.evidence_json.empty()) {
      evidence.AddNull();
    } else {
      evidence.AddText(v.evidence_json);
    }
    dry_run.AddBool(v.dry_run);
    at.AddInt(TimeToMicros(v.at));
  }
  // ORDER BY n: ids follow the order of the mutation.
  tx.exec_params(
      "INSERT INTO verdicts (rollout_id, wave, gate, verdict, summary,"
      "  evidence, dry_run, at)"
      " SELECT r, w, g, v, s, e::jsonb, d, swell_ts(a)"
      " FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[],"
      "  $5::text[], $6::text[], $7::boolean[], $8::bigint[])"
      " WITH ORDINALITY AS u(r, w, g, v, s, e, d, a, n)"
      " ORDER BY n",
      std::move(rollout_id).Finish(), std::move(wave).Finish(),
      std::move(gate).Finish(), std::move(verdict).Finish(),
      std::move(summary).Finish(), std::move(evidence).Finish(),
      std::move(dry_run).Finish(), std::move(at).Finish());
}

void AppendAudit(pqxx::transaction_base& tx,
                 const std::vector<AuditEvent>& events) {
  PgArray at, actor, action, rollout_id, reason;
  for (const AuditEvent& a : events) {
    at.AddInt(TimeToMicros(a.at));
    actor.AddText(a.actor);
    action.AddText(a.action);
    rollout_id.AddText(a.rollout_id);
    reason.AddText(a.reason);
  }
  tx.exec_params(
      "INSERT INTO audit_events (at, actor, action, rollout_id, reason)"
      " SELECT swell_ts(t), a, c, r, why"
      " FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[],"
      "  $5::text[]) WITH ORDINALITY AS u(t, a, c, r, why, n)"
      " ORDER BY n",
      std::move(at).Finish(), std::move(actor).Finish(),
      std::move(action).Finish(), std::move(rollout_id).Finish(),
      std::move(reason).Finish());
}

void WriteFreeze(pqxx::transaction_base& tx, const Freeze& f) {
  tx.exec_params(
      "INSERT INTO freezes (singleton, active, reason, actor, since, expires)"
      " VALUES (true, $1, $2, $3, swell_ts($4), swell_ts($5))"
      " ON CONFLICT (singleton) DO UPDATE SET"
      "  active = EXCLUDED.active, reason = EXCLUDED.reason,"
      "  actor = EXCLUDED.actor, since = EXCLUDED.since,"
      "  expires = EXCLUDED.expires",
      f.active, f.reason, f.actor, TimeToMicros(f.since),
      TimeToMicros(f.expires));
}

}  // namespace

void WriteMutation(pqxx::transaction_base& tx, const Mutation& m) {
  // Parents before children, for the foreign keys.
  if (!m.hosts.empty()) WriteHosts(tx, m.hosts);
  if (!m.rollouts.empty()) WriteRollouts(tx, m.rollouts);
  if (!m.rollout_hosts.empty()) WriteRolloutHosts(tx, m.rollout_hosts);
  if (!m.desired.empty()) WriteDesired(tx, m.desired);
  if (!m.desired_removed.empty()) RemoveDesired(tx, m.desired_removed);
  if (!m.verdicts.empty()) AppendVerdicts(tx, m.verdicts);
  if (!m.audit.empty()) AppendAudit(tx, m.audit);
  if (m.freeze.has_value()) WriteFreeze(tx, *m.freeze);
}

}  // namespace swell::controller
