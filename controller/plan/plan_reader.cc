#include "controller/plan/plan_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "controller/plan/absl_view.h"

namespace swell::controller::plan_internal {
namespace {

constexpr size_t kMaxShown = 60;

std::string_view Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      return "text";
    default:
      return "nothing";
  }
}

// Edits (insert, delete, substitute, swap two neighbours) from a to b.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1,
                                     std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// A typo of `name`: one edit away, or two for longer names.
bool LooksLikeTypo(std::string_view key, std::string_view name) {
  return EditDistance(key, name) <= (name.size() > 5 ? 2 : 1);
}

std::string JoinNames(std::span<const std::string_view> names) {
  return absl::StrJoin(names, ", ", [](std::string* out, std::string_view n) {
    out->append(n);
  });
}

std::string UnknownKeyMessage(std::string_view key,
                              std::span<const std::string_view> allowed) {
  std::string message = absl::StrCat("unknown field ", Quote(key), ";");
  for (std::string_view name : allowed) {
    if (LooksLikeTypo(key, name)) {
      absl::StrAppend(&message, " did you mean '", AbslView(name), "'?");
      break;
    }
  }
  absl::StrAppend(&message, " expected one of ", JoinNames(allowed));
  return message;
}

}  // namespace

std::string Quote(std::string_view text) {
  std::string shown = absl::CHexEscape(AbslView(text.substr(0, kMaxShown)));
  if (text.size() > kMaxShown) shown += "...";
  return absl::StrCat("'", shown, "'");
}

const Fields::Entry* Fields::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string Fields::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key)
                       : absl::StrCat(path_, ".", AbslView(key));
}

void PlanReader::Error(const YAML::Node& at, std::string field,
                       std::string message) {
  ErrorAt(at.Mark(), std::move(field), std::move(message));
}

void PlanReader::ErrorAt(const YAML::Mark& at, std::string field,
                         std::string message) {
  PlanError e;
  if (!at.is_null()) {
    e.line = at.line + 1;
    e.column = at.column + 1;
  }
  e.field = std::move(field);
  e.message = std::move(message);
  errors_.push_back(std::move(e));
}

void PlanReader::Invalid(const Scalar& s, std::string_view expected) {
  Error(s.node, s.field,
        absl::StrCat("expected ", AbslView(expected), ", got ", Quote(s.text)));
}

std::optional<Fields> PlanReader::Map(
    const YAML::Node& node, std::string path,
    std::span<const std::string_view> allowed) {
  if (!node.IsMap()) {
    Error(node, path,
          absl::StrCat("expected a map of fields, got ",
                       AbslView(Describe(node))));
    return std::nullopt;
  }
  Fields fields(node, std::move(path));
  for (const auto& kv : node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) {
      Error(
          key, fields.path_,
          absl::StrCat("expected a field name, got ", AbslView(Describe(key))));
      continue;
    }
    const std::string& name = key.Scalar();
    if (const Fields::Entry* first = fields.Find(name)) {
      Error(key, fields.PathOf(name),
            absl::StrCat("duplicate field ", Quote(name), " (first on line ",
                         first->key_node.Mark().line + 1, ")"));
      continue;
    }
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      Error(key, fields.PathOf(name), UnknownKeyMessage(name, allowed));
      continue;
    }
    fields.entries_.push_back({name, key, kv.second});
  }
  return fields;
}

std::optional<YAML::Node> PlanReader::Value(const Fields& f,
                                            std::string_view key, Presence p,
                                            std::string_view expected) {
  const Fields::Entry* e = f.Find(key);
  if (e != nullptr && !e->value.IsNull()) return e->value;
  if (p == Presence::kRequired) {
    Error(e != nullptr ? e->key_node : f.node(), f.PathOf(key),
          absl::StrCat("required; expected ", AbslView(expected)));
  }
  return std::nullopt;
}

std::optional<Scalar> PlanReader::Text(const Fields& f, std::string_view key,
                                       Presence p, std::string_view expected) {
  std::optional<YAML::Node> node = Value(f, key, p, expected);
  if (!node) return std::nullopt;
  return AsText(*node, f.PathOf(key), expected);
}

std::optional<Scalar> PlanReader::AsText(const YAML::Node& node,
                                         std::string field,
                                         std::string_view expected) {
  if (!node.IsScalar()) {
    Error(node, std::move(field),
          absl::StrCat("expected ", AbslView(expected), ", got ",
                       AbslView(Describe(node))));
    return std::nullopt;
  }
  return Scalar{std::move(field), node, node.Scalar()};
}

std::optional<Scalar> PlanReader::ValidText(
    const Fields& f, std::string_view key, Presence p,
    std::string_view expected,
    absl::FunctionRef<bool(std::string_view)> valid) {
  std::optional<Scalar> s = Text(f, key, p, expected);
  if (s && !valid(s->text)) {
    Invalid(*s, expected);
    return std::nullopt;
  }
  return s;
}

std::optional<YAML::Node> PlanReader::List(const Fields& f,
                                           std::string_view key, Presence p,
                                           std::string_view expected,
                                           size_t max) {
  std::optional<YAML::Node> node = Value(f, key, p, expected);
  if (!node) return std::nullopt;
  if (!node->IsSequence()) {
    Error(*node, f.PathOf(key),
          absl::StrCat("expected ", AbslView(expected), ", got ",
                       AbslView(Describe(*node))));
    return std::nullopt;
  }
  if (node->size() > max) {
    Error(
        *node, f.PathOf(key),
        absl::StrCat("at most ", max, " entries allowed, got ", node->size()));
    return std::nullopt;
  }
  return node;
}

std::optional<size_t> PlanReader::OneOf(
    const Fields& f, std::string_view key,
    std::span<const std::string_view> names) {
  std::string expected = absl::StrCat("one of ", JoinNames(names));
  std::optional<Scalar> s = Text(f, key, Presence::kOptional, expected);
  if (!s) return std::nullopt;
  auto it = std::find(names.begin(), names.end(), s->text);
  if (it == names.end()) {
    Invalid(*s, expected);
    return std::nullopt;
  }
  return it - names.begin();
}

std::vector<PlanError> PlanReader::Finish() && {
  std::stable_sort(errors_.begin(), errors_.end(),
                   [](const PlanError& a, const PlanError& b) {
                     return std::pair(a.line, a.column) <
                            std::pair(b.line, b.column);
                   });
  return std::move(errors_);
}

}  // namespace swell::controller::plan_internal
