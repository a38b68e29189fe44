#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "swell/v1/agent.grpc.pb.h"

namespace swell::agent::testing {

// A stand-in controller for agent tests: records every Hello and every
// message agents send, and answers each Hello with `desired` when set.
// Served on 127.0.0.1 (port 0 picks a free one).
class FakeController final : public swell::v1::AgentService::Service {
 public:
  explicit FakeController(int port = 0) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeController() override { Shutdown(); }

  bool ok() const { return server_ != nullptr && port_ > 0; }
  int port() const { return port_; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }

  void SetDesired(swell::v1::DesiredState state) {
    absl::MutexLock lock(&mu_);
    desired_ = std::move(state);
  }

  // Ends every stream and stops serving: agents see the controller vanish.
  void Shutdown() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(200));
    server_->Wait();
    server_.reset();
  }

  std::vector<swell::v1::Hello> hellos() const {
    absl::MutexLock lock(&mu_);
    return hellos_;
  }
  std::vector<swell::v1::AgentMessage> received() const {
    absl::MutexLock lock(&mu_);
    return received_;
  }

  grpc::Status Connect(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<swell::v1::ControllerMessage,
                               swell::v1::AgentMessage>* stream) override {
    swell::v1::AgentMessage first;
    if (!stream->Read(&first)) return grpc::Status::OK;
    if (!first.has_hello()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Hello first");
    }
    std::optional<swell::v1::DesiredState> desired;
    {
      absl::MutexLock lock(&mu_);
      hellos_.push_back(first.hello());
      desired = desired_;
    }
    if (desired) {
      swell::v1::ControllerMessage message;
      *message.mutable_desired() = *desired;
      stream->Write(message);
    }
    swell::v1::AgentMessage message;
    while (stream->Read(&message)) {
      absl::MutexLock lock(&mu_);
      received_.push_back(message);
    }
    return grpc::Status::OK;
  }

 private:
  mutable absl::Mutex mu_;
  std::optional<swell::v1::DesiredState> desired_ ABSL_GUARDED_BY(mu_);
  std::vector<swell::v1::Hello> hellos_ ABSL_GUARDED_BY(mu_);
  std::vector<swell::v1::AgentMessage> received_ ABSL_GUARDED_BY(mu_);
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace swell::agent::testing
