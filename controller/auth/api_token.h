#pragma once

// API tokens: what is stored about one (never the token itself), and how a
// token is made and hashed.

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "controller/auth/role.h"

namespace swell::controller {

// Every token starts with this, so that a leaked one is recognisable in a
// log, a paste or a secret scanner.
inline constexpr absl::string_view kTokenPrefix = "swell_";

// What a TokenStore keeps about a token. `sha256_hex` is the SHA-256 of the
// whole token (prefix included) as 64 lowercase hex digits; the token
// itself is shown once, when created, and kept nowhere.
struct ApiToken {
  std::string name;  // unique; the audit actor of every call made with it
  Role role = Role::kViewer;
  std::string sha256_hex;
  absl::Time created_at = absl::InfinitePast();
  std::string created_by;  // the name of the token that created it
  absl::Time expires_at = absl::InfiniteFuture();  // InfiniteFuture: never
  absl::Time last_used_at = absl::InfinitePast();  // InfinitePast: never
  absl::Time revoked_at = absl::InfiniteFuture();  // InfiniteFuture: not

  bool revoked() const { return revoked_at != absl::InfiniteFuture(); }
  bool ExpiredAt(absl::Time now) const { return expires_at <= now; }
  // Neither revoked nor expired at `now`: it authenticates.
  bool UsableAt(absl::Time now) const { return !revoked() && !ExpiredAt(now); }
};

// A new token: kTokenPrefix and 256 random bits from OpenSSL's CSPRNG
// (RAND_bytes), base64url without padding (49 characters in all).
// kInternal when the CSPRNG fails; never a weaker token.
[[nodiscard]] absl::StatusOr<std::string> NewTokenSecret();

// SHA-256 of `token` (OpenSSL EVP), 64 lowercase hex digits.
//
// Tokens are looked up by this hash, through an index, rather than
// compared with the presented token, so no constant-time comparison is
// needed: what timing could leak is how far a guess's hash matches a stored
// hash, and knowing part of a SHA-256 output does not help to find a token
// with 256 random bits that produces it.
std::string TokenSha256Hex(absl::string_view token);

// kInvalidArgument unless `name` is 1 to 64 of [A-Za-z0-9._@-], starting
// with a letter or digit. The same rule is a CHECK of the api_tokens table.
[[nodiscard]] absl::Status CheckTokenName(absl::string_view name);

}  // namespace swell::controller
