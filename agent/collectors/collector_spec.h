#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/http_client.h"
#include "agent/collectors/prom_text.h"
#include "agent/collectors/sample_source.h"

namespace swell::agent {

enum class CollectorKind {
  kPrometheus,  // one metric of a loopback /metrics endpoint
  kHttp,        // a loopback HTTP probe: <name>_up and <name>_latency_ms
  kSystemd,     // `systemctl is-active UNIT`: 1 active, 0 otherwise
};

// A named collector from the agent's config (`collectors:`), complete and
// validated: the fields of its kind are set, the others left empty.
struct CollectorSpec {
  std::string name;
  CollectorKind kind = CollectorKind::kPrometheus;
  absl::Duration interval = absl::Seconds(5);
  absl::Duration timeout = absl::Seconds(5);
  common::HttpUrl url;    // kPrometheus, kHttp
  std::string url_text;   // as written, for messages
  PromSelector selector;  // kPrometheus
  bool rate = false;      // kPrometheus: per-second rate of a counter
  std::string unit;       // kSystemd
};

// The sample source that runs `spec`. `env` is added to the environment of
// the commands it runs (kSystemd), like a check's.
std::shared_ptr<SampleSource> MakeCollector(
    const CollectorSpec& spec, const std::map<std::string, std::string>& env);

}  // namespace swell::agent
