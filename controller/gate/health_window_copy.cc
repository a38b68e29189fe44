// HealthWindow::CopyChanges: the tick's copy of the gated series
// (health_snapshot.h).

#include "controller/gate/health_window.h"

namespace swell::controller {

void HealthWindow::CopyChanges(const HealthSnapshot::MetricSet& metrics,
                               HealthSnapshot* into) const {
  if (metrics != into->metrics_ || into->copied_changes_.size() != kShards) {
    // Other series are wanted: copy every host's again.
    into->metrics_ = metrics;
    into->hosts_.clear();
    into->copied_changes_.assign(kShards, 0);
    into->copied_forgets_.assign(kShards, 0);
  }
  into->hosts_copied_ = 0;
  if (metrics.empty()) return;
  auto copy = [&](const std::string& host, const HostSeries* series) {
    HealthSnapshot::HostCopy copy;
    if (series != nullptr) {  // null: forgotten since
      ++into->hosts_copied_;
      for (const auto& [metric, s] : series->metrics) {
        if (metrics.contains(metric)) {
          s.AppendSince(absl::InfinitePast(), &copy[metric]);
        }
      }
    }
    if (copy.empty()) {
      into->hosts_.erase(host);
    } else {
      into->hosts_.insert_or_assign(host, std::move(copy));
    }
  };
  for (size_t i = 0; i < kShards; ++i) {
    Shard& shard = shards_[i];
    std::lock_guard<std::mutex> lock(shard.mu);
    const bool told_of_forgets =
        shard.changes.Drain(shard.hosts, &into->copied_changes_[i], copy);
    if (!told_of_forgets && shard.forgets != into->copied_forgets_[i]) {
      std::erase_if(into->hosts_, [&](const auto& kv) {
        return &ShardFor(kv.first) == &shard && !shard.hosts.contains(kv.first);
      });
    }
    into->copied_forgets_[i] = shard.forgets;
  }
}

}  // namespace swell::controller
