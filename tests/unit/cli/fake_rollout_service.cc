#include "tests/unit/cli/fake_rollout_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cli/failover.h"
#include "tests/unit/cli/rollout_fixtures.h"

namespace swell::cli::testing {

void FakeRolloutService::ScriptStates(const std::string& id,
                                      std::vector<std::string> states) {
  absl::MutexLock lock(&mu_);
  scripts_[id] = std::move(states);
  script_pos_[id] = 0;
}

void FakeRolloutService::FailSubmit(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  submit_failure_ = std::move(status);
}

void FakeRolloutService::FailListRollouts(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  list_failure_ = std::move(status);
}

void FakeRolloutService::FailGetRolloutAfter(int calls, grpc::Status status) {
  absl::MutexLock lock(&mu_);
  get_rollouts_before_failure_ = calls;
  get_rollout_failure_ = std::move(status);
}

void FakeRolloutService::ActAsFollower(std::string leader) {
  absl::MutexLock lock(&mu_);
  follower_ = true;
  leader_ = std::move(leader);
}

grpc::Status FakeRolloutService::RefuseIfFollower(grpc::ServerContext* ctx) {
  absl::MutexLock lock(&mu_);
  if (!follower_) return grpc::Status::OK;
  ctx->AddTrailingMetadata(kLeaderTrailer, leader_);
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, "not the leader");
}

v1::SubmitRequest FakeRolloutService::last_submit() const {
  absl::MutexLock lock(&mu_);
  return last_submit_;
}

v1::RolloutActionRequest FakeRolloutService::last_halt() const {
  absl::MutexLock lock(&mu_);
  return last_halt_;
}

v1::FreezeRequest FakeRolloutService::last_freeze() const {
  absl::MutexLock lock(&mu_);
  return last_freeze_;
}

v1::RetireHostRequest FakeRolloutService::last_retire() const {
  absl::MutexLock lock(&mu_);
  return last_retire_;
}

grpc::Status FakeRolloutService::Submit(grpc::ServerContext* ctx,
                                        const v1::SubmitRequest* req,
                                        v1::SubmitResponse* resp) {
  ++calls_;
  ++submits_;
  if (grpc::Status refused = RefuseIfFollower(ctx); !refused.ok()) {
    return refused;
  }
  absl::MutexLock lock(&mu_);
  last_submit_ = *req;
  if (!submit_failure_.ok()) return submit_failure_;
  resp->set_rollout_id(kRolloutId);
  *resp->mutable_status() = RunningRollout();
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::Preview(grpc::ServerContext*,
                                         const v1::PreviewRequest* req,
                                         v1::PreviewResponse* resp) {
  ++calls_;
  ++previews_;
  *resp = ThreeWavePreview();
  if (req->seed() != 0) {  // as the controller: the seed asked for
    resp->set_seed(req->seed());
    resp->set_seed_is_default(false);
  }
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::ListRollouts(grpc::ServerContext*,
                                              const v1::ListRolloutsRequest*,
                                              v1::ListRolloutsResponse* resp) {
  ++calls_;
  {
    absl::MutexLock lock(&mu_);
    if (!list_failure_.ok()) return list_failure_;
  }
  *resp->add_rollouts() = RunningRollout().summary();
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::GetRollout(grpc::ServerContext*,
                                            const v1::GetRolloutRequest* req,
                                            v1::RolloutStatus* resp) {
  ++calls_;
  absl::MutexLock lock(&mu_);
  if (get_rollouts_before_failure_ == 0) return get_rollout_failure_;
  if (get_rollouts_before_failure_ > 0) --get_rollouts_before_failure_;
  auto script = scripts_.find(req->rollout_id());
  if (script == scripts_.end() && req->rollout_id() != kRolloutId) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        absl::StrCat("no rollout ", req->rollout_id()));
  }
  *resp = RunningRollout();
  if (script != scripts_.end() && !script->second.empty()) {
    size_t& pos = script_pos_[req->rollout_id()];
    resp->mutable_summary()->set_id(req->rollout_id());
    resp->mutable_summary()->set_state(script->second[pos]);
    // One more host of wave 2 converges per poll, so that polls differ.
    v1::WaveStatus* wave = resp->mutable_waves(1);
    wave->set_converged(
        std::min(static_cast<int>(pos), wave->size() - wave->failed()));
    if (pos + 1 < script->second.size()) ++pos;
  }
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::Halt(grpc::ServerContext* ctx,
                                      const v1::RolloutActionRequest* req,
                                      v1::RolloutStatus* resp) {
  ++calls_;
  ++halts_;
  if (grpc::Status refused = RefuseIfFollower(ctx); !refused.ok()) {
    return refused;
  }
  absl::MutexLock lock(&mu_);
  last_halt_ = *req;
  *resp = RunningRollout();
  resp->mutable_summary()->set_state("halted");
  resp->mutable_summary()->set_reason(req->reason());
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::Freeze(grpc::ServerContext* ctx,
                                        const v1::FreezeRequest* req,
                                        v1::FreezeStatus* resp) {
  ++calls_;
  if (grpc::Status refused = RefuseIfFollower(ctx); !refused.ok()) {
    return refused;
  }
  absl::MutexLock lock(&mu_);
  last_freeze_ = *req;
  resp->set_frozen(true);
  resp->set_reason(req->reason());
  resp->set_actor(req->actor());
  resp->set_since_unix_ms(kNowUnixMs);
  resp->add_halted_rollouts(kRolloutId);
  resp->add_halted_rollouts("r-0000002b");
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::ListHosts(grpc::ServerContext*,
                                           const v1::ListHostsRequest*,
                                           v1::ListHostsResponse* resp) {
  ++calls_;
  *resp = TwoHosts();
  return grpc::Status::OK;
}

grpc::Status FakeRolloutService::RetireHost(grpc::ServerContext* ctx,
                                            const v1::RetireHostRequest* req,
                                            v1::HostStatus* resp) {
  ++calls_;
  ++retires_;
  if (grpc::Status refused = RefuseIfFollower(ctx); !refused.ok()) {
    return refused;
  }
  absl::MutexLock lock(&mu_);
  last_retire_ = *req;
  const v1::ListHostsResponse known = TwoHosts();
  for (const v1::HostStatus& h : known.hosts()) {
    if (h.host_id() != req->host_id()) continue;
    if (h.connected()) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          absl::StrCat("host ", h.host_id(),
                                       " is connected now; stop its agent "
                                       "first, then retire it"));
    }
    *resp = h;
    resp->set_state("retired");
    resp->set_retired_unix_ms(kNowUnixMs);
    resp->set_retire_reason(req->reason());
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::NOT_FOUND,
                      absl::StrCat("no host ", req->host_id()));
}

FakeController::FakeController()
    : FakeController(grpc::InsecureServerCredentials()) {}

FakeController::FakeController(
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port);
  builder.RegisterService(&service_);
  server_ = builder.BuildAndStart();
  address_ = absl::StrCat("127.0.0.1:", port);
}

FakeController::~FakeController() { server_->Shutdown(); }

}  // namespace swell::cli::testing
