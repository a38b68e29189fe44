#include "controller/rollout/host_presence.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace swell::controller {
namespace {

std::string When(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M UTC", t, absl::UTCTimeZone());
}

// "7d", "36h", "90m", "45s": the largest unit that divides the duration
// whole reads best for thresholds people set.
std::string Threshold(absl::Duration d) {
  if (d == absl::InfiniteDuration()) return "never";
  for (auto [unit, suffix] :
       {std::pair{absl::Hours(24), "d"}, std::pair{absl::Hours(1), "h"},
        std::pair{absl::Minutes(1), "m"}}) {
    if (d >= unit && d % unit == absl::ZeroDuration()) {
      return absl::StrCat(d / unit, suffix);
    }
  }
  return absl::FormatDuration(d);
}

std::string ExclusionReason(const Host& h, HostPresence p,
                            absl::Duration stale_after) {
  if (p == HostPresence::kRevoked) {
    return absl::StrCat("revoked ", When(h.revoked_at), ": ", h.revoke_reason);
  }
  if (p == HostPresence::kRetired) {
    return absl::StrCat("retired ", When(h.retired_at), ": ", h.retire_reason);
  }
  return absl::StrCat(h.last_seen == absl::InfinitePast()
                          ? std::string("never seen")
                          : absl::StrCat("not seen since ", When(h.last_seen)),
                      " (stale after ", Threshold(stale_after), ")");
}

}  // namespace

std::string_view HostPresenceName(HostPresence p) {
  switch (p) {
    case HostPresence::kConnected:
      return "connected";
    case HostPresence::kDisconnected:
      return "disconnected";
    case HostPresence::kStale:
      return "stale";
    case HostPresence::kRetired:
      return "retired";
    case HostPresence::kRevoked:
      return "revoked";
  }
  std::fprintf(stderr, "FATAL: invalid HostPresence value %d\n",
               static_cast<int>(p));
  std::abort();
}

HostPresence PresenceOf(const Host& host, bool connected, absl::Time now,
                        absl::Duration stale_after) {
  if (host.revoked_at != absl::InfinitePast()) return HostPresence::kRevoked;
  if (host.retired_at != absl::InfinitePast()) return HostPresence::kRetired;
  if (connected) return HostPresence::kConnected;
  // A host never seen has an infinite age: stale under any finite threshold.
  if (now - host.last_seen > stale_after) return HostPresence::kStale;
  return HostPresence::kDisconnected;
}

HostPresence PresenceOf(const Host& host, const PresenceView& view) {
  const bool connected =
      view.agents != nullptr && view.agents->Connected(host.id);
  return PresenceOf(host, connected, view.now, view.stale_after);
}

bool IsTargetable(HostPresence p) {
  return p == HostPresence::kConnected || p == HostPresence::kDisconnected;
}

TargetSelection SelectTargetsNow(const Plan& plan,
                                 const std::map<std::string, Host>& hosts,
                                 const PresenceView& view) {
  TargetSelection out;
  for (TargetHost& t : SelectTargets(plan, hosts)) {
    const Host& h = hosts.at(t.id);
    const HostPresence p = PresenceOf(h, view);
    if (IsTargetable(p)) {
      out.targets.push_back(std::move(t));
    } else {
      out.excluded.push_back(
          ExcludedHost{t.id, p, ExclusionReason(h, p, view.stale_after)});
    }
  }
  return out;
}

}  // namespace swell::controller
