#pragma once

// Durable storage of API tokens. Two implementations: PgTokenStore
// (production, its own PostgreSQL connection) and MemoryTokenStore (unit
// tests); both pass tests/integration/token_store_conformance_test.cc.
//
// Tokens are kept by name and by the SHA-256 of the token, never the token.
// Creating and revoking a token appends an audit event in the same
// transaction, so the audit trail says who made or unmade every token.
//
// Errors follow Store's: kUnavailable (retry the call), kAborted (retry the
// whole operation), kInvalidArgument (the value cannot be stored). A failed
// call changes nothing.
//
// Thread-safe: called from gRPC threads (never the reconciler's).

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/auth/api_token.h"
#include "controller/rollout/model.h"

namespace swell::controller {

class TokenStore {
 public:
  virtual ~TokenStore() = default;

  // Stores `token` and appends `audit`. A token of the same name that is
  // revoked or expired at token.created_at is replaced (its history stays
  // in the audit trail); one still usable is kAlreadyExists, as is a hash
  // that is already stored (a repeated token).
  [[nodiscard]] virtual absl::Status Create(const ApiToken& token,
                                            const AuditEvent& audit) = 0;

  // Create, but only while no admin token is usable at token.created_at;
  // the check and the insert are one transaction, so two controllers
  // starting together make one. Returns whether it stored `token`.
  [[nodiscard]] virtual absl::StatusOr<bool> CreateFirstAdmin(
      const ApiToken& token, const AuditEvent& audit) = 0;

  // Whether some admin token is usable at `now`.
  [[nodiscard]] virtual absl::StatusOr<bool> HasUsableAdmin(absl::Time now) = 0;

  // The token whose hash is `sha256_hex`, revoked and expired ones
  // included; kNotFound when there is none.
  [[nodiscard]] virtual absl::StatusOr<ApiToken> FindByHash(
      absl::string_view sha256_hex) = 0;

  // Every token, revoked and expired ones included, by name.
  [[nodiscard]] virtual absl::StatusOr<std::vector<ApiToken>> List() = 0;

  // Marks token `name` revoked at `at` and appends `audit`; returns it as
  // stored now. Revoking a revoked token changes nothing and appends no
  // event. kNotFound for an unknown name.
  [[nodiscard]] virtual absl::StatusOr<ApiToken> Revoke(
      absl::string_view name, absl::Time at, const AuditEvent& audit) = 0;

  // Records that token `name` was used at `at` (kept only if later than
  // what is stored). An unknown name is not an error.
  [[nodiscard]] virtual absl::Status TouchLastUsed(absl::string_view name,
                                                   absl::Time at) = 0;
};

// What both stores refuse, with the same messages: a bad name, a hash that
// is not 64 lowercase hex digits, text PostgreSQL cannot hold.
[[nodiscard]] absl::Status CheckLookupKey(absl::string_view field,
                                          absl::string_view key);
[[nodiscard]] absl::Status CheckStorableAudit(const AuditEvent& audit);
[[nodiscard]] absl::Status CheckStorable(const ApiToken& token,
                                         const AuditEvent& audit);

}  // namespace swell::controller
