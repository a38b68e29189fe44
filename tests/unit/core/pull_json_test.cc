// The pull API's JSON (pull_json.h): the desired state a pull client reads,
// and the reports and health samples it sends, with the message naming the
// field for each body refused.

#include "controller/service/pull_json.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace swell::controller {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Pair;

swell::v1::DesiredVariable* AddVariable(swell::v1::DesiredState* state,
                                        const std::string& name,
                                        swell::v1::VariableKind kind) {
  swell::v1::DesiredVariable* v = state->add_variables();
  v->mutable_spec()->set_name(name);
  v->mutable_spec()->set_kind(kind);
  return v;
}

void Enforce(swell::v1::DesiredVariable* v, std::string data) {
  v->set_enforce(true);
  v->mutable_value()->set_present(true);
  v->mutable_value()->set_data(std::move(data));
}

// The document DesiredStateJson wrote, which must itself be valid JSON.
json Desired(const swell::v1::DesiredState& state) {
  const std::string text = DesiredStateJson(state);
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(doc.is_discarded()) << text;
  return doc;
}

std::string ReportError(const std::string& body) {
  absl::StatusOr<PullReport> r = ParsePullReport(body);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << body;
  return std::string(r.status().message());
}

std::string HealthError(const std::string& body) {
  absl::StatusOr<swell::v1::HealthReport> r = ParsePullHealth(body, 0);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << body;
  return std::string(r.status().message());
}

// --- DesiredStateJson ---

TEST(DesiredStateJsonTest, NamesTheHostAndGeneration) {
  swell::v1::DesiredState state;
  state.set_host_id("web-1");
  state.set_generation(42);
  json doc = Desired(state);
  EXPECT_EQ(doc["host"], "web-1");
  EXPECT_EQ(doc["generation"], 42);
  EXPECT_EQ(doc["variables"], json::object());
}

TEST(DesiredStateJsonTest, AFileCarriesItsPathOwnerGroupAndModeAsOctalText) {
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "motd", swell::v1::VARIABLE_KIND_FILE);
  v->mutable_spec()->mutable_file()->set_path("/etc/motd");
  v->mutable_spec()->mutable_file()->set_mode(0640);
  v->mutable_spec()->mutable_file()->set_owner("root");
  v->mutable_spec()->mutable_file()->set_group("adm");
  Enforce(v, "hello\n");
  swell::v1::DesiredVariable* dflt =
      AddVariable(&state, "issue", swell::v1::VARIABLE_KIND_FILE);
  dflt->mutable_spec()->mutable_file()->set_path("/etc/issue");
  Enforce(dflt, "");

  json doc = Desired(state);
  EXPECT_EQ(doc["variables"]["motd"], json({{"kind", "file"},
                                            {"enforce", true},
                                            {"present", true},
                                            {"value", "hello\n"},
                                            {"path", "/etc/motd"},
                                            {"mode", "0640"},
                                            {"owner", "root"},
                                            {"group", "adm"}}));
  // Mode 0 is 0644; no owner or group is no key.
  EXPECT_EQ(doc["variables"]["issue"], json({{"kind", "file"},
                                             {"enforce", true},
                                             {"present", true},
                                             {"value", ""},
                                             {"path", "/etc/issue"},
                                             {"mode", "0644"}}));
}

TEST(DesiredStateJsonTest, APackageCarriesItsName) {
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "nginx", swell::v1::VARIABLE_KIND_PACKAGE);
  v->mutable_spec()->mutable_package()->set_name("nginx-full");
  Enforce(v, "1.22.1-9");
  EXPECT_EQ(Desired(state)["variables"]["nginx"],
            json({{"kind", "package"},
                  {"enforce", true},
                  {"present", true},
                  {"value", "1.22.1-9"},
                  {"package", "nginx-full"}}));
}

