#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "controller/rollout/agent_snapshot.h"
#include "controller/rollout/change_log.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// What agents said over their streams, kept in memory. Written by agent
// reactions; the reconciler copies what changed into its own snapshot once
// a tick (CopyChanges). Thread-safe; sharded by host.
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
  // Copies the agents whose record changed since `into` last copied from
  // this tracker; a record's values are shared, not copied.
  void CopyChanges(AgentSnapshot* into) const override;

  int ConnectedCount() const;

 private:
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, AgentRecord> agents;
    ChangeLog changes;  // numbers AgentRecord::changed
  };
  static constexpr size_t kShards = 16;
  Shard& ShardFor(const std::string& host) const;
  // The record of `host`, marked changed. Under s.mu.
  static AgentRecord& Change(Shard& s, const std::string& host);
  // Values to change: a copy when a snapshot shares the current ones.
  static AgentValues& MutableValues(AgentRecord& a);
  // Whether it changed anything (RecordActual). Under the shard's lock.
  static bool SetActual(AgentRecord& a, const swell::v1::ActualVariable& v);

  absl::Time started_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace swell::controller
