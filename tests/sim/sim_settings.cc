#include "tests/sim/sim_settings.h"

#include <algorithm>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/tls.h"
#include "common/value.h"

ABSL_FLAG(std::string, controller, "127.0.0.1:7070",
          "The controller's agent address host:port. Repeatable, or a "
          "comma-separated list; each agent rotates through them, as "
          "swell-agent does.");
ABSL_FLAG(int, hosts, 100, "How many agents this process runs.");
ABSL_FLAG(int, first, 0,
          "The index of this process's first host: hosts are "
          "<prefix><first> to <prefix><first + hosts - 1>, so that several "
          "processes can share one fleet.");
ABSL_FLAG(std::string, prefix, "sim-",
          "Host ids are this followed by the host's index.");
ABSL_FLAG(std::string, label, "",
          "A label key=value every agent says in its Hello (repeatable).");
ABSL_FLAG(std::string, start_value, "",
          "A variable's value on every host before any change, NAME=TEXT, "
          "TEXT with C escapes (\\n) (repeatable). Default: "
          "app-config=\"# simulated host\\nworkers = 4\\n\". A variable with "
          "none starts absent.");
ABSL_FLAG(std::string, ca, "",
          "The CA certificate (PEM) that issues each host's client "
          "certificate, minted at start; the controller's --tls_client_ca.");
ABSL_FLAG(std::string, ca_key, "", "The private key of --ca (PEM).");
ABSL_FLAG(std::string, tls_ca, "",
          "The CA certificates (PEM) that verify the controller's "
          "certificate. Default: --ca.");
ABSL_FLAG(bool, insecure, false,
          "Plaintext, with no certificates (the controller's --insecure, "
          "which trusts the host id of each Hello). Loopback controllers "
          "only.");
ABSL_FLAG(absl::Duration, health_interval, absl::Seconds(1),
          "How often each agent sends its health samples app_healthy (1, or "
          "0 when unhealthy) and error_rate (0, or 0.5). They also go out "
          "right after each apply, as a real agent's checks. 0: only then.");
ABSL_FLAG(absl::Duration, apply_delay, absl::Milliseconds(100),
          "How long an apply that changes a value takes.");
ABSL_FLAG(absl::Duration, slow_apply_delay, absl::Seconds(10),
          "How long an apply takes on --slow-apply hosts.");
ABSL_FLAG(absl::Duration, resync_interval, absl::Seconds(30),
          "How often each agent passes over its desired state unasked, as a "
          "real agent's enforcer (0: never).");
ABSL_FLAG(double, unhealthy_after_change, 0,
          "Fraction of hosts whose health goes bad while they hold a changed "
          "value (see --unhealthy-value).");
ABSL_FLAG(std::string, unhealthy_value, "",
          "Only a changed value containing this text makes "
          "--unhealthy-after-change hosts unhealthy (default: any change).");
ABSL_FLAG(double, slow_apply, 0,
          "Fraction of hosts whose applies take --slow-apply-delay.");
ABSL_FLAG(double, failing_apply, 0,
          "Fraction of hosts whose applies fail (the value stays).");
ABSL_FLAG(double, silent, 0,
          "Fraction of hosts that connect and apply but never send health.");
ABSL_FLAG(double, flapping, 0,
          "Fraction of hosts whose connection drops every --flap-period for "
          "--flap-downtime.");
ABSL_FLAG(absl::Duration, flap_period, absl::Seconds(30), "See --flapping.");
ABSL_FLAG(absl::Duration, flap_downtime, absl::Seconds(2), "See --flapping.");
ABSL_FLAG(double, crashing, 0,
          "Fraction of hosts that crash every --crash-period and restart "
          "after --crash-downtime: the apply in flight is lost, and the "
          "agent comes back with the desired state before its newest (a "
          "stale generation).");
ABSL_FLAG(absl::Duration, crash_period, absl::Seconds(60), "See --crashing.");
ABSL_FLAG(absl::Duration, crash_downtime, absl::Seconds(3), "See --crashing.");
ABSL_FLAG(uint64_t, seed, 1,
          "Picks the faulty hosts (from the seed and the host id alone) and "
          "spreads each host's periodic work.");
ABSL_FLAG(double, start_rate, 0, "Agents started per second; 0: all at once.");
ABSL_FLAG(absl::Duration, backoff_initial, absl::Milliseconds(200),
          "Each agent's first reconnect backoff, as swell-agent's.");
ABSL_FLAG(absl::Duration, backoff_max, absl::Seconds(5),
          "Each agent's reconnect backoff cap, as swell-agent's (the "
          "controller's --agent-reconnect assumes 5s).");
ABSL_FLAG(absl::Duration, connect_timeout, absl::Seconds(20),
          "How long one connection attempt may take.");
