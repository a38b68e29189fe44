#pragma once

#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "controller/rollout/agent_links.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// The controller's end of one agent stream, as the reconciler sees it.
class DesiredStateSink {
 public:
  virtual ~DesiredStateSink() = default;
  // Queues `state` for sending. Only the newest unsent state is kept: an
  // older one still queued is replaced, so the buffer per agent is one
  // message. Must not block.
  virtual void PushDesired(const swell::v1::DesiredState& state) = 0;
  // Ends the stream because a newer stream of the same host replaced it.
  virtual void Supersede() = 0;
  // Ends the stream with `why` (not OK) as its status: the host was
  // revoked. Must not block.
  virtual void End(const absl::Status& why) = 0;
};

// Which stream serves which host, and which hosts may not have one
// (revoked): the reconciler's AgentLinks. Thread-safe. A sink is reachable
// from Register until Unregister returns; its owner must not destroy it
// before.
class SessionRegistry final : public AgentLinks {
 public:
  // Makes `sink` the host's stream; an older stream of the host is
  // superseded. kPermissionDenied "host X is revoked: REASON" when the host
  // is revoked: nothing is registered and no stream is disturbed.
  [[nodiscard]] absl::Status Register(const std::string& host,
                                      DesiredStateSink* sink);
  // Forgets `sink` if it still serves `host`.
  void Unregister(const std::string& host, DesiredStateSink* sink);
  // Pushes to the host's stream; false when the host has none.
  bool Push(const std::string& host,
            const swell::v1::DesiredState& state) override;
  size_t size() const;

  // Replaces the revoked hosts (host id -> reason) and ends, with
  // kPermissionDenied, the stream of every host among them. Atomic with
  // Register: a stream registered after this returns is refused, and one
  // registered before is ended.
  void SetRevoked(std::map<std::string, std::string> revoked) override;

 private:
  static absl::Status Revoked(const std::string& host,
                              const std::string& reason);

  mutable std::mutex mu_;
  std::map<std::string, DesiredStateSink*> sinks_;
  std::map<std::string, std::string> revoked_;
};

}  // namespace swell::controller
