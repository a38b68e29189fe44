#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// What agents said over their streams, kept in memory. Written by agent
// reactions, read by the reconciler. Thread-safe; sharded by host.
class AgentTracker final : public AgentObservations {
 public:
  // `started`: the controller's start, the LastHeard of agents not heard
  // from since (a restart must not make every agent look silent).
  explicit AgentTracker(absl::Time started) : started_(started) {}

  void Connected(const swell::v1::Hello& hello, absl::Time now);
  void Disconnected(const std::string& host, absl::Time now);
  void Heard(const std::string& host, absl::Time now);
  // A health report arrived (also counts as hearing from the agent).
  void HeardHealth(const std::string& host, absl::Time now);
  void RecordApply(const std::string& host, const swell::v1::ApplyResult& r,
                   absl::Time now);
  // Whether the report changed what is known of the agent's values: a
  // variable reported for the first time, a new value, or a change between
  // a value and an error (or of the error). An agent's periodic resync
  // mostly reports what is already known.
  bool RecordActual(const std::string& host,
                    const swell::v1::ActualReport& report, absl::Time now);

  bool Connected(const std::string& host) const override;
  absl::Time LastHeard(const std::string& host) const override;
  std::optional<swell::v1::Value> Actual(
      const std::string& host, const std::string& variable) const override;
  std::optional<AgentApply> LastApply(
      const std::string& host, const std::string& variable) const override;
  std::string ActualError(const std::string& host,
                          const std::string& variable) const override;
  absl::Time LastHealth(const std::string& host) const override;

  int ConnectedCount() const;

 private:
  struct Agent {
    int streams = 0;
    absl::Time last_heard = absl::InfinitePast();
    absl::Time last_health = absl::InfinitePast();
    std::map<std::string, swell::v1::Value> actual;
    // Variables whose newest report was a read error, and that error
    // (bounded: see SetActual).
    std::map<std::string, std::string> actual_errors;
    std::map<std::string, AgentApply> applies;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Agent> agents;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardFor(const std::string& host) const;
  // Whether it changed anything (RecordActual).
  static bool SetActual(Agent& a, const swell::v1::ActualVariable& v);

  absl::Time started_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace swell::controller
