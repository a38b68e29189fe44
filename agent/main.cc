// swell-agent: keeps one host converged on the desired state its controller
// sends, and streams the host's health back.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "agent/agent.h"
#include "agent/agent_config.h"
#include "common/flags_help.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, controller, swell::agent::kDefaultController,
          "Controller replica address host:port. Repeatable, or a "
          "comma-separated list; the agent rotates through them.");
ABSL_FLAG(std::string, host_id, "",
          "This host's id (default: the machine's hostname).");
ABSL_FLAG(std::string, label, "",
          "A label key=value reported in Hello (repeatable), e.g. "
          "--label site=par1 --label role=web.");
ABSL_FLAG(std::string, root, "/",
          "The directory treated as the host's '/': every managed path and "
          "the state dir resolve below it, so several agents can share one "
          "machine in tests and demos.");
ABSL_FLAG(std::string, state_dir, swell::agent::kDefaultStateDir,
          "Where the agent keeps desired.pb and its journal. Always resolved "
          "below --root: --root=/tmp/h1 with the default gives "
          "/tmp/h1/var/lib/swell-agent.");
ABSL_FLAG(std::string, config, "",
          "YAML file with host_id, controllers, labels, root, state_dir, "
          "check_interval, checks ({name, command, interval, timeout, "
          "parse: exit|number}), collectors (kind: prometheus, http or "
          "systemd; see docs/agent.md), metrics_listen, guardrails (what "
          "this host accepts) and tls ({cert, key, ca}). Flags given on the "
          "command line override it.");
ABSL_FLAG(std::string, check, "",
          "A health check NAME=COMMAND (repeatable). The command runs without "
          "a shell, with SWELL_ROOT and SWELL_HOST_ID set, and its sample is "
          "the number on the last line of its output (parse: number).");
ABSL_FLAG(absl::Duration, stop_grace, absl::Minutes(5),
          "On SIGTERM or SIGINT, how long an apply that is running (a "
          "package install, a Docker upgrade) may take to finish before it "
          "is stopped; no new apply starts meanwhile. Keep systemd's "
          "TimeoutStopSec above it.");
ABSL_FLAG(absl::Duration, check_interval, absl::Seconds(5),
          "How often checks without their own interval run (at least 1s).");
ABSL_FLAG(std::string, metrics_listen, "",
          "host:port where Prometheus can scrape /metrics: every health "
          "sample's newest value (swell_health_sample, present only while "
          "its newest collection succeeded), swell_health_sample_ok, the "
          "desired generation and whether the controller is connected. "
          "Unauthenticated plain HTTP; empty (the default) serves nothing. "
          "Given empty, it turns off the config file's.");
ABSL_FLAG(std::string, guardrail_kinds, "file,package,docker",
          "The kinds of variable this host reads and enacts, comma-separated "
          "(file, package, docker, command). Without command, no command "
          "variable runs, and file variables may carry only the validate "
          "and reload commands of --guardrail-file-command. Replaces the "
          "config file's guardrails.kinds.");
ABSL_FLAG(std::string, guardrail_file_prefix, "",
          "A directory (absolute, ending in /) below which file variables "
          "may lie (repeatable). Default: none, so no file is read or "
          "written. Given, replaces guardrails.file_prefixes; given empty, "
          "allows none.");
ABSL_FLAG(std::string, guardrail_file_command, "",
          "A validate or reload command that file variables may carry, word "
          "for word (repeatable). Default: none. Replaces "
          "guardrails.file_commands.");
ABSL_FLAG(std::string, guardrail_package, "*",
          "A pattern (* and ?) that every package a package or docker "
          "variable names must match (repeatable). Given, replaces "
          "guardrails.packages; given empty, allows none.");
ABSL_FLAG(std::string, tls_cert, "",
          "This host's certificate (PEM), presented to the controller. Its "
          "one DNS subjectAltName is the host's identity: the controller "
          "refuses a hello whose host id differs. Re-read when it changes "
          "on disk (rotation without a restart). Replaces tls.cert.");
ABSL_FLAG(std::string, tls_key, "",
          "The private key of --tls-cert (PEM, unencrypted). Replaces "
          "tls.key.");
