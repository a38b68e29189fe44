#pragma once

// A simulated agent: what a real agent (agent/agent.cc, agent/enforcer.cc)
// holds and says, without its appliers. It keeps its desired state (newest
// generation wins, as Agent::OnDesired), the actual value of each
// variable, and whether it is connected; it applies enforced variables
// after a delay, reports results, actual values and health.

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "swell/v1/agent.pb.h"

namespace swell::dst {

class World;

class SimAgent {
 public:
  SimAgent(World* world, int index, std::string id,
           std::map<std::string, std::string> labels, bool sick_prone,
           std::map<std::string, swell::v1::Value> actual);

  const std::string& id() const { return id_; }
  const std::map<std::string, std::string>& labels() const { return labels_; }
  bool alive() const { return alive_; }
  uint64_t stream() const { return stream_; }
  int64_t generation() const { return held_.generation(); }
  // Whether it reports `up` = 0: it is sick-prone and holds a bad value.
  bool Sick() const;

  // The hello it sends on each new stream (Agent::BuildHello).
  swell::v1::Hello BuildHello() const;
  // A desired state arrived on stream `stream`.
  void OnDesired(uint64_t stream, const swell::v1::DesiredState& state);
  // The stream was opened (nonzero id) or closed (0). A closed stream is
  // reopened after a backoff.
  void SetStream(uint64_t stream);

  // Faults.
  void Crash(absl::Duration down, bool stale);
  void GoSilent(absl::Duration d) { silent_until_ = Now() + d; }
  absl::Time silent_until() const { return silent_until_; }
  // Ends hangs and silences (the fault phase is over).
  void Heal();

  void ScheduleHealth();

 private:
  absl::Time Now() const;
  void ScheduleEnforce(absl::Duration after);
  void Enforce();
  void SendHealth();
  void Reconnect(uint64_t epoch);

  World* world_;
  int index_;
  std::string id_;
  std::map<std::string, std::string> labels_;
  bool sick_prone_;
  std::map<std::string, swell::v1::Value> actual_;
  swell::v1::DesiredState held_;   // persisted: survives a crash
  swell::v1::DesiredState older_;  // the one before, for stale comebacks
  bool alive_ = true;
  uint64_t epoch_ = 0;   // grows with each crash: pending work is dropped
  uint64_t stream_ = 0;  // 0: not connected
  uint64_t enforce_token_ = 0;  // only the newest scheduled apply runs
  absl::Time hung_until_ = absl::InfinitePast();
  absl::Time silent_until_ = absl::InfinitePast();
};

}  // namespace swell::dst
