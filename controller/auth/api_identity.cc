#include "controller/auth/api_identity.h"

#include "controller/auth/bootstrap_admin.h"
#include "controller/auth/pg_token_store.h"

namespace swell::controller {

absl::StatusOr<ApiIdentity> StartApiIdentity(
    const std::string& conninfo, const common::Clock* clock,
    const std::string& bootstrap_admin_token_file) {
  absl::StatusOr<std::unique_ptr<PgTokenStore>> store =
      PgTokenStore::Connect(conninfo);
  if (!store.ok()) return store.status();
  ApiIdentity identity;
  identity.tokens = *std::move(store);
  if (!bootstrap_admin_token_file.empty()) {
    absl::StatusOr<BootstrapOutcome> outcome = BootstrapAdminToken(
        *identity.tokens, bootstrap_admin_token_file, clock->Now());
    if (!outcome.ok()) return outcome.status();
  }
  identity.authenticator =
      std::make_unique<Authenticator>(identity.tokens.get(), clock);
  return identity;
}

}  // namespace swell::controller
