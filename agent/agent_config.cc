#include "agent/agent_config.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "agent/atomic_file.h"
#include "agent/root_path.h"
#include "agent/yaml_fields.h"
#include "yaml-cpp/yaml.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxLabels = 64;
constexpr size_t kMaxLabelBytes = 256;
constexpr size_t kMaxChecks = 256;
constexpr size_t kMaxCollectors = 64;
constexpr absl::Duration kMinCheckInterval = absl::Seconds(1);

absl::Status AddLabel(std::map<std::string, std::string>& labels,
                      std::string key, std::string value) {
  if (key.empty() || key.size() > kMaxLabelBytes ||
      value.size() > kMaxLabelBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("label '", key, "': key must be 1..", kMaxLabelBytes,
                     " bytes and value at most ", kMaxLabelBytes));
  }
  labels[std::move(key)] = std::move(value);
  if (labels.size() > kMaxLabels) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxLabels, " labels"));
  }
  return absl::OkStatus();
}

void AddControllers(std::vector<std::string>& out, absl::string_view list) {
  for (absl::string_view a :
       absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(a));
  }
}

bool IsHostNameChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '-' || c == '_';
}

absl::StatusOr<AgentConfigFile::Check> ParseCheck(const YAML::Node& node) {
  if (!node.IsMap()) return YamlBad(node, "each check must be a map");
  AgentConfigFile::Check check;
  bool has_parse = false;
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "name" || key == "command") {
      absl::StatusOr<std::string> s =
          YamlScalar(v, absl::StrCat("check ", key));
      if (!s.ok()) return s.status();
      (key == "name" ? check.spec.name : check.spec.command) = *s;
    } else if (key == "interval" || key == "timeout") {
      absl::StatusOr<absl::Duration> d = YamlDuration(v, key);
      if (!d.ok()) return d.status();
      if (key == "interval") {
        check.spec.interval = *d;
        check.has_interval = true;
      } else {
        check.spec.timeout = *d;
      }
    } else if (key == "parse") {
      absl::StatusOr<std::string> s = YamlScalar(v, "parse");
      if (!s.ok()) return s.status();
      if (*s == "exit") {
        check.spec.parse = CheckParse::kExit;
      } else if (*s == "number") {
        check.spec.parse = CheckParse::kNumber;
      } else {
        return YamlBad(v, "parse must be 'exit' or 'number'");
      }
      has_parse = true;
    } else {
      return YamlBad(kv.first, absl::StrCat("unknown check key '", key, "'"));
    }
  }
  if (check.spec.name.empty() || check.spec.command.empty()) {
    return YamlBad(node, "a check needs a name and a command");
  }
  if (!has_parse) {
    return YamlBad(node, absl::StrCat("check '", check.spec.name,
                                      "' needs parse: exit or parse: number"));
  }
  return check;
}

