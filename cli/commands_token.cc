// swellctl token create|list|revoke: API tokens (admin).

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "cli/command_table.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/format.h"

namespace swell::cli {
namespace {

// "90d", "12h", "30m", or anything absl::ParseDuration takes; positive.
bool ParseExpiry(absl::string_view text, absl::Duration* out) {
  int64_t days = 0;
  if (absl::ConsumeSuffix(&text, "d")) {
    if (!absl::SimpleAtoi(text, &days) || days <= 0 || days > 36500) {
      return false;
    }
    *out = absl::Hours(24 * days);
    return true;
  }
  return absl::ParseDuration(text, out) && *out > absl::ZeroDuration();
}

std::string Expiry(const v1::ApiTokenInfo& t, absl::Time now) {
  if (t.expires_unix_ms() == 0) return "never";
  return FormatRelative(t.expires_unix_ms(), now);
}

std::string State(const v1::ApiTokenInfo& t, absl::Time now) {
  if (t.revoked_unix_ms() != 0) return "revoked";
  if (t.expires_unix_ms() != 0 &&
      absl::FromUnixMillis(t.expires_unix_ms()) <= now) {
    return "expired";
  }
  return "active";
}

int CreateToken(Context& ctx) {
  if (ctx.args->args.size() != 2 || !ctx.args->Has("role")) {
    *ctx.err << "swellctl: token create needs a NAME and --role viewer|"
                "operator|deployer|admin\n";
    return kExitBadInput;
  }
  v1::CreateTokenRequest req;
  req.set_name(ctx.args->args[1]);
  req.set_role(ctx.args->Get("role"));
  req.set_reason(
      std::string(absl::StripAsciiWhitespace(ctx.args->Get("reason"))));
  if (ctx.args->Has("expires")) {
    absl::Duration expires;
    if (!ParseExpiry(ctx.args->Get("expires"), &expires)) {
      *ctx.err << "swellctl: --expires wants a positive duration such as "
                  "90d, 12h or 30m, not '"
               << ctx.args->Get("expires") << "'\n";
      return kExitBadInput;
    }
    req.set_expires_in_ms(absl::ToInt64Milliseconds(expires));
  }
  absl::StatusOr<v1::CreateTokenResponse> resp = ctx.client->CreateToken(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  // The token alone on stdout, so that scripts can capture it; the rest on
  // stderr.
  *ctx.out << resp->token() << "\n";
  const v1::ApiTokenInfo& info = resp->info();
  *ctx.err << "swellctl: created token '" << info.name() << "' (" << info.role()
           << ", expires " << Expiry(info, ctx.clock->Now())
           << "). It will not be shown again: store it now, e.g. in "
              "~/.config/swell/token with mode 0600\n";
  return kExitOk;
}

int ListTokens(Context& ctx) {
  if (ctx.args->args.size() != 1) {
    *ctx.err << "swellctl: token list takes no argument\n";
    return kExitBadInput;
  }
  absl::StatusOr<v1::ListTokensResponse> resp =
      ctx.client->ListTokens(v1::ListTokensRequest());
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  const absl::Time now = ctx.clock->Now();
  std::vector<std::vector<std::string>> rows = {
      {"NAME", "ROLE", "STATE", "CREATED", "BY", "EXPIRES", "LAST USED"}};
  for (const v1::ApiTokenInfo& t : resp->tokens()) {
    rows.push_back({t.name(), t.role(), State(t, now),
                    FormatRelative(t.created_unix_ms(), now), t.created_by(),
                    Expiry(t, now),
                    t.last_used_unix_ms() == 0
                        ? "never"
                        : FormatRelative(t.last_used_unix_ms(), now)});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      absl::StrAppend(&line, row[i],
                      i + 1 < row.size()
                          ? std::string(width[i] - row[i].size() + 2, ' ')
                          : "");
    }
    *ctx.out << line << "\n";
  }
  return kExitOk;
}

int RevokeToken(Context& ctx) {
  if (ctx.args->args.size() != 2) {
    *ctx.err << "swellctl: token revoke needs the token's NAME\n";
    return kExitBadInput;
  }
  v1::RevokeTokenRequest req;
  req.set_name(ctx.args->args[1]);
  req.set_reason(
      std::string(absl::StripAsciiWhitespace(ctx.args->Get("reason"))));
  absl::StatusOr<v1::ApiTokenInfo> resp = ctx.client->RevokeToken(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  *ctx.out << "token '" << resp->name() << "' (" << resp->role() << ") revoked "
           << FormatAge(resp->revoked_unix_ms(), ctx.clock->Now())
           << " ago; every call with it is refused\n";
  return kExitOk;
}

}  // namespace

int RunToken(Context& ctx) {
  const std::string verb = ctx.args->args.at(0);
  if (verb != "create" && (ctx.args->Has("role") || ctx.args->Has("expires"))) {
    *ctx.err << "swellctl: --role and --expires apply only to 'token create'\n";
    return kExitBadInput;
  }
  if (verb == "create") return CreateToken(ctx);
  if (verb == "list") return ListTokens(ctx);
  if (verb == "revoke") return RevokeToken(ctx);
  *ctx.err << "swellctl: token takes create, list or revoke, not '" << verb
           << "' (see 'swellctl token --help')\n";
  return kExitBadInput;
}

}  // namespace swell::cli

namespace swell::cli {

CommandInfo TokenCommandInfo() {
  return {{"token",
           {{"role", 0, true, "ROLE",
             "with create: viewer, operator, deployer or admin"},
            {"expires", 0, true, "D",
             "with create: the token expires after D, e.g. 90d, 12h "
             "(default: never)"},
            {"reason", 0, true, "R", "why (kept in the audit trail)"}},
           1,
           2},
          "token create NAME --role ROLE [--expires D] | token list | token "
          "revoke NAME",
          "manage API tokens (admin)",
          "Every call to the controller carries a bearer token, and the "
          "token's role says what it may do: a viewer reads; an operator may "
          "also halt, freeze (halt --all) and roll back; a deployer may also "
          "submit, resume, unfreeze and retire hosts; an admin may also "
          "manage tokens and revoke hosts. The audit trail names the token, "
          "so give each person or robot their own. 'token create' prints the "
          "new token alone on stdout, and only this once: the controller "
          "keeps nothing but its SHA-256. 'token list' shows every token's "
          "role, state (active, expired, revoked), creator, expiry and last "
          "use (updated about once a minute), never a token. 'token revoke "
          "NAME' refuses the token from the next call on; a revoked or "
          "expired token's name can be given to a new one. swellctl reads "
          "its token from --token-file FILE, else SWELL_TOKEN, else "
          "~/.config/swell/token. The first admin token comes from "
          "'swell-controller --bootstrap_admin_token_file FILE'.",
          "swellctl token create ana --role operator --expires 90d > "
          "ana.token\n"
          "swellctl token create ci-deploy --role deployer --reason "
          "\"CHG-12 pipeline\"\n"
          "swellctl token list\n"
          "swellctl token revoke ana --reason \"left the on-call rota\"",
          &RunToken};
}

}  // namespace swell::cli