ABSL_FLAG(std::string, record, "",
          "Where to write, every --report-interval, on SIGUSR1 and at exit, "
          "each host's first arrival of each desired generation: CSV "
          "host,generation,arrival_unix_ms,enforced (enforced: none, start "
          "when every enforced value is the host's start value, or "
          "changed).");
ABSL_FLAG(std::string, status_file, "",
          "Where to write the fleet's counts as JSON every "
          "--report-interval (connected, hosts, desired_received, ...).");
ABSL_FLAG(absl::Duration, report_interval, absl::Seconds(1),
          "How often progress goes to stderr and the files are rewritten.");
ABSL_FLAG(absl::Duration, duration, absl::ZeroDuration(),
          "Stop after this long; 0: at SIGTERM or SIGINT.");
ABSL_FLAG(std::string, log_level, "error",
          "The agents' link logging: trace, debug, info, warn or error "
          "(info logs every connect of every agent).");

namespace swell::sim {
namespace {

constexpr char kDefaultStartValue[] =
    "app-config=# simulated host\\nworkers = 4\\n";

// Abseil keeps only the last value of a repeated flag; these accumulate.
std::vector<std::string> CollectRepeated(const std::vector<std::string>& args,
                                         absl::string_view name) {
  std::vector<std::string> values;
  const std::string flag = absl::StrCat("--", name);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == flag && i + 1 < args.size()) {
      values.push_back(args[++i]);
    } else if (absl::StartsWith(args[i], flag + "=")) {
      values.push_back(args[i].substr(flag.size() + 1));
    }
  }
  return values;
}

absl::Status Invalid(absl::string_view flag, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", what));
}

absl::StatusOr<std::map<std::string, swell::v1::Value>> StartValues(
    std::vector<std::string> specs) {
  if (specs.empty()) specs.push_back(kDefaultStartValue);
  std::map<std::string, swell::v1::Value> out;
  for (const std::string& spec : specs) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(spec, absl::MaxSplits('=', 1));
    std::string text;
    std::string error;
    if (kv.first.empty() || spec.find('=') == std::string::npos) {
      return Invalid("start-value",
                     absl::StrCat("expected NAME=TEXT, got '", spec, "'"));
    }
    if (!absl::CUnescape(kv.second, &text, &error)) {
      return Invalid("start-value", absl::StrCat(kv.first, ": ", error));
    }
    out[kv.first] = common::PresentValue(text);
  }
  return out;
}

absl::Status CheckFraction(absl::string_view flag, double f) {
  if (f >= 0 && f <= 1) return absl::OkStatus();
  return Invalid(flag,
                 absl::StrCat("expected a fraction from 0 to 1, got ", f));
}

absl::Status CheckPositive(absl::string_view flag, absl::Duration d) {
  if (d > absl::ZeroDuration()) return absl::OkStatus();
  return Invalid(flag, "expected a duration above 0");
}

absl::Status CheckNotNegative(absl::string_view flag, absl::Duration d) {
  if (d >= absl::ZeroDuration()) return absl::OkStatus();
  return Invalid(flag, "expected a duration of 0 or more");
}

}  // namespace

