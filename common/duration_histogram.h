#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "absl/time/time.h"

namespace swell::common {

// A histogram of durations over fixed buckets, cheap enough for the
// reconciler's decision thread: Observe is lock-free and never allocates.
// Thread-safe: any thread may Read while another observes; a reading then
// holds each bucket as of a slightly different moment, but its count is
// always the sum of its buckets (what Prometheus requires).
class DurationHistogram {
 public:
  // The buckets' upper bounds in seconds (inclusive, as Prometheus's `le`),
  // 1 ms to 5 s; one more bucket holds everything slower.
  static constexpr std::array<double, 12> kBoundsSeconds = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  static constexpr size_t kBuckets = kBoundsSeconds.size() + 1;

  struct Reading {
    // Observations per bucket (not cumulative); the last is above 5 s.
    std::array<uint64_t, kBuckets> counts{};
    uint64_t count = 0;  // the sum of `counts`
    double sum_seconds = 0;
  };

  void Observe(absl::Duration d) {
    const double seconds = absl::ToDoubleSeconds(d);
    size_t i = 0;
    while (i < kBoundsSeconds.size() && seconds > kBoundsSeconds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(absl::ToInt64Nanoseconds(d), std::memory_order_relaxed);
  }

  Reading Read() const {
    Reading r;
    for (size_t i = 0; i < kBuckets; ++i) {
      r.counts[i] = buckets_[i].load(std::memory_order_relaxed);
      r.count += r.counts[i];
    }
    r.sum_seconds =
        static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) * 1e-9;
    return r;
  }

  // Observes the time from its construction to its destruction, on a
  // monotonic clock (a wall-clock step never makes a tick look long).
  class Timer {
   public:
    explicit Timer(DurationHistogram* h)
        : h_(h), start_(std::chrono::steady_clock::now()) {}
    ~Timer() {
      h_->Observe(absl::FromChrono(std::chrono::steady_clock::now() - start_));
    }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

   private:
    DurationHistogram* h_;
    std::chrono::steady_clock::time_point start_;
  };

 private:
  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<int64_t> sum_ns_{0};
};

}  // namespace swell::common