TEST(DesiredStateJsonTest, DockerNamesItsEnginePackageDockerCeByDefault) {
  swell::v1::DesiredState state;
  Enforce(AddVariable(&state, "engine", swell::v1::VARIABLE_KIND_DOCKER),
          "5:24.0.7-1");
  swell::v1::DesiredVariable* io =
      AddVariable(&state, "engine-io", swell::v1::VARIABLE_KIND_DOCKER);
  io->mutable_spec()->mutable_docker()->set_package("docker.io");
  Enforce(io, "20.10.24");

  json doc = Desired(state);
  EXPECT_EQ(doc["variables"]["engine"], json({{"kind", "docker"},
                                              {"enforce", true},
                                              {"present", true},
                                              {"value", "5:24.0.7-1"},
                                              {"package", "docker-ce"}}));
  EXPECT_EQ(doc["variables"]["engine-io"]["package"], "docker.io");
}

TEST(DesiredStateJsonTest, ACommandCarriesApplyAndVerifyWhenThereIsOne) {
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "pool", swell::v1::VARIABLE_KIND_COMMAND);
  v->mutable_spec()->mutable_command()->set_apply("set-pool {}");
  v->mutable_spec()->mutable_command()->set_verify("check-pool {}");
  Enforce(v, "32");
  swell::v1::DesiredVariable* bare =
      AddVariable(&state, "flag", swell::v1::VARIABLE_KIND_COMMAND);
  bare->mutable_spec()->mutable_command()->set_apply("set-flag");
  Enforce(bare, "on");

  json doc = Desired(state);
  EXPECT_EQ(doc["variables"]["pool"], json({{"kind", "command"},
                                            {"enforce", true},
                                            {"present", true},
                                            {"value", "32"},
                                            {"apply", "set-pool {}"},
                                            {"verify", "check-pool {}"}}));
  EXPECT_FALSE(doc["variables"]["flag"].contains("verify"));
  EXPECT_EQ(doc["variables"]["flag"]["apply"], "set-flag");
}

TEST(DesiredStateJsonTest, AnObserveOnlyVariableHasNoValue) {
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "nginx", swell::v1::VARIABLE_KIND_PACKAGE);
  v->mutable_spec()->mutable_package()->set_name("nginx");
  // A value set on an observe-only entry is not the client's business.
  v->mutable_value()->set_present(true);
  v->mutable_value()->set_data("1.0");
  EXPECT_EQ(
      Desired(state)["variables"]["nginx"],
      json({{"kind", "package"}, {"enforce", false}, {"package", "nginx"}}));
}

TEST(DesiredStateJsonTest, AnAbsentValueIsNull) {
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "nginx", swell::v1::VARIABLE_KIND_PACKAGE);
  v->mutable_spec()->mutable_package()->set_name("nginx");
  v->set_enforce(true);
  v->mutable_value()->set_present(false);
  json var = Desired(state)["variables"]["nginx"];
  EXPECT_EQ(var["present"], false);
  ASSERT_TRUE(var.contains("value"));
  EXPECT_TRUE(var["value"].is_null());
  EXPECT_FALSE(var.contains("value_base64"));
}

TEST(DesiredStateJsonTest, ContentThatIsNotUtf8IsGivenAsBase64) {
  const std::string binary("\xff\xfe\x00\x01", 4);
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "blob", swell::v1::VARIABLE_KIND_FILE);
  v->mutable_spec()->mutable_file()->set_path("/etc/blob");
  Enforce(v, binary);
  // UTF-8 beyond ASCII stays text.
  swell::v1::DesiredVariable* text =
      AddVariable(&state, "greeting", swell::v1::VARIABLE_KIND_FILE);
  text->mutable_spec()->mutable_file()->set_path("/etc/greeting");
  Enforce(text, "gr\xc3\xbc\xc3\x9f dich");

  json doc = Desired(state);
  json blob = doc["variables"]["blob"];
  EXPECT_FALSE(blob.contains("value"));
  ASSERT_TRUE(blob.contains("value_base64"));
  std::string decoded;
  ASSERT_TRUE(
      absl::Base64Unescape(blob["value_base64"].get<std::string>(), &decoded));
  EXPECT_EQ(decoded, binary);
  EXPECT_EQ(doc["variables"]["greeting"]["value"], "gr\xc3\xbc\xc3\x9f dich");
  EXPECT_FALSE(doc["variables"]["greeting"].contains("value_base64"));
}

