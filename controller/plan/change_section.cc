#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/value.h"
#include "controller/plan/absl_view.h"
#include "controller/plan/change_kinds.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"

namespace swell::controller::plan_internal {
namespace {

using enum Presence;

constexpr std::string_view kTargetFields[] = {"selector"};
constexpr std::string_view kKindExpected =
    "one of file, package, docker, command";
constexpr std::string_view kCommandExpected =
    "a shell command of at most 4096 bytes";

bool IsCommand(std::string_view s) { return !s.empty() && IsBoundedText(s); }

void ReadFile(PlanReader& r, const Fields& f, Plan* plan) {
  swell::v1::FileSpec* file = plan->variable.mutable_file();
  constexpr std::string_view kPathExpected =
      "an absolute, normalised file path like /etc/app/app.conf";
  if (auto s = r.Text(f, "path", kRequired, kPathExpected)) {
    if (std::optional<std::string> problem = FilePathProblem(s->text)) {
      r.Error(s->node, s->field,
              absl::StrCat("expected ", AbslView(kPathExpected), ", got ",
                           Quote(s->text), ": ", *problem));
    } else {
      file->set_path(s->text);
    }
  }
  file->set_mode(r.Parsed(f, "mode", kOptional, "an octal mode like \"0644\"",
                          ParseFileMode)
                     .value_or(0644));
  if (auto s = r.ValidText(f, "owner", kOptional, "a user name like root",
                           IsValidAccountName)) {
    file->set_owner(s->text);
  }
  if (auto s = r.ValidText(f, "group", kOptional, "a group name like root",
                           IsValidAccountName)) {
    file->set_group(s->text);
  }
  if (auto s =
          r.ValidText(f, "validate", kOptional, kCommandExpected, IsCommand)) {
    // Without "{}" the command would check something other than the
    // candidate file, and pass a broken config.
    if (s->text.find("{}") == std::string::npos) {
      r.Error(s->node, s->field,
              "validate must name the candidate file as {}, e.g. "
              "\"dockerd --validate --config-file {}\"");
    } else {
      file->set_validate(s->text);
    }
  }
  if (auto s =
          r.ValidText(f, "reload", kOptional, kCommandExpected, IsCommand)) {
    file->set_reload(s->text);
  }
  ReadRestartUnits(r, f, file->mutable_restart_units());

  constexpr std::string_view kContentExpected =
      "the file's content as text, or absent: true to remove the file";
  std::optional<Scalar> content =
      r.Text(f, "content", kOptional, kContentExpected);
  std::optional<bool> absent =
      r.Parsed(f, "absent", kOptional, "true or false", ParseBool);
  if (absent.value_or(false)) {
    if (content) {
      r.Error(content->node, content->field,
              "content and absent: true exclude each other; keep one");
    }
    plan->value = common::AbsentValue();
  } else if (content) {
    plan->value = common::PresentValue(content->text);
  } else if (absent.has_value() || f.Find("absent") == nullptr) {
    r.Value(f, "content", kRequired, kContentExpected);  // reports it
  }
}

}  // namespace

bool IsBoundedText(std::string_view s) {
  return s.size() <= kMaxTextLength && s.find('\0') == std::string_view::npos;
}

// The kind the change names, looked up before the change is read so that
// its fields can be checked against that kind's; UNSPECIFIED when it names
// none or an unknown one.
swell::v1::VariableKind PeekKind(const YAML::Node& node) {
  if (!node.IsMap()) return swell::v1::VARIABLE_KIND_UNSPECIFIED;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == "kind" &&
        it->second.IsScalar()) {
      return common::KindFromName(it->second.Scalar());
    }
  }
  return swell::v1::VARIABLE_KIND_FILE;  // read as file when kind is missing
}

void ReadChange(PlanReader& r, const YAML::Node& node, Plan* plan) {
  std::optional<Fields> f =
      r.Map(node, "change", ChangeFieldsFor(PeekKind(node)));
  if (!f) return;
  if (auto s =
          r.ValidText(*f, "variable", kRequired, kNameExpected, IsValidName)) {
    plan->variable.set_name(s->text);
  }
  std::optional<Scalar> kind = r.Text(*f, "kind", kRequired, kKindExpected);
  swell::v1::VariableKind k =
      kind ? common::KindFromName(kind->text) : swell::v1::VARIABLE_KIND_FILE;
  if (k == swell::v1::VARIABLE_KIND_UNSPECIFIED) {
    r.Error(kind->node, kind->field,
            absl::StrCat("unknown kind ", Quote(kind->text), "; expected ",
                         AbslView(kKindExpected)));
    return;
  }
  plan->variable.set_kind(k);
  switch (k) {
    case swell::v1::VARIABLE_KIND_PACKAGE:
      return ReadPackageChange(r, *f, plan);
    case swell::v1::VARIABLE_KIND_DOCKER:
      return ReadDockerChange(r, *f, plan);
    case swell::v1::VARIABLE_KIND_COMMAND:
      return ReadCommandChange(r, *f, plan);
    default:
      return ReadFile(r, *f, plan);
  }
}

void ReadTarget(PlanReader& r, const YAML::Node& node, Plan* plan) {
  std::optional<Fields> f = r.Map(node, "target", kTargetFields);
  if (!f) return;
  std::optional<YAML::Node> selector =
      r.Value(*f, "selector", kOptional, "a map of label: value");
  if (!selector) return;
  std::optional<Fields> labels = r.Map(*selector, f->PathOf("selector"), {});
  if (!labels) return;
  if (labels->entries().size() > static_cast<size_t>(kMaxSelectorLabels)) {
    r.Error(*selector, f->PathOf("selector"),
            absl::StrCat("at most ", kMaxSelectorLabels,
                         " labels allowed, got ", labels->entries().size()));
    return;
  }
  for (const Fields::Entry& e : labels->entries()) {
    std::string field = labels->PathOf(e.key);
    if (!IsValidLabelKey(e.key)) {
      r.Error(e.key_node, field,
              absl::StrCat("expected a label name like role (letters, "
                           "digits, '.', '_', '/', '-'), got ",
                           Quote(e.key)));
    }
    constexpr std::string_view kValueExpected =
        "a label value like web, at most 256 bytes";
    if (e.value.IsNull()) {
      r.Error(
          e.key_node, field,
          absl::StrCat("expected ", AbslView(kValueExpected), ", got nothing"));
      continue;
    }
    std::optional<Scalar> v = r.AsText(e.value, field, kValueExpected);
    if (!v) continue;
    if (v->text.size() > kMaxLabelValueLength) {
      r.Invalid(*v, kValueExpected);
      continue;
    }
    plan->selector[e.key] = v->text;
  }
}

}  // namespace swell::controller::plan_internal
