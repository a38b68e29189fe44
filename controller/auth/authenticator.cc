#include "controller/auth/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace swell::controller {
namespace {

constexpr absl::string_view kHowToSend =
    "send 'authorization: Bearer <token>' (swellctl: --token-file, "
    "SWELL_TOKEN or ~/.config/swell/token)";

std::string When(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<TokenHolder> Authenticator::Authenticate(
    std::optional<absl::string_view> authorization) {
  if (!authorization.has_value()) {
    return absl::UnauthenticatedError(absl::StrCat("no token: ", kHowToSend));
  }
  absl::string_view value = absl::StripAsciiWhitespace(*authorization);
  // RFC 6750: the scheme is case-insensitive.
  if (value.size() <= 7 || !absl::StartsWithIgnoreCase(value, "bearer ")) {
    return absl::UnauthenticatedError(absl::StrCat(
        "malformed authorization header: expected 'Bearer <token>'; ",
        kHowToSend));
  }
  const absl::string_view secret =
      absl::StripLeadingAsciiWhitespace(value.substr(7));
  const absl::Time now = clock_->Now();
  absl::StatusOr<ApiToken> token = Lookup(TokenSha256Hex(secret), now);
  if (!token.ok()) return token.status();
  if (token->revoked()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "token '", token->name, "' was revoked at ", When(token->revoked_at)));
  }
  if (token->ExpiredAt(now)) {
    return absl::UnauthenticatedError(absl::StrCat(
        "token '", token->name, "' expired at ", When(token->expires_at)));
  }
  Touch(token->name, now);
  return TokenHolder{token->name, token->role};
}

absl::StatusOr<ApiToken> Authenticator::Lookup(const std::string& sha256_hex,
                                               absl::Time now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(sha256_hex);
    if (it != cache_.end() && now - it->second.fetched < options_.cache_for) {
      return it->second.token;
    }
  }
  absl::StatusOr<ApiToken> token = store_->FindByHash(sha256_hex);
  if (absl::IsUnavailable(token.status())) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(sha256_hex);
    if (it != cache_.end() &&
        now - it->second.fetched < options_.serve_stale_for) {
      return it->second.token;
    }
    return token.status();
  }
  if (absl::IsNotFound(token.status())) {
    // Unknown tokens are not cached: guesses must not fill the memory.
    return absl::UnauthenticatedError(
        "unknown token: this controller never issued it (or it was "
        "mistyped)");
  }
  if (!token.ok()) return token.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= options_.max_cached) cache_.clear();
  cache_[sha256_hex] = Cached{*token, now};
  return token;
}

void Authenticator::Touch(const std::string& name, absl::Time now) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = touched_.find(name);
    if (it != touched_.end() && now - it->second < options_.touch_every) {
      return;
    }
    if (touched_.size() >= options_.max_cached) touched_.clear();
    touched_[name] = now;
  }
  // Best effort: a failed write only leaves last_used_at older; the call
  // itself was authenticated.
  if (!store_->TouchLastUsed(name, now).ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    touched_.erase(name);
  }
}

void Authenticator::Forget(absl::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.token.name == name ? cache_.erase(it) : std::next(it);
  }
}

}  // namespace swell::controller
