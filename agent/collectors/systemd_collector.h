#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "agent/collectors/collector_spec.h"
#include "agent/collectors/sample_source.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// Runs `systemctl is-active UNIT` (found on PATH, no shell) and reports one
// sample named after the collector: 1 when it exits 0 (active), 0 when it
// exits with any other code (inactive, failed, activating, unknown unit).
// When systemctl cannot be started, times out, is cancelled or is killed
// by a signal, the sample is ok=false with the reason.
class SystemdCollector final : public SampleSource {
 public:
  SystemdCollector(CollectorSpec spec, std::map<std::string, std::string> env);

  std::vector<swell::v1::Sample> Collect(
      const std::atomic<bool>& cancel) override;

 private:
  const CollectorSpec spec_;
  const std::map<std::string, std::string> env_;
};

}  // namespace swell::agent
