#pragma once

// Who may call which RolloutService method, and the check every handler
// makes first. The brakes need less privilege than the accelerators
// (DESIGN.md, "Security").

#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "controller/auth/authenticator.h"
#include "controller/auth/role.h"
#include "grpcpp/server_context.h"

namespace swell::controller {

// The least role that may call one method.
struct MethodAccess {
  absl::string_view method;  // as in the service descriptor: "Halt"
  Role needed;
  absl::string_view action;  // what a person calls it: "halt"
};

// One entry for every method of swell.v1.RolloutService (a unit test checks
// the descriptor against it, so a new RPC cannot be left out).
const std::vector<MethodAccess>& RolloutMethodAccess();

// The entry of `method`; nullptr when it has none.
const MethodAccess* FindMethodAccess(absl::string_view method);

// Who made a call, as the audit trail records it.
struct ApiCaller {
  // The token's name. Without authentication (insecure mode), the actor the
  // client claims, prefixed "unauthenticated:".
  std::string actor;
  std::optional<Role> role;  // nullopt without authentication
};

// The check at the top of every RolloutService handler. With an
// `authenticator`, authenticates the call's bearer token (kUnauthenticated
// otherwise) and checks its role against the method's entry
// (kPermissionDenied naming the role needed and the caller's). Without one
// (insecure mode) every call is allowed. A method without an entry is
// refused (kInternal): a forgotten entry must fail closed.
absl::StatusOr<ApiCaller> AuthorizeCall(Authenticator* authenticator,
                                        const grpc::ServerContextBase& ctx,
                                        absl::string_view method,
                                        absl::string_view claimed_actor);

}  // namespace swell::controller
