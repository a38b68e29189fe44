#include "controller/gate/promql.h"

#include <cmath>
#include <limits>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace swell::controller {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

// `host` as an RE2 literal, then as the content of a PromQL "string".
std::string HostPattern(const std::string& host) {
  std::string out;
  for (char c : host) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
        c == '_') {
      out.push_back(c);
    } else {
      out += "\\\\";  // regex backslash, itself escaped for the string
      out.push_back(c);
    }
  }
  return out;
}

// Prometheus's answers nest five levels deep. protobuf's JSON reader takes
// time quadratic in how deep arrays nest (a 4 MiB answer of '[' would keep
// the poller busy for days), so a deeper answer is refused before it is
// parsed.
constexpr int kMaxJsonDepth = 32;

// Whether the arrays and objects of `json` nest at most `max` deep, the
// brackets inside strings aside. Linear; reads malformed JSON too.
bool NestsAtMost(std::string_view json, int max) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

const Value* Field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

std::string Text(const Value* v) {
  return v != nullptr && v->kind_case() == Value::kStringValue
             ? v->string_value()
             : "";
}

// Prometheus writes sample values as strings: "0.5", "NaN", "+Inf".
std::optional<double> SampleValue(const Value& pair) {
  if (pair.kind_case() != Value::kListValue ||
      pair.list_value().values_size() != 2) {
    return std::nullopt;
  }
  const std::string text = Text(&pair.list_value().values(1));
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  double v;
  if (!absl::SimpleAtod(text, &v)) return std::nullopt;
  return v;
}

std::string LabelText(const Struct& metric) {
  std::map<std::string, std::string> labels;  // sorted, like Prometheus
  std::string name;
  for (const auto& [k, v] : metric.fields()) {
    if (k == "__name__") {
      name = v.string_value();
    } else {
      labels[k] = v.string_value();
    }
  }
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) {
    parts.push_back(absl::StrCat(k, "=\"", v, "\""));
  }
  return absl::StrCat(name, "{", absl::StrJoin(parts, ","), "}");
}

void ReadVector(const ListValue& result, PromqlReading* reading) {
  for (const Value& item : result.values()) {
    if (item.kind_case() != Value::kStructValue) {
      reading->error = "a vector item is not an object";
      return;
    }
    const Value* metric = Field(item.struct_value(), "metric");
    const Value* value = Field(item.struct_value(), "value");
    std::optional<double> v =
        value != nullptr ? SampleValue(*value) : std::nullopt;
    if (!v) {
      reading->error = "a vector item has no [time, \"value\"] pair";
      return;
    }
    reading->series.push_back(PromqlSeries{
        metric != nullptr && metric->kind_case() == Value::kStructValue
            ? LabelText(metric->struct_value())
            : "{}",
        *v});
  }
}

}  // namespace

std::string PromqlKey(const std::string& rollout_id, const std::string& gate) {
  return absl::StrCat(rollout_id, "/", gate);
}

std::string ExpandPromqlQuery(const std::string& query,
                              const std::string& rollout_id,
                              const std::vector<std::string>& hosts) {
  std::string alternation;
  for (const std::string& h : hosts) {
    if (!alternation.empty()) alternation.push_back('|');
    alternation += HostPattern(h);
  }
  // A character class no character is in: matches no label value, not
  // even an empty or missing one.
  if (alternation.empty()) alternation = "[^\\\\s\\\\S]";
  return absl::StrReplaceAll(
      query, {{"{{hosts}}", alternation}, {"{{rollout}}", rollout_id}});
}

void ReadPromqlResponse(int http_status, const std::string& body,
                        PromqlReading* reading) {
  reading->series.clear();
  reading->error.clear();
  if (!NestsAtMost(body, kMaxJsonDepth)) {
    reading->error =
        absl::StrCat("HTTP ", http_status,
                     ", not a Prometheus API answer: arrays and objects "
                     "nested more than ",
                     kMaxJsonDepth, " deep");
    return;
  }
  Value root;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const bool parsed =
      google::protobuf::util::JsonStringToMessage(body, &root, options).ok() &&
      root.kind_case() == Value::kStructValue;
  if (!parsed) {
    reading->error =
        absl::StrCat("HTTP ", http_status,
                     ", not a Prometheus API answer: ", body.substr(0, 200));
    return;
  }
  const Struct& top = root.struct_value();
  if (Text(Field(top, "status")) != "success") {
    reading->error = absl::StrCat("HTTP ", http_status, ", Prometheus says ",
                                  Text(Field(top, "errorType")), ": ",
                                  Text(Field(top, "error")));
    return;
  }
  const Value* data = Field(top, "data");
  if (data == nullptr || data->kind_case() != Value::kStructValue) {
    reading->error = "the answer has no data";
    return;
  }
  const std::string type = Text(Field(data->struct_value(), "resultType"));
  const Value* result = Field(data->struct_value(), "result");
  if (type == "scalar" && result != nullptr) {
    std::optional<double> v = SampleValue(*result);
    if (!v) {
      reading->error = "the scalar result has no [time, \"value\"] pair";
      return;
    }
    reading->series.push_back(PromqlSeries{"{}", *v});
    return;
  }
  if (type == "vector" && result != nullptr &&
      result->kind_case() == Value::kListValue) {
    ReadVector(result->list_value(), reading);
    if (!reading->error.empty()) reading->series.clear();
    return;
  }
  reading->error = absl::StrCat(
      "the result is a ", type.empty() ? "missing type" : type,
      "; a gate needs an instant vector or a scalar (no range selector "
      "outside a function)");
}

PromqlReadings::PromqlReadings(const PromqlReadings& other) {
  std::lock_guard<std::mutex> lock(other.mu_);
  readings_ = other.readings_;
}

PromqlReadings& PromqlReadings::operator=(const PromqlReadings& other) {
  if (this == &other) return *this;
  std::map<std::string, PromqlReading> copy;
  {
    std::lock_guard<std::mutex> lock(other.mu_);
    copy = other.readings_;
  }
  std::lock_guard<std::mutex> lock(mu_);
  readings_ = std::move(copy);
  return *this;
}

void PromqlReadings::Put(const std::string& key, PromqlReading reading) {
  std::lock_guard<std::mutex> lock(mu_);
  readings_[key] = std::move(reading);
}

std::optional<PromqlReading> PromqlReadings::Latest(
    const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = readings_.find(key);
  if (it == readings_.end()) return std::nullopt;
  return it->second;
}

void PromqlReadings::Retain(const std::set<std::string>& keys) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(readings_,
                [&](const auto& kv) { return !keys.contains(kv.first); });
}

}  // namespace swell::controller
