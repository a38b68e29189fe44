// The read-only calls of RolloutService. They answer on the gRPC thread from
// the newest published snapshot of the model (and the database for
// history), so that they never wake a tick nor run on the decision thread:
// operators running `watch` cannot slow any decision.

#include "absl/strings/str_cat.h"
#include "common/leader_trailer.h"
#include "controller/rollout/wave_scheduler.h"
#include "controller/service/rollout_service.h"
#include "controller/service/status_view.h"

namespace swell::controller {
namespace {

constexpr int kRecentAuditEvents = 20;

const std::vector<VerdictRecord>& NoVerdicts() {
  static const auto* none = new std::vector<VerdictRecord>();
  return *none;
}
const std::vector<AuditEvent>& NoAudit() {
  static const auto* none = new std::vector<AuditEvent>();
  return *none;
}

grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* ctx,
                                 const absl::Status& s) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(s));
  return reactor;
}

}  // namespace

swell::v1::Leadership RolloutServiceImpl::Leader() const {
  swell::v1::Leadership out;
  if (election_ == nullptr) return out;
  const LeaderTerm term = election_->Leader();
  if (term.replica.empty()) return out;
  out.set_replica(term.replica);
  out.set_epoch(term.epoch);
  out.set_since_unix_ms(absl::ToUnixMillis(term.since));
  return out;
}

grpc::ServerUnaryReactor* RolloutServiceImpl::RefuseUnlessLeading(
    grpc::CallbackServerContext* ctx) const {
  if (election_ == nullptr || election_->leading()) return nullptr;
  const LeaderTerm term = election_->Leader();
  ctx->AddTrailingMetadata(common::kLeaderTrailer, term.api_address);
  return Answer(
      ctx, absl::UnavailableError(
               term.replica.empty()
                   ? std::string("this replica does not lead, and no leader "
                                 "is known yet; nothing was changed")
                   : absl::StrCat("this replica does not lead: ", term.replica,
                                  " does (API at ", term.api_address,
                                  "); nothing was changed")));
}

std::string RolloutServiceImpl::DatabaseNotice() const {
  const absl::Time since = reconciler_->DatabaseDownSince();
  if (since == absl::InfinitePast()) return "";
  return absl::StrCat(
      "database unavailable since ",
      absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", since, absl::UTCTimeZone()),
      ": nothing advances; agents keep their current state");
}

absl::StatusOr<std::shared_ptr<const Fleet>> RolloutServiceImpl::Snapshot()
    const {
  if (refresh_standby_ && election_ != nullptr && !election_->leading()) {
    if (absl::Status s = refresh_standby_(); !s.ok()) {
      return absl::UnavailableError(
          absl::StrCat("this standby cannot read the model from the database: ",
                       s.message()));
    }
  }
  std::shared_ptr<const Fleet> fleet = snapshots_->Latest().fleet;
  if (fleet == nullptr) {
    return absl::UnavailableError(
        "the controller has not loaded its model from the database yet");
  }
  return fleet;
}

