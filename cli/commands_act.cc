// halt, unfreeze, resume and rollback: on-call's brakes; and hosts retire.
// Every one records the actor and the reason with the change.

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/commands.h"
#include "cli/exit_code.h"
#include "cli/format.h"
#include "cli/render_fleet.h"
#include "cli/render_rollout.h"

namespace swell::cli {
namespace {

using Action = absl::StatusOr<v1::RolloutStatus> (ControllerClient::*)(
    const v1::RolloutActionRequest&);

// Runs one action on the rollout named by the first argument and prints
// `what` happened, then `next` (hint lines, "{id}" replaced by the id).
int RunAction(Context& ctx, Action action, bool reason_required,
              absl::string_view what, absl::string_view next) {
  int exit_code = kExitOk;
  v1::RolloutActionRequest req;
  req.set_reason(ReasonFlag(ctx, reason_required, &exit_code));
  if (exit_code != kExitOk) return exit_code;
  req.set_rollout_id(ctx.args->args.at(0));
  req.set_actor(ctx.actor);
  absl::StatusOr<v1::RolloutStatus> resp = (ctx.client->*action)(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  const v1::RolloutSummary& s = resp->summary();
  *ctx.out << "rollout " << req.rollout_id() << " " << what << ": now "
           << s.state() << ", wave " << WaveCell(s) << ", hosts "
           << HostsCell(s) << "\n";
  std::string hint(next);
  for (size_t at = hint.find("{id}"); at != std::string::npos;
       at = hint.find("{id}")) {
    hint.replace(at, 4, req.rollout_id());
  }
  *ctx.out << hint;
  return kExitOk;
}

int FreezeFleet(Context& ctx) {
  int exit_code = kExitOk;
  v1::FreezeRequest req;
  req.set_reason(ReasonFlag(ctx, /*required=*/true, &exit_code));
  if (exit_code != kExitOk) return exit_code;
  req.set_actor(ctx.actor);
  if (ctx.args->Has("for")) {
    absl::Duration expires;
    if (!absl::ParseDuration(ctx.args->Get("for"), &expires) ||
        expires <= absl::ZeroDuration()) {
      *ctx.err << "swellctl: --for wants a positive duration such as 30m or "
                  "2h, not '"
               << ctx.args->Get("for") << "'\n";
      return kExitBadInput;
    }
    req.set_expires_in_ms(absl::ToInt64Milliseconds(expires));
  }
  absl::StatusOr<v1::FreezeStatus> resp = ctx.client->Freeze(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  *ctx.out << RenderFreeze(*resp, ctx.clock->Now());
  if (resp->halted_rollouts_size() == 0) {
    *ctx.out << "no rollout was running; new ones are refused until "
                "'swellctl unfreeze'\n";
  }
  return kExitOk;
}

}  // namespace

int RunHalt(Context& ctx) {
  const bool all = ctx.args->Has("all");
  const bool has_id = !ctx.args->args.empty();
  if (all == has_id) {
    *ctx.err << "swellctl: halt needs a rollout id, or --all to freeze the "
                "fleet (not both)\n";
    return kExitBadInput;
  }
  if (!all && ctx.args->Has("for")) {
    *ctx.err << "swellctl: --for applies only to halt --all\n";
    return kExitBadInput;
  }
  if (all) return FreezeFleet(ctx);
  return RunAction(ctx, &ControllerClient::Halt, /*reason_required=*/true,
                   "halted",
                   "admitted hosts keep the new value; no more are admitted\n"
                   "  resume:    swellctl resume {id} --reason R\n"
                   "  roll back: swellctl rollback {id} --reason R\n");
}

int RunResume(Context& ctx) {
  return RunAction(ctx, &ControllerClient::Resume, /*reason_required=*/false,
                   "resumed", "follow it: swellctl watch {id}\n");
}

int RunRollback(Context& ctx) {
  return RunAction(ctx, &ControllerClient::Rollback, /*reason_required=*/true,
                   "rolling back",
                   "admitted hosts return to their previous values\n"
                   "follow it: swellctl watch {id}\n");
}

int RunRetireHost(Context& ctx) {
  int exit_code = kExitOk;
  v1::RetireHostRequest req;
  req.set_reason(ReasonFlag(ctx, /*required=*/true, &exit_code));
  if (exit_code != kExitOk) return exit_code;
  req.set_host_id(ctx.args->args.at(1));
  req.set_actor(ctx.actor);
  absl::StatusOr<v1::HostStatus> resp = ctx.client->RetireHost(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  // Retiring a retired host changes nothing: say since when it is.
  *ctx.out << "host " << resp->host_id() << " retired "
           << FormatAge(resp->retired_unix_ms(), ctx.clock->Now())
           << " ago: " << OneLine(resp->retire_reason());
  *ctx.out << "\nnew rollouts do not target it; it comes back if its agent "
              "connects again\n";
  return kExitOk;
}

int RunUnfreeze(Context& ctx) {
  int exit_code = kExitOk;
  v1::FreezeRequest req;
  req.set_reason(ReasonFlag(ctx, /*required=*/false, &exit_code));
  req.set_actor(ctx.actor);
  absl::StatusOr<v1::FreezeStatus> resp = ctx.client->Unfreeze(req);
  if (!resp.ok()) return ReportError(ctx, resp.status());
  if (ctx.format == OutputFormat::kJson) return EmitJson(ctx, *resp);
  *ctx.out << RenderFreeze(*resp, ctx.clock->Now());
  if (!resp->frozen()) {
    *ctx.out << "rollouts the freeze halted stay halted; resume each with "
                "'swellctl resume ID'\n";
  }
  return kExitOk;
}

}  // namespace swell::cli
