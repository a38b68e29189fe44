#pragma once

// Hosts without swell-agent that take part in rollouts through the pull API
// (docs/pull-api.md). Each is a session that looks to the rest of the
// controller exactly like an agent stream: its first report is the hello
// (through the same AgentMessageHandler, so the same checks and the same
// records), its reports are actual reports and apply results, its samples
// fill the same health window, and it is registered in the SessionRegistry
// (so a revocation ends it, and a real agent of the host supersedes it). A
// pull host is connected while it is heard from within the lease.

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "controller/rollout/fleet.h"
#include "controller/service/agent_messages.h"
#include "controller/service/agent_service.h"
#include "controller/service/pull_json.h"
#include "controller/service/session_registry.h"

namespace swell::controller {

// The agent_version a pull host's hello carries; `swellctl hosts` shows
// such hosts as pull hosts.
inline constexpr char kPullAgentVersion[] = "pull";

class PullHosts {
 public:
  struct Options {
    // A pull host silent this long is disconnected, as an agent whose
    // stream ended (it is back with its next report).
    absl::Duration lease = absl::Seconds(60);
    // How often silent hosts are looked for; 0: never by a thread of
    // this class (tests call ExpireSilent).
    absl::Duration sweep = absl::Seconds(1);
  };

  // Nothing is owned; everything must outlive this. `counters` are the
  // agent service's (health reports and refused samples count once).
  PullHosts(SessionRegistry* sessions, AgentTracker* tracker,
            HealthWindow* health, AgentEvents events,
            const common::Clock* clock, AgentServiceImpl* counters,
            Options options);
  ~PullHosts();

  // What `host` enacted. Its first report (or the first after its lease
  // ran out) is its hello: labels from the report, else those `fleet`
  // (may be null) knows. kPermissionDenied when the host is revoked;
  // kFailedPrecondition while swell-agent serves the host.
  absl::Status Report(const std::string& host, const PullReport& report,
                      const Fleet* fleet);
  // Health samples of a host that has reported; kFailedPrecondition for
  // one that has not (or whose lease ran out).
  absl::Status Health(const std::string& host,
                      const swell::v1::HealthReport& report);
  // The host itself asked for its desired state: it is alive.
  void Heard(const std::string& host);

  // Disconnects hosts silent for longer than the lease, and sessions a
  // revocation or a real agent ended.
  void ExpireSilent();
  int ConnectedCount() const;

 private:
  class Session;
  // What a session's messages update; its hello registers `session`.
  AgentMessageTargets TargetsFor(Session* session);
  // Ends `host`'s session; mu_ held.
  void EndLocked(const std::string& host);
  void SweepLoop();

  SessionRegistry* sessions_;
  AgentTracker* tracker_;
  HealthWindow* health_;
  AgentEvents events_;
  const common::Clock* clock_;
  AgentServiceImpl* counters_;
  Options options_;

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Session>> hosts_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread sweeper_;
};

}  // namespace swell::controller
