#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/collectors/collector_spec.h"
#include "yaml-cpp/yaml.h"

namespace swell::agent {

// One entry of the config's `collectors:` list.
struct CollectorEntry {
  CollectorSpec spec;
  bool has_interval = false;  // else it gets the config's check_interval
};

// Parses one `collectors:` entry: {name, kind: prometheus|http|systemd,
// interval, timeout} plus, by kind, prometheus {url, metric, labels, rate},
// http {url}, systemd {unit}. kInvalidArgument naming the collector and the
// key, with line and column, for anything missing, malformed, unknown, not
// of its kind, an interval below 1s, or a URL whose host is not loopback.
absl::StatusOr<CollectorEntry> ParseCollectorYaml(const YAML::Node& node);

// The names of the samples `spec` reports: its name, or for kHttp
// <name>_up and <name>_latency_ms.
std::vector<std::string> CollectorSampleNames(const CollectorSpec& spec);

}  // namespace swell::agent
