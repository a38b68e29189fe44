// The pull API's request bodies (pull_json.h), as any client may send them:
// the same bytes as a PUT .../actual report and as a POST .../health body,
// and as the text of an error answer.
//
// Beyond not crashing, each accepted report survives the trip a client
// makes: its values, written into a desired state by DesiredStateJson (as
// text or base64) and echoed back, parse to the very same bytes; so do
// they when sent back all as base64.

#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/escaping.h"
#include "controller/service/pull_json.h"
#include "nlohmann/json.hpp"
#include "tests/fuzz/fuzz_input.h"

namespace {

using nlohmann::json;

// The pull API's server reads bodies of at most a few MiB; larger inputs
// only slow the fuzzer.
constexpr size_t kMaxInputBytes = 1 << 20;
constexpr size_t kMaxVariables = 1024;
constexpr int64_t kUnixMs = 1'800'000'000'000;

// `body` parses to the very variables of `report`, value for value.
void ExpectSameValues(const swell::controller::PullReport& report,
                      const json& body) {
  absl::StatusOr<swell::controller::PullReport> again =
      swell::controller::ParsePullReport(body.dump());
  if (!again.ok()) __builtin_trap();
  if (again->variables.size() != report.variables.size()) __builtin_trap();
  for (size_t i = 0; i < report.variables.size(); ++i) {
    const swell::controller::PullReport::Variable& a = report.variables[i];
    const swell::controller::PullReport::Variable& b = again->variables[i];
    if (a.name != b.name) __builtin_trap();
    if (a.value.present() != b.value.present()) __builtin_trap();
    if (a.value.data() != b.value.data()) __builtin_trap();
  }
}

void CheckReport(absl::string_view body) {
  absl::StatusOr<swell::controller::PullReport> report =
      swell::controller::ParsePullReport(body);
  if (!report.ok()) {
    // Whatever is wrong with a body, the client sent it.
    if (report.status().code() != absl::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    return;
  }
  if (report->generation < 0) __builtin_trap();
  if (report->variables.size() > kMaxVariables) __builtin_trap();

  // Every reported value as the enforced value of a desired state.
  swell::v1::DesiredState state;
  state.set_host_id("h");
  state.set_generation(report->generation);
  for (const swell::controller::PullReport::Variable& v : report->variables) {
    if (!v.value.present() && !v.value.data().empty()) __builtin_trap();
    swell::v1::DesiredVariable* d = state.add_variables();
    d->mutable_spec()->set_name(v.name);
    d->mutable_spec()->set_kind(swell::v1::VARIABLE_KIND_FILE);
    d->set_enforce(true);
    *d->mutable_value() = v.value;
  }
  json desired = json::parse(swell::controller::DesiredStateJson(state),
                             nullptr, /*allow_exceptions=*/false);
  if (desired.is_discarded() || !desired.is_object()) __builtin_trap();

  // What a client that enacted it reports back.
  json vars = json::object();
  for (const auto& [name, v] : desired["variables"].items()) {
    json echoed = json::object();
    if (v.contains("value_base64")) {
      echoed["value_base64"] = v["value_base64"];
    } else {
      echoed["value"] = v["value"];
    }
    vars[name] = std::move(echoed);
  }
  ExpectSameValues(
      *report, json({{"generation", report->generation}, {"variables", vars}}));

  // And a client that sends every value as base64, which it may.
  json base64 = json::object();
  for (const swell::controller::PullReport::Variable& v : report->variables) {
    base64[v.name] = {
        {"value_base64", v.value.present()
                             ? json(absl::Base64Escape(v.value.data()))
                             : json(nullptr)}};
  }
  ExpectSameValues(*report, json({{"variables", base64}}));
}

void CheckHealth(absl::string_view body) {
  absl::StatusOr<swell::v1::HealthReport> report =
      swell::controller::ParsePullHealth(body, kUnixMs);
  if (!report.ok()) {
    if (report.status().code() != absl::StatusCode::kInvalidArgument) {
      __builtin_trap();
    }
    return;
  }
  for (const swell::v1::Sample& s : report->samples()) {
    if (s.unix_ms() != kUnixMs) __builtin_trap();
    // An ok sample has a finite value; a failed one only its error.
    if (s.ok() && !std::isfinite(s.value())) __builtin_trap();
    if (!s.ok() && s.value() != 0) __builtin_trap();
  }
}

void CheckError(absl::string_view message) {
  // Any bytes, invalid UTF-8 included, make one JSON object.
  json doc = json::parse(swell::controller::ErrorJson(message), nullptr,
                         /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || doc.size() != 1 ||
      !doc["error"].is_string()) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInputBytes) return -1;
  const absl::string_view body = swell::fuzz::AsAbslText(data, size);
  CheckReport(body);
  CheckHealth(body);
  CheckError(body);
  return 0;
}
