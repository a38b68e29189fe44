#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "controller/gate/health_reader.h"
#include "controller/gate/health_snapshot.h"
#include "controller/rollout/change_log.h"
#include "swell/v1/agent.pb.h"

namespace swell::controller {

// Why a sample was not recorded. Each is one `reason` label of the metric
// swell_health_samples_refused_total (see SampleRefusalName).
enum class SampleRefusal : uint8_t {
  kNameTooLong,    // the name is over HealthWindow::kMaxNameBytes
  kBadName,        // empty, or not a metric name ([A-Za-z_:][A-Za-z0-9_:]*)
  kErrorTooLong,   // the error text is over HealthWindow::kMaxErrorBytes
  kNotFinite,      // an ok sample whose value is NaN or infinite
  kTooManySeries,  // a new name on a host that has kMaxSeriesPerHost names
  kBudget,         // a new name, and all windows together are at max_bytes
};
inline constexpr size_t kSampleRefusalCount = 6;

// "name_too_long", "bad_name", "error_too_long", "not_finite",
// "too_many_series", "budget".
std::string_view SampleRefusalName(SampleRefusal reason);

// Recent health samples of every host, in memory only (DESIGN: hot-path data
// never goes to the database). Bounded three ways:
//  - a sample: its name is a metric name of at most kMaxNameBytes (the names
//    a plan's gate can name), its error text at most kMaxErrorBytes, and an
//    ok sample's value is finite;
//  - a host: at most kMaxSeriesPerHost names (series), each keeping its
//    newest kSamplesPerSeries samples, so at most MaxBytesPerHost();
//  - all hosts: at most Options::max_bytes, counted as the bytes the window
//    asked of the allocator (BytesKept()).
// A sample outside a bound is refused whole, with its reason, and nothing
// kept is changed. A series' memory is taken once, when its name is first
// seen, so a series that exists always keeps recording. When a new series
// does not fit in max_bytes, the hosts that sent nothing for
// Options::idle_after are forgotten first (a sweep at most once a minute).
//
// Thread-safe: agent reactions record while the reconciler reads. Sharded by
// host so that writers rarely contend.
class HealthWindow final : public HealthReader {
 public:
  static constexpr size_t kMaxSeriesPerHost = 64;
  static constexpr size_t kSamplesPerSeries = 32;
  // The same bound a plan's gate metric has (plan_internal::
  // IsValidMetricName), so every name a gate can read is accepted.
  static constexpr size_t kMaxNameBytes = 200;
  // The window keeps no error text; this bounds what an agent may send.
  static constexpr size_t kMaxErrorBytes = 4096;
  static constexpr size_t kDefaultMaxBytes = size_t{256} << 20;

  struct Options {
    size_t max_bytes = kDefaultMaxBytes;
    absl::Duration idle_after = absl::Hours(1);
  };

  using Point = HealthPoint;

  // What Record did with a report's samples.
  struct Outcome {
    int recorded = 0;
    std::array<int, kSampleRefusalCount> refused{};  // by SampleRefusal
    // The first refusal, its sample's name's length and start (at most 64
    // bytes), for one log line.
    std::optional<SampleRefusal> first_refusal;
    size_t first_refused_name_bytes = 0;
    std::string first_refused_name;

    int refused_total() const;
  };

  HealthWindow() : HealthWindow(Options{}) {}
  explicit HealthWindow(Options options);
  HealthWindow(const HealthWindow&) = delete;
  HealthWindow& operator=(const HealthWindow&) = delete;

  // Records the samples of `host` received at `at`; refuses each one that
  // exceeds a bound.
  [[nodiscard]] Outcome Record(std::string_view host,
                               const swell::v1::HealthReport& report,
                               absl::Time at);
  // Records one sample; nullopt when recorded, else why it was refused.
  std::optional<SampleRefusal> Record(std::string_view host,
                                      std::string_view metric, Point p);

  // The newest sample of `metric` on `host` received at or after `since`,
  // or nullopt when there is none.
  std::optional<Point> Latest(std::string_view host, std::string_view metric,
                              absl::Time since) const override;

  // Every sample of `metric` on `host` received at or after `since`, oldest
  // first; at most kSamplesPerSeries.
  std::vector<Point> Since(std::string_view host, std::string_view metric,
                           absl::Time since) const override;

  // Brings `into` up to date: every sample of each of `metrics` on every
  // host. Copies only the hosts that received a sample since `into` was
  // last brought up to date (and drops those forgotten since), unless
  // `metrics` differ from the last time: then it copies every host again.
  void CopyChanges(const HealthSnapshot::MetricSet& metrics,
                   HealthSnapshot* into) const;

  // Forgets a host (it left the fleet).
  void Erase(std::string_view host);

  // Forgets every host whose newest sample was received before `before`;
  // returns how many. Record calls it when the budget is full.
  size_t EvictIdle(absl::Time before);

  // Bytes kept for every host's samples, names and bookkeeping, as asked of
  // the allocator plus its per-allocation overhead. At most max_bytes.
  size_t BytesKept() const { return bytes_.load(std::memory_order_relaxed); }
  // Bytes kept for `host`; 0 when it has no window.
  size_t BytesKept(std::string_view host) const;
  size_t max_bytes() const { return options_.max_bytes; }
  // Hosts forgotten by EvictIdle.
  uint64_t hosts_evicted() const {
    return hosts_evicted_.load(std::memory_order_relaxed);
  }

  // The most one host's window can be accounted: kMaxSeriesPerHost series
  // with names of kMaxNameBytes, for a host id of `host_id_bytes`.
  static size_t MaxBytesPerHost(size_t host_id_bytes);

 private:
  // The newest kSamplesPerSeries points; allocated in full when the series
  // is created, so it never grows afterwards.
  struct Series {
    std::vector<Point> ring;
    size_t next = 0;  // where the next point goes once the ring is full

    std::optional<Point> Newest() const;
    // Appends the points received at or after `since`, oldest first.
    void AppendSince(absl::Time since, std::vector<Point>* out) const;
  };
  struct HostSeries {
    std::map<std::string, Series, std::less<>> metrics;
    size_t bytes = 0;      // this host's share of bytes_
    absl::Time newest;     // when its newest sample was received
    uint64_t changed = 0;  // its shard's change number at its newest sample
  };
  struct Shard {
    mutable std::mutex mu;
    std::map<std::string, HostSeries, std::less<>> hosts;
    ChangeLog changes;     // numbers HostSeries::changed
    uint64_t forgets = 0;  // hosts forgotten (Erase, EvictIdle), ever
  };
  static constexpr size_t kShards = 16;

  // What a host's entry (without its series) and one series are accounted.
  static size_t HostBytes(size_t host_id_bytes);
  static size_t SeriesBytes(size_t name_bytes);
  Shard& ShardFor(std::string_view host) const;
  // Under shard.mu; null when the host has no such series.
  static const Series* FindSeries(const Shard& shard, std::string_view host,
                                  std::string_view metric);
  // Adds `n` to bytes_ unless that would pass max_bytes.
  bool Reserve(size_t n);
  void Release(size_t n);
  // Whether Record, at `at`, may sweep idle hosts: true at most once a
  // minute.
  bool SweepDue(absl::Time at);

  const Options options_;
  std::atomic<size_t> bytes_{0};
  std::atomic<uint64_t> hosts_evicted_{0};
  std::atomic<int64_t> next_sweep_ns_{
      std::numeric_limits<int64_t>::min()};  // unix nanos
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace swell::controller
