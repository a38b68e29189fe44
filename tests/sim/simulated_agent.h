#pragma once

// One simulated agent: a MemoryHost behind the real agent's link
// (agent/controller_link.h), with its periodic work (health, resync,
// faults) on the fleet's shared timer queues.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/controller_link.h"
#include "tests/sim/agent_behaviour.h"
#include "tests/sim/fault_plan.h"
#include "tests/sim/memory_host.h"
#include "tests/sim/timer_queue.h"

namespace swell::sim {

// What the agents share. Every pointer outlives the agents' last task:
// stop both queues before destroying an agent.
struct FleetServices {
  const AgentBehaviour* behaviour;
  TimerQueue* timers;     // health, passes: short tasks only
  TimerQueue* lifecycle;  // starts and stops of links, which may block
  FleetCounters* counters;
};

// Thread-safe: its link's threads, the fleet's queues and the caller all
// call in. See FleetServices for its lifetime.
class SimulatedAgent {
 public:
  // `phase` in [0, 1) spreads this host's periodic work (health, resync,
  // flaps, crashes) over each period, so the fleet does not act in step.
  SimulatedAgent(std::string host_id,
                 std::map<std::string, swell::v1::Value> start_values,
                 HostFaults faults,
                 std::shared_ptr<grpc::ChannelCredentials> credentials,
                 double phase, FleetServices services);
  ~SimulatedAgent();  // closes its link

  // Connects and starts its periodic work. Once.
  void Start();

  const std::string& host_id() const { return host_id_; }
  const HostFaults& faults() const { return faults_; }
  bool connected() const;
  uint64_t failed_attempts() const;  // over every link it had
  uint64_t dropped() const;          // messages its links dropped
  int64_t generation() const;        // of the held desired state; 0: none
  std::vector<Arrival> arrivals() const;

 private:
  void OpenLink();
  void CloseLink();  // may take a second
  void Flap();
  void Crash();
  void HealthTick(absl::Time due);
  void ResyncTick(absl::Time due);

  swell::v1::Hello BuildHello();
  void OnDesired(const swell::v1::DesiredState& state);
  void Pass(uint64_t token);
  // Runs a pass at `when` unless one comes sooner; that one reschedules
  // when an apply still takes its time.
  void SchedulePass(absl::Time when) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The link, or a sink that drops everything while there is none.
  agent::MessageSink* Sink() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string host_id_;
  const HostFaults faults_;
  const std::shared_ptr<grpc::ChannelCredentials> credentials_;
  const double phase_;
  const FleetServices services_;

  mutable absl::Mutex mu_;
  MemoryHost host_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<agent::ControllerLink> link_ ABSL_GUARDED_BY(mu_);
  uint64_t old_failed_attempts_ ABSL_GUARDED_BY(mu_) = 0;  // closed links'
  uint64_t old_dropped_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time pass_at_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  uint64_t pass_token_ ABSL_GUARDED_BY(mu_) = 0;  // older passes are void
};

}  // namespace swell::sim
