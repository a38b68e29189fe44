#include "controller/auth/token_store.h"

#include <string_view>

#include "controller/store/store_values.h"

namespace swell::controller {

absl::Status CheckStorable(const ApiToken& token, const AuditEvent& audit) {
  if (absl::Status s = CheckTokenName(token.name); !s.ok()) return s;
  if (token.sha256_hex.size() != 64 ||
      token.sha256_hex.find_first_not_of("0123456789abcdef") !=
          std::string::npos) {
    return absl::InvalidArgumentError(
        "token hash: expected 64 lowercase hex digits");
  }
  if (absl::Status s = CheckText("token created_by", token.created_by);
      !s.ok()) {
    return s;
  }
  return CheckStorableAudit(audit);
}

absl::Status CheckLookupKey(absl::string_view field, absl::string_view key) {
  return CheckNoNul(std::string_view(field.data(), field.size()),
                    std::string_view(key.data(), key.size()));
}

absl::Status CheckStorableAudit(const AuditEvent& audit) {
  for (const std::string& text : {audit.actor, audit.action, audit.reason}) {
    if (absl::Status s = CheckText("audit event", text); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace swell::controller
