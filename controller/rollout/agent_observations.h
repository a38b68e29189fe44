#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// The newest apply result an agent reported for one variable.
struct AgentApply {
  int64_t generation = 0;
  bool ok = false;
  swell::v1::Value actual;
  std::string message;
  std::string output_tail;
};

// What the controller has heard from agents over their streams. The
// reconciler's decisions read agents only through this, so that tests can
// state what agents said without running any.
class AgentObservations {
 public:
  virtual ~AgentObservations() = default;
  // Whether the host's agent has a stream open now.
  virtual bool Connected(const std::string& host) const = 0;
  // When the host's agent was last heard from; the controller's start time
  // for an agent not heard from since.
  virtual absl::Time LastHeard(const std::string& host) const = 0;
  // The value the agent last reported for `variable`, if any.
  virtual std::optional<swell::v1::Value> Actual(
      const std::string& host, const std::string& variable) const = 0;
  virtual std::optional<AgentApply> LastApply(
      const std::string& host, const std::string& variable) const = 0;
};

}  // namespace swell::controller
