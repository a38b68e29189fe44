#pragma once

// A blocking client of the controller's RolloutService. Every call carries
// a deadline of `timeout` and, when a token is set, an
// "authorization: Bearer <token>" header. gRPC failures come back as
// absl::Status with the same code (the two code sets map one to one).
// Not thread-safe: swellctl makes one call at a time.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/credentials.h"
#include "swell/v1/rollout.grpc.pb.h"

namespace swell::cli {

class ControllerClient {
 public:
  // Connects lazily with `credentials` (cli/api_credentials.h), so
  // construction never fails; an unreachable address shows up as
  // kUnavailable on the first call.
  ControllerClient(std::string address, absl::Duration timeout,
                   std::string token,
                   std::shared_ptr<grpc::ChannelCredentials> credentials);
  // For tests: talk through `stub`.
  ControllerClient(std::unique_ptr<v1::RolloutService::StubInterface> stub,
                   std::string address, absl::Duration timeout,
                   std::string token);

  const std::string& address() const { return address_; }

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
  template <typename Req, typename Resp>
  using Method = grpc::Status (v1::RolloutService::StubInterface::*)(
      grpc::ClientContext*, const Req&, Resp*);

  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(Method<Req, Resp> method, const Req& req);

  std::unique_ptr<v1::RolloutService::StubInterface> stub_;
  std::string address_;
  absl::Duration timeout_;
  std::string token_;
};

}  // namespace swell::cli
