#pragma once

#include <cstdint>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "agent/message_sink.h"

namespace swell::agent::testing {

// Records what the enforcer sends; "connected" as connection `connection_`.
class FakeSink final : public MessageSink {
 public:
  uint64_t Send(const swell::v1::AgentMessage& message) override {
    absl::MutexLock lock(&mu_);
    if (connection_ == 0) return 0;
    messages_.push_back(message);
    return connection_;
  }
  uint64_t Connection() const override {
    absl::MutexLock lock(&mu_);
    return connection_;
  }
  void SetConnection(uint64_t c) {
    absl::MutexLock lock(&mu_);
    connection_ = c;
  }
  std::vector<swell::v1::ApplyResult> Results() const {
    absl::MutexLock lock(&mu_);
    std::vector<swell::v1::ApplyResult> out;
    for (const auto& m : messages_) {
      if (m.has_apply_result()) out.push_back(m.apply_result());
    }
    return out;
  }
  std::vector<swell::v1::Sample> Samples() const {
    absl::MutexLock lock(&mu_);
    std::vector<swell::v1::Sample> out;
    for (const auto& m : messages_) {
      for (const auto& s : m.health().samples()) out.push_back(s);
    }
    return out;
  }
  std::vector<swell::v1::ActualReport> Reports() const {
    absl::MutexLock lock(&mu_);
    std::vector<swell::v1::ActualReport> out;
    for (const auto& m : messages_) {
      if (m.has_actual()) out.push_back(m.actual());
    }
    return out;
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t connection_ = 1;
  std::vector<swell::v1::AgentMessage> messages_;
};

}  // namespace swell::agent::testing
