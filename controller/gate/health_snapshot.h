#pragma once

// The health samples a tick's gates read, copied out of the live window
// before the tick decides (HealthWindow::CopyChanges): a value that agent
// streams cannot change under the decision.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "controller/gate/health_reader.h"

namespace swell::controller {

class HealthWindow;

// Every sample the window held, when last brought up to date, of each of
// `metrics()` on every host. Answers Latest and Since as the window did
// then. Brought up to date by copying only the hosts that received samples
// (or were forgotten) since, so that a tick costs what changed, not the
// fleet.
class HealthSnapshot final : public HealthReader {
 public:
  using MetricSet = std::set<std::string, std::less<>>;

  const MetricSet& metrics() const { return metrics_; }
  size_t series_count() const;
  // How many hosts the last bringing up to date copied.
  size_t hosts_copied() const { return hosts_copied_; }

  std::optional<HealthPoint> Latest(std::string_view host,
                                    std::string_view metric,
                                    absl::Time since) const override;
  std::vector<HealthPoint> Since(std::string_view host, std::string_view metric,
                                 absl::Time since) const override;

 private:
  friend class HealthWindow;  // the only one that brings it up to date
  using Series = std::vector<HealthPoint>;  // oldest first
  using HostCopy = std::map<std::string, Series, std::less<>>;

  const Series* Find(std::string_view host, std::string_view metric) const;

  MetricSet metrics_;
  std::map<std::string, HostCopy, std::less<>> hosts_;
  // Per shard of the window: its change and forget counters when copied.
  std::vector<uint64_t> copied_changes_;
  std::vector<uint64_t> copied_forgets_;
  size_t hosts_copied_ = 0;
};

}  // namespace swell::controller
