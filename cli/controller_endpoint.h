#pragma once

// One controller address and swellctl's channel to it. The channel is made
// on first use and kept while it connects or is connected, so that a
// remembered replica is not handshaken with again for every call; one that
// failed to connect is dropped, so that the next attempt starts afresh
// when the caller's backoff, not gRPC's own, says so. Not thread-safe.

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "swell/v1/rollout.grpc.pb.h"

namespace swell::cli {

class ControllerEndpoint {
 public:
  // `credentials` verify the server against this address's own host name
  // (TLS) or are plaintext; they are shared by every endpoint.
  ControllerEndpoint(std::string address,
                     std::shared_ptr<grpc::ChannelCredentials> credentials);

  const std::string& address() const { return address_; }

  // Waits up to `wait` for a connection. OK once there is one: a request
  // sent now reaches the controller, unless the connection breaks first.
  // Otherwise no request was sent, and the status says why: kUnavailable
  // with gRPC's reason (refused, unresolvable, TLS handshake failed), or
  // kDeadlineExceeded "not connected within ..." while still connecting.
  absl::Status Connect(absl::Duration wait);

  // The stub of the connection Connect made. Requires that Connect
  // returned OK.
  v1::RolloutService::StubInterface& stub();

 private:
  void Open();
  // Why the channel, in TRANSIENT_FAILURE, has no connection: the status
  // gRPC fails a request with, found by sending one for a method no server
  // has, so that nothing can be changed even if the connection comes up
  // meanwhile. OK when it did come up.
  absl::Status WhyNotConnected(absl::Duration wait);

  std::string address_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RolloutService::StubInterface> stub_;
};

}  // namespace swell::cli
