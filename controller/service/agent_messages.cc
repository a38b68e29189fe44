#include "controller/service/agent_messages.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

constexpr size_t kMaxHostIdBytes = 253;
constexpr int kMaxLabels = 64;
constexpr size_t kMaxLabelBytes = 256;

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

AgentMessageHandler::AgentMessageHandler(AgentMessageTargets targets)
    : targets_(std::move(targets)) {}

absl::Status AgentMessageHandler::Handle(const swell::v1::AgentMessage& msg) {
  const absl::Time now = targets_.clock->Now();
  if (host_.empty()) return HandleHello(msg, now);
  switch (msg.body_case()) {
    case swell::v1::AgentMessage::kHealth:
      if (msg.health().samples_size() > kMaxSamplesPerReport) {
        return absl::InvalidArgumentError(absl::StrCat(
            "health.samples: at most ", kMaxSamplesPerReport, " a report"));
      }
      ++*targets_.health_reports;
      RecordHealth(msg.health(), now);
      targets_.tracker->HeardHealth(host_, now);
      return absl::OkStatus();
    case swell::v1::AgentMessage::kApplyResult:
      targets_.tracker->RecordApply(host_, msg.apply_result(), now);
      targets_.wake();
      return absl::OkStatus();
    case swell::v1::AgentMessage::kActual:
      // A resync that reports nothing new waits for the next tick: at
      // 10,000 agents resyncing every 30 s, waking on each would run ticks
      // back to back.
      if (targets_.tracker->RecordActual(host_, msg.actual(), now)) {
        targets_.wake();
      }
      return absl::OkStatus();
    case swell::v1::AgentMessage::kHello:
      return absl::InvalidArgumentError("hello: sent twice on one stream");
    default:
      return absl::InvalidArgumentError("message: empty or of unknown kind");
  }
}

absl::Status AgentMessageHandler::HandleHello(
    const swell::v1::AgentMessage& msg, absl::Time now) {
  if (!msg.has_hello()) {
    return absl::InvalidArgumentError("the first message must be a hello");
  }
  absl::Status s = ValidateHello(msg.hello());
  if (!s.ok()) return s;
  if (targets_.admit) {
    if (absl::Status a = targets_.admit(msg.hello()); !a.ok()) return a;
  }
  host_ = msg.hello().host_id();
  targets_.tracker->Connected(msg.hello(), now);
  targets_.connected(msg.hello());
  return absl::OkStatus();
}

// Counts the refused samples by reason and logs the first refusal of the
// stream, so that a bad collector costs one line.
void AgentMessageHandler::RecordHealth(const swell::v1::HealthReport& report,
                                       absl::Time now) {
  HealthWindow::Outcome out = targets_.health->Record(host_, report, now);
  if (!out.first_refusal) return;
  for (size_t i = 0; i < kSampleRefusalCount; ++i) {
    (*targets_.samples_refused)[i] += out.refused[i];
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

}  // namespace swell::controller
