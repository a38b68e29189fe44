#include "agent/tls_config.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "agent/yaml_fields.h"
#include "common/tls.h"

namespace swell::agent {

absl::StatusOr<TlsSettings> ParseTlsYaml(const YAML::Node& node) {
  if (!node.IsMap()) {
    return YamlBad(node, "tls must be a map with cert, key and ca");
  }
  TlsSettings out;
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    std::optional<std::string>* slot = key == "cert"  ? &out.cert
                                       : key == "key" ? &out.key
                                       : key == "ca"  ? &out.ca
                                                      : nullptr;
    if (slot == nullptr) {
      return YamlBad(kv.first, absl::StrCat("unknown tls key '", key,
                                            "' (tls takes cert, key and ca)"));
    }
    absl::StatusOr<std::string> path =
        YamlScalar(kv.second, absl::StrCat("tls.", key));
    if (!path.ok()) return path.status();
    if (path->empty()) {
      return YamlBad(kv.second,
                     absl::StrCat("tls.", key, ": expected a file path"));
    }
    *slot = *std::move(path);
  }
  // A file's map is whole, so that what it means is clear from the file;
  // a flag may still replace any one of its keys.
  for (auto [name, slot] :
       {std::pair{"cert", &out.cert}, std::pair{"key", &out.key},
        std::pair{"ca", &out.ca}}) {
    if (!slot->has_value()) {
      return YamlBad(node, absl::StrCat("tls needs cert, key and ca; ", name,
                                        " is missing"));
    }
  }
  return out;
}

absl::StatusOr<AgentTlsFiles> MergeTls(const TlsSettings& file,
                                       const TlsSettings& flags) {
  AgentTlsFiles out;
  out.cert = flags.cert.value_or(file.cert.value_or(""));
  out.key = flags.key.value_or(file.key.value_or(""));
  out.ca = flags.ca.value_or(file.ca.value_or(""));
  if (out.empty()) return out;
  std::vector<std::string> missing;
  if (out.cert.empty()) missing.push_back("--tls-cert (tls.cert)");
  if (out.key.empty()) missing.push_back("--tls-key (tls.key)");
  if (out.ca.empty()) missing.push_back("--tls-ca (tls.ca)");
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS needs the host's certificate, its key and the controller's CA; "
        "missing ",
        absl::StrJoin(missing, ", ")));
  }
  return out;
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ControllerCredentials(
    const AgentTlsFiles& files) {
  if (files.empty()) return grpc::InsecureChannelCredentials();
  common::TlsFiles tls;
  tls.cert = files.cert;
  tls.key = files.key;
  tls.ca = files.ca;
  tls.flag_prefix = "--tls-";
  return common::TlsChannelCredentials(tls);
}

absl::Status CheckTransport(const AgentTlsFiles& tls,
                            const std::vector<std::string>& controllers,
                            bool insecure) {
  if (!tls.empty()) {
    if (insecure) {
      return absl::InvalidArgumentError(
          "--insecure and TLS files (--tls-cert, --tls-key, --tls-ca or the "
          "config's tls) exclude each other: drop one");
    }
    return absl::OkStatus();
  }
  if (!insecure) {
    return absl::InvalidArgumentError(
        "refusing to start without TLS: give --tls-cert, --tls-key and "
        "--tls-ca (or the config's tls: {cert, key, ca}), or --insecure "
        "for plaintext to a controller on loopback");
  }
  for (const std::string& a : controllers) {
    if (!common::IsLoopbackAddress(a)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--insecure is refused: controller ", a,
          " is not a loopback address, and plaintext would cross the "
          "network; give --tls-cert, --tls-key and --tls-ca"));
    }
  }
  return absl::OkStatus();
}

}  // namespace swell::agent
