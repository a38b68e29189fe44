#pragma once

// Revoking a host: an operator says that a host's certificate no longer
// counts (a stolen key, a host being rebuilt). Pure functions from the
// model to a Mutation; the controller refuses the streams of every host
// the model holds revoked (SessionRegistry::SetRevoked).

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/fleet.h"

namespace swell::controller {

// Revokes `host_id`: its agent streams are refused, the one connected now
// is ended, and new rollouts do not target it, until UnrevokeHost. Writes
// the host and a "revoke_host" audit event (the reason names the host), in
// one mutation. Rollouts already working on the host are left alone: its
// agent cannot report, so they fail it after their grace as they would any
// silent host.
// - kInvalidArgument: no reason;
// - kNotFound: no such host;
// - a host already revoked is left as it is (an empty mutation).
absl::StatusOr<Mutation> RevokeHost(const Fleet& fleet,
                                    const std::string& host_id,
                                    const Request& req);

// Lifts a revocation: the host's agent may connect again. Writes the host
// and an "unrevoke_host" audit event. kNotFound: no such host; a host not
// revoked is left as it is (an empty mutation). The reason is optional.
absl::StatusOr<Mutation> UnrevokeHost(const Fleet& fleet,
                                      const std::string& host_id,
                                      const Request& req);

// host id -> revoke reason, for every revoked host of `hosts`.
std::map<std::string, std::string> RevokedHosts(
    const std::map<std::string, Host>& hosts);

}  // namespace swell::controller
