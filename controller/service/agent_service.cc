#include "controller/service/agent_service.h"

#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/tls.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

// "ipv4:10.0.0.7:51234" -> "ipv4:10.0.0.7": a peer's retries come from new
// ports, and the refusal log is kept once per peer.
std::string PeerAddress(const std::string& peer) {
  const size_t colon = peer.rfind(':');
  return colon == std::string::npos || colon < peer.find(':')
             ? peer
             : peer.substr(0, colon);
}

}  // namespace

// One agent's stream.
class AgentStream final
    : public grpc::ServerBidiReactor<swell::v1::AgentMessage,
                                     swell::v1::ControllerMessage>,
      public DesiredStateSink {
 public:
  // `certified`: the host id the peer's certificate names (kCertificate
  // mode); nullopt in kHelloUnverified mode.
  AgentStream(AgentServiceImpl* service, std::optional<std::string> certified)
      : service_(service),
        certified_(std::move(certified)),
        messages_(AgentMessageTargets{
            .tracker = service->tracker_,
            .health = service->health_,
            .clock = service->clock_,
            .health_reports = &service->health_reports,
            .samples_refused = &service->samples_refused,
            .admit =
                [this](const swell::v1::Hello& hello) { return Admit(hello); },
            .connected =
                [this](const swell::v1::Hello& hello) {
                  spdlog::info("agent {} connected (version {})",
                               hello.host_id(), hello.agent_version());
                  service_->events_.hello(hello);
                },
            .wake = [this] { service_->events_.wake(); },
        }) {
    StartRead(&in_);
  }

  // A stream refused before it says anything: no usable certificate, or
  // no room (max_streams).
  AgentStream(AgentServiceImpl* service, const absl::Status& refusal)
      : AgentStream(service, std::nullopt) {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(ToGrpc(refusal));
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

  void End(const absl::Status& why) override {
    std::lock_guard<std::mutex> lock(mu_);
    FinishLocked(ToGrpc(why));
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the agent closed its side, or the stream broke
      std::lock_guard<std::mutex> lock(mu_);
      FinishLocked(grpc::Status::OK);
      return;
    }
    absl::Status s = messages_.Handle(in_);
    if (!s.ok()) {
      // Refusals for who the stream is were counted by Admit.
      if (s.code() != absl::StatusCode::kPermissionDenied) {
        service_->streams_rejected++;
        s = absl::InvalidArgumentError(s.message());
      }
      std::lock_guard<std::mutex> lock(mu_);
      FinishLocked(ToGrpc(s));
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
    service_->open_streams_--;
    delete this;
  }

 private:
  static grpc::Status ToGrpc(const absl::Status& s) {
    return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                        std::string(s.message()));
  }

  // The identity check, then the registration (which refuses a revoked
  // host); both before anything of the hello is recorded.
  absl::Status Admit(const swell::v1::Hello& hello) {
    if (certified_.has_value() && hello.host_id() != *certified_) {
      absl::Status refusal = absl::PermissionDeniedError(absl::StrCat(
          "certificate names ", *certified_, ", hello says ", hello.host_id()));
      service_->refusals_.Refused(StreamRefusal::kIdentity, *certified_,
                                  refusal);
      return refusal;
    }
    absl::Status registered =
        service_->sessions_->Register(hello.host_id(), this);
    if (!registered.ok()) {
      service_->refusals_.Refused(StreamRefusal::kRevoked, hello.host_id(),
                                  registered);
    }
    return registered;
  }

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
  const std::optional<std::string> certified_;
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
                                   const common::Clock* clock,
                                   AgentIdentity identity)
    : sessions_(sessions),
      tracker_(tracker),
      health_(health),
      events_(std::move(events)),
      clock_(clock),
      identity_(identity) {}

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
  if (stream_began_) stream_began_(ctx->peer());
  // Counted here, uncounted in OnDone: every stream made below ends there.
  if (open_streams_.fetch_add(1) >= max_streams_) {
    const absl::Status refusal = absl::ResourceExhaustedError(absl::StrCat(
        "this controller serves at most ", max_streams_,
        " agent streams (--max_agent_streams); retry later or elsewhere"));
    refusals_.Refused(StreamRefusal::kCapacity, "any agent", refusal);
    return new AgentStream(this, refusal);
  }
  if (identity_ == AgentIdentity::kHelloUnverified) {
    return new AgentStream(this, std::nullopt);
  }
  std::shared_ptr<const grpc::AuthContext> auth = ctx->auth_context();
  absl::StatusOr<std::string> host =
      auth == nullptr ? absl::PermissionDeniedError(
                            "the peer presented no verified certificate")
                      : common::PeerHostId(*auth);
  if (!host.ok()) {
    refusals_.Refused(StreamRefusal::kNoCertificate, PeerAddress(ctx->peer()),
                      host.status());
    return new AgentStream(this, host.status());
  }
  return new AgentStream(this, *std::move(host));
}

}  // namespace swell::controller
