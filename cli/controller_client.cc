#include "cli/controller_client.h"

#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/grpcpp.h"

namespace swell::cli {
namespace {

// Bounds what a reply may cost us; a status with every host of a large
// fleet stays far below it.
constexpr int kMaxReceiveBytes = 64 << 20;

std::unique_ptr<v1::RolloutService::StubInterface> Connect(
    const std::string& address,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  return v1::RolloutService::NewStub(
      grpc::CreateCustomChannel(address, std::move(credentials), args));
}

}  // namespace

ControllerClient::ControllerClient(
    std::string address, absl::Duration timeout, std::string token,
    std::shared_ptr<grpc::ChannelCredentials> credentials)
    : ControllerClient(Connect(address, std::move(credentials)), address,
                       timeout, std::move(token)) {}

ControllerClient::ControllerClient(
    std::unique_ptr<v1::RolloutService::StubInterface> stub,
    std::string address, absl::Duration timeout, std::string token)
    : stub_(std::move(stub)),
      address_(std::move(address)),
      timeout_(timeout),
      token_(std::move(token)) {}

template <typename Req, typename Resp>
absl::StatusOr<Resp> ControllerClient::Call(Method<Req, Resp> method,
                                            const Req& req) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(timeout_));
  if (!token_.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  }
  Resp resp;
  const grpc::Status status = ((*stub_).*method)(&context, req, &resp);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return resp;
}

using Stub = v1::RolloutService::StubInterface;

absl::StatusOr<v1::SubmitResponse> ControllerClient::Submit(
    const v1::SubmitRequest& req) {
  return Call(&Stub::Submit, req);
}
absl::StatusOr<v1::PreviewResponse> ControllerClient::Preview(
    const v1::PreviewRequest& req) {
  return Call(&Stub::Preview, req);
}
absl::StatusOr<v1::ListRolloutsResponse> ControllerClient::ListRollouts(
    const v1::ListRolloutsRequest& req) {
  return Call(&Stub::ListRollouts, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::GetRollout(
    const v1::GetRolloutRequest& req) {
  return Call(&Stub::GetRollout, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::Halt(
    const v1::RolloutActionRequest& req) {
  return Call(&Stub::Halt, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::Resume(
    const v1::RolloutActionRequest& req) {
  return Call(&Stub::Resume, req);
}
absl::StatusOr<v1::RolloutStatus> ControllerClient::Rollback(
    const v1::RolloutActionRequest& req) {
  return Call(&Stub::Rollback, req);
}
absl::StatusOr<v1::FreezeStatus> ControllerClient::Freeze(
    const v1::FreezeRequest& req) {
  return Call(&Stub::Freeze, req);
}
absl::StatusOr<v1::FreezeStatus> ControllerClient::Unfreeze(
    const v1::FreezeRequest& req) {
  return Call(&Stub::Unfreeze, req);
}
absl::StatusOr<v1::FreezeStatus> ControllerClient::GetFreeze(
    const v1::GetFreezeRequest& req) {
  return Call(&Stub::GetFreeze, req);
}
absl::StatusOr<v1::ListHostsResponse> ControllerClient::ListHosts(
    const v1::ListHostsRequest& req) {
  return Call(&Stub::ListHosts, req);
}
absl::StatusOr<v1::HostStatus> ControllerClient::RetireHost(
    const v1::RetireHostRequest& req) {
  return Call(&Stub::RetireHost, req);
}
absl::StatusOr<v1::CreateTokenResponse> ControllerClient::CreateToken(
    const v1::CreateTokenRequest& req) {
  return Call(&Stub::CreateToken, req);
}
absl::StatusOr<v1::ListTokensResponse> ControllerClient::ListTokens(
    const v1::ListTokensRequest& req) {
  return Call(&Stub::ListTokens, req);
}
absl::StatusOr<v1::ApiTokenInfo> ControllerClient::RevokeToken(
    const v1::RevokeTokenRequest& req) {
  return Call(&Stub::RevokeToken, req);
}
absl::StatusOr<v1::HostStatus> ControllerClient::RevokeHost(
    const v1::RevokeHostRequest& req) {
  return Call(&Stub::RevokeHost, req);
}
absl::StatusOr<v1::HostStatus> ControllerClient::UnrevokeHost(
    const v1::UnrevokeHostRequest& req) {
  return Call(&Stub::UnrevokeHost, req);
}

}  // namespace swell::cli
