// The token RPCs of RolloutService (admin). They answer on the gRPC thread
// through the TokenStore's own connection, never through the reconciler:
// tokens are not part of the rollout model.

#include "absl/strings/str_cat.h"
#include "controller/auth/api_token.h"
#include "controller/service/rollout_service.h"

namespace swell::controller {
namespace {

constexpr size_t kMaxReasonBytes = 1024;

int64_t UnixMsOrZero(absl::Time t) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) return 0;
  return absl::ToUnixMillis(t);
}

swell::v1::ApiTokenInfo Describe(const ApiToken& t) {
  swell::v1::ApiTokenInfo info;
  info.set_name(t.name);
  info.set_role(std::string(RoleName(t.role)));
  info.set_created_unix_ms(UnixMsOrZero(t.created_at));
  info.set_created_by(t.created_by);
  info.set_expires_unix_ms(UnixMsOrZero(t.expires_at));
  info.set_last_used_unix_ms(UnixMsOrZero(t.last_used_at));
  info.set_revoked_unix_ms(UnixMsOrZero(t.revoked_at));
  return info;
}

absl::Status CheckOptionalReason(const std::string& reason) {
  if (reason.size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: at most ", kMaxReasonBytes, " bytes"));
  }
  return absl::OkStatus();
}

std::string WithReason(std::string what, const std::string& reason) {
  return reason.empty() ? what : absl::StrCat(what, ": ", reason);
}

absl::Status NeedsAuthentication() {
  return absl::FailedPreconditionError(
      "this controller runs --insecure and checks no tokens; start it with "
      "TLS to manage tokens");
}

}  // namespace

grpc::ServerUnaryReactor* RolloutServiceImpl::CreateToken(
    grpc::CallbackServerContext* ctx, const swell::v1::CreateTokenRequest* req,
    swell::v1::CreateTokenResponse* resp) {
  auto caller = Authorize(ctx, "CreateToken", "");
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  if (authenticator_ == nullptr) return FinishNow(ctx, NeedsAuthentication());
  if (absl::Status s = CheckTokenName(req->name()); !s.ok()) {
    return FinishNow(ctx, s);
  }
  std::optional<Role> role = ParseRole(req->role());
  if (!role.has_value()) {
    return FinishNow(ctx,
                     absl::InvalidArgumentError(absl::StrCat(
                         "role '", req->role().substr(0, 32),
                         "': expected viewer, operator, deployer or admin")));
  }
  if (req->expires_in_ms() < 0) {
    return FinishNow(
        ctx, absl::InvalidArgumentError("expires_in_ms: expected >= 0"));
  }
  if (absl::Status s = CheckOptionalReason(req->reason()); !s.ok()) {
    return FinishNow(ctx, s);
  }
  absl::StatusOr<std::string> secret = NewTokenSecret();
  if (!secret.ok()) return FinishNow(ctx, secret.status());

  const absl::Time now = authenticator_->clock().Now();
  ApiToken token;
  token.name = req->name();
  token.role = *role;
  token.sha256_hex = TokenSha256Hex(*secret);
  token.created_at = now;
  token.created_by = caller->actor;
  if (req->expires_in_ms() > 0) {
    token.expires_at = now + absl::Milliseconds(req->expires_in_ms());
  }
  const std::string what = absl::StrCat(
      token.name, " (", RoleName(token.role), ", ",
      req->expires_in_ms() > 0
          ? absl::StrCat("expires ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                                                      token.expires_at,
                                                      absl::UTCTimeZone()))
          : std::string("never expires"),
      ")");
  AuditEvent audit{now, caller->actor, "create_token", "",
                   WithReason(what, req->reason())};
  if (absl::Status s = authenticator_->store().Create(token, audit); !s.ok()) {
    return FinishNow(ctx, s);
  }
  resp->set_token(*secret);
  *resp->mutable_info() = Describe(token);
  return FinishNow(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* RolloutServiceImpl::ListTokens(
    grpc::CallbackServerContext* ctx, const swell::v1::ListTokensRequest* req,
    swell::v1::ListTokensResponse* resp) {
  auto caller = Authorize(ctx, "ListTokens", "");
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  if (authenticator_ == nullptr) return FinishNow(ctx, NeedsAuthentication());
  absl::StatusOr<std::vector<ApiToken>> tokens = authenticator_->store().List();
  if (!tokens.ok()) return FinishNow(ctx, tokens.status());
  for (const ApiToken& t : *tokens) *resp->add_tokens() = Describe(t);
  return FinishNow(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* RolloutServiceImpl::RevokeToken(
    grpc::CallbackServerContext* ctx, const swell::v1::RevokeTokenRequest* req,
    swell::v1::ApiTokenInfo* resp) {
  auto caller = Authorize(ctx, "RevokeToken", "");
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  if (authenticator_ == nullptr) return FinishNow(ctx, NeedsAuthentication());
  if (absl::Status s = CheckOptionalReason(req->reason()); !s.ok()) {
    return FinishNow(ctx, s);
  }
  const absl::Time now = authenticator_->clock().Now();
  AuditEvent audit{now, caller->actor, "revoke_token", "",
                   WithReason(req->name(), req->reason())};
  absl::StatusOr<ApiToken> revoked =
      authenticator_->store().Revoke(req->name(), now, audit);
  if (!revoked.ok()) return FinishNow(ctx, revoked.status());
  authenticator_->Forget(req->name());
  *resp = Describe(*revoked);
  return FinishNow(ctx, absl::OkStatus());
}

}  // namespace swell::controller
