#include "controller/plan/change_kinds.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/process.h"
#include "common/value.h"
#include "controller/plan/absl_view.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"

namespace swell::controller::plan_internal {
namespace {

using enum Presence;

constexpr std::string_view kFileFields[] = {
    "variable", "kind",   "path",     "mode",   "owner",  "group",
    "content",  "absent", "validate", "reload", "restart"};
constexpr std::string_view kPackageFields[] = {"variable", "kind",   "package",
                                               "version",  "absent", "hold",
                                               "restart",  "timeout"};
constexpr std::string_view kDockerFields[] = {
    "variable", "kind", "package", "companion_packages", "service", "version",
    "absent",   "hold", "timeout", "verify_timeout"};
constexpr std::string_view kCommandFields[] = {"variable", "kind",    "apply",
                                               "verify",   "revert",  "current",
                                               "shell",    "timeout", "value"};
constexpr std::string_view kAllFields[] = {
    "variable", "kind",           "path",    "mode",
    "owner",    "group",          "content", "absent",
    "validate", "reload",         "restart", "package",
    "version",  "hold",           "timeout", "companion_packages",
    "service",  "verify_timeout", "apply",   "verify",
    "revert",   "current",        "shell",   "value"};

constexpr size_t kMaxUnits = 16;
constexpr size_t kMaxCompanions = 16;
constexpr std::string_view kUnitExpected =
    "a systemd unit like docker or nginx.service, or a list of them";
constexpr std::string_view kPackageExpected =
    "a Debian package name like nginx (a-z, 0-9, '+', '-', '.')";
constexpr std::string_view kVersionExpected =
    "a Debian package version like \"1.22.1-9\" or "
    "\"5:24.0.7-1~debian.12~bookworm\"";
constexpr std::string_view kTimeoutExpected =
    "a duration like 30s or 10m, from 1s to 24h";
constexpr std::string_view kPlanCommandExpected =
    "a command line of at most 4096 bytes (run without a shell unless "
    "shell: true)";

bool IsUnitName(std::string_view s) {
  if (s.empty() || s.size() > 256) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != ':' && c != '_' && c != '.' &&
        c != '@' && c != '-' && c != '\\') {
      return false;
    }
  }
  return true;
}

bool IsPackageName(std::string_view s) {
  if (s.size() < 2 || s.size() > 128) return false;
  if (!absl::ascii_islower(s[0]) && !absl::ascii_isdigit(s[0])) return false;
  for (char c : s) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '+' &&
        c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

bool IsVersion(std::string_view s) {
  if (s.empty() || s.size() > 128 || !absl::ascii_isdigit(s[0])) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '+' && c != '~' &&
        c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

std::optional<uint32_t> ParseTimeoutMs(std::string_view s) {
  std::optional<absl::Duration> d = ParseFiniteDuration(s);
  if (!d || *d < absl::Seconds(1) || *d > absl::Hours(24)) return std::nullopt;
  return static_cast<uint32_t>(absl::ToInt64Milliseconds(*d));
}

// A list of names (or one name) at `key`, each checked by `valid`.
void ReadNames(PlanReader& r, const Fields& f, std::string_view key,
               std::string_view expected, size_t max,
               bool (*valid)(std::string_view),
               google::protobuf::RepeatedPtrField<std::string>* out) {
  const Fields::Entry* e = f.Find(key);
  if (e == nullptr || e->value.IsNull()) return;
  out->Clear();
  if (e->value.IsScalar()) {
    if (auto s = r.ValidText(f, key, kOptional, expected, valid)) {
      out->Add(std::move(s->text));
    }
    return;
  }
  std::optional<YAML::Node> list = r.List(f, key, kOptional, expected, max);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string field = absl::StrCat(AbslView(f.PathOf(key)), "[", i, "]");
    std::optional<Scalar> s = r.AsText((*list)[i], field, expected);
    if (!s) continue;
    if (!valid(s->text)) {
      r.Invalid(*s, expected);
      continue;
    }
    out->Add(std::move(s->text));
  }
}

// A plan command at `key`: bounded, and splittable when run without a shell.
std::optional<std::string> ReadPlanCommand(PlanReader& r, const Fields& f,
                                           std::string_view key, Presence p,
                                           bool shell) {
  std::optional<Scalar> s = r.ValidText(
      f, key, p, kPlanCommandExpected,
      [](std::string_view t) { return !t.empty() && IsBoundedText(t); });
  if (!s) return std::nullopt;
  if (!shell) {
    auto words = common::SplitCommandLine(s->text);
    if (!words.ok()) {
      r.Error(s->node, s->field,
              absl::StrCat("cannot split ", Quote(s->text), " into words: ",
                           words.status().message(), " (or set shell: true)"));
      return std::nullopt;
    }
  }
  return s->text;
}

// `version` or `absent: true`, into plan->value.
void ReadVersion(PlanReader& r, const Fields& f, Plan* plan) {
  std::optional<Scalar> version =
      r.ValidText(f, "version", kOptional, kVersionExpected, IsVersion);
  std::optional<bool> absent =
      r.Parsed(f, "absent", kOptional, "true or false", ParseBool);
  if (absent.value_or(false)) {
    if (version) {
      r.Error(version->node, version->field,
              "version and absent: true exclude each other; keep one");
    }
    plan->value = common::AbsentValue();
  } else if (version) {
    plan->value = common::PresentValue(version->text);
  } else if (absent.has_value() || f.Find("absent") == nullptr) {
    r.Value(f, "version", kRequired,
            absl::StrCat(AbslView(kVersionExpected),
                         ", or absent: true to remove the package"));
  }
}

}  // namespace

