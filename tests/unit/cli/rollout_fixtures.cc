#include "tests/unit/cli/rollout_fixtures.h"

#include <string>

namespace swell::cli::testing {
namespace {

int64_t Ago(int64_t seconds) { return kNowUnixMs - seconds * 1000; }

void AddWave(v1::RolloutStatus* status, int index, int size, int admitted,
             int converged, int failed, const std::string& phase) {
  v1::WaveStatus* w = status->add_waves();
  w->set_index(index);
  w->set_size(size);
  w->set_admitted(admitted);
  w->set_converged(converged);
  w->set_failed(failed);
  w->set_phase(phase);
}

}  // namespace

v1::RolloutStatus RunningRollout() {
  v1::RolloutStatus status;
  v1::RolloutSummary* s = status.mutable_summary();
  s->set_id("r-0000002a");
  s->set_name("app-workers-8");
  s->set_variable("app-config");
  s->set_state("running");
  s->set_current_wave(1);
  s->set_wave_count(4);
  s->set_wave_phase("baking");
  s->set_hosts_total(20);
  s->set_hosts_admitted(6);
  s->set_hosts_converged(5);
  s->set_hosts_failed(1);
  s->set_created_unix_ms(Ago(192));
  s->set_updated_unix_ms(Ago(2));

  AddWave(&status, 0, 1, 1, 1, 0, "done");
  AddWave(&status, 1, 5, 5, 4, 1, "baking");
  status.mutable_waves(1)->set_bake_ends_unix_ms(kNowUnixMs + 120'000);
  AddWave(&status, 2, 5, 0, 0, 0, "waiting");
  AddWave(&status, 3, 9, 0, 0, 0, "waiting");

  v1::GateVerdictRecord* v = status.add_verdicts();
  v->set_wave(0);
  v->set_gate("app-healthy");
  v->set_verdict("pass");
  v->set_summary("min(app_healthy) = 1 >= 1 over 1 host");
  v->set_at_unix_ms(Ago(100));
  v = status.add_verdicts();
  v->set_wave(1);
  v->set_gate("app-healthy");
  v->set_verdict("inconclusive");
  v->set_summary("2 of 5 hosts have no app_healthy sample yet");
  v->set_at_unix_ms(Ago(12));

  v1::RolloutHostStatus* h = status.add_hosts();
  h->set_host_id("web-ams1-03");
  h->set_wave(1);
  h->set_state("failed");
  h->set_message("validate exited 1");
  h->set_output_tail(
      "checking /etc/app/app.conf\nline 2: workers: bad value\n");
  h = status.add_hosts();
  h->set_host_id("web-ams1-01");
  h->set_wave(0);
  h->set_state("converged");
  h->set_message("applied in 40ms");

  v1::AuditEventRecord* e = status.add_events();
  e->set_at_unix_ms(Ago(192));
  e->set_actor("alice");
  e->set_action("submit");
  e->set_rollout_id("r-0000002a");
  e->set_reason("CHG-1234 more workers");
  return status;
}

v1::PreviewResponse ThreeWavePreview() {
  v1::PreviewResponse p;
  p.set_name("app-workers-8");
  p.set_variable("app-config");
  p.set_earliest_finish_ms(12 * 60 * 1000);
  p.set_seed(2'891'336'453u);
  p.set_seed_is_default(true);
  v1::PreviewWave* w = p.add_waves();
  w->set_index(0);
  w->add_hosts("web-ams1-01");
  (*w->mutable_by_site())["ams1"] = 1;
  (*w->mutable_by_role())["web"] = 1;
  w->set_bake_ms(240'000);
  w = p.add_waves();
  w->set_index(1);
  for (const char* host : {"web-ams1-02", "web-fra1-01", "db-fra1-01"}) {
    w->add_hosts(host);
  }
  (*w->mutable_by_site())["fra1"] = 2;
  (*w->mutable_by_site())["ams1"] = 1;
  (*w->mutable_by_role())["web"] = 2;
  (*w->mutable_by_role())["db"] = 1;
  w->set_bake_ms(240'000);
  w = p.add_waves();
  w->set_index(2);
  for (int i = 0; i < 70; ++i) w->add_hosts("web-x-" + std::to_string(i));
  (*w->mutable_by_site())["ams1"] = 70;
  (*w->mutable_by_role())["web"] = 70;
  w->set_bake_ms(300'000);
  p.add_gates("app-healthy: min(app_healthy) >= 1");
  p.add_gates("no-failed-hosts: failed_hosts <= 0");
  return p;
}

v1::ListHostsResponse TwoHosts() {
  v1::ListHostsResponse list;
  v1::HostStatus* h = list.add_hosts();
  h->set_host_id("web-ams1-01");
  (*h->mutable_labels())["site"] = "ams1";
  (*h->mutable_labels())["role"] = "web";
  (*h->mutable_labels())["rack"] = "r12";
  (*h->mutable_labels())["canary"] = "true";
  h->set_connected(true);
  h->set_state("connected");
  h->set_last_seen_unix_ms(Ago(3));
  h->set_desired_generation(7);
  h->set_agent_version("0.1.0");
  h = list.add_hosts();
  h->set_host_id("db-fra1-01");
  (*h->mutable_labels())["site"] = "fra1";
  (*h->mutable_labels())["role"] = "db";
  h->set_connected(false);
  h->set_state("disconnected");
  h->set_last_seen_unix_ms(Ago(3 * 3600 + 60));
  h->set_desired_generation(2);
  h->set_agent_version("pull");
  return list;
}

}  // namespace swell::cli::testing
