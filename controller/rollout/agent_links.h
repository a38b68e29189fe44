#pragma once

#include <map>
#include <string>

#include "swell/v1/types.pb.h"

namespace swell::controller {

// How the reconciler reaches agents, and all it needs of the RPC layer:
// it hands a host's desired state to its stream, and names the hosts whose
// streams must end (revoked). What agents say reaches it through
// AgentObservations. The controller's SessionRegistry implements this;
// tests and the seeded simulation give their own.
class AgentLinks {
 public:
  virtual ~AgentLinks() = default;
  // Queues `state` for the host's stream, never blocking; false when the
  // host has no stream (it gets its whole desired state when it connects).
  virtual bool Push(const std::string& host,
                    const swell::v1::DesiredState& state) = 0;
  // Replaces the revoked hosts (host id -> reason) and ends their streams.
  virtual void SetRevoked(std::map<std::string, std::string> revoked) = 0;
};

}  // namespace swell::controller
