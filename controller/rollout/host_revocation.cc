#include "controller/rollout/host_revocation.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace swell::controller {
namespace {

absl::StatusOr<const Host*> FindHost(const Fleet& fleet,
                                     const std::string& host_id) {
  auto it = fleet.hosts.find(host_id);
  if (it == fleet.hosts.end()) {
    return absl::NotFoundError(absl::StrCat(
        "no host ", host_id,
        ": no agent ever connected with that id (swellctl hosts lists the "
        "known hosts)"));
  }
  return &it->second;
}

}  // namespace

absl::StatusOr<Mutation> RevokeHost(const Fleet& fleet,
                                    const std::string& host_id,
                                    const Request& req) {
  if (req.reason.empty()) {
    return absl::InvalidArgumentError(
        "reason: required; say why the host is revoked (it is kept in the "
        "audit trail and told to its agent)");
  }
  absl::StatusOr<const Host*> found = FindHost(fleet, host_id);
  if (!found.ok()) return found.status();
  Mutation m;
  if ((*found)->revoked_at != absl::InfinitePast()) return m;  // already
  Host h = **found;
  h.revoked_at = req.now;
  h.revoke_reason = req.reason;
  m.hosts.push_back(std::move(h));
  m.audit.push_back(
      AuditEvent{req.now, req.actor, "revoke_host", "",
                 absl::StrCat("host ", host_id, ": ", req.reason)});
  return m;
}

absl::StatusOr<Mutation> UnrevokeHost(const Fleet& fleet,
                                      const std::string& host_id,
                                      const Request& req) {
  absl::StatusOr<const Host*> found = FindHost(fleet, host_id);
  if (!found.ok()) return found.status();
  Mutation m;
  if ((*found)->revoked_at == absl::InfinitePast()) return m;  // not revoked
  Host h = **found;
  const std::string was = h.revoke_reason;
  h.revoked_at = absl::InfinitePast();
  h.revoke_reason.clear();
  m.hosts.push_back(std::move(h));
  m.audit.push_back(AuditEvent{
      req.now, req.actor, "unrevoke_host", "",
      absl::StrCat("host ", host_id, " (revoked: ", was, ")",
                   req.reason.empty() ? "" : absl::StrCat(": ", req.reason))});
  return m;
}

std::map<std::string, std::string> RevokedHosts(
    const std::map<std::string, Host>& hosts) {
  std::map<std::string, std::string> out;
  for (const auto& [id, h] : hosts) {
    if (h.revoked_at != absl::InfinitePast()) out.emplace(id, h.revoke_reason);
  }
  return out;
}

}  // namespace swell::controller
