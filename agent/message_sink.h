#pragma once

#include <cstdint>

#include "swell/v1/agent.pb.h"

namespace swell::agent {

// Where the agent's parts hand messages bound for the controller.
// Implementations are thread-safe and never block on the network.
class MessageSink {
 public:
  virtual ~MessageSink() = default;

  // Queues `message` on the current connection. Returns that connection's
  // number (1, 2, ... in the order connections were made), or 0 when there
  // is no connection or its queue is full and the message was dropped.
  // A message queued on a connection that then breaks is lost; callers
  // compare numbers to know what to send again after a reconnect.
  virtual uint64_t Send(const swell::v1::AgentMessage& message) = 0;

  // The number of the current connection, or 0 while disconnected.
  virtual uint64_t Connection() const = 0;
};

}  // namespace swell::agent
