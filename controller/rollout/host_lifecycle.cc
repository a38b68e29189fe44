#include "controller/rollout/host_lifecycle.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swell::controller {
namespace {

constexpr char kController[] = "swell-controller";

std::string When(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

// True while `rec` still expects something of the host: it has not reached
// it yet, waits on its agent, watches it converged, or is returning it to
// its previous value. A host that failed, was rolled back or was skipped
// is done with.
bool StillTargets(const RolloutRecord& rec, const std::string& host) {
  if (!IsActive(rec.rollout)) return false;
  auto it = rec.hosts.find(host);
  if (it == rec.hosts.end()) return false;
  switch (it->second.state) {
    case HostState::kFailed:
    case HostState::kRolledBack:
    case HostState::kSkipped:
      return false;
    default:
      return true;
  }
}

}  // namespace

Mutation HostsHeard(const std::map<std::string, Host>& hosts,
                    const std::vector<swell::v1::Hello>& hellos,
                    const std::vector<std::string>& gone, absl::Time now) {
  Mutation m;
  // Several events of one host in a batch: each starts from the record the
  // previous one left.
  std::map<std::string, Host> changed;
  auto current = [&](const std::string& id) -> Host* {
    auto c = changed.find(id);
    if (c != changed.end()) return &c->second;
    auto h = hosts.find(id);
    if (h == hosts.end()) return nullptr;
    return &changed.emplace(id, h->second).first->second;
  };
  for (const swell::v1::Hello& hello : hellos) {
    Host* h = current(hello.host_id());
    if (h == nullptr) {
      h = &changed[hello.host_id()];
      h->id = hello.host_id();
    }
    if (h->first_seen == absl::InfinitePast()) h->first_seen = now;
    h->labels = std::map<std::string, std::string>(hello.labels().begin(),
                                                   hello.labels().end());
    h->agent_version = hello.agent_version();
    h->last_seen = now;
    if (h->retired_at != absl::InfinitePast()) {
      m.audit.push_back(AuditEvent{
          now, kController, "host_returned", "",
          absl::StrCat("host ", h->id, " connected again; it had been retired ",
                       When(h->retired_at), ": ", h->retire_reason)});
      h->retired_at = absl::InfinitePast();
      h->retire_reason.clear();
    }
  }
  for (const std::string& id : gone) {
    if (Host* h = current(id)) h->last_seen = now;
  }
  for (auto& [id, h] : changed) m.hosts.push_back(std::move(h));
  return m;
}

std::vector<Host> RefreshLastSeen(const std::map<std::string, Host>& hosts,
                                  const AgentObservations& agents,
                                  absl::Time now,
                                  absl::Duration refresh_after) {
  std::vector<Host> out;
  for (const auto& [id, h] : hosts) {
    if (now - h.last_seen <= refresh_after || !agents.Connected(id)) continue;
    Host fresh = h;
    fresh.last_seen = now;
    out.push_back(std::move(fresh));
  }
  return out;
}

absl::StatusOr<Mutation> RetireHost(const Fleet& fleet,
                                    const std::string& host_id, bool connected,
                                    const Request& req) {
  if (req.reason.empty()) {
    return absl::InvalidArgumentError(
        "reason: required; say why the host is retired (it is kept in the "
        "audit trail)");
  }
  auto it = fleet.hosts.find(host_id);
  if (it == fleet.hosts.end()) {
    return absl::NotFoundError(absl::StrCat(
        "no host ", host_id,
        ": no agent ever connected with that id (swellctl hosts lists the "
        "known hosts)"));
  }
  Mutation m;
  if (it->second.retired_at != absl::InfinitePast()) return m;  // already
  if (connected) {
    return absl::FailedPreconditionError(absl::StrCat(
        "host ", host_id,
        " is connected now, and a retired host that connects again comes "
        "back; stop its agent first, then retire it"));
  }
  for (const auto& [id, rec] : fleet.rollouts) {
    if (!StillTargets(rec, host_id)) continue;
    return absl::FailedPreconditionError(absl::StrCat(
        "host ", host_id, " is a target of active rollout ", id, " (",
        rec.rollout.name, ", ",
        std::string(RolloutStateName(rec.rollout.state)),
        "), which keeps the hosts it was submitted with: retiring would not "
        "take the host out of it; wait for it to end or roll it back, then "
        "retire the host"));
  }
  Host h = it->second;
  h.retired_at = req.now;
  h.retire_reason = req.reason;
  m.hosts.push_back(std::move(h));
  m.audit.push_back(
      AuditEvent{req.now, req.actor, "retire_host", "",
                 absl::StrCat("host ", host_id, ": ", req.reason)});
  return m;
}

}  // namespace swell::controller
