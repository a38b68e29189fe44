#pragma once

// An in-process RolloutService with canned replies, for driving the real
// swellctl binary and its ControllerClient. It counts every call and keeps
// the last request of each mutating RPC; Preview answers with the seed it
// was asked for, if any. It can play a replica that does not lead, or one
// that fails. Thread-safe.

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "swell/v1/rollout.grpc.pb.h"

namespace swell::cli::testing {

class FakeRolloutService final : public v1::RolloutService::Service {
 public:
  // The id Submit hands out, and the rollout GetRollout knows besides any
  // scripted ones.
  static constexpr char kRolloutId[] = "r-0000002a";

  // GetRollout(id) answers with each state in turn, then keeps the last.
  void ScriptStates(const std::string& id, std::vector<std::string> states);
  // Submit fails with `status` instead of accepting.
  void FailSubmit(grpc::Status status);
  // ListRollouts fails with `status`.
  void FailListRollouts(grpc::Status status);
  // GetRollout answers `calls` times as usual, then fails with `status`.
  void FailGetRolloutAfter(int calls, grpc::Status status);
  // As a replica that does not lead: Submit, Halt, Freeze and RetireHost
  // answer UNAVAILABLE "not the leader" with the kLeaderTrailer
  // (cli/failover.h) naming `leader` ("" for unknown). Reads still answer.
  void ActAsFollower(std::string leader);

  int calls() const { return calls_.load(); }
  int submits() const { return submits_.load(); }
  int previews() const { return previews_.load(); }
  int halts() const { return halts_.load(); }
  int retires() const { return retires_.load(); }
  v1::SubmitRequest last_submit() const;
  v1::RolloutActionRequest last_halt() const;
  v1::FreezeRequest last_freeze() const;
  v1::RetireHostRequest last_retire() const;

  grpc::Status Submit(grpc::ServerContext* ctx, const v1::SubmitRequest* req,
                      v1::SubmitResponse* resp) override;
  grpc::Status Preview(grpc::ServerContext*, const v1::PreviewRequest* req,
                       v1::PreviewResponse* resp) override;
  grpc::Status ListRollouts(grpc::ServerContext*,
                            const v1::ListRolloutsRequest* req,
                            v1::ListRolloutsResponse* resp) override;
  grpc::Status GetRollout(grpc::ServerContext*,
                          const v1::GetRolloutRequest* req,
                          v1::RolloutStatus* resp) override;
  grpc::Status Halt(grpc::ServerContext* ctx,
                    const v1::RolloutActionRequest* req,
                    v1::RolloutStatus* resp) override;
  grpc::Status Freeze(grpc::ServerContext* ctx, const v1::FreezeRequest* req,
                      v1::FreezeStatus* resp) override;
  grpc::Status ListHosts(grpc::ServerContext*, const v1::ListHostsRequest* req,
                         v1::ListHostsResponse* resp) override;
  // As the controller: the hosts of TwoHosts are known; the connected one
  // is refused (FAILED_PRECONDITION), the other retired; any other id is
  // NOT_FOUND.
  grpc::Status RetireHost(grpc::ServerContext* ctx,
                          const v1::RetireHostRequest* req,
                          v1::HostStatus* resp) override;

 private:
  // The refusal of a change by a replica that does not lead, or OK.
  grpc::Status RefuseIfFollower(grpc::ServerContext* ctx);

  std::atomic<int> calls_{0};
  std::atomic<int> submits_{0};
  std::atomic<int> previews_{0};
  std::atomic<int> halts_{0};
  std::atomic<int> retires_{0};
  mutable absl::Mutex mu_;
  std::map<std::string, std::vector<std::string>> scripts_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, size_t> script_pos_ ABSL_GUARDED_BY(mu_);
  grpc::Status submit_failure_ ABSL_GUARDED_BY(mu_);
  grpc::Status list_failure_ ABSL_GUARDED_BY(mu_);
  int get_rollouts_before_failure_ ABSL_GUARDED_BY(mu_) = -1;  // -1: never
  grpc::Status get_rollout_failure_ ABSL_GUARDED_BY(mu_);
  bool follower_ ABSL_GUARDED_BY(mu_) = false;
  std::string leader_ ABSL_GUARDED_BY(mu_);
  v1::SubmitRequest last_submit_ ABSL_GUARDED_BY(mu_);
  v1::RolloutActionRequest last_halt_ ABSL_GUARDED_BY(mu_);
  v1::FreezeRequest last_freeze_ ABSL_GUARDED_BY(mu_);
  v1::RetireHostRequest last_retire_ ABSL_GUARDED_BY(mu_);
};

// The fake, served on 127.0.0.1 at a free port for the test's lifetime,
// in plaintext or with `credentials`.
class FakeController {
 public:
  FakeController();
  explicit FakeController(std::shared_ptr<grpc::ServerCredentials> credentials);
  ~FakeController();

  FakeRolloutService& service() { return service_; }
  const std::string& address() const { return address_; }

 private:
  FakeRolloutService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace swell::cli::testing
