#include "controller/service/rollout_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/host_lifecycle.h"
#include "controller/rollout/host_revocation.h"
#include "controller/rollout/wave_scheduler.h"
#include "controller/service/status_view.h"

namespace swell::controller {
namespace {

constexpr size_t kMaxReasonBytes = 1024;

absl::Status CheckReason(const std::string& reason, bool required) {
  if (required && reason.empty()) {
    return absl::InvalidArgumentError(
        "reason: required; say why (it is kept in the audit trail)");
  }
  if (reason.size() > kMaxReasonBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("reason: at most ", kMaxReasonBytes, " bytes"));
  }
  return absl::OkStatus();
}

// "r-" + the submit time in hex milliseconds: sortable, and unique because
// the reconciler creates rollouts one at a time.
std::string NewRolloutId(const Fleet& fleet, absl::Time now) {
  int64_t ms = absl::ToUnixMillis(now);
  std::string id;
  do {
    id = absl::StrFormat("r-%011x", ms++);
  } while (fleet.rollouts.count(id));
  return id;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

grpc::ServerUnaryReactor* RolloutServiceImpl::FinishNow(
    grpc::CallbackServerContext* ctx, const absl::Status& s) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Run(
    grpc::CallbackServerContext* ctx, DecideFn decide, RespondFn respond) {
  if (auto* refused = RefuseUnlessLeading(ctx)) return refused;
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reconciler_->Post(Reconciler::Command{
      std::move(decide), [this, reactor, respond = std::move(respond)](
                             const absl::Status& committed) {
        answers_.Post([this, reactor, respond, committed] {
          absl::Status s = committed;
          if (s.ok()) {
            auto fleet = Snapshot();
            s = fleet.ok() ? respond(**fleet) : fleet.status();
          }
          reactor->Finish(ToGrpcStatus(s));
        });
      }});
  return reactor;
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Submit(
    grpc::CallbackServerContext* ctx, const swell::v1::SubmitRequest* req,
    swell::v1::SubmitResponse* resp) {
  auto caller = Authorize(ctx, "Submit", req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  auto plan = ParsePlanOrStatus(req->plan_yaml(), req->plan_file(), *policies_);
  if (!plan.ok()) return FinishNow(ctx, plan.status());
  // The plan parsed against *policies_, which never changes: the policy it
  // names is there.
  const Policy* policy =
      plan->policy.empty() ? nullptr : policies_->Find(plan->policy);
  auto id = std::make_shared<std::string>();
  return Run(
      ctx,
      [this, req, id, policy, actor = caller->actor,
       plan = *std::move(plan)](CommandContext& c) -> absl::StatusOr<Mutation> {
        *id = NewRolloutId(c.fleet, c.now);
        Request r{actor, req->reason().empty() ? "submitted" : req->reason(),
                  c.now};
        auto m = SubmitRollout(c.fleet, plan, policy, req->plan_yaml(),
                               req->plan_file(), *id, r, c.gens, req->seed(),
                               Presence(c.now));
        if (m.ok()) (*c.new_plans)[*id] = plan;
        return m;
      },
      [this, resp, id](const Fleet& fleet) {
        resp->set_rollout_id(*id);
        return DescribeFromSnapshot(fleet, *id, "", resp->mutable_status());
      });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Act(
    grpc::CallbackServerContext* ctx,
    const swell::v1::RolloutActionRequest* req, swell::v1::RolloutStatus* resp,
    absl::string_view method, bool reason_required, ActionFn action) {
  auto caller = Authorize(ctx, method, req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  return Run(
      ctx,
      [req, reason_required, actor = caller->actor, action = std::move(action)](
          CommandContext& c) -> absl::StatusOr<Mutation> {
        if (auto s = CheckReason(req->reason(), reason_required); !s.ok()) {
          return s;
        }
        return action(c, req->rollout_id(),
                      Request{actor, req->reason(), c.now});
      },
      [this, req, resp](const Fleet& fleet) {
        return DescribeFromSnapshot(fleet, req->rollout_id(), "", resp);
      });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Halt(
    grpc::CallbackServerContext* ctx,
    const swell::v1::RolloutActionRequest* req,
    swell::v1::RolloutStatus* resp) {
  return Act(ctx, req, resp, "Halt", /*reason_required=*/true,
             [](CommandContext& c, const std::string& id, const Request& r) {
               return HaltRollout(c.fleet, id, r);
             });
}

// Resuming needs more privilege than halting but no reason: the reason to
// stop is what on-call must write down.
grpc::ServerUnaryReactor* RolloutServiceImpl::Resume(
    grpc::CallbackServerContext* ctx,
    const swell::v1::RolloutActionRequest* req,
    swell::v1::RolloutStatus* resp) {
  return Act(ctx, req, resp, "Resume", /*reason_required=*/false,
             [](CommandContext& c, const std::string& id, const Request& r) {
               return ResumeRollout(c.fleet, id, r);
             });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Rollback(
    grpc::CallbackServerContext* ctx,
    const swell::v1::RolloutActionRequest* req,
    swell::v1::RolloutStatus* resp) {
  return Act(ctx, req, resp, "Rollback", /*reason_required=*/true,
             [](CommandContext& c, const std::string& id, const Request& r) {
               return RollbackRollout(c.fleet, id, r, c.gens);
             });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Freeze(
    grpc::CallbackServerContext* ctx, const swell::v1::FreezeRequest* req,
    swell::v1::FreezeStatus* resp) {
  auto caller = Authorize(ctx, "Freeze", req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  auto halted = std::make_shared<std::vector<std::string>>();
  return Run(
      ctx,
      [req, halted,
       actor = caller->actor](CommandContext& c) -> absl::StatusOr<Mutation> {
        if (auto s = CheckReason(req->reason(), true); !s.ok()) return s;
        if (req->expires_in_ms() < 0) {
          return absl::InvalidArgumentError("expires_in_ms: expected >= 0");
        }
        absl::Time expires =
            req->expires_in_ms() == 0
                ? absl::InfiniteFuture()
                : c.now + absl::Milliseconds(req->expires_in_ms());
        auto m =
            FreezeFleet(c.fleet, Request{actor, req->reason(), c.now}, expires);
        if (m.ok()) {
          for (const auto& r : m->rollouts) halted->push_back(r.id);
        }
        return m;
      },
      [resp, halted](const Fleet& fleet) {
        *resp = DescribeFreeze(fleet.freeze);
        for (const auto& id : *halted) resp->add_halted_rollouts(id);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Unfreeze(
    grpc::CallbackServerContext* ctx, const swell::v1::FreezeRequest* req,
    swell::v1::FreezeStatus* resp) {
  auto caller = Authorize(ctx, "Unfreeze", req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  return Run(
      ctx,
      [req,
       actor = caller->actor](CommandContext& c) -> absl::StatusOr<Mutation> {
        if (auto s = CheckReason(req->reason(), false); !s.ok()) return s;
        return UnfreezeFleet(c.fleet, Request{actor, req->reason(), c.now});
      },
      [resp](const Fleet& fleet) {
        *resp = DescribeFreeze(fleet.freeze);
        return absl::OkStatus();
      });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::ActOnHost(
    grpc::CallbackServerContext* ctx, const std::string& host_id,
    swell::v1::HostStatus* resp, DecideFn decide) {
  return Run(ctx, std::move(decide), [this, host_id, resp](const Fleet& fleet) {
    auto h = fleet.hosts.find(host_id);
    if (h == fleet.hosts.end()) {  // impossible: decide found it
      return absl::InternalError(absl::StrCat("host ", host_id, " vanished"));
    }
    *resp = DescribeHost(fleet, h->second, *agents_, clock_->Now(),
                         host_stale_after_);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::RetireHost(
    grpc::CallbackServerContext* ctx, const swell::v1::RetireHostRequest* req,
    swell::v1::HostStatus* resp) {
  auto caller = Authorize(ctx, "RetireHost", req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  return ActOnHost(
      ctx, req->host_id(), resp,
      [this, req,
       actor = caller->actor](CommandContext& c) -> absl::StatusOr<Mutation> {
        if (auto s = CheckReason(req->reason(), true); !s.ok()) return s;
        return swell::controller::RetireHost(
            c.fleet, req->host_id(), agents_->Connected(req->host_id()),
            Request{actor, req->reason(), c.now});
      });
}

// The host's stream, if connected, is ended before the answer
// (Reconciler::SyncRevoked).
grpc::ServerUnaryReactor* RolloutServiceImpl::RevokeHost(
    grpc::CallbackServerContext* ctx, const swell::v1::RevokeHostRequest* req,
    swell::v1::HostStatus* resp) {
  auto caller = Authorize(ctx, "RevokeHost", req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  return ActOnHost(
      ctx, req->host_id(), resp,
      [req,
       actor = caller->actor](CommandContext& c) -> absl::StatusOr<Mutation> {
        if (auto s = CheckReason(req->reason(), true); !s.ok()) return s;
        return swell::controller::RevokeHost(
            c.fleet, req->host_id(), Request{actor, req->reason(), c.now});
      });
}

grpc::ServerUnaryReactor* RolloutServiceImpl::UnrevokeHost(
    grpc::CallbackServerContext* ctx, const swell::v1::UnrevokeHostRequest* req,
    swell::v1::HostStatus* resp) {
  auto caller = Authorize(ctx, "UnrevokeHost", req->actor());
  if (!caller.ok()) return FinishNow(ctx, caller.status());
  return ActOnHost(
      ctx, req->host_id(), resp,
      [req,
       actor = caller->actor](CommandContext& c) -> absl::StatusOr<Mutation> {
        if (auto s = CheckReason(req->reason(), false); !s.ok()) return s;
        return swell::controller::UnrevokeHost(
            c.fleet, req->host_id(), Request{actor, req->reason(), c.now});
      });
}

}  // namespace swell::controller
