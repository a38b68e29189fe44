#pragma once

// Typed reads of a loaded YAML document that record a located PlanError for
// everything that does not fit, so that one pass reports every problem.
// Internal to the plan parser. Reading a loaded document never throws.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/functional/function_ref.h"
#include "controller/plan/plan.h"
#include "yaml-cpp/yaml.h"

namespace swell::controller::plan_internal {

enum class Presence { kOptional, kRequired };

// A scalar value and where it came from.
struct Scalar {
  std::string field;  // dotted path, e.g. "strategy.bake"
  YAML::Node node;
  std::string text;
};

// A YAML map whose keys are unique scalars, in source order.
class Fields {
 public:
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };

  Fields(YAML::Node node, std::string path)
      : node_(std::move(node)), path_(std::move(path)) {}

  const YAML::Node& node() const { return node_; }
  const std::vector<Entry>& entries() const { return entries_; }
  // The entry for `key`, or nullptr when the map has none.
  const Entry* Find(std::string_view key) const;
  // The dotted path of `key` in this map: "change" + "path" = "change.path".
  std::string PathOf(std::string_view key) const;

 private:
  friend class PlanReader;
  YAML::Node node_;
  std::string path_;
  std::vector<Entry> entries_;
};

class PlanReader {
 public:
  // Records an error located at the start of `at`.
  void Error(const YAML::Node& at, std::string field, std::string message);
  void ErrorAt(const YAML::Mark& at, std::string field, std::string message);
  // Records "expected <expected>, got '<text>'" at the scalar.
  void Invalid(const Scalar& s, std::string_view expected);

  // Reads `node`, found at `path`, as a map. Reports a node that is not a
  // map, keys that are not scalars, duplicate keys and, unless `allowed` is
  // empty, keys outside `allowed` (naming the allowed ones). Returns nullopt
  // only when `node` is not a map.
  std::optional<Fields> Map(const YAML::Node& node, std::string path,
                            std::span<const std::string_view> allowed);

  // The value of `key` when present and not null. A missing required key is
  // reported at the map, a null one at its key.
  std::optional<YAML::Node> Value(const Fields& f, std::string_view key,
                                  Presence p, std::string_view expected);
  // Value(), which must be a scalar.
  std::optional<Scalar> Text(const Fields& f, std::string_view key, Presence p,
                             std::string_view expected);
  // `node` at `field`, which must be a scalar.
  std::optional<Scalar> AsText(const YAML::Node& node, std::string field,
                               std::string_view expected);
  // Value(), which must be a list of at most `max` entries.
  std::optional<YAML::Node> List(const Fields& f, std::string_view key,
                                 Presence p, std::string_view expected,
                                 size_t max);
  // Text(), whose text must also satisfy `valid`.
  std::optional<Scalar> ValidText(
      const Fields& f, std::string_view key, Presence p,
      std::string_view expected,
      absl::FunctionRef<bool(std::string_view)> valid);
  // Text(), converted by `parse`, which returns an empty optional for text
  // that does not fit `expected`.
  template <typename Parse>
  auto Parsed(const Fields& f, std::string_view key, Presence p,
              std::string_view expected, Parse parse)
      -> decltype(parse(std::string_view())) {
    std::optional<Scalar> s = Text(f, key, p, expected);
    if (!s) return std::nullopt;
    auto value = parse(std::string_view(s->text));
    if (!value) Invalid(*s, expected);
    return value;
  }
  // Text(), which must be one of `names`. Returns the index of the name.
  std::optional<size_t> OneOf(const Fields& f, std::string_view key,
                              std::span<const std::string_view> names);

  // Every error recorded, in source order.
  std::vector<PlanError> Finish() &&;

 private:
  std::vector<PlanError> errors_;
};

// How a value is shown back in an error: quoted, escaped, and shortened.
std::string Quote(std::string_view text);

}  // namespace swell::controller::plan_internal
