#include "controller/auth/memory_token_store.h"

#include "absl/strings/str_cat.h"
#include "controller/store/store_values.h"

namespace swell::controller {
namespace {

ApiToken Stored(ApiToken t) {
  t.created_at = StoredTime(t.created_at);
  t.expires_at = StoredTime(t.expires_at);
  t.last_used_at = StoredTime(t.last_used_at);
  t.revoked_at = StoredTime(t.revoked_at);
  return t;
}

AuditEvent Stored(AuditEvent a) {
  a.at = StoredTime(a.at);
  return a;
}

}  // namespace

absl::Status MemoryTokenStore::CreateLocked(const ApiToken& token,
                                            const AuditEvent& audit) {
  if (absl::Status s = CheckStorable(token, audit); !s.ok()) return s;
  auto same_name = tokens_.find(token.name);
  if (same_name != tokens_.end() &&
      same_name->second.UsableAt(token.created_at)) {
    return absl::AlreadyExistsError(
        absl::StrCat("a token named '", token.name, "' exists"));
  }
  for (const auto& [name, t] : tokens_) {
    if (t.sha256_hex == token.sha256_hex && name != token.name) {
      return absl::AlreadyExistsError("a token with this hash exists");
    }
  }
  tokens_[token.name] = Stored(token);
  audit_.push_back(Stored(audit));
  return absl::OkStatus();
}

bool MemoryTokenStore::HasUsableAdminLocked(absl::Time now) const {
  for (const auto& [name, t] : tokens_) {
    if (t.role == Role::kAdmin && t.UsableAt(now)) return true;
  }
  return false;
}

absl::Status MemoryTokenStore::Create(const ApiToken& token,
                                      const AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  return CreateLocked(token, audit);
}

absl::StatusOr<bool> MemoryTokenStore::CreateFirstAdmin(
    const ApiToken& token, const AuditEvent& audit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (HasUsableAdminLocked(token.created_at)) return false;
  if (absl::Status s = CreateLocked(token, audit); !s.ok()) return s;
  return true;
}

absl::StatusOr<bool> MemoryTokenStore::HasUsableAdmin(absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  return HasUsableAdminLocked(now);
}

absl::StatusOr<ApiToken> MemoryTokenStore::FindByHash(
    absl::string_view sha256_hex) {
  if (absl::Status s = CheckLookupKey("token hash", sha256_hex); !s.ok())
    return s;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, t] : tokens_) {
    if (t.sha256_hex == sha256_hex) return t;
  }
  return absl::NotFoundError("no token has this hash");
}

absl::StatusOr<std::vector<ApiToken>> MemoryTokenStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ApiToken> out;
  for (const auto& [name, t] : tokens_) out.push_back(t);
  return out;
}

absl::StatusOr<ApiToken> MemoryTokenStore::Revoke(absl::string_view name,
                                                  absl::Time at,
                                                  const AuditEvent& audit) {
  if (absl::Status s = CheckLookupKey("token name", name); !s.ok()) return s;
  if (absl::Status s = CheckStorableAudit(audit); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(name);
  if (it == tokens_.end()) {
    return absl::NotFoundError(absl::StrCat("no token named '", name, "'"));
  }
  if (!it->second.revoked()) {
    it->second.revoked_at = StoredTime(at);
    audit_.push_back(Stored(audit));
  }
  return it->second;
}

absl::Status MemoryTokenStore::TouchLastUsed(absl::string_view name,
                                             absl::Time at) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tokens_.find(name);
  if (it != tokens_.end() && StoredTime(at) > it->second.last_used_at) {
    it->second.last_used_at = StoredTime(at);
  }
  return absl::OkStatus();
}

std::vector<AuditEvent> MemoryTokenStore::audit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return audit_;
}

}  // namespace swell::controller