absl::Status RolloutServiceImpl::DescribeFromSnapshot(
    const Fleet& fleet, const std::string& id, const std::string& host,
    swell::v1::RolloutStatus* out) const {
  auto it = fleet.rollouts.find(id);
  if (it == fleet.rollouts.end()) {
    return absl::NotFoundError(absl::StrCat("no rollout ", id));
  }
  // With the database away, the rollout as last committed, without its
  // history: the notice says why.
  auto verdicts = history_->Verdicts(id);
  if (!verdicts.ok() && !absl::IsUnavailable(verdicts.status())) {
    return verdicts.status();
  }
  auto audit = history_->Audit(id, kRecentAuditEvents);
  if (!audit.ok() && !absl::IsUnavailable(audit.status())) {
    return audit.status();
  }
  *out = DescribeRollout(it->second, verdicts.ok() ? *verdicts : NoVerdicts(),
                         audit.ok() ? *audit : NoAudit(), host);
  out->set_database_notice(DatabaseNotice());
  *out->mutable_leader() = Leader();
  if (out->database_notice().empty() && (!verdicts.ok() || !audit.ok())) {
    out->set_database_notice(absl::StrCat(
        "database unavailable: the rollout's verdicts and events cannot be "
        "read (",
        (!verdicts.ok() ? verdicts.status() : audit.status()).message(), ")"));
  }
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* RolloutServiceImpl::Preview(
    grpc::CallbackServerContext* ctx, const swell::v1::PreviewRequest* req,
    swell::v1::PreviewResponse* resp) {
  if (auto caller = Authorize(ctx, "Preview", ""); !caller.ok()) {
    return Answer(ctx, caller.status());
  }
  if (auto* refused = RefuseUnlessLeading(ctx)) return refused;
  auto plan = ParsePlanOrStatus(req->plan_yaml(), req->plan_file(), *policies_);
  if (!plan.ok()) return Answer(ctx, plan.status());
  auto fleet = Snapshot();
  if (!fleet.ok()) return Answer(ctx, fleet.status());
  const uint32_t seed = EffectiveWaveSeed(*plan, req->seed());
  const PresenceView presence = Presence(clock_->Now());
  auto waves = PreviewWaves(**fleet, *plan, seed, presence);
  if (!waves.ok()) return Answer(ctx, waves.status());
  *resp = DescribePreview(
      **fleet, *plan, *waves, seed,
      SelectTargetsNow(*plan, (*fleet)->hosts, presence).excluded);
  return Answer(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* RolloutServiceImpl::ListRollouts(
    grpc::CallbackServerContext* ctx, const swell::v1::ListRolloutsRequest* req,
    swell::v1::ListRolloutsResponse* resp) {
  if (auto caller = Authorize(ctx, "ListRollouts", ""); !caller.ok()) {
    return Answer(ctx, caller.status());
  }
  auto fleet = Snapshot();
  if (!fleet.ok()) return Answer(ctx, fleet.status());
  for (const auto& [id, rec] : (*fleet)->rollouts) {
    if (req->active_only() && !IsActive(rec.rollout)) continue;
    *resp->add_rollouts() = Summarize(rec);
  }
  resp->set_database_notice(DatabaseNotice());
  *resp->mutable_leader() = Leader();
  return Answer(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* RolloutServiceImpl::GetRollout(
    grpc::CallbackServerContext* ctx, const swell::v1::GetRolloutRequest* req,
    swell::v1::RolloutStatus* resp) {
  if (auto caller = Authorize(ctx, "GetRollout", ""); !caller.ok()) {
    return Answer(ctx, caller.status());
  }
  auto fleet = Snapshot();
  if (!fleet.ok()) return Answer(ctx, fleet.status());
  return Answer(ctx, DescribeFromSnapshot(**fleet, req->rollout_id(),
                                          req->host_id(), resp));
}

grpc::ServerUnaryReactor* RolloutServiceImpl::GetFreeze(
    grpc::CallbackServerContext* ctx, const swell::v1::GetFreezeRequest* req,
    swell::v1::FreezeStatus* resp) {
  if (auto caller = Authorize(ctx, "GetFreeze", ""); !caller.ok()) {
    return Answer(ctx, caller.status());
  }
  auto fleet = Snapshot();
  if (!fleet.ok()) return Answer(ctx, fleet.status());
  *resp = DescribeFreeze((*fleet)->freeze);
  return Answer(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* RolloutServiceImpl::ListHosts(
    grpc::CallbackServerContext* ctx, const swell::v1::ListHostsRequest* req,
    swell::v1::ListHostsResponse* resp) {
  if (auto caller = Authorize(ctx, "ListHosts", ""); !caller.ok()) {
    return Answer(ctx, caller.status());
  }
  if (auto* refused = RefuseUnlessLeading(ctx)) return refused;
  auto fleet = Snapshot();
  if (!fleet.ok()) return Answer(ctx, fleet.status());
  *resp = DescribeHosts(**fleet, *agents_, clock_->Now(), host_stale_after_);
  resp->set_database_notice(DatabaseNotice());
  return Answer(ctx, absl::OkStatus());
}

}  // namespace swell::controller
