#include "agent/yaml_fields.h"

#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace swell::agent {
namespace {

absl::StatusOr<absl::Duration> ParseDurationText(absl::string_view text,
                                                 absl::string_view key) {
  absl::Duration d;
  int64_t seconds;
  if (absl::SimpleAtoi(text, &seconds)) return absl::Seconds(seconds);
  if (!absl::ParseDuration(text, &d) || d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        key, ": '", text, "' is not a positive duration like 5s or 500ms"));
  }
  return d;
}

}  // namespace

std::string YamlWhere(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null()) return "";
  return absl::StrCat(" (line ", mark.line + 1, ", column ", mark.column + 1,
                      ")");
}

absl::Status YamlBad(const YAML::Node& node, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(what, YamlWhere(node)));
}

absl::StatusOr<std::string> YamlScalar(const YAML::Node& node,
                                       absl::string_view key) {
  if (!node.IsScalar())
    return YamlBad(node, absl::StrCat(key, " must be a string"));
  return node.as<std::string>();
}

absl::StatusOr<absl::Duration> YamlDuration(const YAML::Node& node,
                                            absl::string_view key) {
  absl::StatusOr<std::string> text = YamlScalar(node, key);
  if (!text.ok()) return text.status();
  absl::StatusOr<absl::Duration> d = ParseDurationText(*text, key);
  if (!d.ok()) return YamlBad(node, d.status().message());
  return d;
}

}  // namespace swell::agent
