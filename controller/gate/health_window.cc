#include "controller/gate/health_window.h"

#include <functional>

#include "swell/v1/agent.pb.h"

namespace swell::controller {

HealthWindow::Shard& HealthWindow::ShardFor(std::string_view host) const {
  return shards_[std::hash<std::string_view>{}(host) % kShards];
}

int HealthWindow::Record(std::string_view host,
                         const swell::v1::HealthReport& report, absl::Time at) {
  int refused = 0;
  for (const auto& s : report.samples()) {
    refused += Record(host, s.name(), Point{at, s.ok(), s.value()});
  }
  return refused;
}

int HealthWindow::Record(std::string_view host, std::string_view metric,
                         Point p) {
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  HostSeries& series = shard.hosts[std::string(host)];
  auto it = series.metrics.find(metric);
  if (it == series.metrics.end()) {
    if (series.metrics.size() >= kMaxMetricsPerHost) return 1;
    it = series.metrics.emplace(std::string(metric), std::deque<Point>()).first;
  }
  it->second.push_back(p);
  if (it->second.size() > kSamplesPerMetric) it->second.pop_front();
  return 0;
}

std::optional<HealthWindow::Point> HealthWindow::Latest(
    std::string_view host, std::string_view metric, absl::Time since) const {
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto h = shard.hosts.find(std::string(host));
  if (h == shard.hosts.end()) return std::nullopt;
  auto m = h->second.metrics.find(metric);
  if (m == h->second.metrics.end() || m->second.empty()) return std::nullopt;
  const Point& newest = m->second.back();
  if (newest.at < since) return std::nullopt;
  return newest;
}

std::vector<HealthWindow::Point> HealthWindow::Since(std::string_view host,
                                                     std::string_view metric,
                                                     absl::Time since) const {
  std::vector<Point> out;
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto h = shard.hosts.find(std::string(host));
  if (h == shard.hosts.end()) return out;
  auto m = h->second.metrics.find(metric);
  if (m == h->second.metrics.end()) return out;
  for (const Point& p : m->second) {
    if (p.at >= since) out.push_back(p);
  }
  return out;
}

void HealthWindow::Erase(std::string_view host) {
  Shard& shard = ShardFor(host);
  std::lock_guard<std::mutex> lock(shard.mu);
  shard.hosts.erase(std::string(host));
}

}  // namespace swell::controller
