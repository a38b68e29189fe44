// swell-fleet-sim: thousands of simulated agents in one process, each over
// its own gRPC connection (and, with TLS, its own client certificate) to a
// real swell-controller. See tests/sim/README.md.

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agent/atomic_file.h"
#include "common/flags_help.h"
#include "common/logging.h"
#include "spdlog/spdlog.h"
#include "tests/sim/fleet_report.h"
#include "tests/sim/host_certificates.h"
#include "tests/sim/sim_settings.h"
#include "tests/sim/simulated_fleet.h"

namespace {

constexpr char kUsage[] =
    R"(runs simulated Swell agents against a real controller.

Usage: swell-fleet-sim --controller HOST:PORT --ca CA.pem --ca-key CA.key
           [--hosts N] [--first K] [--prefix sim-] [flags]
       swell-fleet-sim --controller HOST:PORT --insecure [flags]

Each agent has its own connection, made with the real agent's link, and,
with TLS, its own client certificate, minted at start from --ca and
--ca-key with the host id as its one DNS subjectAltName. Agents keep their
variables in memory (--start-value), say hello, stream health, apply what
they are sent after --apply-delay and report it, like swell-agent. Faults
are given as fractions of the fleet, drawn from --seed.

Progress goes to stderr every --report-interval; --status-file and
--record are rewritten then too, and the record also on SIGUSR1 and at
exit. SIGTERM or SIGINT stops it (exit 0). Flag errors exit 2.

Example: 1,000 agents of which 5% are unhealthy once changed:

  swell-fleet-sim --controller 127.0.0.1:7070 --ca pki/ca.pem \
      --ca-key pki/ca.key --hosts 1000 --unhealthy-after-change 0.05 \
      --status-file /tmp/sim.json --record /tmp/arrivals.csv)";

int Fail(int code, absl::string_view message) {
  std::fprintf(stderr, "swell-fleet-sim: %s\n", std::string(message).c_str());
  return code;
}

// One connection per agent: the soft limit is raised to the hard one.
void RaiseOpenFileLimit(int hosts) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
      spdlog::warn("cannot raise the open-file limit: {}",
                   std::strerror(errno));
    }
  }
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < static_cast<rlim_t>(hosts) + 256) {
    std::fprintf(stderr,
                 "swell-fleet-sim: warning: %d hosts need about as many open "
                 "files, and the limit is %llu; run several processes "
                 "(--first, --hosts)\n",
                 hosts, static_cast<unsigned long long>(limit.rlim_cur));
  }
}

swell::sim::CredentialsFor MakeCredentials(
    const swell::sim::SimSettings& settings,
    std::unique_ptr<swell::sim::HostCertificateIssuer>* issuer,
    std::string* root_pem) {
  if (settings.insecure) {
    auto plaintext = grpc::InsecureChannelCredentials();
    return [plaintext](const std::string&) { return plaintext; };
  }
  return [issuer, root_pem](const std::string& host)
             -> absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> {
    absl::StatusOr<swell::sim::HostKeyPair> pair = (*issuer)->Issue(host);
    if (!pair.ok()) return pair.status();
    return swell::sim::HostChannelCredentials(*root_pem, *pair);
  };
}

