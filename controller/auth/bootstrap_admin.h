#pragma once

// The first admin token of a new installation
// (swell-controller --bootstrap_admin_token_file FILE).

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/auth/token_store.h"

namespace swell::controller {

inline constexpr char kBootstrapAdminName[] = "bootstrap-admin";

enum class BootstrapOutcome {
  kWritten,      // a new admin token is in the file
  kAdminExists,  // an admin token was usable already; nothing was written
};

// While no admin token is usable at `now`, makes one named
// kBootstrapAdminName and writes it, with a newline, to `path`, which is
// created exclusively with mode 0600 (an existing file or symlink is
// kFailedPrecondition: nothing is overwritten). The file is written and
// synced before the token is stored, so a failure never leaves a stored
// token that nobody holds; a failure after the file was made removes it.
// Otherwise does nothing, and logs that. Both outcomes are logged.
absl::StatusOr<BootstrapOutcome> BootstrapAdminToken(TokenStore& store,
                                                     const std::string& path,
                                                     absl::Time now);

}  // namespace swell::controller
