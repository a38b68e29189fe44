#include "agent/collector_config.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/yaml_fields.h"

namespace swell::agent {
namespace {

constexpr absl::Duration kMinInterval = absl::Seconds(1);
constexpr size_t kMaxUnitBytes = 256;

bool ValidUnit(const std::string& unit) {
  if (unit.empty() || unit.size() > kMaxUnitBytes || unit[0] == '-') {
    return false;
  }
  for (char c : unit) {
    if (c == '/' || static_cast<unsigned char>(c) <= ' ') return false;
  }
  return true;
}

absl::StatusOr<CollectorKind> ParseKind(const YAML::Node& node) {
  absl::StatusOr<std::string> s = YamlScalar(node, "kind");
  if (!s.ok()) return s.status();
  if (*s == "prometheus") return CollectorKind::kPrometheus;
  if (*s == "http") return CollectorKind::kHttp;
  if (*s == "systemd") return CollectorKind::kSystemd;
  return YamlBad(node, "kind must be 'prometheus', 'http' or 'systemd'");
}

// Which keys each kind takes beyond name, kind, interval and timeout.
bool KeyFits(const std::string& key, CollectorKind kind) {
  if (key == "url") return kind != CollectorKind::kSystemd;
  if (key == "metric" || key == "labels" || key == "rate") {
    return kind == CollectorKind::kPrometheus;
  }
  if (key == "unit") return kind == CollectorKind::kSystemd;
  return false;
}

absl::Status ParseKindFields(const std::map<std::string, YAML::Node>& keys,
                             const std::string& who, CollectorSpec& spec) {
  for (const auto& [key, v] : keys) {
    if (key == "url") {
      absl::StatusOr<std::string> s = YamlScalar(v, "url");
      if (!s.ok()) return s.status();
      absl::StatusOr<common::HttpUrl> url = common::ParseLoopbackUrl(*s);
      if (!url.ok()) {
        return YamlBad(v, absl::StrCat(who, ": url: ", url.status().message()));
      }
      spec.url = *std::move(url);
      spec.url_text = *s;
    } else if (key == "metric") {
      absl::StatusOr<std::string> s = YamlScalar(v, "metric");
      if (!s.ok()) return s.status();
      if (!IsPromMetricName(*s)) {
        return YamlBad(
            v, absl::StrCat(who, ": metric '", *s, "' is not a metric name"));
      }
      spec.selector.metric = *s;
    } else if (key == "labels") {
      if (!v.IsMap())
        return YamlBad(v, absl::StrCat(who, ": labels must be a map"));
      for (const auto& label : v) {
        absl::StatusOr<std::string> value =
            YamlScalar(label.second, "label value");
        if (!value.ok()) return value.status();
        spec.selector.labels[label.first.as<std::string>()] = *value;
      }
    } else if (key == "rate") {
      absl::StatusOr<std::string> s = YamlScalar(v, "rate");
      if (!s.ok()) return s.status();
      if (*s != "true" && *s != "false") {
        return YamlBad(v, absl::StrCat(who, ": rate must be true or false"));
      }
      spec.rate = *s == "true";
    } else if (key == "unit") {
      absl::StatusOr<std::string> s = YamlScalar(v, "unit");
      if (!s.ok()) return s.status();
      if (!ValidUnit(*s)) {
        return YamlBad(v, absl::StrCat(who, ": unit '", *s,
                                       "' is not a systemd unit name"));
      }
      spec.unit = *s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CollectorEntry> ParseCollectorYaml(const YAML::Node& node) {
  if (!node.IsMap()) return YamlBad(node, "each collector must be a map");
  CollectorEntry entry;
  CollectorSpec& spec = entry.spec;
  std::map<std::string, YAML::Node> keys;
  for (const auto& kv : node) keys[kv.first.as<std::string>()] = kv.second;

  auto name = keys.find("name");
  if (name == keys.end()) return YamlBad(node, "a collector needs a name");
  absl::StatusOr<std::string> name_text = YamlScalar(name->second, "name");
  if (!name_text.ok()) return name_text.status();
  if (!IsPromMetricName(*name_text)) {
    return YamlBad(name->second,
                   absl::StrCat("collector name '", *name_text,
                                "' must match [a-zA-Z_:][a-zA-Z0-9_:]*"));
  }
  spec.name = *name_text;
  const std::string who = absl::StrCat("collector '", spec.name, "'");

  auto kind = keys.find("kind");
  if (kind == keys.end()) {
    return YamlBad(
        node, absl::StrCat(who, " needs kind: prometheus, http or systemd"));
  }
  absl::StatusOr<CollectorKind> k = ParseKind(kind->second);
  if (!k.ok()) return k.status();
  spec.kind = *k;

  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (key == "name" || key == "kind") continue;
    if (key == "interval" || key == "timeout") {
      absl::StatusOr<absl::Duration> d = YamlDuration(kv.second, key);
      if (!d.ok()) return d.status();
      if (key == "timeout") {
        spec.timeout = *d;
        continue;
      }
      if (*d < kMinInterval) {
        return YamlBad(kv.second, absl::StrCat(who, ": interval ",
                                               absl::FormatDuration(*d),
                                               " is below the minimum of 1s"));
      }
      spec.interval = *d;
      entry.has_interval = true;
    } else if (!KeyFits(key, spec.kind)) {
      bool known = key == "url" || key == "metric" || key == "labels" ||
                   key == "rate" || key == "unit";
      return YamlBad(
          kv.first,
          known ? absl::StrCat(who, ": key '", key, "' does not apply to kind ",
                               kind->second.as<std::string>())
                : absl::StrCat(who, ": unknown collector key '", key, "'"));
    }
  }
  if (absl::Status s = ParseKindFields(keys, who, spec); !s.ok()) return s;

  const char* missing = nullptr;
  if (spec.kind != CollectorKind::kSystemd && spec.url_text.empty()) {
    missing = "url";
  } else if (spec.kind == CollectorKind::kPrometheus &&
             spec.selector.metric.empty()) {
    missing = "metric";
  } else if (spec.kind == CollectorKind::kSystemd && spec.unit.empty()) {
    missing = "unit";
  }
  if (missing != nullptr) {
    return YamlBad(node, absl::StrCat(who, " needs ", missing));
  }
  return entry;
}

std::vector<std::string> CollectorSampleNames(const CollectorSpec& spec) {
  if (spec.kind == CollectorKind::kHttp) {
    return {spec.name + "_up", spec.name + "_latency_ms"};
  }
  return {spec.name};
}

}  // namespace swell::agent
