#pragma once

// A fleet of simulated agents in one process: hosts <prefix><first> to
// <prefix><first + hosts - 1>, each with its own link to the controller
// and its own credentials, sharing a few threads for their timed work.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/sim/fault_plan.h"
#include "tests/sim/simulated_agent.h"
#include "tests/sim/timer_queue.h"

namespace swell::sim {

struct FleetOptions {
  std::string prefix = "sim-";
  int first = 0;
  int hosts = 100;
  uint64_t seed = 1;  // draws faults and spreads periodic work
  FaultFractions faults;
  AgentBehaviour behaviour;
  // Every host's variables before any change, by variable name.
  std::map<std::string, swell::v1::Value> start_values;
  double start_rate = 0;  // agents started per second; 0: all at once
};

// The fleet's counts at one moment.
struct FleetSnapshot {
  int64_t unix_ms = 0;
  int hosts = 0;
  int started = 0;
  int connected = 0;
  uint64_t attempts = 0;  // connection attempts, each with a Hello
  uint64_t desired_received = 0;
  uint64_t health_reports = 0;
  uint64_t apply_results = 0;
  uint64_t applies_ok = 0;
  uint64_t applies_failed = 0;
  uint64_t flaps = 0;
  uint64_t crashes = 0;
  int64_t first_unhealthy_ms = 0;     // FleetCounters::first_unhealthy_ms
  uint64_t failed_attempts = 0;       // connection attempts that never opened
  uint64_t dropped = 0;               // messages dropped on full queues
  std::map<std::string, int> faulty;  // hosts by fault name
};

// One host's first arrival of one desired generation.
struct ArrivalRow {
  std::string host_id;
  Arrival arrival;
};

using CredentialsFor =
    std::function<absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>(
        const std::string& host_id)>;

// Thread-safe, except that Stop must not run concurrently with Snapshot or
// Arrivals.
class SimulatedFleet {
 public:
  // Makes every agent, with credentials from `credentials_for` (called
  // once per host, on this thread); its first error is returned.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<SimulatedFleet>> Create(
      FleetOptions options, const CredentialsFor& credentials_for);
  ~SimulatedFleet();  // Stop()s

  // Starts the agents, at options.start_rate. Once.
  void Start();
  // Stops all timed work, then every agent's link, several at a time
  // (each may take a second). Idempotent.
  void Stop();

  // After Stop, only the counters (no connections, faults or arrivals).
  FleetSnapshot Snapshot() const;
  // Every host's arrivals, host by host in index order; none after Stop.
  std::vector<ArrivalRow> Arrivals() const;

  static std::string HostId(const std::string& prefix, int index);

 private:
  explicit SimulatedFleet(FleetOptions options);

  const FleetOptions options_;
  FleetCounters counters_;
  TimerQueue timers_;
  TimerQueue lifecycle_;
  std::vector<std::unique_ptr<SimulatedAgent>> agents_;
  std::atomic<int> started_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace swell::sim
