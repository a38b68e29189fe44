#pragma once

// A blocking client of the controller's RolloutService, over one or more
// controller replicas. Every call carries an "authorization: Bearer
// <token>" header when a token is set, and has `timeout` in all: every
// attempt and every pause between them included. gRPC failures come back
// as absl::Status with the same code (the two code sets map one to one).
//
// Failover (the rules are in cli/failover.h): a call starts at the address
// that answered last (at first, the first given) and goes on to the next
// when its attempt certainly was not applied (no connection, not the
// leader, fenced); a read also after any UNAVAILABLE. After a pass over
// every address it pauses (full jitter, `pause_initial` doubling to
// `pause_max`) and starts another, until one answers or the time is up;
// then the last attempt's status is returned. An address that answers is
// remembered for the rest of the process (a watch keeps polling it).
//
// Not thread-safe: swellctl makes one call at a time.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "cli/controller_endpoint.h"
#include "cli/failover.h"
#include "common/clock.h"
#include "grpcpp/security/credentials.h"
#include "swell/v1/rollout.grpc.pb.h"

namespace swell::cli {

class ControllerClient {
 public:
  struct Options {
    // Tried in this order; at least one. Each is verified, over TLS,
    // against its own host name.
    std::vector<std::string> addresses;
    absl::Duration timeout = absl::Seconds(10);
    std::string token;  // "" sends none
    // cli/api_credentials.h; shared by every address.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    absl::Duration pause_initial = absl::Milliseconds(100);
    absl::Duration pause_max = absl::Seconds(1);
    // How long one attempt waits for a connection before the next address
    // is tried. A handshake still under way carries on meanwhile and is
    // waited for again on the next pass.
    absl::Duration connect_wait = absl::Seconds(2);
    // Tests: a fake clock, a `sleep` that advances it, a fixed `uniform01`
    // in [0, 1). Null `uniform01`: random.
    const common::Clock* clock = &common::RealClock::Get();
    std::function<void(absl::Duration)> sleep = [](absl::Duration d) {
      absl::SleepFor(d);
    };
    std::function<double()> uniform01;
  };

  // Connects lazily, so construction never fails; an address that cannot
  // be reached shows up in the calls.
  explicit ControllerClient(Options options);

  const std::vector<std::string>& addresses() const { return addresses_; }
  // Where the next call starts: the address that answered last, else the
  // first given.
  const std::string& current_address() const;
  // What the last call tried, and how it ended.
  const CallTrace& last_call() const { return last_call_; }

  absl::StatusOr<v1::SubmitResponse> Submit(const v1::SubmitRequest& req);
  absl::StatusOr<v1::PreviewResponse> Preview(const v1::PreviewRequest& req);
  absl::StatusOr<v1::ListRolloutsResponse> ListRollouts(
      const v1::ListRolloutsRequest& req);
  absl::StatusOr<v1::RolloutStatus> GetRollout(
      const v1::GetRolloutRequest& req);
  absl::StatusOr<v1::RolloutStatus> Halt(const v1::RolloutActionRequest& req);
  absl::StatusOr<v1::RolloutStatus> Resume(const v1::RolloutActionRequest& req);
  absl::StatusOr<v1::RolloutStatus> Rollback(
      const v1::RolloutActionRequest& req);
  absl::StatusOr<v1::FreezeStatus> Freeze(const v1::FreezeRequest& req);
  absl::StatusOr<v1::FreezeStatus> Unfreeze(const v1::FreezeRequest& req);
  absl::StatusOr<v1::FreezeStatus> GetFreeze(const v1::GetFreezeRequest& req);
  absl::StatusOr<v1::ListHostsResponse> ListHosts(
      const v1::ListHostsRequest& req);
  absl::StatusOr<v1::HostStatus> RetireHost(const v1::RetireHostRequest& req);
  absl::StatusOr<v1::CreateTokenResponse> CreateToken(
      const v1::CreateTokenRequest& req);
  absl::StatusOr<v1::ListTokensResponse> ListTokens(
      const v1::ListTokensRequest& req);
  absl::StatusOr<v1::ApiTokenInfo> RevokeToken(
      const v1::RevokeTokenRequest& req);
  absl::StatusOr<v1::HostStatus> RevokeHost(const v1::RevokeHostRequest& req);
  absl::StatusOr<v1::HostStatus> UnrevokeHost(
      const v1::UnrevokeHostRequest& req);

 private:
  using Stub = v1::RolloutService::StubInterface;
  template <typename Req, typename Resp>
  using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Req&,
                                        Resp*);
  // Sends the request once, on a connected stub, within the context.
  using Send = absl::FunctionRef<grpc::Status(Stub&, grpc::ClientContext&)>;

  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(CallKind kind, Method<Req, Resp> method,
                            const Req& req);
  // The failover loop: attempts `send` on the addresses in turn.
  absl::Status CallWithFailover(CallKind kind, Send send);
  // One attempt on endpoint `index`; `leader` gets kLeaderTrailer's value.
  absl::Status Attempt(size_t index, absl::Time deadline, Send send,
                       AttemptEnd* end, std::string* leader);

  std::vector<std::string> addresses_;
  std::vector<ControllerEndpoint> endpoints_;
  Options options_;
  size_t preferred_ = 0;  // where the next call starts
  CallTrace last_call_;
};

}  // namespace swell::cli
