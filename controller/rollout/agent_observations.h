#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

class AgentSnapshot;

// The newest apply result an agent reported for one variable.
struct AgentApply {
  int64_t generation = 0;
  bool ok = false;
  swell::v1::Value actual;
  std::string message;
  std::string output_tail;
  // When the controller received it: a host converges when its result
  // arrives, and the health samples it sends after that are fresh evidence.
  absl::Time at = absl::InfinitePast();
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
  // Why the agent could not read `variable` the last time it tried, or ""
  // when its newest report of it was a value (or it never reported it).
  virtual std::string ActualError(const std::string& host,
                                  const std::string& variable) const = 0;
  // When the newest health report of the host's agent arrived;
  // InfinitePast when none has since the controller started.
  virtual absl::Time LastHealth(const std::string& host) const = 0;

  // Brings `into` up to date with what is known now: every agent whose
  // record changed since `into` was last brought up to date by this
  // source (all of them the first time). The tick decides on such a copy.
  virtual void CopyChanges(AgentSnapshot* into) const = 0;
};

}  // namespace swell::controller
