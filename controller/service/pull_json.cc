#include "controller/service/pull_json.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/value.h"
#include "nlohmann/json.hpp"

namespace swell::controller {
namespace {

using nlohmann::json;

constexpr size_t kMaxVariables = 1024;

bool IsUtf8(const std::string& s) {
  try {
    (void)json(s).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

// What a client needs, beside the value, to enact a variable of its kind.
void AddSpec(const swell::v1::VariableSpec& spec, json* out) {
  json& o = *out;
  switch (spec.kind()) {
    case swell::v1::VARIABLE_KIND_FILE:
      o["path"] = spec.file().path();
      o["mode"] = absl::StrFormat(
          "%04o", spec.file().mode() == 0 ? 0644 : spec.file().mode());
      if (!spec.file().owner().empty()) o["owner"] = spec.file().owner();
      if (!spec.file().group().empty()) o["group"] = spec.file().group();
      break;
    case swell::v1::VARIABLE_KIND_PACKAGE:
      o["package"] = spec.package().name();
      break;
    case swell::v1::VARIABLE_KIND_DOCKER:
      o["package"] = spec.docker().package().empty() ? std::string("docker-ce")
                                                     : spec.docker().package();
      break;
    case swell::v1::VARIABLE_KIND_COMMAND:
      o["apply"] = spec.command().apply();
      if (!spec.command().verify().empty())
        o["verify"] = spec.command().verify();
      break;
    default:
      break;
  }
}

absl::Status FieldError(const std::string& field, absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", expected));
}

absl::StatusOr<json> ParseObject(absl::string_view body) {
  json doc = json::parse(body.begin(), body.end(), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError("body: expected one JSON object");
  }
  if (!doc.is_object()) {
    return FieldError("body", "expected a JSON object");
  }
  return doc;
}

absl::StatusOr<PullReport::Variable> ParseVariable(const std::string& name,
                                                   const json& v) {
  const std::string field = absl::StrCat("variables.", name);
  if (!v.is_object()) return FieldError(field, "expected an object");
  PullReport::Variable out;
  out.name = name;
  const bool has_text = v.contains("value");
  const bool has_base64 = v.contains("value_base64");
  if (has_text == has_base64) {
    return FieldError(field,
                      "expected exactly one of value and value_base64 (null "
                      "when the thing is absent)");
  }
  const json& value = has_text ? v["value"] : v["value_base64"];
  if (value.is_string()) {
    out.value.set_present(true);
    std::string data = value.get<std::string>();
    if (has_base64) {
      // Into another string: Base64Unescape resizes its output before it
      // reads its input, so decoding a string into itself always fails.
      std::string decoded;
      if (!absl::Base64Unescape(data, &decoded)) {
        return FieldError(field + ".value_base64", "expected base64");
      }
      data = std::move(decoded);
    }
    out.value.set_data(std::move(data));
  } else if (!value.is_null()) {
    return FieldError(
        absl::StrCat(field, has_text ? ".value" : ".value_base64"),
        "expected a string, or null when absent");
  }
  if (v.contains("error")) {
    if (!v["error"].is_string()) {
      return FieldError(field + ".error", "expected a string");
    }
    out.error = v["error"].get<std::string>();
  }
  for (const auto& [key, unused] : v.items()) {
    if (key != "value" && key != "value_base64" && key != "error") {
      return FieldError(absl::StrCat(field, ".", key),
                        "unknown field (expected value, value_base64 or "
                        "error)");
    }
  }
  return out;
}

}  // namespace

std::string DesiredStateJson(const swell::v1::DesiredState& state) {
  json vars = json::object();
  for (const swell::v1::DesiredVariable& v : state.variables()) {
    json o = {{"kind", std::string(common::KindName(v.spec().kind()))},
              {"enforce", v.enforce()}};
    if (v.enforce()) {
      o["present"] = v.value().present();
      if (v.value().present()) {
        if (IsUtf8(v.value().data())) {
          o["value"] = v.value().data();
        } else {
          o["value_base64"] = absl::Base64Escape(v.value().data());
        }
      } else {
        o["value"] = nullptr;
      }
    }
    AddSpec(v.spec(), &o);
    vars[v.spec().name()] = std::move(o);
  }
  json doc = {{"host", state.host_id()},
              {"generation", state.generation()},
              {"variables", std::move(vars)}};
  return doc.dump(2) + "\n";
}

absl::StatusOr<PullReport> ParsePullReport(absl::string_view body) {
  absl::StatusOr<json> doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  PullReport out;
  for (const auto& [key, v] : doc->items()) {
    if (key == "generation") {
      if (!v.is_number_integer() || v.get<int64_t>() < 0) {
        return FieldError(key, "expected the generation enacted, 0 or more");
      }
      out.generation = v.get<int64_t>();
    } else if (key == "labels") {
      if (!v.is_object()) return FieldError(key, "expected an object");
      out.labels.emplace();
      for (const auto& [name, value] : v.items()) {
        if (!value.is_string()) {
          return FieldError(absl::StrCat("labels.", name), "expected a string");
        }
        (*out.labels)[name] = value.get<std::string>();
      }
    } else if (key == "variables") {
      if (!v.is_object()) return FieldError(key, "expected an object");
      if (v.size() > kMaxVariables) {
        return FieldError(key, absl::StrCat("at most ", kMaxVariables));
      }
      for (const auto& [name, value] : v.items()) {
        absl::StatusOr<PullReport::Variable> var = ParseVariable(name, value);
        if (!var.ok()) return var.status();
        out.variables.push_back(*std::move(var));
      }
    } else {
      return FieldError(key,
                        "unknown field (expected generation, labels or "
                        "variables)");
    }
  }
  return out;
}

absl::StatusOr<swell::v1::HealthReport> ParsePullHealth(absl::string_view body,
                                                        int64_t unix_ms) {
  absl::StatusOr<json> doc = ParseObject(body);
  if (!doc.ok()) return doc.status();
  if (doc->size() != 1 || !doc->contains("samples") ||
      !(*doc)["samples"].is_object()) {
    return FieldError("samples",
                      "expected {\"samples\": {NAME: number, or {\"error\": "
                      "\"why\"}}} and nothing else");
  }
  swell::v1::HealthReport out;
  for (const auto& [name, v] : (*doc)["samples"].items()) {
    swell::v1::Sample* s = out.add_samples();
    s->set_name(name);
    s->set_unix_ms(unix_ms);
    if (v.is_number() && std::isfinite(v.get<double>())) {
      s->set_value(v.get<double>());
      s->set_ok(true);
    } else if (v.is_object() && v.size() == 1 && v.contains("error") &&
               v["error"].is_string()) {
      s->set_error(v["error"].get<std::string>());
    } else {
      return FieldError(absl::StrCat("samples.", name),
                        "expected a finite number, or {\"error\": \"why the "
                        "check failed\"}");
    }
  }
  return out;
}

std::string ErrorJson(absl::string_view message) {
  json doc = {{"error", std::string(message)}};
  return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace swell::controller
