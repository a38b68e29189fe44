#pragma once

#include <atomic>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agent/collectors/collector_spec.h"
#include "agent/collectors/sample_source.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// The per-second rate of a counter between consecutive readings.
class RateTracker {
 public:
  // The rate since the previous reading, or nullopt when there is none to
  // compare with: the first reading, a counter that went down (a reset: the
  // new reading becomes the baseline) or no time having passed.
  std::optional<double> Update(double value, absl::Time at);

 private:
  std::optional<double> last_value_;
  absl::Time last_at_;
};

// Scrapes a loopback Prometheus endpoint and reports, as one sample named
// after the collector, the sum of the series matching its selector, or
// with `rate` that sum's per-second rate since the previous good scrape.
// A failed fetch, a non-2xx status, a malformed exposition, no matching
// series or a NaN/infinite sum gives ok=false with the reason; a rate
// collector reports nothing on its first good scrape or after a counter
// reset. A failed scrape keeps the rate baseline.
class PrometheusCollector final : public SampleSource {
 public:
  explicit PrometheusCollector(CollectorSpec spec);

  std::vector<swell::v1::Sample> Collect(
      const std::atomic<bool>& cancel) override;

 private:
  const CollectorSpec spec_;
  absl::Mutex mu_;
  RateTracker rate_ ABSL_GUARDED_BY(mu_);
};

}  // namespace swell::agent