std::span<const std::string_view> ChangeFieldsFor(
    swell::v1::VariableKind kind) {
  switch (kind) {
    case swell::v1::VARIABLE_KIND_FILE:
      return kFileFields;
    case swell::v1::VARIABLE_KIND_PACKAGE:
      return kPackageFields;
    case swell::v1::VARIABLE_KIND_DOCKER:
      return kDockerFields;
    case swell::v1::VARIABLE_KIND_COMMAND:
      return kCommandFields;
    default:
      return kAllFields;
  }
}

void ReadRestartUnits(PlanReader& r, const Fields& f,
                      google::protobuf::RepeatedPtrField<std::string>* units) {
  ReadNames(r, f, "restart", kUnitExpected, kMaxUnits, IsUnitName, units);
}

void ReadPackageChange(PlanReader& r, const Fields& f, Plan* plan) {
  swell::v1::PackageSpec* p = plan->variable.mutable_package();
  if (auto s = r.ValidText(f, "package", kRequired, kPackageExpected,
                           IsPackageName)) {
    p->set_name(s->text);
  }
  ReadVersion(r, f, plan);
  p->set_hold(r.Parsed(f, "hold", kOptional, "true or false", ParseBool)
                  .value_or(false));
  ReadRestartUnits(r, f, p->mutable_restart_units());
  if (auto ms =
          r.Parsed(f, "timeout", kOptional, kTimeoutExpected, ParseTimeoutMs)) {
    p->set_timeout_ms(*ms);
  }
}

void ReadDockerChange(PlanReader& r, const Fields& f, Plan* plan) {
  swell::v1::DockerSpec* d = plan->variable.mutable_docker();
  d->set_package("docker-ce");
  if (auto s = r.ValidText(f, "package", kOptional, kPackageExpected,
                           IsPackageName)) {
    d->set_package(s->text);
  }
  d->set_service("docker");
  if (auto s =
          r.ValidText(f, "service", kOptional, kUnitExpected, IsUnitName)) {
    d->set_service(s->text);
  }
  ReadNames(r, f, "companion_packages",
            "a list of Debian package names like [docker-ce-cli]",
            kMaxCompanions, IsPackageName, d->mutable_companion_packages());
  ReadVersion(r, f, plan);
  d->set_no_hold(!r.Parsed(f, "hold", kOptional, "true or false", ParseBool)
                      .value_or(true));
  if (auto ms =
          r.Parsed(f, "timeout", kOptional, kTimeoutExpected, ParseTimeoutMs)) {
    d->set_timeout_ms(*ms);
  }
  if (auto ms = r.Parsed(f, "verify_timeout", kOptional, kTimeoutExpected,
                         ParseTimeoutMs)) {
    d->set_verify_timeout_ms(*ms);
  }
}

void ReadCommandChange(PlanReader& r, const Fields& f, Plan* plan) {
  swell::v1::CommandSpec* c = plan->variable.mutable_command();
  const bool shell = r.Parsed(f, "shell", kOptional, "true or false", ParseBool)
                         .value_or(false);
  c->set_shell(shell);
  if (auto s = ReadPlanCommand(r, f, "apply", kRequired, shell)) {
    c->set_apply(*s);
  }
  if (auto s = ReadPlanCommand(r, f, "current", kRequired, shell)) {
    c->set_current(*s);
  }
  if (auto s = ReadPlanCommand(r, f, "verify", kOptional, shell)) {
    c->set_verify(*s);
  }
  if (auto s = ReadPlanCommand(r, f, "revert", kOptional, shell)) {
    c->set_revert(*s);
  }
  if (auto ms =
          r.Parsed(f, "timeout", kOptional, kTimeoutExpected, ParseTimeoutMs)) {
    c->set_timeout_ms(*ms);
  }
  constexpr std::string_view kValueExpected =
      "the value handed to apply, as text of at most 4096 bytes";
  if (auto s = r.ValidText(
          f, "value", kRequired, kValueExpected,
          [](std::string_view t) { return !t.empty() && IsBoundedText(t); })) {
    plan->value = common::PresentValue(s->text);
  }
}

}  // namespace swell::controller::plan_internal
