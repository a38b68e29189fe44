#include "controller/service/agent_service.h"

#include <mutex>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

constexpr size_t kMaxHostIdBytes = 253;
constexpr int kMaxLabels = 64;
constexpr size_t kMaxLabelBytes = 256;
constexpr int kMaxSamplesPerReport = 256;

bool HostIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

}  // namespace

absl::Status ValidateHello(const swell::v1::Hello& hello) {
  const std::string& id = hello.host_id();
  if (id.empty() || id.size() > kMaxHostIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "hello.host_id: expected 1 to ", kMaxHostIdBytes, " characters"));
  }
  for (char c : id) {
    if (!HostIdChar(c)) {
      return absl::InvalidArgumentError(
          "hello.host_id: expected letters, digits, '-', '.' or '_'");
    }
  }
  if (hello.labels_size() > kMaxLabels) {
    return absl::InvalidArgumentError(
        absl::StrCat("hello.labels: at most ", kMaxLabels, " labels"));
  }
  for (const auto& [k, v] : hello.labels()) {
    if (k.empty() || k.size() > kMaxLabelBytes || v.size() > kMaxLabelBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "hello.labels: key '", k.substr(0, 32), "' must be 1 to ",
          kMaxLabelBytes, " bytes and its value at most ", kMaxLabelBytes));
    }
  }
  return absl::OkStatus();
}

// One agent's stream.
class AgentStream final
    : public grpc::ServerBidiReactor<swell::v1::AgentMessage,
                                     swell::v1::ControllerMessage>,
      public DesiredStateSink {
 public:
  explicit AgentStream(AgentServiceImpl* service) : service_(service) {
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
    absl::Status s = Handle(in_);
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
    if (!host_.empty()) {
      service_->sessions_->Unregister(host_, this);
      service_->tracker_->Disconnected(host_, service_->clock_->Now());
      spdlog::info("agent {} disconnected", host_);
      if (service_->events_.gone) service_->events_.gone(host_);
      service_->events_.wake();
    }
    delete this;
  }

 private:
  absl::Status Handle(const swell::v1::AgentMessage& msg) {
    const absl::Time now = service_->clock_->Now();
    if (host_.empty()) {
      if (!msg.has_hello()) {
        return absl::InvalidArgumentError("the first message must be a hello");
      }
      absl::Status s = ValidateHello(msg.hello());
      if (!s.ok()) return s;
      host_ = msg.hello().host_id();
      service_->tracker_->Connected(msg.hello(), now);
      service_->sessions_->Register(host_, this);
      spdlog::info("agent {} connected (version {})", host_,
                   msg.hello().agent_version());
      service_->events_.hello(msg.hello());
      return absl::OkStatus();
    }
    switch (msg.body_case()) {
      case swell::v1::AgentMessage::kHealth:
        if (msg.health().samples_size() > kMaxSamplesPerReport) {
          return absl::InvalidArgumentError(absl::StrCat(
              "health.samples: at most ", kMaxSamplesPerReport, " a report"));
        }
        service_->health_reports++;
        RecordHealth(msg.health(), now);
        service_->tracker_->HeardHealth(host_, now);
        return absl::OkStatus();
      case swell::v1::AgentMessage::kApplyResult:
        service_->tracker_->RecordApply(host_, msg.apply_result(), now);
        service_->events_.wake();
        return absl::OkStatus();
      case swell::v1::AgentMessage::kActual:
        service_->tracker_->RecordActual(host_, msg.actual(), now);
        service_->events_.wake();
        return absl::OkStatus();
      case swell::v1::AgentMessage::kHello:
        return absl::InvalidArgumentError("hello: sent twice on one stream");
      default:
        return absl::InvalidArgumentError("message: empty or of unknown kind");
    }
  }

  // Records the report's samples; counts the refused ones by reason and logs
  // the first refusal of the stream, so that a bad collector costs one line.
  void RecordHealth(const swell::v1::HealthReport& report, absl::Time now) {
    HealthWindow::Outcome out = service_->health_->Record(host_, report, now);
    if (!out.first_refusal) return;
    for (size_t i = 0; i < kSampleRefusalCount; ++i) {
      service_->samples_refused[i] += out.refused[i];
    }
    if (refusal_logged_) return;
    refusal_logged_ = true;
    spdlog::warn(
        "agent {}: refused {} of {} health samples, the first for {} (its "
        "name, {} bytes, starts '{}'); further refusals on this stream are "
        "only counted in swell_health_samples_refused_total",
        host_, out.refused_total(), report.samples_size(),
        SampleRefusalName(*out.first_refusal), out.first_refused_name_bytes,
        absl::CHexEscape(out.first_refused_name));
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
  swell::v1::AgentMessage in_;
  std::string host_;             // set by the hello; then fixed
  bool refusal_logged_ = false;  // read and written by reactions only

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
