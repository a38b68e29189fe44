#pragma once

// Reads one series out of what a prometheus::Collectable collected, as a
// scrape would see it.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "prometheus/metric_family.h"

namespace swell::testing {

using SeriesLabels = std::map<std::string, std::string>;

inline const prometheus::MetricFamily* FamilyOf(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

// The series of `name` whose labels are exactly `labels`; null when none.
inline const prometheus::ClientMetric* SeriesOf(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name, const SeriesLabels& labels = {}) {
  const prometheus::MetricFamily* f = FamilyOf(families, name);
  if (f == nullptr) return nullptr;
  for (const auto& m : f->metric) {
    SeriesLabels have;
    for (const auto& l : m.label) have[l.name] = l.value;
    if (have == labels) return &m;
  }
  return nullptr;
}

// A gauge's or a counter's value; nullopt when the series is absent.
inline std::optional<double> ValueOf(
    const std::vector<prometheus::MetricFamily>& families,
    const std::string& name, const SeriesLabels& labels = {}) {
  const prometheus::MetricFamily* f = FamilyOf(families, name);
  const prometheus::ClientMetric* m = SeriesOf(families, name, labels);
  if (m == nullptr) return std::nullopt;
  return f->type == prometheus::MetricType::Counter ? m->counter.value
                                                    : m->gauge.value;
}

}  // namespace swell::testing
