#include "agent/collectors/collector_spec.h"

#include "agent/collectors/http_probe.h"
#include "agent/collectors/prometheus_collector.h"
#include "agent/collectors/systemd_collector.h"

namespace swell::agent {

std::shared_ptr<SampleSource> MakeCollector(
    const CollectorSpec& spec, const std::map<std::string, std::string>& env) {
  switch (spec.kind) {
    case CollectorKind::kPrometheus:
      return std::make_shared<PrometheusCollector>(spec);
    case CollectorKind::kHttp:
      return std::make_shared<HttpProbe>(spec);
    case CollectorKind::kSystemd:
      return std::make_shared<SystemdCollector>(spec, env);
  }
  return nullptr;
}

}  // namespace swell::agent
