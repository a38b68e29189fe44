#include "controller/store/pg_read.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "controller/store/store_values.h"
#include "pqxx/binarystring"
#include "pqxx/result"

namespace swell::controller {
namespace {

std::string Text(const pqxx::field& f) {
  return std::string(f.c_str(), f.size());
}
std::string Bytes(const pqxx::field& f) { return pqxx::binarystring(f).str(); }
int64_t Int(const pqxx::field& f) { return f.as<int64_t>(); }
bool Bool(const pqxx::field& f) { return f.as<bool>(); }
absl::Time Time(const pqxx::field& f) { return TimeFromMicros(Int(f)); }

swell::v1::Value ValueOf(const pqxx::field& present, const pqxx::field& data) {
  swell::v1::Value v;
  v.set_present(Bool(present));
  v.set_data(Bytes(data));
  return v;
}

absl::Status Undecodable(absl::string_view table, absl::string_view key,
                         absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("stored ", table, " row ", key, ": ", what));
}

absl::Status ParseSpec(const pqxx::field& f, absl::string_view table,
                       absl::string_view key, swell::v1::VariableSpec* spec) {
  if (!spec->ParseFromString(Bytes(f))) {
    return Undecodable(table, key, "spec is not a VariableSpec");
  }
  return absl::OkStatus();
}

template <typename Enum, typename FromName>
absl::Status ParseEnum(const pqxx::field& f, FromName from_name,
                       absl::string_view table, absl::string_view key,
                       Enum* out) {
  std::optional<Enum> value = from_name(Text(f));
  if (!value.has_value()) {
    return Undecodable(table, key, absl::StrCat("unknown name ", Text(f)));
  }
  *out = *value;
  return absl::OkStatus();
}

absl::Status ReadHosts(pqxx::transaction_base& tx, FleetState* state) {
  for (const pqxx::row& row :
       tx.exec("SELECT id, agent_version, swell_us(first_seen),"
               " swell_us(last_seen), desired_generation,"
               " swell_us(retired_at), retire_reason, swell_us(revoked_at),"
               " revoke_reason FROM hosts")) {
    Host h;
    h.id = Text(row[0]);
    h.agent_version = Text(row[1]);
    h.first_seen = Time(row[2]);
    h.last_seen = Time(row[3]);
    h.desired_generation = Int(row[4]);
    h.retired_at = Time(row[5]);
    h.retire_reason = Text(row[6]);
    h.revoked_at = Time(row[7]);
    h.revoke_reason = Text(row[8]);
    state->hosts.emplace(h.id, std::move(h));
  }
  for (const pqxx::row& row :
       tx.exec("SELECT host_id, key, value FROM host_labels")) {
    state->hosts[Text(row[0])].labels.emplace(Text(row[1]), Text(row[2]));
  }
  return absl::OkStatus();
}

absl::Status ReadDesired(pqxx::transaction_base& tx, FleetState* state) {
  for (const pqxx::row& row :
       tx.exec("SELECT host_id, variable, spec, value_present, value_data,"
               " rollout_id FROM host_desired")) {
    HostDesired d;
    d.host_id = Text(row[0]);
    std::string variable = Text(row[1]);
    SWELL_RETURN_IF_ERROR(ParseSpec(row[2], "host_desired",
                                    absl::StrCat(d.host_id, "/", variable),
                                    &d.spec));
    d.value = ValueOf(row[3], row[4]);
    d.rollout_id = Text(row[5]);
    state->desired[d.host_id].emplace(std::move(variable), std::move(d));
  }
  return absl::OkStatus();
}

absl::Status ReadRollouts(pqxx::transaction_base& tx, FleetState* state) {
  for (const pqxx::row& row :
       tx.exec("SELECT id, name, plan_yaml, plan_file, variable, spec,"
               " new_present, new_data, state, current_wave, wave_count, phase,"
               " swell_us(phase_started), reason, actor, swell_us(created),"
               " swell_us(updated), policy_yaml, order_seed FROM rollouts")) {
    Rollout r;
    r.id = Text(row[0]);
    r.name = Text(row[1]);
    r.plan_yaml = Text(row[2]);
    r.plan_file = Text(row[3]);
    r.variable = Text(row[4]);
    SWELL_RETURN_IF_ERROR(ParseSpec(row[5], "rollouts", r.id, &r.spec));
    r.new_value = ValueOf(row[6], row[7]);
    SWELL_RETURN_IF_ERROR(
        ParseEnum(row[8], RolloutStateFromName, "rollouts", r.id, &r.state));
    r.current_wave = static_cast<int>(Int(row[9]));
    r.wave_count = static_cast<int>(Int(row[10]));
    SWELL_RETURN_IF_ERROR(
        ParseEnum(row[11], WavePhaseFromName, "rollouts", r.id, &r.phase));
    r.phase_started = Time(row[12]);
    r.reason = Text(row[13]);
    r.actor = Text(row[14]);
    r.created = Time(row[15]);
    r.updated = Time(row[16]);
    r.policy_yaml = Text(row[17]);
    r.order_seed = static_cast<uint32_t>(Int(row[18]));  // CHECKed in range
    state->rollouts.emplace(r.id, std::move(r));
  }
  return absl::OkStatus();
}

absl::Status ReadRolloutHosts(pqxx::transaction_base& tx, FleetState* state) {
  // COLLATE "C": host ids ordered bytewise, as std::string orders them.
  for (const pqxx::row& row :
       tx.exec("SELECT rollout_id, host_id, wave, state, previous_known,"
               " previous_present, previous_data, generation, message,"
               " output_tail, swell_us(updated), failure FROM rollout_hosts"
               " ORDER BY rollout_id, wave, host_id COLLATE \"C\"")) {
    RolloutHost rh;
    rh.rollout_id = Text(row[0]);
    rh.host_id = Text(row[1]);
    rh.wave = static_cast<int>(Int(row[2]));
    SWELL_RETURN_IF_ERROR(
        ParseEnum(row[3], HostStateFromName, "rollout_hosts",
                  absl::StrCat(rh.rollout_id, "/", rh.host_id), &rh.state));
    rh.previous_known = Bool(row[4]);
    rh.previous = ValueOf(row[5], row[6]);
    rh.generation = Int(row[7]);
    rh.message = Text(row[8]);
    rh.output_tail = Bytes(row[9]);
    rh.updated = Time(row[10]);
    rh.failure = Text(row[11]);
    state->rollout_hosts[rh.rollout_id].push_back(std::move(rh));
  }
  return absl::OkStatus();
}

void ReadFreeze(pqxx::transaction_base& tx, FleetState* state) {
  pqxx::result r = tx.exec(
      "SELECT active, reason, actor, swell_us(since), swell_us(expires)"
      " FROM freezes");
  if (r.empty()) return;  // never set: the default Freeze
  state->freeze.active = Bool(r[0][0]);
  state->freeze.reason = Text(r[0][1]);
  state->freeze.actor = Text(r[0][2]);
  state->freeze.since = Time(r[0][3]);
  state->freeze.expires = Time(r[0][4]);
}

AuditEvent AuditFromRow(const pqxx::row& row) {
  AuditEvent a;
  a.at = Time(row[0]);
  a.actor = Text(row[1]);
  a.action = Text(row[2]);
  a.rollout_id = Text(row[3]);
  a.reason = Text(row[4]);
  return a;
}

}  // namespace

