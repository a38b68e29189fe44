#pragma once

#include <atomic>
#include <vector>

#include "swell/v1/types.pb.h"

namespace swell::agent {

// Something the agent samples periodically besides its configured checks
// (e.g. the Docker engine's containers and orphans). Collect runs on the
// check scheduler's thread; implementations are thread-safe towards the
// parts that feed them.
class SampleSource {
 public:
  virtual ~SampleSource() = default;
  // The samples due now, each stamped; empty when there is nothing to
  // report. Returns early, possibly with nothing, once `cancel` is true.
  virtual std::vector<swell::v1::Sample> Collect(
      const std::atomic<bool>& cancel) = 0;
};

}  // namespace swell::agent
