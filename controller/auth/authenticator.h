#pragma once

// Maps the bearer token of an API call to who is calling: the token's name
// and role. Thread-safe; called on gRPC threads.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "controller/auth/role.h"
#include "controller/auth/token_store.h"

namespace swell::controller {

// A caller whose token checked out.
struct TokenHolder {
  std::string name;  // the token's name: the audit actor
  Role role = Role::kViewer;
};

class Authenticator {
 public:
  struct Options {
    // A verified token is looked up again after this long. Revoking through
    // Forget (the RevokeToken RPC does) takes effect at once; a change made
    // around this controller (SQL) takes effect within this time.
    absl::Duration cache_for = absl::Seconds(10);
    // While the store cannot be reached (kUnavailable), a token verified
    // less than this long ago still authenticates, so that operators can
    // keep reading (and braking) through a database outage. Nothing can be
    // revoked meanwhile: revocation writes to the same database.
    absl::Duration serve_stale_for = absl::Minutes(10);
    // last_used_at is written at most this often per token.
    absl::Duration touch_every = absl::Minutes(1);
    size_t max_cached = 4096;  // beyond it the cache starts over
  };

  // `store` and `clock` must outlive the authenticator.
  Authenticator(TokenStore* store, const common::Clock* clock)
      : Authenticator(store, clock, Options{}) {}
  Authenticator(TokenStore* store, const common::Clock* clock, Options options)
      : store_(store), clock_(clock), options_(options) {}

  // `authorization` is the call's "authorization" metadata, nullopt when it
  // has none. kUnauthenticated, saying which, for a missing or malformed
  // header and an unknown, revoked or expired token; the message never
  // repeats the token. kUnavailable when the store cannot be reached and
  // the token was not verified within Options::serve_stale_for.
  absl::StatusOr<TokenHolder> Authenticate(
      std::optional<absl::string_view> authorization);

  // Drops token `name` from the cache, so that its revocation counts from
  // the next call.
  void Forget(absl::string_view name);

  TokenStore& store() const { return *store_; }
  const common::Clock& clock() const { return *clock_; }

 private:
  struct Cached {
    ApiToken token;
    absl::Time fetched;
  };

  // The token with hash `sha256_hex`, from the cache while fresh.
  absl::StatusOr<ApiToken> Lookup(const std::string& sha256_hex,
                                  absl::Time now);
  // Writes last_used_at when the last write for `name` is old enough.
  void Touch(const std::string& name, absl::Time now);

  TokenStore* store_;
  const common::Clock* clock_;
  Options options_;

  std::mutex mu_;
  std::map<std::string, Cached> cache_;        // by hash; guarded by mu_
  std::map<std::string, absl::Time> touched_;  // by name; guarded by mu_
};

}  // namespace swell::controller