// --- ParsePullReport ---

TEST(ParsePullReportTest, ReadsGenerationLabelsAndVariables) {
  absl::StatusOr<PullReport> r = ParsePullReport(R"({
    "generation": 7,
    "labels": {"site": "a", "role": "web"},
    "variables": {
      "motd": {"value": "hello\n"},
      "nginx": {"value": null},
      "blob": {"value_base64": "//4AAQ=="},
      "pool": {"value": "16", "error": "set-pool: exit 1"}
    }
  })");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->generation, 7);
  ASSERT_TRUE(r->labels.has_value());
  EXPECT_THAT(*r->labels, ElementsAre(Pair("role", "web"), Pair("site", "a")));
  ASSERT_EQ(r->variables.size(), 4u);
  std::map<std::string, PullReport::Variable> by_name;
  for (const PullReport::Variable& v : r->variables) by_name[v.name] = v;

  EXPECT_TRUE(by_name["motd"].value.present());
  EXPECT_EQ(by_name["motd"].value.data(), "hello\n");
  EXPECT_EQ(by_name["motd"].error, "");
  // null: the thing is absent.
  EXPECT_FALSE(by_name["nginx"].value.present());
  EXPECT_EQ(by_name["nginx"].value.data(), "");
  EXPECT_TRUE(by_name["blob"].value.present());
  EXPECT_EQ(by_name["blob"].value.data(), std::string("\xff\xfe\x00\x01", 4));
  EXPECT_EQ(by_name["pool"].value.data(), "16");
  EXPECT_EQ(by_name["pool"].error, "set-pool: exit 1");
}

TEST(ParsePullReportTest, AnEmptyObjectIsGenerationZeroAndKeepsTheLabels) {
  absl::StatusOr<PullReport> r = ParsePullReport("{}");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->generation, 0);
  EXPECT_FALSE(r->labels.has_value());
  EXPECT_TRUE(r->variables.empty());
  // An empty object, unlike no key, says the host has no labels.
  absl::StatusOr<PullReport> none = ParsePullReport(R"({"labels": {}})");
  ASSERT_TRUE(none.ok()) << none.status();
  ASSERT_TRUE(none->labels.has_value());
  EXPECT_TRUE(none->labels->empty());
}

TEST(ParsePullReportTest, ANullBase64ValueIsAbsentToo) {
  absl::StatusOr<PullReport> r =
      ParsePullReport(R"({"variables": {"blob": {"value_base64": null}}})");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_THAT(r->variables,
              ElementsAre(Field(&PullReport::Variable::name, "blob")));
  EXPECT_FALSE(r->variables[0].value.present());
}

TEST(ParsePullReportTest, RefusesABodyThatIsNotOneJsonObject) {
  EXPECT_EQ(ReportError("generation=1"), "body: expected one JSON object");
  EXPECT_EQ(ReportError(""), "body: expected one JSON object");
  EXPECT_EQ(ReportError(R"({"generation": 1} {})"),
            "body: expected one JSON object");
  EXPECT_EQ(ReportError(R"([{"generation": 1}])"),
            "body: expected a JSON object");
  EXPECT_EQ(ReportError("7"), "body: expected a JSON object");
}

TEST(ParsePullReportTest, RefusesAnUnknownTopLevelField) {
  EXPECT_EQ(ReportError(R"({"generation": 1, "host": "web-1"})"),
            "host: unknown field (expected generation, labels or variables)");
}

TEST(ParsePullReportTest, RefusesAGenerationThatIsNotANaturalNumber) {
  const std::string expected =
      "generation: expected the generation enacted, 0 or more";
  EXPECT_EQ(ReportError(R"({"generation": -1})"), expected);
  EXPECT_EQ(ReportError(R"({"generation": 1.5})"), expected);
  EXPECT_EQ(ReportError(R"({"generation": "3"})"), expected);
  EXPECT_EQ(ReportError(R"({"generation": null})"), expected);
  // Beyond int64: parsed as unsigned, it must not wrap into a generation.
  EXPECT_EQ(ReportError(R"({"generation": 18446744073709551615})"), expected);
}

