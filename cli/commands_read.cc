// list, status, hosts and freeze-status: read-only views (`hosts retire`
// is in commands_act.cc).

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/format.h"
#include "cli/render_fleet.h"
#include "cli/render_rollout.h"

namespace swell::cli {
namespace {

// The controller's word that its database is away, once, on stderr.
void PrintDatabaseNotice(Context& ctx, const std::string& notice) {
  if (!notice.empty()) *ctx.err << "swellctl: " << notice << "\n";
}

// Which controller replica answered, and so leads: one line after the
// view, when the controller says (older ones do not).
void PrintLeader(Context& ctx, const v1::Leadership& leader) {
  if (leader.replica().empty()) return;
  *ctx.out << "\ncontroller: " << leader.replica() << " leads (epoch "
           << leader.epoch() << ", for "
           << FormatAge(leader.since_unix_ms(), ctx.clock->Now()) << ")\n";
}

}  // namespace

int RunList(Context& ctx) {
  v1::ListRolloutsRequest req;
  req.set_active_only(!ctx.args->Has("all"));
  absl::StatusOr<v1::ListRolloutsResponse> resp = ctx.client->ListRollouts(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  PrintDatabaseNotice(ctx, resp->database_notice());
  if (resp->rollouts_size() == 0) {
    *ctx.err << (req.active_only()
                     ? "no active rollouts (--all shows finished ones too)\n"
                     : "no rollouts\n");
    return kExitOk;
  }
  *ctx.out << RenderRolloutTable(*resp, ctx.clock->Now());
  PrintLeader(ctx, resp->leader());
  return kExitOk;
}

int RunStatus(Context& ctx) {
  v1::GetRolloutRequest req;
  req.set_rollout_id(ctx.args->args.at(0));
  req.set_host_id(ctx.args->Get("host"));
  absl::StatusOr<v1::RolloutStatus> resp = ctx.client->GetRollout(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  PrintDatabaseNotice(ctx, resp->database_notice());
  if (!req.host_id().empty()) {
    const std::string host = RenderRolloutHost(*resp, req.host_id());
    if (host.empty()) {
      return ReportError(
          ctx, absl::NotFoundError(absl::StrCat("host ", req.host_id(),
                                                " is not a target of rollout ",
                                                req.rollout_id())));
    }
    *ctx.out << host;
    return kExitOk;
  }
  *ctx.out << RenderRolloutStatus(*resp, ctx.clock->Now());
  PrintLeader(ctx, resp->leader());
  return kExitOk;
}

int RunHosts(Context& ctx) {
  const std::vector<std::string>& args = ctx.args->args;
  if (!args.empty()) {
    if (args.size() == 2) {
      if (args[0] == "retire") return RunRetireHost(ctx);
      if (args[0] == "revoke") return RunRevokeHost(ctx);
      if (args[0] == "unrevoke") return RunUnrevokeHost(ctx);
    }
    *ctx.err << "swellctl: hosts takes no argument, or 'retire HOST --reason "
                "R', 'revoke HOST --reason R' or 'unrevoke HOST' (see "
                "'swellctl hosts --help')\n";
    return kExitBadInput;
  }
  if (ctx.args->Has("reason")) {
    *ctx.err << "swellctl: --reason applies only to 'hosts retire|revoke|"
                "unrevoke HOST'\n";
    return kExitBadInput;
  }
  absl::StatusOr<v1::ListHostsResponse> resp =
      ctx.client->ListHosts(v1::ListHostsRequest());
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  PrintDatabaseNotice(ctx, resp->database_notice());
  if (resp->hosts_size() == 0) {
    *ctx.err << "no hosts: no agent has connected yet\n";
    return kExitOk;
  }
  *ctx.out << RenderHostsTable(*resp, ctx.clock->Now());
  return kExitOk;
}

int RunFreezeStatus(Context& ctx) {
  absl::StatusOr<v1::FreezeStatus> resp =
      ctx.client->GetFreeze(v1::GetFreezeRequest());
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  *ctx.out << RenderFreeze(*resp, ctx.clock->Now());
  return kExitOk;
}

}  // namespace swell::cli
