#pragma once

// What the controller does with each message an agent stream sends, apart
// from the gRPC reactor that reads them (AgentStream, agent_service.cc), so
// that the fuzzer (tests/fuzz/agent_message_fuzzer.cc) drives the very code
// the stream runs.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "common/clock.h"
#include "controller/gate/health_window.h"
#include "controller/service/agent_tracker.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// Checks a Hello's bounds: host id shape and length, label count and sizes.
// kInvalidArgument naming the field otherwise.
[[nodiscard]] absl::Status ValidateHello(const swell::v1::Hello& hello);

// What one stream's messages update. Nothing is owned: every pointer must
// outlive the handler, and may be shared by every stream (each is
// thread-safe).
struct AgentMessageTargets {
  AgentTracker* tracker = nullptr;
  HealthWindow* health = nullptr;
  const common::Clock* clock = nullptr;
  std::atomic<uint64_t>* health_reports = nullptr;  // reports accepted
  // Samples refused, by SampleRefusal.
  std::array<std::atomic<uint64_t>, kSampleRefusalCount>* samples_refused =
      nullptr;
  // Whether a valid hello may open the stream, asked before anything of it
  // is recorded (the tracker, the host's record, the sessions): an error
  // (kPermissionDenied: the certificate names another host, or the host is
  // revoked) refuses the stream with it. Empty: every valid hello may.
  std::function<absl::Status(const swell::v1::Hello&)> admit;
  // The stream's hello was accepted and the tracker has recorded it.
  std::function<void(const swell::v1::Hello&)> connected;
  // Something the reconciler waits on changed: an apply result, or an
  // actual report that changed a value (AgentTracker::RecordActual).
  std::function<void()> wake;
};

// One agent stream's conversation: its first message must be a valid hello,
// which fixes the stream's host; after that only health reports, apply
// results and actual reports. Not thread-safe: a stream's reads are
// serialized by gRPC.
class AgentMessageHandler {
 public:
  explicit AgentMessageHandler(AgentMessageTargets targets);

  // Validates `msg` and records it. kInvalidArgument saying what is wrong
  // when the stream must end: a first message that is not a valid hello, a
  // second hello, a health report of more than kMaxSamplesPerReport
  // samples, or an empty message; admit's error for a hello it refuses.
  // Nothing of the message was recorded then. Samples the health window
  // refuses one by one are counted, not an error. Every message after the
  // hello speaks for the hello's host: none carries a host id of its own.
  [[nodiscard]] absl::Status Handle(const swell::v1::AgentMessage& msg);

  // The host the hello named; empty until a hello was accepted.
  const std::string& host() const { return host_; }

  static constexpr int kMaxSamplesPerReport = 256;

 private:
  absl::Status HandleHello(const swell::v1::AgentMessage& msg, absl::Time now);
  void RecordHealth(const swell::v1::HealthReport& report, absl::Time now);

  AgentMessageTargets targets_;
  std::string host_;             // set by the hello; then fixed
  bool refusal_logged_ = false;  // the stream's first refusal was logged
};

}  // namespace swell::controller
