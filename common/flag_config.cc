#include "common/flag_config.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "yaml-cpp/yaml.h"

namespace swell::common {

std::string FlagFromArgs(const std::vector<std::string>& args,
                         absl::string_view name, std::string fallback) {
  const std::string flag = absl::StrCat("--", name);
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--") break;
    if (args[i] == flag && i + 1 < args.size()) {
      fallback = args[++i];
    } else if (absl::StartsWith(args[i], flag + "=")) {
      fallback = args[i].substr(flag.size() + 1);
    }
  }
  return fallback;
}

absl::Status ApplyFlagConfig(const std::string& path,
                             absl::string_view main_file) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("--config: ", path, ": no such file"));
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1,
                                                   ":", e.mark.column + 1,
                                                   ": not YAML: ", e.msg));
  }
  if (root.IsNull()) return absl::OkStatus();  // empty, or comments only
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ":", root.Mark().line + 1, ":", root.Mark().column + 1,
        ": expected a map of settings (flag: value)"));
  }
  std::vector<std::string> errors;
  std::vector<std::pair<absl::CommandLineFlag*, std::string>> settings;
  for (const auto& entry : root) {
    const YAML::Mark mark = entry.first.Mark();
    const std::string at =
        absl::StrCat(path, ":", mark.line + 1, ":", mark.column + 1, ": ");
    std::string name = entry.first.Scalar();
    const std::string key = name;
    std::replace(name.begin(), name.end(), '-', '_');
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr || name == "config" ||
        !absl::StrContains(flag->Filename(), main_file)) {
      errors.push_back(absl::StrCat(at, key, ": not a setting (see --help)"));
      continue;
    }
    if (!entry.second.IsScalar() && !entry.second.IsNull()) {
      errors.push_back(absl::StrCat(at, key, ": expected one value, like ",
                                    flag->DefaultValue().empty()
                                        ? std::string("\"text\"")
                                        : flag->DefaultValue()));
      continue;
    }
    const std::string value =
        entry.second.IsNull() ? std::string() : entry.second.Scalar();
    std::string error;
    if (!flag->IsOfType<std::string>()) {
      // Check the value now, on a copy of nothing: parse, then restore.
      const std::string before = flag->CurrentValue();
      if (!flag->ParseFrom(value, &error)) {
        errors.push_back(absl::StrCat(at, key, ": \"", value,
                                      "\" is not a valid value (expected "
                                      "one like ",
                                      flag->DefaultValue(), ")"));
        continue;
      }
      std::string ignored;
      flag->ParseFrom(before, &ignored);
    }
    settings.emplace_back(flag, value);
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  for (auto& [flag, value] : settings) {
    std::string error;
    flag->ParseFrom(value, &error);  // checked above
  }
  return absl::OkStatus();
}

}  // namespace swell::common
