#include "controller/gate/health_snapshot.h"

namespace swell::controller {

size_t HealthSnapshot::series_count() const {
  size_t n = 0;
  for (const auto& [host, series] : hosts_) n += series.size();
  return n;
}

const HealthSnapshot::Series* HealthSnapshot::Find(
    std::string_view host, std::string_view metric) const {
  auto h = hosts_.find(host);
  if (h == hosts_.end()) return nullptr;
  auto m = h->second.find(metric);
  return m == h->second.end() ? nullptr : &m->second;
}

std::optional<HealthPoint> HealthSnapshot::Latest(std::string_view host,
                                                  std::string_view metric,
                                                  absl::Time since) const {
  const Series* s = Find(host, metric);
  if (s == nullptr || s->empty() || s->back().at < since) return std::nullopt;
  return s->back();
}

std::vector<HealthPoint> HealthSnapshot::Since(std::string_view host,
                                               std::string_view metric,
                                               absl::Time since) const {
  std::vector<HealthPoint> out;
  const Series* s = Find(host, metric);
  if (s == nullptr) return out;
  for (const HealthPoint& p : *s) {
    if (p.at >= since) out.push_back(p);
  }
  return out;
}

}  // namespace swell::controller
