#include "tests/integration/store_samples.h"

#include <utility>

namespace swell::controller {
namespace {

swell::v1::VariableSpec SampleSpec(std::string name) {
  swell::v1::VariableSpec spec;
  spec.set_name(std::move(name));
  spec.set_kind(swell::v1::VARIABLE_KIND_FILE);
  spec.mutable_file()->set_path("/etc/docker/daemon.json");
  spec.mutable_file()->set_mode(0640);
  spec.mutable_file()->set_validate("dockerd --validate --config-file {}");
  spec.mutable_file()->set_reload("systemctl reload docker");
  spec.mutable_file()->set_owner("root");
  spec.mutable_file()->set_group("docker");
  return spec;
}

swell::v1::Value Bytes(bool present, std::string data) {
  swell::v1::Value v;
  v.set_present(present);
  v.set_data(std::move(data));
  return v;
}

template <size_t N>
std::string FromLiteral(const char (&literal)[N]) {
  return std::string(literal, N - 1);  // keeps embedded NULs
}

const std::string kAwkwardBytes =
    FromLiteral("{\"a\":1}\0\xff\xfe\x80 \\x00 '\"");

}  // namespace

absl::Time MicrosTime(int64_t micros) { return absl::FromUnixMicros(micros); }

Host SampleHost(std::string id) {
  Host h;
  h.id = std::move(id);
  h.labels = {{"site", "fra1"},
              {"rack", "r12"},
              {"rôle", "wéb \"1\""},
              {"empty", ""},
              {"null", "NULL"}};
  h.agent_version = "0.1.0+g1234";
  h.first_seen = MicrosTime(-86'400'000'001);  // before 1970
  h.last_seen = MicrosTime(1'700'000'000'123'456);
  h.desired_generation = 9'007'199'254'740'993;  // not a double
  h.retired_at = MicrosTime(1'700'000'050'000'007);
  h.retire_reason = "decommissioned: «CHG-9» 'rack' \"NULL\"";
  h.revoked_at = MicrosTime(1'700'000'060'000'009);
  h.revoke_reason = "key leaked: «SEC-12» 'NULL' \\N";
  return h;
}

Rollout SampleRollout(std::string id) {
  Rollout r;
  r.id = std::move(id);
  r.name = "docker daemon.json: live-restore";
  r.plan_yaml = "name: x\nchange:\n  file: {path: /etc/x}\n# ünïcode\t\n";
  r.plan_file = "/home/op/plans/daemon.yaml";
  r.policy_yaml = "name: p\nstrategy: {waves: [1, 100%]}\n# ünïcode 'q'\n";
  r.variable = "docker-daemon-config";
  r.spec = SampleSpec(r.variable);
  r.new_value = Bytes(true, kAwkwardBytes);
  r.state = RolloutState::kRollingBack;
  r.current_wave = 3;
  r.wave_count = 5;
  r.order_seed = 4'294'967'295u;  // the largest: beyond a signed 32-bit int
  r.phase = WavePhase::kBaking;
  r.phase_started = MicrosTime(1'700'000'100'000'001);
  r.reason = "gate docker_up failed: min 0 < 1 {a,b} C:\\x \"NULL\"";
  r.actor = "alice";
  r.created = absl::InfinitePast();
  r.updated = absl::InfiniteFuture();
  return r;
}

RolloutHost SampleRolloutHost(std::string rollout_id, std::string host_id,
                              int wave) {
  RolloutHost rh;
  rh.rollout_id = std::move(rollout_id);
  rh.host_id = std::move(host_id);
  rh.wave = wave;
  rh.state = HostState::kRolledBack;
  rh.previous_known = true;
  rh.previous = Bytes(false, FromLiteral("\0\0"));
  rh.generation = -7;
  rh.message = "validate failed: exit 1 — «bad»";
  rh.output_tail = FromLiteral("line 1\n\xc3\x28 not utf-8\0tail");
  rh.failure = "apply failed: user 'appx' does not exist — «x»";
  rh.updated = MicrosTime(1'700'000'200'000'000);
  return rh;
}

HostDesired SampleDesired(std::string host_id, std::string variable) {
  HostDesired d;
  d.host_id = std::move(host_id);
  d.spec = SampleSpec(std::move(variable));
  d.value = Bytes(true, kAwkwardBytes);
  d.rollout_id = "r-0000abcd";
  return d;
}

VerdictRecord SampleVerdict(std::string rollout_id, std::string gate) {
  VerdictRecord v;
  v.rollout_id = std::move(rollout_id);
  v.wave = 2;
  v.gate = std::move(gate);
  v.verdict = "fail";
  v.summary = "p95(restart_rate) 0.25 >= 0.1";
  // In jsonb's own output form, so that both stores return it unchanged.
  v.evidence_json =
      R"({"hosts": ["h1", "h2"], "value": 0.25, "threshold": 0.1})";
  v.dry_run = true;
  v.at = MicrosTime(1'700'000'300'000'000);
  return v;
}

AuditEvent SampleAudit(std::string rollout_id, std::string action) {
  AuditEvent a;
  a.at = MicrosTime(1'700'000'400'000'000);
  a.actor = "bob";
  a.action = std::move(action);
  a.rollout_id = std::move(rollout_id);
  a.reason = "incident #42: 'disk full'";
  return a;
}

Freeze SampleFreeze() {
  Freeze f;
  f.active = true;
  f.reason = "incident #42";
  f.actor = "carol";
  f.since = MicrosTime(1'700'000'500'000'000);
  f.expires = MicrosTime(1'700'003'500'000'000);
  return f;
}

Mutation SampleMutation() {
  Mutation m;
  m.hosts = {SampleHost("h1"), SampleHost("h2")};
  m.rollouts = {SampleRollout("r-00000001")};
  m.rollout_hosts = {SampleRolloutHost("r-00000001", "h1", 0),
                     SampleRolloutHost("r-00000001", "h2", 1)};
  m.desired = {SampleDesired("h1", "docker-daemon-config"),
               SampleDesired("h1", "motd"), SampleDesired("h2", "motd")};
  m.verdicts = {SampleVerdict("r-00000001", "docker_up")};
  m.audit = {SampleAudit("r-00000001", "submit")};
  m.freeze = SampleFreeze();
  return m;
}

}  // namespace swell::controller