absl::StatusOr<FleetState> ReadFleet(pqxx::transaction_base& tx) {
  FleetState state;
  SWELL_RETURN_IF_ERROR(ReadHosts(tx, &state));
  SWELL_RETURN_IF_ERROR(ReadDesired(tx, &state));
  SWELL_RETURN_IF_ERROR(ReadRollouts(tx, &state));
  SWELL_RETURN_IF_ERROR(ReadRolloutHosts(tx, &state));
  ReadFreeze(tx, &state);
  return state;
}

absl::StatusOr<std::vector<VerdictRecord>> ReadVerdicts(
    pqxx::transaction_base& tx, std::string_view rollout_id) {
  std::vector<VerdictRecord> out;
  for (const pqxx::row& row :
       tx.exec_params("SELECT rollout_id, wave, gate, verdict, summary,"
                      " coalesce(evidence::text, ''), dry_run, swell_us(at)"
                      " FROM verdicts WHERE rollout_id = $1 ORDER BY id",
                      std::string(rollout_id))) {
    VerdictRecord v;
    v.rollout_id = Text(row[0]);
    v.wave = static_cast<int>(Int(row[1]));
    v.gate = Text(row[2]);
    v.verdict = Text(row[3]);
    v.summary = Text(row[4]);
    v.evidence_json = Text(row[5]);
    v.dry_run = Bool(row[6]);
    v.at = Time(row[7]);
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<std::vector<AuditEvent>> ReadAudit(pqxx::transaction_base& tx,
                                                  std::string_view rollout_id,
                                                  int limit) {
  std::vector<AuditEvent> out;
  for (const pqxx::row& row : tx.exec_params(
           "SELECT swell_us(at), actor, action, rollout_id, reason FROM ("
           "  SELECT id, at, actor, action, rollout_id, reason"
           "  FROM audit_events WHERE $1 = '' OR rollout_id = $1"
           "  ORDER BY id DESC LIMIT $2) newest"
           " ORDER BY id",
           std::string(rollout_id), limit)) {
    out.push_back(AuditFromRow(row));
  }
  return out;
}

}  // namespace swell::controller
