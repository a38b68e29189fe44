#include "controller/service/agent_service.h"

#include <mutex>
#include <optional>

#include "spdlog/spdlog.h"

namespace swell::controller {

// One agent's stream.
class AgentStream final
    : public grpc::ServerBidiReactor<swell::v1::AgentMessage,
                                     swell::v1::ControllerMessage>,
      public DesiredStateSink {
 public:
  explicit AgentStream(AgentServiceImpl* service)
      : service_(service),
        messages_(AgentMessageTargets{
            .tracker = service->tracker_,
            .health = service->health_,
            .clock = service->clock_,
            .health_reports = &service->health_reports,
            .samples_refused = &service->samples_refused,
            .connected =
                [this](const swell::v1::Hello& hello) {
                  service_->sessions_->Register(hello.host_id(), this);
                  spdlog::info("agent {} connected (version {})",
                               hello.host_id(), hello.agent_version());
                  service_->events_.hello(hello);
                },
            .wake = [this] { service_->events_.wake(); },
        }) {
    StartRead(&in_);
  }

  void PushDesired(const swell::v1::DesiredState& state) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (finishing_) return;
    queued_.emplace();
    *queued_->mutable_desired() = state;
    MaybeWriteLocked();
  }

  void Supersede() override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                              "replaced by a newer stream of the same host"));
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the agent closed its side, or the stream broke
      std::lock_guard<std::mutex> lock(mu_);
      FinishLocked(grpc::Status::OK);
      return;
    }
    absl::Status s = messages_.Handle(in_);
    if (!s.ok()) {
      service_->streams_rejected++;
      std::lock_guard<std::mutex> lock(mu_);
      FinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                std::string(s.message())));
      return;
    }
    StartRead(&in_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard<std::mutex> lock(mu_);
    writing_ = false;
    if (finish_pending_) {
      grpc::Status status = std::move(*finish_pending_);
      finish_pending_.reset();
      Finish(std::move(status));
      return;
    }
    if (!ok) {
      FinishLocked(grpc::Status::OK);
      return;
    }
    MaybeWriteLocked();
  }

  void OnDone() override {
    if (const std::string& host = messages_.host(); !host.empty()) {
      service_->sessions_->Unregister(host, this);
      service_->tracker_->Disconnected(host, service_->clock_->Now());
      spdlog::info("agent {} disconnected", host);
      if (service_->events_.gone) service_->events_.gone(host);
      service_->events_.wake();
    }
    delete this;
  }

 private:
  void MaybeWriteLocked() {
    if (writing_ || finishing_ || !queued_) return;
    out_ = std::move(*queued_);
    queued_.reset();
    writing_ = true;
    StartWrite(&out_);
  }

  // Finishes once; waits for the write in flight, if any.
  void FinishLocked(grpc::Status status) {
    if (finishing_) return;
    finishing_ = true;
    if (writing_) {
      finish_pending_ = std::move(status);
    } else {
      Finish(std::move(status));
    }
  }

  AgentServiceImpl* service_;
  swell::v1::AgentMessage in_;
  AgentMessageHandler messages_;  // used by reactions only

  std::mutex mu_;  // guards everything below
  swell::v1::ControllerMessage out_;
  std::optional<swell::v1::ControllerMessage> queued_;
  bool writing_ = false;
  bool finishing_ = false;
  std::optional<grpc::Status> finish_pending_;
};

AgentServiceImpl::AgentServiceImpl(SessionRegistry* sessions,
                                   AgentTracker* tracker, HealthWindow* health,
                                   AgentEvents events,
                                   const common::Clock* clock)
    : sessions_(sessions),
      tracker_(tracker),
      health_(health),
      events_(std::move(events)),
      clock_(clock) {}

uint64_t AgentServiceImpl::samples_refused_total() const {
  uint64_t total = 0;
  for (const auto& n : samples_refused) total += n.load();
  return total;
}

void SetAgentMessageLimits(grpc::ServerBuilder* builder) {
  builder->SetMaxReceiveMessageSize(kMaxAgentMessageBytes);
  builder->SetMaxSendMessageSize(kMaxAgentMessageBytes);
}

grpc::ServerBidiReactor<swell::v1::AgentMessage, swell::v1::ControllerMessage>*
AgentServiceImpl::Connect(grpc::CallbackServerContext* ctx) {
  return new AgentStream(this);
}

}  // namespace swell::controller
