#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "controller/auth/token_store.h"
#include "pqxx/connection"

namespace swell::controller {

// TokenStore in PostgreSQL's api_tokens table (migration 6; the schema is
// migrated by PostgresStore::Migrate, not here), through a libpqxx
// connection of its own: token lookups run on gRPC threads and must never
// wait for the reconciler's connection, nor use it. Calls are serialised
// by a mutex. After a lost connection, the next call reconnects.
class PgTokenStore final : public TokenStore {
 public:
  // Connects to `conninfo`; kUnavailable when the server cannot be reached.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<PgTokenStore>> Connect(
      const std::string& conninfo);

  absl::Status Create(const ApiToken& token, const AuditEvent& audit) override;
  absl::StatusOr<bool> CreateFirstAdmin(const ApiToken& token,
                                        const AuditEvent& audit) override;
  absl::StatusOr<bool> HasUsableAdmin(absl::Time now) override;
  absl::StatusOr<ApiToken> FindByHash(absl::string_view sha256_hex) override;
  absl::StatusOr<std::vector<ApiToken>> List() override;
  absl::StatusOr<ApiToken> Revoke(absl::string_view name, absl::Time at,
                                  const AuditEvent& audit) override;
  absl::Status TouchLastUsed(absl::string_view name, absl::Time at) override;

 private:
  explicit PgTokenStore(std::unique_ptr<pqxx::connection> conn)
      : conn_(std::move(conn)) {}

  std::mutex mu_;
  std::unique_ptr<pqxx::connection> conn_;  // guarded by mu_
};

}  // namespace swell::controller
