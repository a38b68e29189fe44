#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "controller/auth/token_store.h"

namespace swell::controller {

// TokenStore in memory, for unit tests. It accepts, rejects and rounds
// (times to the microsecond) as PgTokenStore does. Thread-safe.
class MemoryTokenStore final : public TokenStore {
 public:
  absl::Status Create(const ApiToken& token, const AuditEvent& audit) override;
  absl::StatusOr<bool> CreateFirstAdmin(const ApiToken& token,
                                        const AuditEvent& audit) override;
  absl::StatusOr<bool> HasUsableAdmin(absl::Time now) override;
  absl::StatusOr<ApiToken> FindByHash(absl::string_view sha256_hex) override;
  absl::StatusOr<std::vector<ApiToken>> List() override;
  absl::StatusOr<ApiToken> Revoke(absl::string_view name, absl::Time at,
                                  const AuditEvent& audit) override;
  absl::Status TouchLastUsed(absl::string_view name, absl::Time at) override;

  // The audit events appended so far, oldest first.
  std::vector<AuditEvent> audit() const;

 private:
  absl::Status CreateLocked(const ApiToken& token, const AuditEvent& audit);
  bool HasUsableAdminLocked(absl::Time now) const;

  mutable std::mutex mu_;
  std::map<std::string, ApiToken, std::less<>> tokens_;  // by name
  std::vector<AuditEvent> audit_;
};

}  // namespace swell::controller
