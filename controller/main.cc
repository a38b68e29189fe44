// swell-controller: the rollout controller. See docs/architecture.md.

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <prometheus/exposer.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/flag_config.h"
#include "common/flags_help.h"
#include "common/logging.h"
#include "common/open_files.h"
#include "controller/auth/api_identity.h"
#include "controller/listeners.h"
#include "controller/reconciler.h"
#include "controller/rollout/host_presence.h"
#include "controller/service/agent_service.h"
#include "controller/service/metrics.h"
#include "controller/service/promql_poller.h"
#include "controller/service/pull_api.h"
#include "controller/service/rollout_service.h"
#include "controller/standby_reads.h"
#include "controller/store/commit_listener.h"
#include "controller/store/leader_election.h"
#include "controller/store/postgres_store.h"
#include "spdlog/spdlog.h"

constexpr char kDefaultConfig[] = "/etc/swell/controller.yaml";
ABSL_FLAG(std::string, config, kDefaultConfig,
          "a YAML file of settings, each key a flag's name (listen: "
          "10.0.0.5:7070); flags on the command line override it. The "
          "default file may be absent; a file named here must exist; "
          "empty: read none");
ABSL_FLAG(std::string, listen, "127.0.0.1:7070",
          "gRPC address for agents (mutual TLS: each presents its host's "
          "certificate)");
ABSL_FLAG(std::string, api_listen, "127.0.0.1:7072",
          "gRPC address for swellctl and other API clients (TLS with the "
          "controller's certificate; bearer tokens)");
ABSL_FLAG(std::string, pull_listen, "",
          "HTTPS address of the pull API, for hosts enacted by a "
          "configuration-management system instead of swell-agent "
          "(docs/pull-api.md); empty: none");
ABSL_FLAG(absl::Duration, pull_lease, absl::Seconds(60),
          "a pull host silent this long is disconnected, as an agent whose "
          "stream ended");
ABSL_FLAG(std::string, tls_cert, "",
          "the controller's certificate chain (PEM), served on both "
          "listeners; its subjectAltNames must name the addresses clients "
          "dial. Re-read when it changes on disk");
ABSL_FLAG(std::string, tls_key, "", "the private key of --tls_cert (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "the CA certificate(s) (PEM) that issue hosts' certificates; an "
          "agent's host id is its certificate's one DNS subjectAltName");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:7071",
          "HTTP address of /metrics; empty disables it");
ABSL_FLAG(std::string, database, "",
          "PostgreSQL connection string (libpq), e.g. "
          "\"host=127.0.0.1 port=5432 dbname=swell user=swell\"; "
          "default: $SWELL_DATABASE");
ABSL_FLAG(std::string, bootstrap_admin_token_file, "",
          "while no usable admin token exists, make one named "
          "bootstrap-admin and write it to this file (created afresh, mode "
          "0600; never overwritten); otherwise do nothing. Use it for the "
          "first start, make named tokens with it, then revoke it");
ABSL_FLAG(bool, insecure, false,
          "serve plaintext gRPC without authentication, for a local "
          "experiment only: refused unless --listen and --api_listen are "
          "loopback addresses");
ABSL_FLAG(absl::Duration, tick, absl::Milliseconds(200),
          "how often the reconciler looks at every rollout without an event");
ABSL_FLAG(absl::Duration, agent_grace, absl::Seconds(30),
          "an admitted host whose agent is silent this long counts as failed");
ABSL_FLAG(absl::Duration, agent_reconnect, absl::Seconds(5),
          "the agents' reconnect backoff cap (5s unless changed in their "
          "config): after a start, an agent's silence counts only from this "
          "long after, so the controller's own absence never fails a host");
ABSL_FLAG(absl::Duration, host_stale_after,
          swell::controller::kDefaultHostStaleAfter,
          "a host whose agent has not been connected for this long is stale: "
          "new rollouts do not target it (swellctl hosts shows it as such) "
          "until its agent connects again");
ABSL_FLAG(std::string, replica_name, "",
          "this replica's name in logs, /metrics and the leadership row; "
          "default: the host name and --api_listen");
ABSL_FLAG(absl::Duration, leader_lease, absl::Seconds(10),
          "replicas against one database elect one leader, which alone "
          "decides; a leader silent this long loses the lead to a standby "
          "(docs/runbook.md, 'Replicas')");
ABSL_FLAG(absl::Duration, database_wait, absl::Seconds(30),
          "how long to keep trying to reach the database at start");