ABSL_FLAG(std::string, tls_ca, "",
          "The CA certificates (PEM) that verify the controller's "
          "certificate. Replaces tls.ca.");
ABSL_FLAG(bool, insecure, false,
          "Talk to the controller in plaintext, with no certificate: any "
          "process that reaches the controller can then speak for this "
          "host. Only without TLS files, and only when every --controller "
          "is loopback; for local experiments.");
ABSL_FLAG(std::string, log_level, "info", "trace, debug, info, warn or error.");
ABSL_FLAG(std::string, log_format, "text",
          "text (one line an event, for a terminal) or json (one object a "
          "line, for journald or ELK).");

namespace {

constexpr char kUsage[] =
    R"(keeps this host converged on the desired state sent by a Swell controller.

Usage: swell-agent --tls-cert FILE --tls-key FILE --tls-ca FILE [flags]
       swell-agent --insecure [flags]   (loopback controllers only)

The agent talks to its controller over mutual TLS: it presents its host's
certificate, whose one DNS subjectAltName must be its host id, and verifies
the controller's with --tls-ca. Certificate files are re-read when they
change on disk.

Example (one simulated host rooted in a temp dir):

  swell-agent --controller=ctl.example.net:7070 --host-id=web-1 \
      --tls-cert=/etc/swell/web-1.pem --tls-key=/etc/swell/web-1.key \
      --tls-ca=/etc/swell/ca.pem \
      --label=site=par1 --label=role=web --root=/tmp/swell/web-1 \
      --check='load1=awk "{print \$1}" /proc/loadavg' \
      --metrics-listen=127.0.0.1:7073

--controller, --label and --check may be given several times. Flag names
take dashes or underscores (--host-id or --host_id).)";

// absl keeps only the last value of a repeated flag; these flags accumulate,
// so their values are collected from argv before absl parses it.
std::vector<std::string> CollectRepeated(int argc, char** argv,
                                         absl::string_view name) {
  std::vector<std::string> values;
  const std::string flag = absl::StrCat("--", name);
  const std::string short_flag = absl::StrCat("-", name);
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") break;
    for (const std::string& f : {flag, short_flag}) {
      if (arg == f && i + 1 < argc) {
        values.emplace_back(argv[++i]);
        break;
      }
      if (absl::StartsWith(arg, f + "=")) {
        values.emplace_back(arg.substr(f.size() + 1));
        break;
      }
    }
  }
  return values;
}