absl::StatusOr<AgentConfigFile> ParseRoot(const YAML::Node& root) {
  AgentConfigFile file;
  if (root.IsNull()) return file;
  if (!root.IsMap()) return YamlBad(root, "the agent config must be a map");
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "host_id" || key == "root" || key == "state_dir") {
      absl::StatusOr<std::string> s = YamlScalar(v, key);
      if (!s.ok()) return s.status();
      (key == "host_id" ? file.host_id
       : key == "root"  ? file.root
                        : file.state_dir) = *s;
    } else if (key == "controllers") {
      if (v.IsScalar()) {
        AddControllers(file.controllers, v.as<std::string>());
      } else if (v.IsSequence()) {
        for (const auto& a : v) {
          absl::StatusOr<std::string> s = YamlScalar(a, "controllers entry");
          if (!s.ok()) return s.status();
          AddControllers(file.controllers, *s);
        }
      } else {
        return YamlBad(v, "controllers must be a list of host:port");
      }
    } else if (key == "labels") {
      if (!v.IsMap()) return YamlBad(v, "labels must be a map");
      for (const auto& label : v) {
        absl::StatusOr<std::string> value =
            YamlScalar(label.second, "label value");
        if (!value.ok()) return value.status();
        absl::Status s =
            AddLabel(file.labels, label.first.as<std::string>(), *value);
        if (!s.ok()) return YamlBad(label.first, s.message());
      }
    } else if (key == "metrics_listen") {
      absl::StatusOr<std::string> s = YamlScalar(v, key);
      if (!s.ok()) return s.status();
      if (!s->empty()) {
        if (absl::Status valid = ValidateListenAddress(*s); !valid.ok()) {
          return YamlBad(v, absl::StrCat("metrics_listen: ", valid.message()));
        }
      }
      file.metrics_listen = *s;
    } else if (key == "guardrails") {
      absl::StatusOr<GuardrailsSettings> g = ParseGuardrailsYaml(v);
      if (!g.ok()) return g.status();
      file.guardrails = *std::move(g);
    } else if (key == "tls") {
      absl::StatusOr<TlsSettings> tls = ParseTlsYaml(v);
      if (!tls.ok()) return tls.status();
      file.tls = *std::move(tls);
    } else if (key == "check_interval") {
      absl::StatusOr<absl::Duration> d = YamlDuration(v, key);
      if (!d.ok()) return d.status();
      file.check_interval = *d;
    } else if (key == "checks") {
      if (!v.IsSequence()) return YamlBad(v, "checks must be a list");
      for (const auto& c : v) {
        absl::StatusOr<AgentConfigFile::Check> check = ParseCheck(c);
        if (!check.ok()) return check.status();
        file.checks.push_back(*std::move(check));
      }
    } else if (key == "collectors") {
      if (!v.IsSequence()) return YamlBad(v, "collectors must be a list");
      if (v.size() > kMaxCollectors) {
        return YamlBad(
            v, absl::StrCat("more than ", kMaxCollectors, " collectors"));
      }
      std::set<std::string> names;
      for (const auto& c : v) {
        absl::StatusOr<CollectorEntry> entry = ParseCollectorYaml(c);
        if (!entry.ok()) return entry.status();
        if (!names.insert(entry->spec.name).second) {
          return YamlBad(c, absl::StrCat("collector '", entry->spec.name,
                                         "' is named twice"));
        }
        file.collectors.push_back(*std::move(entry));
      }
    } else {
      return YamlBad(kv.first, absl::StrCat("unknown key '", key, "'"));
    }
  }
  return file;
}

}  // namespace

