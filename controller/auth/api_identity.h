#pragma once

// Operator identity for a secure controller, in one call for main.cc: the
// token store on a PostgreSQL connection of its own, the authenticator over
// it, and the first admin token when asked for.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "controller/auth/authenticator.h"
#include "controller/auth/token_store.h"

namespace swell::controller {

struct ApiIdentity {
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<Authenticator> authenticator;  // uses *tokens
};

// Connects to `conninfo` (already migrated: api_tokens is migration 6) and,
// when `bootstrap_admin_token_file` is not empty, runs BootstrapAdminToken
// with it (bootstrap_admin.h): it writes the file only while no admin token
// is usable, and logs what it did. `clock` must outlive the result.
// kUnavailable when the database cannot be reached; BootstrapAdminToken's
// errors otherwise.
absl::StatusOr<ApiIdentity> StartApiIdentity(
    const std::string& conninfo, const common::Clock* clock,
    const std::string& bootstrap_admin_token_file);

}  // namespace swell::controller
