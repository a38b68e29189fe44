// hosts revoke and hosts unrevoke: whether a host's certificate still lets
// its agent connect. Each records the actor and the reason with the change.

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/format.h"
#include "cli/render_fleet.h"

namespace swell::cli {

int RunRevokeHost(Context& ctx) {
  int exit_code = kExitOk;
  v1::RevokeHostRequest req;
  req.set_reason(ReasonFlag(ctx, /*required=*/true, &exit_code));
  if (exit_code != kExitOk) return exit_code;
  req.set_host_id(ctx.args->args.at(1));
  req.set_actor(ctx.actor);
  absl::StatusOr<v1::HostStatus> resp = ctx.client->RevokeHost(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  // Revoking a revoked host changes nothing: say since when it is.
  *ctx.out << "host " << resp->host_id() << " revoked "
           << FormatAge(resp->revoked_unix_ms(), ctx.clock->Now())
           << " ago: " << OneLine(resp->revoke_reason());
  *ctx.out << "\nits agent's streams are refused, and the one connected was "
              "ended; undo with: swellctl hosts unrevoke "
           << resp->host_id() << "\n";
  return kExitOk;
}

int RunUnrevokeHost(Context& ctx) {
  int exit_code = kExitOk;
  v1::UnrevokeHostRequest req;
  req.set_reason(ReasonFlag(ctx, /*required=*/false, &exit_code));
  if (exit_code != kExitOk) return exit_code;
  req.set_host_id(ctx.args->args.at(1));
  req.set_actor(ctx.actor);
  absl::StatusOr<v1::HostStatus> resp = ctx.client->UnrevokeHost(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  *ctx.out << "host " << resp->host_id()
           << " is not revoked: its agent may connect again (now "
           << resp->state() << ")\n";
  return kExitOk;
}

}  // namespace swell::cli