absl::Status ValidateListenAddress(absl::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "' is not host:port, e.g. 127.0.0.1:9464"));
  }
  absl::string_view host = address.substr(0, colon);
  absl::string_view port_text = address.substr(colon + 1);
  int port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port < 1 || port > 65535 ||
      !absl::ascii_isdigit(static_cast<unsigned char>(port_text[0]))) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", address, "': the port must be a number in 1..65535"));
  }
  bool host_ok;
  if (absl::ConsumePrefix(&host, "[")) {
    host_ok = absl::ConsumeSuffix(&host, "]") && !host.empty() &&
              host.find_first_not_of("0123456789abcdefABCDEF:.") ==
                  absl::string_view::npos;
  } else {
    host_ok =
        !host.empty() && std::all_of(host.begin(), host.end(), IsHostNameChar);
  }
  if (!host_ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", address,
        "': the host must be a name, an IPv4 address or [IPv6 address]"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AgentConfigFile> ParseAgentConfigYaml(absl::string_view text) {
  // yaml-cpp reports errors by exception; this is its one boundary.
  try {
    return ParseRoot(YAML::Load(std::string(text)));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", e.mark.line + 1, ", column ", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<AgentConfigFile> LoadAgentConfigFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileBounded(path, 1 << 20);
  if (!text.ok()) return text.status();
  absl::StatusOr<AgentConfigFile> file = ParseAgentConfigYaml(*text);
  if (!file.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", file.status().message()));
  }
  return file;
}

absl::StatusOr<AgentConfig> MergeAgentConfig(
    const AgentConfigFile& file, const AgentFlagValues& flags,
    const std::string& default_host_id) {
  AgentConfig config;
  config.host_id =
      flags.host_id.value_or(file.host_id.value_or(default_host_id));
  if (config.host_id.empty())
    return absl::InvalidArgumentError("empty host id");

  std::vector<std::string> controllers;
  for (const std::string& c : flags.controllers) AddControllers(controllers, c);
  if (controllers.empty()) controllers = file.controllers;
  if (!controllers.empty()) config.controllers = std::move(controllers);

  config.labels = file.labels;
  for (const std::string& label : flags.labels) {
    std::pair<std::string, std::string> kv =
        absl::StrSplit(label, absl::MaxSplits('=', 1));
    if (label.find('=') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--label '", label, "' is not key=value"));
    }
    if (absl::Status s = AddLabel(config.labels, kv.first, kv.second);
        !s.ok()) {
      return s;
    }
  }

  absl::StatusOr<std::string> root =
      NormalizePath(flags.root.value_or(file.root.value_or("/")));
  if (!root.ok()) return root.status();
  config.root = *root;
  std::string state_dir =
      flags.state_dir.value_or(file.state_dir.value_or(kDefaultStateDir));
  if (state_dir.empty() || state_dir[0] != '/') state_dir = "/" + state_dir;
  absl::StatusOr<std::string> resolved =
      ResolveUnderRoot(config.root, state_dir);
  if (!resolved.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("state dir: ", resolved.status().message()));
  }
  config.state_dir = *resolved;

  if (flags.metrics_listen.has_value()) {
    if (!flags.metrics_listen->empty()) {
      if (absl::Status s = ValidateListenAddress(*flags.metrics_listen);
          !s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--metrics-listen ", s.message()));
      }
    }
    config.metrics_listen = *flags.metrics_listen;
  } else {
    config.metrics_listen = file.metrics_listen.value_or("");
  }

  absl::StatusOr<Guardrails> guardrails =
      MergeGuardrails(file.guardrails, flags.guardrails);
  if (!guardrails.ok()) return guardrails.status();
  config.guardrails = *std::move(guardrails);
  absl::StatusOr<AgentTlsFiles> tls = MergeTls(file.tls, flags.tls);
  if (!tls.ok()) return tls.status();
  config.tls = *std::move(tls);

  absl::Duration interval = flags.check_interval.value_or(
      file.check_interval.value_or(absl::Seconds(5)));
  config.check_interval = std::max(interval, kMinCheckInterval);
  std::map<std::string, CheckSpec> checks;
  for (const AgentConfigFile::Check& c : file.checks) {
    CheckSpec spec = c.spec;
    if (!c.has_interval) spec.interval = interval;
    checks[spec.name] = spec;
  }
  for (const std::string& flag : flags.checks) {
    size_t eq = flag.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == flag.size()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--check '", flag, "' is not NAME=COMMAND"));
    }
    CheckSpec spec;
    spec.name = flag.substr(0, eq);
    spec.command = flag.substr(eq + 1);
    spec.interval = interval;
    spec.parse = CheckParse::kNumber;
    checks[spec.name] = spec;
  }
  if (checks.size() > kMaxChecks) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxChecks, " checks"));
  }
  for (auto& [name, spec] : checks) {
    if (spec.interval < kMinCheckInterval) {
      return absl::InvalidArgumentError(absl::StrCat(
          "check '", name, "': interval ", absl::FormatDuration(spec.interval),
          " is below the minimum of 1s"));
    }
    config.checks.push_back(spec);
  }
  std::set<std::string> samples;
  for (const CollectorEntry& c : file.collectors) {
    CollectorSpec spec = c.spec;
    if (!c.has_interval) spec.interval = config.check_interval;
    for (const std::string& sample : CollectorSampleNames(spec)) {
      if (checks.count(sample) > 0 || !samples.insert(sample).second) {
        return absl::InvalidArgumentError(
            absl::StrCat("collector '", spec.name, "' reports sample '", sample,
                         "', which another check or collector "
                         "reports too"));
      }
    }
    config.collectors.push_back(std::move(spec));
  }
  return config;
}

}  // namespace swell::agent
