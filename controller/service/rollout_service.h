#pragma once

#include "common/clock.h"
#include "controller/auth/authenticator.h"
#include "controller/fleet_snapshots.h"
#include "controller/reconciler.h"
#include "controller/rollout/commands.h"
#include "controller/rollout/host_presence.h"
#include "controller/service/agent_tracker.h"
#include "controller/service/answer_queue.h"
#include "controller/service/api_access.h"
#include "controller/service/history_reader.h"
#include "controller/store/leader_election.h"
#include "swell/v1/rollout.grpc.pb.h"

namespace swell::controller {

// RolloutService on the callback API. Every mutating call becomes a command
// of the reconciler, which decides, commits, and only then answers: the
// answer means its change and its audit row are stored. Read-only calls
// (rollout_reads.cc) answer on the gRPC thread from the newest published
// model and the history store; they never wake the reconciler.
class RolloutServiceImpl final
    : public swell::v1::RolloutService::CallbackService {
 public:
  // Where reads come from: the model the reconciler publishes, verdicts
  // and audit from a store of their own, and the clock.
  struct Reads {
    const FleetSnapshots* snapshots = nullptr;
    HistoryReader* history = nullptr;
    const common::Clock* clock = nullptr;
    // The replica's election, which answers name as the leader; null: none.
    const LeaderElection* election = nullptr;
    // On a standby, called before each read to publish the model as
    // committed now (StandbyReads::Refresh); may be empty.
    std::function<absl::Status()> refresh_standby = nullptr;
  };

  // `policies` are those plans may name; all must outlive the service.
  // A host whose agent has been away longer than `host_stale_after` is
  // stale: new rollouts do not target it (host_presence.h). Every call is
  // checked by `authenticator` (api_access.h); without one (insecure mode)
  // every call is allowed, and the token RPCs are kFailedPrecondition.
  RolloutServiceImpl(Reconciler* reconciler, const AgentTracker* agents,
                     const PolicySet* policies, Reads reads,
                     absl::Duration host_stale_after = kDefaultHostStaleAfter,
                     Authenticator* authenticator = nullptr)
      : authenticator_(authenticator),
        reconciler_(reconciler),
        agents_(agents),
        policies_(policies),
        snapshots_(reads.snapshots),
        history_(reads.history),
        clock_(reads.clock),
        election_(reads.election),
        refresh_standby_(std::move(reads.refresh_standby)),
        host_stale_after_(host_stale_after) {}

  // Answers what mutating calls the reconciler already decided, then
  // answers later ones on the caller's thread: call once the reconciler
  // stopped, before the API server is destroyed.
  void StopAnswering() { answers_.Stop(); }

  grpc::ServerUnaryReactor* Submit(grpc::CallbackServerContext* ctx,
                                   const swell::v1::SubmitRequest* req,
                                   swell::v1::SubmitResponse* resp) override;
  grpc::ServerUnaryReactor* Preview(grpc::CallbackServerContext* ctx,
                                    const swell::v1::PreviewRequest* req,
                                    swell::v1::PreviewResponse* resp) override;
  grpc::ServerUnaryReactor* ListRollouts(
      grpc::CallbackServerContext* ctx,
      const swell::v1::ListRolloutsRequest* req,
      swell::v1::ListRolloutsResponse* resp) override;
  grpc::ServerUnaryReactor* GetRollout(grpc::CallbackServerContext* ctx,
                                       const swell::v1::GetRolloutRequest* req,
                                       swell::v1::RolloutStatus* resp) override;
  grpc::ServerUnaryReactor* Halt(grpc::CallbackServerContext* ctx,
                                 const swell::v1::RolloutActionRequest* req,
                                 swell::v1::RolloutStatus* resp) override;
  grpc::ServerUnaryReactor* Resume(grpc::CallbackServerContext* ctx,
                                   const swell::v1::RolloutActionRequest* req,
                                   swell::v1::RolloutStatus* resp) override;
  grpc::ServerUnaryReactor* Rollback(grpc::CallbackServerContext* ctx,
                                     const swell::v1::RolloutActionRequest* req,
                                     swell::v1::RolloutStatus* resp) override;
  grpc::ServerUnaryReactor* Freeze(grpc::CallbackServerContext* ctx,
                                   const swell::v1::FreezeRequest* req,
                                   swell::v1::FreezeStatus* resp) override;
  grpc::ServerUnaryReactor* Unfreeze(grpc::CallbackServerContext* ctx,
                                     const swell::v1::FreezeRequest* req,
                                     swell::v1::FreezeStatus* resp) override;
  grpc::ServerUnaryReactor* GetFreeze(grpc::CallbackServerContext* ctx,
                                      const swell::v1::GetFreezeRequest* req,
                                      swell::v1::FreezeStatus* resp) override;
  grpc::ServerUnaryReactor* ListHosts(
      grpc::CallbackServerContext* ctx, const swell::v1::ListHostsRequest* req,
      swell::v1::ListHostsResponse* resp) override;
  grpc::ServerUnaryReactor* RetireHost(grpc::CallbackServerContext* ctx,
                                       const swell::v1::RetireHostRequest* req,
                                       swell::v1::HostStatus* resp) override;
  grpc::ServerUnaryReactor* RevokeHost(grpc::CallbackServerContext* ctx,
                                       const swell::v1::RevokeHostRequest* req,
                                       swell::v1::HostStatus* resp) override;
  grpc::ServerUnaryReactor* UnrevokeHost(
      grpc::CallbackServerContext* ctx,
      const swell::v1::UnrevokeHostRequest* req,
      swell::v1::HostStatus* resp) override;

  // API tokens (token_rpcs.cc).
  grpc::ServerUnaryReactor* CreateToken(
      grpc::CallbackServerContext* ctx,
      const swell::v1::CreateTokenRequest* req,
      swell::v1::CreateTokenResponse* resp) override;
  grpc::ServerUnaryReactor* ListTokens(
      grpc::CallbackServerContext* ctx, const swell::v1::ListTokensRequest* req,
      swell::v1::ListTokensResponse* resp) override;
  grpc::ServerUnaryReactor* RevokeToken(
      grpc::CallbackServerContext* ctx,
      const swell::v1::RevokeTokenRequest* req,
      swell::v1::ApiTokenInfo* resp) override;

 private:
  // The check every handler makes first (api_access.h): who calls, and
  // whether their role may call `method`.
  absl::StatusOr<ApiCaller> Authorize(grpc::CallbackServerContext* ctx,
                                      absl::string_view method,
                                      absl::string_view claimed_actor) const {
    return AuthorizeCall(authenticator_, *ctx, method, claimed_actor);
  }
  // Answers the call with `s` at once (an error, or OK after filling the
  // response).
  static grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* ctx,
                                             const absl::Status& s);