TEST(ParsePullReportTest, RefusesLabelsThatAreNotStrings) {
  EXPECT_EQ(ReportError(R"({"labels": {"site": "a", "rack": 7}})"),
            "labels.rack: expected a string");
  EXPECT_EQ(ReportError(R"({"labels": ["site"]})"),
            "labels: expected an object");
}

TEST(ParsePullReportTest, RefusesAValueThatIsNotAStringOrNull) {
  EXPECT_EQ(ReportError(R"({"variables": {"motd": {"value": 5}}})"),
            "variables.motd.value: expected a string, or null when absent");
  EXPECT_EQ(ReportError(R"({"variables": {"motd": {"value_base64": true}}})"),
            "variables.motd.value_base64: expected a string, or null when "
            "absent");
  EXPECT_EQ(ReportError(R"({"variables": {"motd": "hello"}})"),
            "variables.motd: expected an object");
  EXPECT_EQ(ReportError(R"({"variables": []})"),
            "variables: expected an object");
}

TEST(ParsePullReportTest, RequiresExactlyOneOfValueAndValueBase64) {
  const std::string expected =
      "variables.motd: expected exactly one of value and value_base64 (null "
      "when the thing is absent)";
  EXPECT_EQ(
      ReportError(
          R"({"variables": {"motd": {"value": "a", "value_base64": "YQ=="}}})"),
      expected);
  EXPECT_EQ(ReportError(R"({"variables": {"motd": {}}})"), expected);
  EXPECT_EQ(ReportError(R"({"variables": {"motd": {"error": "no"}}})"),
            expected);
}

TEST(ParsePullReportTest, RefusesBase64ThatDoesNotDecode) {
  EXPECT_EQ(ReportError(R"({"variables": {"blob": {"value_base64": "!!!"}}})"),
            "variables.blob.value_base64: expected base64");
}

TEST(ParsePullReportTest, RefusesAnUnknownFieldOrABadErrorInAVariable) {
  EXPECT_EQ(
      ReportError(R"({"variables": {"motd": {"value": "a", "mode": "0644"}}})"),
      "variables.motd.mode: unknown field (expected value, value_base64 or "
      "error)");
  EXPECT_EQ(
      ReportError(R"({"variables": {"motd": {"value": "a", "error": 1}}})"),
      "variables.motd.error: expected a string");
}

TEST(ParsePullReportTest, AcceptsAtMost1024Variables) {
  auto body = [](int n) {
    json vars = json::object();
    for (int i = 0; i < n; ++i) {
      vars[absl::StrCat("v", i)] = {{"value", "x"}};
    }
    return json({{"variables", vars}}).dump();
  };
  absl::StatusOr<PullReport> full = ParsePullReport(body(1024));
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->variables.size(), 1024u);
  EXPECT_EQ(ReportError(body(1025)), "variables: at most 1024");
}

TEST(ParsePullReportTest, BinaryContentRoundTripsThroughTheDesiredState) {
  const std::string binary("\x00\xff\x80 tail", 7);
  swell::v1::DesiredState state;
  swell::v1::DesiredVariable* v =
      AddVariable(&state, "blob", swell::v1::VARIABLE_KIND_FILE);
  v->mutable_spec()->mutable_file()->set_path("/etc/blob");
  Enforce(v, binary);
  // What a client that enacted it echoes back.
  json report = {{"generation", 1},
                 {"variables",
                  {{"blob",
                    {{"value_base64",
                      Desired(state)["variables"]["blob"]["value_base64"]}}}}}};
  absl::StatusOr<PullReport> r = ParsePullReport(report.dump());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->variables.size(), 1u);
  EXPECT_TRUE(r->variables[0].value.present());
  EXPECT_EQ(r->variables[0].value.data(), binary);
}

