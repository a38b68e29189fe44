#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"
#include "swell/v1/types.pb.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace swell::agent {

// The agent's /metrics: the newest health sample of every name the agent
// produced, and the state of its link to the controller. Families, each
// labelled host="<host id>":
//
//   swell_health_sample{sample}       the newest value, present only while
//                                     the newest collection succeeded
//   swell_health_sample_ok{sample}    1 when it succeeded, else 0
//   swell_agent_desired_generation    the held desired state's generation
//   swell_agent_controller_connected  1 while connected
//   swell_agent_controller_failed_attempts_total
//                                     attempts that never opened a stream
//                                     (unreachable, or a TLS handshake
//                                     refused by either side); only when
//                                     Options::failed_attempts is set
//
// A sample not recorded again within `stale_after` disappears from both
// sample families: its source stopped reporting it (the Docker samples
// once the desired state has no docker variable), and its last value would
// be a stale one. Record() and Collect() are thread-safe.
class AgentMetrics final : public prometheus::Collectable {
 public:
  struct Options {
    std::string host_id;
    absl::Duration stale_after = absl::Minutes(1);
    std::function<int64_t()> generation;                     // required
    std::function<bool()> connected;                         // required
    std::function<uint64_t()> failed_attempts;               // optional
    const common::Clock* clock = &common::RealClock::Get();  // not owned
  };

  explicit AgentMetrics(Options options);

  // Takes the newest collection of each sample in `samples`; later entries
  // of one name win.
  void Record(const std::vector<swell::v1::Sample>& samples);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  struct Newest {
    bool ok = false;
    double value = 0;
    absl::Time recorded;
  };

  const Options options_;
  mutable absl::Mutex mu_;
  std::map<std::string, Newest> samples_ ABSL_GUARDED_BY(mu_);
};

// Serves `metrics` at http://<listen>/metrics, on two threads of its own,
// until the returned exposer is destroyed. The exposer holds `metrics`
// weakly: the caller keeps it alive. `listen` is host:port, an IPv6 host
// in brackets (port 0: any free port; see Exposer::GetListeningPorts).
// kUnavailable naming the address when it cannot be bound.
absl::StatusOr<std::unique_ptr<prometheus::Exposer>> ServeMetrics(
    const std::string& listen, const std::shared_ptr<AgentMetrics>& metrics);

}  // namespace swell::agent