std::string Hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "agent/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.version_string = [] { return std::string("swell-agent 0.1.0\n"); };
  absl::SetFlagsUsageConfig(usage);
  // Abseil's --help exits 1; asking for help is not an error.
  if (swell::common::PrintHelpIfAsked(argc, argv, "agent/main.cc", std::cout)) {
    return 0;
  }

  // --host-id means --host_id: absl flag names use underscores.
  std::vector<std::string> args = swell::common::NormalizeFlagNames(argc, argv);
  std::vector<char*> arg_ptrs;
  for (std::string& a : args) arg_ptrs.push_back(a.data());
  argc = static_cast<int>(arg_ptrs.size());
  arg_ptrs.push_back(nullptr);
  argv = arg_ptrs.data();
  auto given = [&](absl::string_view name) {
    return !CollectRepeated(argc, argv, name).empty();
  };

  swell::agent::AgentFlagValues flags;
  flags.controllers = CollectRepeated(argc, argv, "controller");
  flags.labels = CollectRepeated(argc, argv, "label");
  flags.checks = CollectRepeated(argc, argv, "check");
  // A repeatable guardrail flag given (even empty) replaces the file's list.
  for (auto [name, slot] :
       {std::pair{"guardrail_file_prefix", &flags.guardrails.file_prefixes},
        std::pair{"guardrail_file_command", &flags.guardrails.file_commands},
        std::pair{"guardrail_package", &flags.guardrails.packages}}) {
    std::vector<std::string> values = CollectRepeated(argc, argv, name);
    if (values.empty()) continue;
    std::erase(values, "");
    *slot = std::move(values);
  }
  absl::ParseCommandLine(argc, argv);
  swell::common::LogFormat log_format;
  if (absl::Status s = swell::common::ParseLogFormat(
          absl::GetFlag(FLAGS_log_format), "--log-format", &log_format);
      !s.ok()) {
    std::fprintf(stderr, "swell-agent: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  // Debian builds Abseil without NDEBUG, which leaves its mutex deadlock
  // detector on: every lock, gRPC's own included, then updates a global
  // lock graph. Tests keep it; the shipped binaries do not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  swell::common::InitLogging("swell-agent", absl::GetFlag(FLAGS_log_level),
                             log_format);

  if (given("tls_cert")) flags.tls.cert = absl::GetFlag(FLAGS_tls_cert);
  if (given("tls_key")) flags.tls.key = absl::GetFlag(FLAGS_tls_key);
  if (given("tls_ca")) flags.tls.ca = absl::GetFlag(FLAGS_tls_ca);
  if (given("host_id")) flags.host_id = absl::GetFlag(FLAGS_host_id);
  if (given("root")) flags.root = absl::GetFlag(FLAGS_root);
  if (given("state_dir")) flags.state_dir = absl::GetFlag(FLAGS_state_dir);
  if (given("guardrail_kinds")) {
    flags.guardrails.kinds.emplace();
    for (absl::string_view kind :
         absl::StrSplit(absl::GetFlag(FLAGS_guardrail_kinds), ',',
                        absl::SkipWhitespace())) {
      flags.guardrails.kinds->emplace_back(absl::StripAsciiWhitespace(kind));
    }
  }
  if (given("metrics_listen")) {
    flags.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  }
  if (given("check_interval")) {
    flags.check_interval = absl::GetFlag(FLAGS_check_interval);
  }

  swell::agent::AgentConfigFile file;
  if (std::string path = absl::GetFlag(FLAGS_config); !path.empty()) {
    absl::StatusOr<swell::agent::AgentConfigFile> loaded =
        swell::agent::LoadAgentConfigFile(path);
    if (!loaded.ok()) {
      spdlog::critical("config: {}", std::string(loaded.status().message()));
      return 2;
    }
    file = *std::move(loaded);
  }
  absl::StatusOr<swell::agent::AgentConfig> config =
      swell::agent::MergeAgentConfig(file, flags, Hostname());
  if (!config.ok()) {
    spdlog::critical("{}", std::string(config.status().message()));
    return 2;
  }
  if (absl::GetFlag(FLAGS_stop_grace) < absl::ZeroDuration()) {
    std::fprintf(stderr,
                 "swell-agent: --stop-grace: expected a duration of "
                 "0s or more\n");
    return 2;
  }
  config->stop_grace = absl::GetFlag(FLAGS_stop_grace);
  const bool insecure = absl::GetFlag(FLAGS_insecure);
  if (absl::Status s = swell::agent::CheckTransport(
          config->tls, config->controllers, insecure);
      !s.ok()) {
    std::fprintf(stderr, "swell-agent: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      swell::agent::ControllerCredentials(config->tls);
  if (!credentials.ok()) {
    spdlog::critical("{}", std::string(credentials.status().message()));
    return 2;
  }
  if (insecure) {
    spdlog::warn(
        "INSECURE: plaintext gRPC to the controller at {}, with no "
        "certificate: any local process can impersonate the controller or "
        "this host. For local experiments only; give --tls-cert, --tls-key "
        "and --tls-ca instead.",
        absl::StrJoin(config->controllers, ","));
  }

  // Signals are taken synchronously by this thread; every thread started
  // below inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  swell::agent::Agent agent(*config, *std::move(credentials));
  if (absl::Status s = agent.Start(); !s.ok()) {
    spdlog::critical("cannot start: {}", std::string(s.message()));
    return 1;
  }
  spdlog::info(
      "swell-agent {} host {} root {} state {} controllers {} checks {} "
      "collectors {}",
      swell::agent::kAgentVersion, config->host_id, config->root,
      config->state_dir, absl::StrJoin(config->controllers, ","),
      config->checks.size(), config->collectors.size());
  spdlog::info("guardrails: {}",
               swell::agent::DescribeGuardrails(config->guardrails));
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("{}: stopping", strsignal(sig));
  agent.Stop();
  spdlog::info("stopped");
  return 0;
}