void WriteStatus(const swell::sim::SimSettings& settings,
                 const swell::sim::FleetSnapshot& now,
                 const swell::sim::FleetSnapshot& before,
                 absl::Duration elapsed) {
  if (settings.status_file.empty()) return;
  absl::Status s = swell::agent::WriteFileAtomically(
      settings.status_file, swell::sim::StatusJson(now, before, elapsed));
  if (!s.ok()) spdlog::error("--status-file: {}", std::string(s.message()));
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  absl::FlagsUsageConfig usage;
  usage.version_string = [] { return std::string("swell-fleet-sim 0.1.0\n"); };
  absl::SetFlagsUsageConfig(usage);
  if (swell::common::PrintHelpIfAsked(argc, argv, "tests/sim/", std::cout)) {
    return 0;
  }
  absl::StatusOr<swell::sim::SimSettings> parsed =
      swell::sim::ParseSimFlags(swell::common::NormalizeFlagNames(argc, argv));
  if (!parsed.ok()) return Fail(2, parsed.status().message());
  const swell::sim::SimSettings settings = *std::move(parsed);
  swell::common::InitLogging("swell-fleet-sim", settings.log_level);
  // Debian's Abseil checks every Mutex for lock cycles; with thousands of
  // links locking theirs, that bookkeeping was the simulator's biggest
  // cost after the kernel's.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  RaiseOpenFileLimit(settings.fleet.hosts);

  std::unique_ptr<swell::sim::HostCertificateIssuer> issuer;
  std::string root_pem;
  if (!settings.insecure) {
    absl::StatusOr<std::unique_ptr<swell::sim::HostCertificateIssuer>> loaded =
        swell::sim::HostCertificateIssuer::Load(settings.ca);
    if (!loaded.ok()) return Fail(2, loaded.status().message());
    issuer = *std::move(loaded);
    root_pem = issuer->ca_pem();
    if (!settings.tls_ca.empty()) {
      absl::StatusOr<std::string> ca =
          swell::agent::ReadFileBounded(settings.tls_ca, 1 << 20);
      if (!ca.ok()) {
        return Fail(2, absl::StrCat("--tls-ca: ", ca.status().message()));
      }
      root_pem = *std::move(ca);
    }
  }

  // Signals are taken by this thread; every thread started below inherits
  // the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGUSR1}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  const absl::Time minting = absl::Now();
  absl::StatusOr<std::unique_ptr<swell::sim::SimulatedFleet>> made =
      swell::sim::SimulatedFleet::Create(
          settings.fleet, MakeCredentials(settings, &issuer, &root_pem));
  if (!made.ok()) return Fail(1, made.status().message());
  std::unique_ptr<swell::sim::SimulatedFleet> fleet = *std::move(made);
  std::fprintf(stderr,
               "swell-fleet-sim: %d agents %s%d..%s%d ready in %s (%s), "
               "connecting to %s\n",
               settings.fleet.hosts, settings.fleet.prefix.c_str(),
               settings.fleet.first, settings.fleet.prefix.c_str(),
               settings.fleet.first + settings.fleet.hosts - 1,
               absl::FormatDuration(
                   absl::Trunc(absl::Now() - minting, absl::Milliseconds(1)))
                   .c_str(),
               settings.insecure ? "plaintext" : "a certificate each",
               settings.fleet.behaviour.link.addresses.front().c_str());
  // A status from before any connection, so that a reader never takes an
  // older run's file for this one's.
  swell::sim::FleetSnapshot before = fleet->Snapshot();
  WriteStatus(settings, before, before, absl::ZeroDuration());
  fleet->Start();

  auto write_record = [&] {
    if (settings.record.empty()) return;
    absl::Status s = swell::agent::WriteFileAtomically(
        settings.record, swell::sim::ArrivalsCsv(fleet->Arrivals()));
    if (!s.ok()) spdlog::error("--record: {}", std::string(s.message()));
  };
  const absl::Time start = absl::Now();
  absl::Time last_report = start;
  while (true) {
    const absl::Time next = last_report + settings.report_interval;
    const absl::Duration wait =
        std::max(next - absl::Now(), absl::ZeroDuration());
    const timespec timeout = absl::ToTimespec(wait);
    const int sig = sigtimedwait(&signals, nullptr, &timeout);
    if (sig == SIGUSR1) {
      write_record();
      continue;
    }
    if (sig == SIGTERM || sig == SIGINT) {
      std::fprintf(stderr, "swell-fleet-sim: %s: stopping\n", strsignal(sig));
      break;
    }
    const absl::Time now = absl::Now();
    if (now < next) continue;  // woken early (EINTR)
    swell::sim::FleetSnapshot snapshot = fleet->Snapshot();
    std::fprintf(
        stderr, "swell-fleet-sim: %6.1fs %s\n",
        absl::ToDoubleSeconds(now - start),
        swell::sim::ProgressLine(snapshot, before, now - last_report).c_str());
    WriteStatus(settings, snapshot, before, now - last_report);
    write_record();
    before = std::move(snapshot);
    last_report = now;
    if (settings.duration > absl::ZeroDuration() &&
        now - start >= settings.duration) {
      break;
    }
  }
  write_record();
  const absl::Time now = absl::Now();
  WriteStatus(settings, fleet->Snapshot(), before, now - last_report);
  fleet->Stop();
  std::fprintf(stderr, "swell-fleet-sim: stopped\n");
  return 0;
}
