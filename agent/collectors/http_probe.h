#pragma once

#include <atomic>
#include <vector>

#include "agent/collectors/collector_spec.h"
#include "agent/collectors/sample_source.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// GETs a loopback URL and reports two samples: <name>_up, 1 for a 2xx or
// 3xx status (redirects are not followed) and 0 for any other status, and
// <name>_latency_ms, from the start of connect to the end of the response.
// When no response arrives (refused, timed out, cancelled, too large,
// malformed) both are ok=false with the reason: the probe did not read a
// status, so it reports none.
class HttpProbe final : public SampleSource {
 public:
  explicit HttpProbe(CollectorSpec spec);

  std::vector<swell::v1::Sample> Collect(
      const std::atomic<bool>& cancel) override;

 private:
  const CollectorSpec spec_;
};

}  // namespace swell::agent
