#pragma once

// What the controller knew of its agents at one moment, as a value: the
// tick decides on this copy, never on the tracker that agent streams write
// meanwhile (Decide, "the input is a value").

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/time/time.h"
#include "controller/rollout/agent_observations.h"
#include "swell/v1/types.pb.h"

namespace swell::controller {

// What an agent reported of its variables. Shared, never changed once
// shared: a new report makes a new one (AgentRecord::values), so that a
// snapshot copies a pointer, not the values (a file's content can be
// large).
struct AgentValues {
  std::map<std::string, swell::v1::Value> actual;
  // Variables whose newest report was a read error, and that error.
  std::map<std::string, std::string> actual_errors;
  std::map<std::string, AgentApply> applies;
};

// One agent as the controller knows it.
struct AgentRecord {
  int streams = 0;  // streams open now
  absl::Time last_heard = absl::InfinitePast();
  absl::Time last_health = absl::InfinitePast();
  std::shared_ptr<const AgentValues> values;  // null: nothing reported
  // The source's change counter when this record last changed
  // (AgentTracker: per shard), for copying only what changed.
  uint64_t changed = 0;
};

// What a record says of one variable (AgentObservations' meanings).
std::optional<swell::v1::Value> ActualIn(const AgentRecord& a,
                                         const std::string& variable);
std::optional<AgentApply> ApplyIn(const AgentRecord& a,
                                  const std::string& variable);
std::string ActualErrorIn(const AgentRecord& a, const std::string& variable);

class AgentSnapshot final : public AgentObservations {
 public:
  // `started`: the LastHeard of agents never heard from (see AgentTracker).
  explicit AgentSnapshot(absl::Time started = absl::InfinitePast())
      : started_(started) {}

  void set_started(absl::Time started) { started_ = started; }
  void Put(const std::string& host, AgentRecord record);
  const AgentRecord* Find(const std::string& host) const;
  size_t size() const { return agents_.size(); }

  // Where the source's changes were copied up to, in the source's own
  // marks (AgentTracker: one per shard); the source reads and moves them.
  std::vector<uint64_t>& copied_up_to() { return copied_up_to_; }

  bool Connected(const std::string& host) const override;
  absl::Time LastHeard(const std::string& host) const override;
  std::optional<swell::v1::Value> Actual(
      const std::string& host, const std::string& variable) const override;
  std::optional<AgentApply> LastApply(
      const std::string& host, const std::string& variable) const override;
  std::string ActualError(const std::string& host,
                          const std::string& variable) const override;
  absl::Time LastHealth(const std::string& host) const override;
  void CopyChanges(AgentSnapshot* into) const override;

 private:
  absl::Time started_;
  std::unordered_map<std::string, AgentRecord> agents_;
  std::vector<uint64_t> copied_up_to_;
};

}  // namespace swell::controller
