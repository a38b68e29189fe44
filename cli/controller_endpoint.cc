#include "cli/controller_endpoint.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/generic/generic_stub.h"

namespace swell::cli {
namespace {

// Bounds what a reply may cost us; a status with every host of a large
// fleet stays far below it.
constexpr int kMaxReceiveBytes = 64 << 20;

// A method no controller serves: a connected one answers UNIMPLEMENTED.
constexpr char kProbeMethod[] = "/swell.cli.ConnectionProbe/WhyNotConnected";

std::chrono::system_clock::time_point After(absl::Duration wait) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(wait);
}

absl::Status StillConnectingAfter(absl::Duration wait) {
  return absl::DeadlineExceededError(absl::StrCat(
      "not connected within ",
      absl::FormatDuration(absl::Trunc(wait, absl::Milliseconds(1)))));
}

}  // namespace

ControllerEndpoint::ControllerEndpoint(
    std::string address, std::shared_ptr<grpc::ChannelCredentials> credentials)
    : address_(std::move(address)), credentials_(std::move(credentials)) {}

void ControllerEndpoint::Open() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxReceiveBytes);
  // A subchannel of its own: one from gRPC's global pool could still be
  // waiting out the reconnect backoff of the channel dropped before it.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  channel_ = grpc::CreateCustomChannel(address_, credentials_, args);
  stub_ = v1::RolloutService::NewStub(channel_);
}

absl::Status ControllerEndpoint::Connect(absl::Duration wait) {
  if (channel_ == nullptr) Open();
  const auto deadline = After(wait);
  grpc_connectivity_state state = channel_->GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY) {
    if (state == GRPC_CHANNEL_TRANSIENT_FAILURE ||
        state == GRPC_CHANNEL_SHUTDOWN) {
      absl::Status why = WhyNotConnected(wait);
      if (!why.ok()) {
        stub_.reset();
        channel_.reset();
      }
      return why;
    }
    // Still connecting when `wait` is up: the channel is kept, and the
    // next attempt on this address carries on with the same handshake.
    if (!channel_->WaitForStateChange(state, deadline)) {
      return StillConnectingAfter(wait);
    }
    state = channel_->GetState(/*try_to_connect=*/true);
  }
  return absl::OkStatus();
}

v1::RolloutService::StubInterface& ControllerEndpoint::stub() { return *stub_; }

absl::Status ControllerEndpoint::WhyNotConnected(absl::Duration wait) {
  grpc::GenericStub probe(channel_);
  grpc::ClientContext context;
  context.set_deadline(After(wait));
  grpc::Slice nothing;  // an empty message; a null buffer is not sendable
  const grpc::ByteBuffer request(&nothing, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  probe.UnaryCall(&context, kProbeMethod, grpc::StubOptions(), &request,
                  &response, [&](grpc::Status s) {
                    status = std::move(s);
                    done.Notify();
                  });
  done.WaitForNotification();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(status.error_message());
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return StillConnectingAfter(wait);
    default:  // a server answered: the connection came up meanwhile
      return absl::OkStatus();
  }
}

}  // namespace swell::cli