ABSL_FLAG(std::string, policies, "",
          "directory of rollout policies (NAME.yaml) that plans may name with "
          "`policy: NAME`, e.g. ./policies; empty: plans may name none");
ABSL_FLAG(int64_t, health_window_max_mib, 256,
          "memory the health windows of all hosts may keep, in MiB (at most "
          "about 90 KiB a host); beyond it, new sample names are refused and "
          "counted in swell_health_samples_refused_total{reason=\"budget\"}");
ABSL_FLAG(int64_t, max_agent_streams, 0,
          "agent streams served at once; more are refused with "
          "RESOURCE_EXHAUSTED and retry with backoff. 0: as many as the "
          "open-file limit allows, keeping 512 descriptors for the API and "
          "the database (the soft limit is raised to the hard one at start)");
ABSL_FLAG(int64_t, max_agent_handshakes, 256,
          "agent connections accepted at most before their first stream "
          "(their TLS handshake); the rest wait in the kernel's accept queue "
          "at no cost, so that a fleet reconnecting after a restart comes "
          "back at the machine's pace instead of timing out together. 0: "
          "accept every connection at once (gRPC's own listener)");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn or error");
ABSL_FLAG(std::string, log_format, "text",
          "text (one line an event, for a terminal) or json (one object a "
          "line, for journald or ELK)");

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

