#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/time/time.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// Recent health samples of every host, in memory only (DESIGN: hot-path data
// never goes to the database). Bounded: at most kMaxMetricsPerHost metrics a
// host and kSamplesPerMetric samples a metric; the oldest sample is dropped
// first, and samples of metrics past the limit are refused (counted).
//
// Thread-safe: agent reactions record while the reconciler reads. Sharded by
// host so that writers rarely contend.
class HealthWindow {
 public:
  static constexpr size_t kMaxMetricsPerHost = 64;
  static constexpr size_t kSamplesPerMetric = 32;

  struct Point {
    absl::Time at;  // when the controller received it
    bool ok = false;
    double value = 0;
  };

  // Records samples of `host` received at `at`. Returns how many were
  // refused for exceeding the bounds.
  int Record(std::string_view host, const swell::v1::HealthReport& report,
             absl::Time at);
  int Record(std::string_view host, std::string_view metric, Point p);

  // The newest sample of `metric` on `host` received at or after `since`,
  // or nullopt when there is none.
  std::optional<Point> Latest(std::string_view host, std::string_view metric,
                              absl::Time since) const;

  // Every sample of `metric` on `host` received at or after `since`, oldest
  // first; at most kSamplesPerMetric.
  std::vector<Point> Since(std::string_view host, std::string_view metric,
                           absl::Time since) const;

  // Forgets a host (it left the fleet).
  void Erase(std::string_view host);

 private:
  struct HostSeries {
    std::map<std::string, std::deque<Point>, std::less<>> metrics;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, HostSeries> hosts;
  };
  static constexpr size_t kShards = 16;
  Shard& ShardFor(std::string_view host) const;

  mutable std::array<Shard, kShards> shards_;
};

}  // namespace swell::controller
