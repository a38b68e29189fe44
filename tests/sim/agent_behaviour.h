#pragma once

// What every simulated agent of a fleet does alike, and the counts they
// keep together.

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "agent/controller_link.h"

namespace swell::sim {

struct AgentBehaviour {
  // Addresses, backoff and connect timeout; the credentials are each
  // host's own.
  agent::ControllerLink::Options link;
  std::map<std::string, std::string> labels;  // said in every Hello
  // Health samples app_healthy (1 or 0) and error_rate (0 or 0.5) go out
  // this often, and right after each pass that reported an apply, as a
  // real agent's checks. Zero: only after applies.
  absl::Duration health_interval = absl::Seconds(1);
  absl::Duration apply_delay = absl::Milliseconds(100);
  absl::Duration slow_apply_delay = absl::Seconds(10);  // slow_apply hosts
  absl::Duration resync_interval = absl::Seconds(30);   // as the enforcer's
  absl::Duration flap_period = absl::Seconds(30);
  absl::Duration flap_downtime = absl::Seconds(2);
  absl::Duration crash_period = absl::Seconds(60);
  absl::Duration crash_downtime = absl::Seconds(3);
  // An unhealthy_after_change host is unhealthy while it holds a value
  // other than its start value that contains this text (empty: any value
  // other than its start value).
  std::string unhealthy_value;
};

// Counts over the whole fleet; every agent adds to them.
struct FleetCounters {
  std::atomic<uint64_t> attempts{0};  // connection attempts, each a Hello
  std::atomic<uint64_t> desired_received{0};
  std::atomic<uint64_t> health_reports{0};  // queued on a connection
  std::atomic<uint64_t> apply_results{0};   // queued on a connection
  std::atomic<uint64_t> applies_ok{0};
  std::atomic<uint64_t> applies_failed{0};
  std::atomic<uint64_t> flaps{0};
  std::atomic<uint64_t> crashes{0};
  // When the first unhealthy health report was queued (Unix ms); 0: none
  // yet. A breach's clock starts here (fleet_bench's breach step).
  std::atomic<int64_t> first_unhealthy_ms{0};
};

}  // namespace swell::sim