  // One line while the reconciler cannot reach the database, else "".
  std::string DatabaseNotice() const;
  // The leader's term: this replica's while it leads, else the one it last
  // read; empty when none is known.
  swell::v1::Leadership Leader() const;
  // Null while this replica leads (or has no election); otherwise answers
  // the call UNAVAILABLE with common::kLeaderTrailer naming the leader's
  // API address, so that swellctl asks the leader: changes are decided
  // there, and a standby has no agents to describe hosts with.
  grpc::ServerUnaryReactor* RefuseUnlessLeading(
      grpc::CallbackServerContext* ctx) const;
  // The newest published model; kUnavailable before the first load.
  absl::StatusOr<std::shared_ptr<const Fleet>> Snapshot() const;
  // Rollout `id` of `fleet` with its verdicts and recent audit events
  // (and `host`'s detail, unless empty); kNotFound for an unknown id.
  absl::Status DescribeFromSnapshot(const Fleet& fleet, const std::string& id,
                                    const std::string& host,
                                    swell::v1::RolloutStatus* out) const;

  // How targeting sees the fleet at `now`.
  PresenceView Presence(absl::Time now) const {
    return PresenceView{now, agents_, host_stale_after_};
  }

  using DecideFn = std::function<absl::StatusOr<Mutation>(CommandContext&)>;
  // Fills the response from the model as published after the commit; runs
  // on the answer queue, off the decision thread.
  using RespondFn = std::function<absl::Status(const Fleet&)>;
  // Posts a command; once it is committed, answers the RPC after `respond`
  // filled the response.
  grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx,
                                DecideFn decide, RespondFn respond);
  // A host action (retire, revoke, unrevoke): decides, then answers with
  // the host's status.
  grpc::ServerUnaryReactor* ActOnHost(grpc::CallbackServerContext* ctx,
                                      const std::string& host_id,
                                      swell::v1::HostStatus* resp,
                                      DecideFn decide);
  using ActionFn = std::function<absl::StatusOr<Mutation>(
      CommandContext&, const std::string& rollout_id, const Request&)>;
  // A rollout action (halt, resume, rollback): checks the reason, decides,
  // then answers with the rollout's status.
  grpc::ServerUnaryReactor* Act(grpc::CallbackServerContext* ctx,
                                const swell::v1::RolloutActionRequest* req,
                                swell::v1::RolloutStatus* resp,
                                absl::string_view method, bool reason_required,
                                ActionFn action);

  Authenticator* authenticator_;
  Reconciler* reconciler_;
  const AgentTracker* agents_;
  const PolicySet* policies_;
  const FleetSnapshots* snapshots_;
  HistoryReader* history_;
  const common::Clock* clock_;
  const LeaderElection* election_;
  const std::function<absl::Status()> refresh_standby_;
  absl::Duration host_stale_after_;
  // Last: destroyed first, once every answer it holds ran.
  AnswerQueue answers_;
};

grpc::Status ToGrpcStatus(const absl::Status& s);

}  // namespace swell::controller
