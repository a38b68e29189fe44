#pragma once

// A host whose variables live in memory, kept converged on its desired
// state as a real agent keeps a real host (agent/agent.cc,
// agent/enforcer.cc), and saying so through a MessageSink (the link).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agent/message_sink.h"
#include "swell/v1/agent.pb.h"
#include "tests/sim/agent_behaviour.h"
#include "tests/sim/fault_plan.h"

namespace swell::sim {

// How a desired state's enforced variables compare with the host's start
// values.
enum class EnforcedValues {
  kNone,     // nothing enforced (observe-only, or empty)
  kStart,    // every enforced value is the host's start value
  kChanged,  // some enforced value differs from it
};
absl::string_view EnforcedValuesName(EnforcedValues v);  // none/start/changed

// The first arrival of one desired generation at a host.
struct Arrival {
  int64_t generation = 0;
  int64_t unix_ms = 0;  // wall clock
  EnforcedValues enforced = EnforcedValues::kNone;
};

// Not thread-safe: its owner serialises every call.
class MemoryHost {
 public:
  // `behaviour` and `counters` outlive it.
  MemoryHost(std::string host_id,
             std::map<std::string, swell::v1::Value> start_values,
             HostFaults faults, const AgentBehaviour* behaviour,
             FleetCounters* counters);

  // Agent::BuildHello: the actual values of the held state's variables.
  swell::v1::Hello Hello() const;
  // Agent::OnDesired, then Enforcer::Offer: records the first arrival of
  // each generation, ignores another host's state or an older generation
  // (nullopt), else holds it and returns when its pass is due: after the
  // apply's simulated duration when it has something to change.
  std::optional<absl::Time> Offer(const swell::v1::DesiredState& state,
                                  absl::Time now);
  // When a pass asked for at `now` may run: `now`, or later while an apply
  // still takes its time.
  absl::Time PassDue(absl::Time now) const;
  // Enforcer::Pass: converges each enforced variable, reporting each
  // outcome once per connection, then every variable's actual value, then
  // health when it reported an outcome. Does nothing while it holds no
  // state.
  void Pass(agent::MessageSink* sink);
  // The health samples of now; nothing from a silent host.
  void SendHealth(agent::MessageSink* sink);
  // A crash and restart: the apply in flight is lost, nothing counts as
  // said on any connection, and it holds the state before its newest, as
  // if that had not been saved. Returns when the restarted agent's pass is
  // due (nullopt: it holds nothing).
  std::optional<absl::Time> Restart(absl::Time now);

  int64_t generation() const;  // of the held state; 0: none
  const std::vector<Arrival>& arrivals() const { return arrivals_; }

 private:
  struct Outcome {  // the journal's last word on a variable
    int64_t generation = 0;
    bool ok = false;
    std::string message;
  };

  absl::Duration ApplyDelay() const;  // this host's
  swell::v1::Value ValueOf(const std::string& name) const;
  bool NeedsApply(const swell::v1::DesiredState& state) const;
  bool Healthy() const;
  EnforcedValues Classify(const swell::v1::DesiredState& state) const;
  // Enforcer::Converge; true when it sent an ApplyResult.
  bool Converge(const swell::v1::DesiredVariable& var, int64_t generation,
                agent::MessageSink* sink);
  bool Report(swell::v1::ApplyResult result, agent::MessageSink* sink);
  bool ReportOnce(const std::string& name, int64_t generation,
                  const Outcome& outcome, const swell::v1::Value& actual,
                  agent::MessageSink* sink);

  using State = std::shared_ptr<const swell::v1::DesiredState>;

  const std::string host_id_;
  const std::map<std::string, swell::v1::Value> start_values_;
  const HostFaults faults_;
  const AgentBehaviour* const behaviour_;
  FleetCounters* const counters_;

  std::map<std::string, swell::v1::Value> values_;  // the "host"
  State held_;
  State previous_;  // held before held_: what a restart comes back with
  std::map<std::string, Outcome> journal_;
  // variable -> (generation, connection) of the last ApplyResult sent.
  std::map<std::string, std::pair<int64_t, uint64_t>> sent_;
  absl::Time apply_due_ = absl::InfinitePast();
  std::vector<Arrival> arrivals_;
};

}  // namespace swell::sim
