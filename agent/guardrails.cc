#include "agent/guardrails.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "agent/appliers/docker_applier.h"
#include "common/value.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxPatternBytes = 128;
constexpr size_t kMaxPathBytes = 4096;
constexpr uint32_t kSetIdBits = 06000;

absl::Status Refused(absl::string_view why) {
  return absl::PermissionDeniedError(
      absl::StrCat("refused by host policy: ", why));
}

std::string KindList(const Guardrails& g) {
  std::vector<std::string> names;
  for (swell::v1::VariableKind kind : g.kinds) {
    names.emplace_back(common::KindName(kind));
  }
  return absl::StrCat("[", absl::StrJoin(names, ", "), "]");
}

std::string List(const std::vector<std::string>& entries) {
  return absl::StrCat("[", absl::StrJoin(entries, ", "), "]");
}

bool Accepts(const Guardrails& g, swell::v1::VariableKind kind) {
  return g.kinds.count(kind) > 0;
}

absl::Status CheckPath(const Guardrails& g, absl::string_view path) {
  // The plan validator refuses such paths too; the host does not rely on
  // the controller for it.
  if (!IsNormalisedAbsolutePath(path)) {
    return Refused(
        absl::StrCat("'", path, "' is not an absolute, normalised path"));
  }
  for (const std::string& prefix : g.file_prefixes) {
    if (absl::StartsWith(path, prefix)) return absl::OkStatus();
  }
  return Refused(absl::StrCat(path, " is not under ", List(g.file_prefixes)));
}

absl::Status CheckPackage(const Guardrails& g, absl::string_view name) {
  for (const std::string& pattern : g.packages) {
    if (GlobMatch(pattern, name)) return absl::OkStatus();
  }
  return Refused(
      absl::StrCat("package '", name, "' matches none of ", List(g.packages)));
}

absl::Status CheckFileCommand(const Guardrails& g, absl::string_view which,
                              const std::string& command) {
  if (command.empty() || Accepts(g, swell::v1::VARIABLE_KIND_COMMAND)) {
    return absl::OkStatus();
  }
  for (const std::string& allowed : g.file_commands) {
    if (allowed == command) return absl::OkStatus();
  }
  return Refused(absl::StrCat("the ", which, " command '", command,
                              "' is not one of this host's file_commands ",
                              List(g.file_commands)));
}

}  // namespace

std::string DescribeGuardrails(const Guardrails& g) {
  return absl::StrCat("kinds ", KindList(g), ", file_prefixes ",
                      List(g.file_prefixes), ", file_commands ",
                      List(g.file_commands), ", packages ", List(g.packages));
}

bool GlobMatch(absl::string_view pattern, absl::string_view name) {
  // Iterative, with one backtrack point: the last '*' seen.
  size_t p = 0, n = 0;
  size_t star = absl::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
    } else if (star != absl::string_view::npos) {
      p = star + 1;
      n = ++star_n;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool IsNormalisedAbsolutePath(absl::string_view path) {
  if (path.size() < 2 || path[0] != '/' || path.back() == '/') return false;
  for (absl::string_view segment : absl::StrSplit(path.substr(1), '/')) {
    if (segment.empty() || segment == "." || segment == "..") return false;
  }
  return true;
}

absl::Status CheckRead(const Guardrails& g,
                       const swell::v1::VariableSpec& spec) {
  if (!Accepts(g, spec.kind())) {
    return Refused(absl::StrCat(std::string(common::KindName(spec.kind())),
                                " variables are not allowed on this host "
                                "(its guardrails accept the kinds ",
                                KindList(g), ")"));
  }
  switch (spec.kind()) {
    case swell::v1::VARIABLE_KIND_FILE:
      return CheckPath(g, spec.file().path());
    case swell::v1::VARIABLE_KIND_PACKAGE:
      return CheckPackage(g, spec.package().name());
    case swell::v1::VARIABLE_KIND_DOCKER:
      for (const std::string& name : DockerPackages(spec.docker())) {
        if (absl::Status s = CheckPackage(g, name); !s.ok()) return s;
      }
      return absl::OkStatus();
    default:
      return absl::OkStatus();
  }
}

absl::Status CheckApply(const Guardrails& g,
                        const swell::v1::VariableSpec& spec) {
  if (absl::Status s = CheckRead(g, spec); !s.ok()) return s;
  if (spec.kind() != swell::v1::VARIABLE_KIND_FILE) return absl::OkStatus();
  const swell::v1::FileSpec& file = spec.file();
  if ((file.mode() & kSetIdBits) != 0) {
    return Refused(absl::StrFormat("mode %04o of %s sets setuid or setgid",
                                   file.mode(), file.path()));
  }
  if (absl::Status s = CheckFileCommand(g, "validate", file.validate());
      !s.ok()) {
    return s;
  }
  return CheckFileCommand(g, "reload", file.reload());
}

absl::Status ValidateFilePrefix(absl::string_view prefix) {
  if (prefix == "/") return absl::OkStatus();
  if (prefix.size() > kMaxPathBytes || prefix.empty() || prefix.back() != '/' ||
      !IsNormalisedAbsolutePath(prefix.substr(0, prefix.size() - 1))) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file prefix '", prefix,
        "' must be an absolute, normalised directory ending in '/', like "
        "/etc/app/"));
  }
  return absl::OkStatus();
}

absl::Status ValidatePackagePattern(absl::string_view pattern) {
  bool ok = !pattern.empty() && pattern.size() <= kMaxPatternBytes;
  for (char c : pattern) {
    ok = ok && (absl::ascii_islower(static_cast<unsigned char>(c)) ||
                absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                c == '.' || c == '+' || c == '-' || c == '*' || c == '?');
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "package pattern '", pattern, "' must be 1..", kMaxPatternBytes,
        " of a-z, 0-9, '.', '+', '-' and the wildcards '*' and '?'"));
  }
  return absl::OkStatus();
}

absl::Status ValidateFileCommand(absl::string_view command) {
  if (command.empty() || command.size() > kMaxPathBytes ||
      absl::StrContains(command, '\n') || absl::StrContains(command, '\r')) {
    return absl::InvalidArgumentError(absl::StrCat(
        "file command '", command, "' must be one non-empty line"));
  }
  return absl::OkStatus();
}

}  // namespace swell::agent