// --- ParsePullHealth ---

TEST(ParsePullHealthTest, ReadsNumbersAndErrorsStampedWithTheTimeGiven) {
  absl::StatusOr<swell::v1::HealthReport> r = ParsePullHealth(
      R"({"samples": {"latency_ms": 12.5, "errors": 0,
                      "probe": {"error": "connection refused"}}})",
      1'800'000'000'123);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->samples_size(), 3);
  std::map<std::string, swell::v1::Sample> by_name;
  for (const swell::v1::Sample& s : r->samples()) {
    EXPECT_EQ(s.unix_ms(), 1'800'000'000'123) << s.name();
    by_name[s.name()] = s;
  }
  EXPECT_TRUE(by_name["latency_ms"].ok());
  EXPECT_EQ(by_name["latency_ms"].value(), 12.5);
  EXPECT_TRUE(by_name["errors"].ok());
  EXPECT_EQ(by_name["errors"].value(), 0);
  EXPECT_FALSE(by_name["probe"].ok());
  EXPECT_EQ(by_name["probe"].error(), "connection refused");
}

TEST(ParsePullHealthTest, NoSamplesIsAnEmptyReport) {
  absl::StatusOr<swell::v1::HealthReport> r =
      ParsePullHealth(R"({"samples": {}})", 1);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->samples_size(), 0);
}

TEST(ParsePullHealthTest, RefusesASampleThatIsNeitherANumberNorAnError) {
  const std::string expected =
      "samples.x: expected a finite number, or {\"error\": \"why the check "
      "failed\"}";
  EXPECT_EQ(HealthError(R"({"samples": {"x": "1"}})"), expected);
  EXPECT_EQ(HealthError(R"({"samples": {"x": true}})"), expected);
  EXPECT_EQ(HealthError(R"({"samples": {"x": null}})"), expected);
  EXPECT_EQ(HealthError(R"({"samples": {"x": {"error": 1}}})"), expected);
  EXPECT_EQ(HealthError(R"({"samples": {"x": {"error": "a", "at": 1}}})"),
            expected);
  EXPECT_EQ(HealthError(R"({"samples": {"x": {}}})"), expected);
}

TEST(ParsePullHealthTest, ANumberTooLargeToBeFiniteIsRefused) {
  // The JSON parser refuses the overflow before a sample is read, so no
  // infinity reaches the health window.
  EXPECT_EQ(HealthError(R"({"samples": {"x": 1e999}})"),
            "body: expected one JSON object");
  EXPECT_EQ(HealthError(R"({"samples": {"x": NaN}})"),
            "body: expected one JSON object");
}

TEST(ParsePullHealthTest, RefusesAnythingButOneSamplesObject) {
  const std::string expected =
      "samples: expected {\"samples\": {NAME: number, or {\"error\": "
      "\"why\"}}} and nothing else";
  EXPECT_EQ(HealthError(R"({"samples": {"x": 1}, "host": "web-1"})"), expected);
  EXPECT_EQ(HealthError("{}"), expected);
  EXPECT_EQ(HealthError(R"({"sample": {"x": 1}})"), expected);
  EXPECT_EQ(HealthError(R"({"samples": [1]})"), expected);
  EXPECT_EQ(HealthError(R"([{"samples": {}}])"),
            "body: expected a JSON object");
}

// --- ErrorJson ---

TEST(ErrorJsonTest, IsOneObjectAndLine) {
  EXPECT_EQ(ErrorJson("host web-1 is revoked: \"key\" leaked"),
            "{\"error\":\"host web-1 is revoked: \\\"key\\\" leaked\"}\n");
}

TEST(ErrorJsonTest, BytesThatAreNotUtf8AreReplacedNotThrown) {
  const std::string text = ErrorJson("bad \xff name");
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(doc.is_discarded()) << text;
  EXPECT_EQ(doc["error"], "bad \xef\xbf\xbd name");  // U+FFFD
}

}  // namespace
}  // namespace swell::controller