absl::StatusOr<SimSettings> ParseSimFlags(std::vector<std::string> args) {
  const std::vector<std::string> controllers =
      CollectRepeated(args, "controller");
  const std::vector<std::string> labels = CollectRepeated(args, "label");
  const std::vector<std::string> start_values =
      CollectRepeated(args, "start_value");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  absl::ParseCommandLine(static_cast<int>(argv.size()), argv.data());

  SimSettings s;
  FleetOptions& f = s.fleet;
  f.hosts = absl::GetFlag(FLAGS_hosts);
  f.first = absl::GetFlag(FLAGS_first);
  f.prefix = absl::GetFlag(FLAGS_prefix);
  f.seed = absl::GetFlag(FLAGS_seed);
  f.start_rate = absl::GetFlag(FLAGS_start_rate);
  if (f.hosts < 1) return Invalid("hosts", "expected 1 or more");
  if (f.first < 0) return Invalid("first", "expected 0 or more");
  if (f.start_rate < 0) return Invalid("start-rate", "expected 0 or more");

  AgentBehaviour& b = f.behaviour;
  for (const std::string& list :
       controllers.empty()
           ? std::vector<std::string>{absl::GetFlag(FLAGS_controller)}
           : controllers) {
    for (absl::string_view a : absl::StrSplit(list, ',', absl::SkipEmpty())) {
      b.link.addresses.emplace_back(absl::StripAsciiWhitespace(a));
    }
  }
  if (b.link.addresses.empty()) return Invalid("controller", "required");
  for (const std::string& label : labels) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(label, absl::MaxSplits('=', 1));
    if (kv.first.empty() || label.find('=') == std::string::npos) {
      return Invalid("label",
                     absl::StrCat("expected key=value, got '", label, "'"));
    }
    b.labels[kv.first] = kv.second;
  }
  absl::StatusOr<std::map<std::string, swell::v1::Value>> values =
      StartValues(start_values);
  if (!values.ok()) return values.status();
  f.start_values = *std::move(values);

  b.health_interval = absl::GetFlag(FLAGS_health_interval);
  b.apply_delay = absl::GetFlag(FLAGS_apply_delay);
  b.slow_apply_delay = absl::GetFlag(FLAGS_slow_apply_delay);
  b.resync_interval = absl::GetFlag(FLAGS_resync_interval);
  b.flap_period = absl::GetFlag(FLAGS_flap_period);
  b.flap_downtime = absl::GetFlag(FLAGS_flap_downtime);
  b.crash_period = absl::GetFlag(FLAGS_crash_period);
  b.crash_downtime = absl::GetFlag(FLAGS_crash_downtime);
  b.unhealthy_value = absl::GetFlag(FLAGS_unhealthy_value);
  b.link.backoff_initial = absl::GetFlag(FLAGS_backoff_initial);
  b.link.backoff_max = absl::GetFlag(FLAGS_backoff_max);
  b.link.connect_timeout = absl::GetFlag(FLAGS_connect_timeout);
  for (const auto& [flag, d] : {std::pair{"health-interval", b.health_interval},
                                {"apply-delay", b.apply_delay},
                                {"slow-apply-delay", b.slow_apply_delay},
                                {"resync-interval", b.resync_interval},
                                {"flap-downtime", b.flap_downtime},
                                {"crash-downtime", b.crash_downtime}}) {
    if (absl::Status st = CheckNotNegative(flag, d); !st.ok()) return st;
  }
  for (const auto& [flag, d] : {std::pair{"flap-period", b.flap_period},
                                {"crash-period", b.crash_period},
                                {"backoff-initial", b.link.backoff_initial},
                                {"backoff-max", b.link.backoff_max},
                                {"connect-timeout", b.link.connect_timeout}}) {
    if (absl::Status st = CheckPositive(flag, d); !st.ok()) return st;
  }

  FaultFractions& faults = f.faults;
  faults.unhealthy_after_change = absl::GetFlag(FLAGS_unhealthy_after_change);
  faults.slow_apply = absl::GetFlag(FLAGS_slow_apply);
  faults.failing_apply = absl::GetFlag(FLAGS_failing_apply);
  faults.silent = absl::GetFlag(FLAGS_silent);
  faults.flapping = absl::GetFlag(FLAGS_flapping);
  faults.crashing = absl::GetFlag(FLAGS_crashing);
  for (const auto& [flag, fraction] :
       {std::pair{"unhealthy-after-change", faults.unhealthy_after_change},
        {"slow-apply", faults.slow_apply},
        {"failing-apply", faults.failing_apply},
        {"silent", faults.silent},
        {"flapping", faults.flapping},
        {"crashing", faults.crashing}}) {
    if (absl::Status st = CheckFraction(flag, fraction); !st.ok()) return st;
  }

  s.insecure = absl::GetFlag(FLAGS_insecure);
  s.ca.cert = absl::GetFlag(FLAGS_ca);
  s.ca.key = absl::GetFlag(FLAGS_ca_key);
  s.tls_ca = absl::GetFlag(FLAGS_tls_ca);
  if (s.insecure) {
    if (!s.ca.cert.empty() || !s.ca.key.empty() || !s.tls_ca.empty()) {
      return Invalid("insecure",
                     "excludes --ca, --ca-key and --tls-ca: drop one side");
    }
    for (const std::string& a : b.link.addresses) {
      if (!common::IsLoopbackAddress(a)) {
        return Invalid("insecure",
                       absl::StrCat("only with loopback controllers, not ", a));
      }
    }
  } else if (s.ca.cert.empty() || s.ca.key.empty()) {
    return Invalid(s.ca.cert.empty() ? "ca" : "ca-key",
                   "required: the CA that issues the hosts' certificates "
                   "(--ca and --ca-key), or --insecure");
  }
  s.ca.cert_flag = "--ca";
  s.ca.key_flag = "--ca-key";

  s.record = absl::GetFlag(FLAGS_record);
  s.status_file = absl::GetFlag(FLAGS_status_file);
  s.report_interval = absl::GetFlag(FLAGS_report_interval);
  s.duration = absl::GetFlag(FLAGS_duration);
  s.log_level = absl::GetFlag(FLAGS_log_level);
  if (absl::Status st = CheckPositive("report-interval", s.report_interval);
      !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckNotNegative("duration", s.duration); !st.ok()) {
    return st;
  }
  return s;
}

}  // namespace swell::sim