absl::StatusOr<std::unique_ptr<swell::controller::PostgresStore>> ConnectStore(
    const std::string& conninfo, absl::Duration wait) {
  const absl::Time deadline = absl::Now() + wait;
  absl::Duration backoff = absl::Milliseconds(200);
  while (true) {
    auto store = swell::controller::PostgresStore::Connect(conninfo);
    if (store.ok() || absl::Now() + backoff > deadline ||
        store.status().code() != absl::StatusCode::kUnavailable) {
      return store;
    }
    spdlog::warn("database not reachable yet ({}); retrying",
                 store.status().ToString());
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

std::string ReplicaName(const std::string& flag, const std::string& api) {
  if (!flag.empty()) return flag;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  return absl::StrCat(host, "/", api);
}

// Raises the open-file limit and says how many agent streams fit under it,
// bounded by --max_agent_streams when that is given.
absl::StatusOr<size_t> AgentStreamCap(int64_t flag) {
  if (flag < 0) {
    return absl::InvalidArgumentError(
        "--max_agent_streams: expected 0 (as many as the open-file limit "
        "allows) or a positive number");
  }
  auto limit = swell::common::RaiseOpenFileLimit();
  if (!limit.ok()) return limit.status();
  const size_t fits = swell::common::AgentStreamCapacity(*limit);
  if (flag > 0 && static_cast<uint64_t>(flag) > fits) {
    spdlog::warn(
        "--max_agent_streams {} is more than the open-file limit ({}) leaves "
        "for agents; serving at most {} (raise LimitNOFILE)",
        flag, limit->soft, fits);
  }
  const size_t cap = flag == 0 ? fits : std::min<size_t>(flag, fits);
  spdlog::info("open-file limit {}: at most {} agent streams", limit->soft,
               cap);
  return cap;
}

int Fail(const absl::Status& s, const std::string& what) {
  spdlog::critical("{}: {}", what, s.ToString());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "the Swell rollout controller.\n\n"
      "Keeps every host's desired state in PostgreSQL, admits hosts wave by\n"
      "wave, gates each wave on agents' health samples, and rolls back by\n"
      "itself. Agents connect to --listen with mutual TLS; swellctl connects\n"
      "to --api-listen over TLS with a bearer token. See docs/security.md.\n\n"
      "Example:\n"
      "  swell-controller --listen 10.0.0.5:7070 --api-listen 10.0.0.5:7072 "
      "\\\n"
      "      --tls-cert /etc/swell/controller.pem \\\n"
      "      --tls-key /etc/swell/controller.key \\\n"
      "      --tls-client-ca /etc/swell/hosts-ca.pem \\\n"
      "      --database \"host=127.0.0.1 port=5432 dbname=swell "
      "user=swell\"\n\n"
      "Flag names take dashes or underscores (--tls-cert or --tls_cert), and\n"
      "so do the keys of --config (tls-cert: or tls_cert:).");
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "controller/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return std::string("swell-controller 0.1.0\n"); };
  absl::SetFlagsUsageConfig(usage);
  // Abseil's --help exits 1; asking for help is not an error.
  if (swell::common::PrintHelpIfAsked(argc, argv, "controller/main.cc",
                                      std::cout)) {
    return 0;
  }
  std::vector<std::string> args = swell::common::NormalizeFlagNames(argc, argv);
  const std::string config =
      swell::common::FlagFromArgs(args, "config", kDefaultConfig);
  // --config "" reads no file.
  if (absl::Status s = config.empty() ? absl::OkStatus()
                                      : swell::common::ApplyFlagConfig(
                                            config, "controller/main.cc");
      !s.ok() && !(absl::IsNotFound(s) && config == kDefaultConfig)) {
    std::cerr << "swell-controller: " << s.message() << "\n";
    return 2;
  }
  std::vector<char*> arg_pointers;
  for (std::string& a : args) arg_pointers.push_back(a.data());
  absl::ParseCommandLine(static_cast<int>(arg_pointers.size()),
                         arg_pointers.data());
  swell::common::LogFormat log_format;
  if (auto s = swell::common::ParseLogFormat(absl::GetFlag(FLAGS_log_format),
                                             "--log_format", &log_format);
      !s.ok()) {
    std::cerr << "swell-controller: " << s.message() << "\n";
    return 2;
  }
  // Debian builds Abseil without NDEBUG, which leaves its mutex deadlock
  // detector on: every lock, gRPC's own included, then updates a global
  // lock graph. Tests keep it; the shipped binaries do not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  swell::common::InitLogging("controller", absl::GetFlag(FLAGS_log_level),
                             log_format);

  swell::controller::ListenerConfig listeners;
  listeners.agent_listen = absl::GetFlag(FLAGS_listen);
  listeners.api_listen = absl::GetFlag(FLAGS_api_listen);
  listeners.pull_listen = absl::GetFlag(FLAGS_pull_listen);
  listeners.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                   absl::GetFlag(FLAGS_tls_client_ca)};
  listeners.insecure = absl::GetFlag(FLAGS_insecure);
  if (absl::GetFlag(FLAGS_max_agent_handshakes) < 0) {
    spdlog::critical(
        "--max_agent_handshakes: expected 0 (no pacing) or a positive "
        "number");
    return 2;
  }
  listeners.max_agent_handshakes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_agent_handshakes));
  if (auto s = swell::controller::CheckListenerConfig(listeners); !s.ok()) {
    spdlog::critical("{}", std::string(s.message()));
    return 2;
  }
  if (listeners.insecure &&
      !absl::GetFlag(FLAGS_bootstrap_admin_token_file).empty()) {
    spdlog::critical(
        "--bootstrap_admin_token_file: an --insecure controller checks no "
        "token");
    return 2;
  }
  if (listeners.insecure) {
    spdlog::warn(
        "INSECURE: plaintext gRPC, no authentication. Any local process can "
        "say it is any host on {} and change every host through {}. Use only "
        "for a local experiment.",
        listeners.agent_listen, listeners.api_listen);
  }

  if (absl::GetFlag(FLAGS_pull_lease) <= absl::ZeroDuration()) {
    spdlog::critical("--pull_lease: expected a positive duration");
    return 2;
  }
  if (absl::GetFlag(FLAGS_host_stale_after) <= absl::ZeroDuration()) {
    spdlog::critical("--host_stale_after: expected a positive duration");
    return 2;
  }

  const absl::StatusOr<size_t> agent_stream_cap =
      AgentStreamCap(absl::GetFlag(FLAGS_max_agent_streams));
  if (!agent_stream_cap.ok()) {
    spdlog::critical("{}", std::string(agent_stream_cap.status().message()));
    return 2;
  }

  std::string conninfo = absl::GetFlag(FLAGS_database);
  if (conninfo.empty() && std::getenv("SWELL_DATABASE") != nullptr) {
    conninfo = std::getenv("SWELL_DATABASE");
  }
  if (conninfo.empty()) {
    spdlog::critical("--database (or $SWELL_DATABASE) is required");
    return 2;
  }

  auto store = ConnectStore(conninfo, absl::GetFlag(FLAGS_database_wait));
  if (!store.ok())
    return Fail(store.status(), "cannot connect to the database");
  if (auto s = (*store)->Migrate(); !s.ok()) return Fail(s, "migration failed");

  // /metrics first: a standby says so there too.
  std::unique_ptr<prometheus::Exposer> exposer;
  if (!absl::GetFlag(FLAGS_metrics_listen).empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(
          absl::GetFlag(FLAGS_metrics_listen));
      spdlog::info("metrics on http://{}/metrics",
                   absl::GetFlag(FLAGS_metrics_listen));
    } catch (const std::exception& e) {
      spdlog::critical("cannot serve metrics on {}: {}",
                       absl::GetFlag(FLAGS_metrics_listen), e.what());
      return 1;
    }
  }
  if (absl::GetFlag(FLAGS_leader_lease) < absl::Seconds(1)) {
    spdlog::critical("--leader_lease: expected 1s or more");
    return 2;
  }
  swell::controller::PolicySet policies;
  if (!absl::GetFlag(FLAGS_policies).empty()) {
    auto loaded =
        swell::controller::LoadPolicies(absl::GetFlag(FLAGS_policies));
    if (!loaded.ok()) return Fail(loaded.status(), "cannot load policies");
    policies = *std::move(loaded);
    spdlog::info("loaded {} policies from {}", policies.size(),
                 absl::GetFlag(FLAGS_policies));
  }

  auto& clock = swell::common::RealClock::Get();
  const int64_t health_mib = absl::GetFlag(FLAGS_health_window_max_mib);
  if (health_mib <= 0 || health_mib > (int64_t{1} << 20)) {
    spdlog::critical("--health_window_max_mib: expected 1 to 1048576");
    return 2;
  }
  swell::controller::LeaderElection::Options election_options;
  election_options.replica =
      ReplicaName(absl::GetFlag(FLAGS_replica_name), listeners.api_listen);
  election_options.lease = absl::GetFlag(FLAGS_leader_lease);
  election_options.api_address = listeners.api_listen;
  swell::controller::LeaderElection election(conninfo, election_options);
  // The exposer keeps only weak references: main keeps the collectables.
  auto leadership_metrics =
      std::make_shared<swell::controller::LeadershipMetrics>(&election,
                                                             store->get());
  if (exposer != nullptr) exposer->RegisterCollectable(leadership_metrics);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  swell::controller::HealthWindow::Options health_options;
  health_options.max_bytes = static_cast<size_t>(health_mib) << 20;
  swell::controller::HealthWindow health(health_options);
  swell::controller::AgentTracker tracker(clock.Now());
  swell::controller::SessionRegistry sessions;
  swell::controller::PromqlReadings promql_readings;
  swell::controller::PromqlPoller promql(&promql_readings, &clock);
  swell::controller::Reconciler::Options reconciler_options{
      absl::GetFlag(FLAGS_tick), absl::GetFlag(FLAGS_agent_grace), &policies,
      &promql_readings,
      [&](std::vector<swell::controller::PromqlTarget> targets) {
        promql.SetTargets(std::move(targets));
      }};
  reconciler_options.agent_reconnect = absl::GetFlag(FLAGS_agent_reconnect);
  // Reads are answered from the model the reconciler publishes, and from a
  // database connection of their own for history (verdicts, audit).
  swell::controller::FleetSnapshots snapshots;
  reconciler_options.snapshots = &snapshots;
  auto history_store =
      ConnectStore(conninfo, absl::GetFlag(FLAGS_database_wait));
  if (!history_store.ok()) {
    return Fail(history_store.status(), "cannot connect to the database");
  }
  swell::controller::HistoryReader history(history_store->get());
  swell::controller::Reconciler reconciler(store->get(), &tracker, &sessions,
                                           &health, &clock, reconciler_options);
  const swell::controller::AgentEvents agent_events{
      [&](const swell::v1::Hello& h) { reconciler.OnHello(h); },
      [&] { reconciler.Wake(); },
      [&](const std::string& host) { reconciler.OnGone(host); }};
  swell::controller::AgentServiceImpl agent_service(
      &sessions, &tracker, &health, agent_events, &clock,
      listeners.insecure ? swell::controller::AgentIdentity::kHelloUnverified
                         : swell::controller::AgentIdentity::kCertificate);
  agent_service.set_max_streams(*agent_stream_cap);
  // Operators' tokens, on a database connection of their own; none in
  // insecure mode, where every call is allowed.
  swell::controller::ApiIdentity api_identity;
  if (!listeners.insecure) {
    auto identity = swell::controller::StartApiIdentity(
        conninfo, &clock, absl::GetFlag(FLAGS_bootstrap_admin_token_file));
    if (!identity.ok()) return Fail(identity.status(), "API tokens");
    api_identity = *std::move(identity);
  }
  // While a standby: the model as the database has it, for reads, loaded
  // again when the leader commits (a NOTIFY), and every 10 s in case a
  // notification was missed.
  swell::controller::StandbyReads standby_reads(
      store->get(), &policies, &snapshots, &clock, absl::Seconds(10));
  swell::controller::CommitListener commits(
      conninfo, [&standby_reads] { standby_reads.Wake(); });
  swell::controller::RolloutServiceImpl rollout_service(
      &reconciler, &tracker, &policies,
      {&snapshots, &history, &clock, &election,
       [&standby_reads] { return standby_reads.Refresh(); }},
      absl::GetFlag(FLAGS_host_stale_after), api_identity.authenticator.get());

  // A standby serves the API too: reads from the model as the database has
  // it, changes answered with the leader's address (swellctl goes there).
  // Agents connect only to the leader.
  auto api_server =
      swell::controller::StartApiServer(listeners, &rollout_service);
  if (!api_server.ok()) return Fail(api_server.status(), "API listener");
  spdlog::info("API on {}{}", listeners.api_listen,
               listeners.insecure ? " (plaintext)" : "");
  standby_reads.Start();
  commits.Start();
  const int64_t epoch = election.AwaitLeadership(g_stop);
  commits.Stop();
  standby_reads.Stop();
  if (epoch == 0) {  // stopped while a standby
    (*api_server)->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    return 0;
  }
  const absl::Duration lease = absl::GetFlag(FLAGS_leader_lease);
  (*store)->FenceWith(epoch, lease);
  std::atomic<bool> fenced{false};  // a commit saw a newer term
  (*store)->OnFenced([&fenced](const absl::Status& refused) {
    fenced = true;
    if (!g_stop.exchange(true)) {
      spdlog::critical("deposed: {}; exiting, to start again as a standby",
                       std::string(refused.message()));
    }
  });
  // Leads until stopped, or until another replica leads: then it stops
  // deciding at once and exits, so that it restarts as a standby. The lease
  // is kept from now on, while the rest starts.
  absl::Status held;
  std::thread holder;
  // An early return (a listener that cannot start) stops holding first.
  struct StopHolding {
    std::thread& t;
    ~StopHolding() {
      g_stop = true;
      if (t.joinable()) t.join();
    }
  } stop_holding{holder};
  holder = std::thread([&] {
    held = election.Hold(g_stop,
                         [&](int64_t e) { (*store)->FenceWith(e, lease); });
    if (!held.ok() && !g_stop.exchange(true)) {
      spdlog::critical("{}; exiting, to start again as a standby",
                       std::string(held.message()));
    }
  });

  promql.Start();
  if (auto s = reconciler.Start(); !s.ok()) return Fail(s, "cannot load state");

  auto agent_server =
      swell::controller::StartAgentServer(listeners, &agent_service);
  if (!agent_server.ok()) return Fail(agent_server.status(), "agent listener");
  spdlog::info("agents on {}{}", listeners.agent_listen,
               listeners.insecure ? " (plaintext)" : "");
  std::unique_ptr<swell::controller::PullHosts> pull_hosts;
  std::unique_ptr<swell::controller::PullApi> pull_api;
  if (!listeners.pull_listen.empty()) {
    pull_hosts = std::make_unique<swell::controller::PullHosts>(
        &sessions, &tracker, &health, agent_events, &clock, &agent_service,
        swell::controller::PullHosts::Options{absl::GetFlag(FLAGS_pull_lease)});
    pull_api = std::make_unique<swell::controller::PullApi>(
        pull_hosts.get(), &snapshots, api_identity.authenticator.get(), &clock);
    swell::controller::PullApiConfig pull_config;
    pull_config.listen = listeners.pull_listen;
    pull_config.tls = listeners.tls;
    pull_config.tls.ca_flag = "--tls_client_ca";
    pull_config.insecure = listeners.insecure;
    if (auto s = pull_api->Start(pull_config); !s.ok()) {
      return Fail(s, "pull API listener");
    }
    spdlog::info("pull API on {}://{}", listeners.insecure ? "http" : "https",
                 listeners.pull_listen);
  }

  auto metrics = std::make_shared<swell::controller::ControllerMetrics>(
      &reconciler, &agent_service, &sessions, &promql);
  metrics->set_paced_listener(agent_server->paced.get());
  if (exposer != nullptr) exposer->RegisterCollectable(metrics);

  while (!g_stop) absl::SleepFor(absl::Milliseconds(100));
  spdlog::info("shutting down");
  if (pull_api != nullptr) pull_api->Stop();
  (*api_server)->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
  agent_server->Shutdown(absl::Seconds(2));
  reconciler.Stop();
  rollout_service.StopAnswering();
  promql.Stop();
  holder.join();
  return held.ok() && !fenced ? 0 : 3;
}
