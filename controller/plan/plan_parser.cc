// ParsePlan: the boundary where yaml-cpp's exceptions become PlanErrors, and
// the reader of the plan's top level.

#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "controller/plan/plan.h"
#include "controller/plan/plan_reader.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace swell::controller {
namespace {

using plan_internal::Fields;
using plan_internal::PlanReader;
using enum plan_internal::Presence;

constexpr std::string_view kPlanFields[] = {
    "name",     "description", "change",     "target",
    "strategy", "gates",       "on_failure", "on_inconclusive"};
constexpr std::string_view kActions[] = {"rollback", "pause"};

PlanError Unlocated(std::string message) {
  PlanError error;
  error.message = std::move(message);
  return error;
}

void ReadPlan(PlanReader& r, const YAML::Node& root, Plan* plan) {
  std::optional<Fields> f = r.Map(root, "", kPlanFields);
  if (!f) return;
  if (auto s = r.ValidText(*f, "name", kRequired, plan_internal::kNameExpected,
                           plan_internal::IsValidName)) {
    plan->name = s->text;
  }
  if (auto s = r.ValidText(*f, "description", kOptional,
                           "text of at most 4096 bytes",
                           plan_internal::IsBoundedText)) {
    plan->description = s->text;
  }
  if (auto change = r.Value(*f, "change", kRequired,
                            "a map with variable, kind, path and content")) {
    plan_internal::ReadChange(r, *change, plan);
  }
  if (auto target = r.Value(*f, "target", kOptional, "a map with selector")) {
    plan_internal::ReadTarget(r, *target, plan);
  }
  if (auto strategy =
          r.Value(*f, "strategy", kRequired, "a map with waves and bake")) {
    plan_internal::ReadStrategy(r, *strategy, plan);
  }
  if (auto gates = r.List(*f, "gates", kOptional, "a list of gates",
                          plan_internal::kMaxGates)) {
    plan_internal::ReadGates(r, *gates, plan);
  }
  if (auto i = r.OneOf(*f, "on_failure", kActions)) {
    plan->on_failure = static_cast<FailureAction>(*i);
  }
  if (auto i = r.OneOf(*f, "on_inconclusive", kActions)) {
    plan->on_inconclusive = static_cast<FailureAction>(*i);
  }
}

// Records where documents start and ignores everything else.
class DocumentStarts final : public YAML::EventHandler {
 public:
  std::vector<YAML::Mark> marks;

  void OnDocumentStart(const YAML::Mark& mark) override {
    marks.push_back(mark);
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Where the second document starts, if there is one. Stops after two:
// yaml-cpp's LoadAll never ends on a stray ',' at the top level, because
// each call yields another empty document without consuming it.
std::optional<YAML::Mark> SecondDocument(const std::string& yaml) {
  std::istringstream in(yaml);
  YAML::Parser parser(in);
  DocumentStarts starts;
  for (int i = 0; i < 2 && parser.HandleNextDocument(starts); ++i) {
  }
  if (starts.marks.size() < 2) return std::nullopt;
  return starts.marks[1];
}

std::vector<PlanError> ReadDocument(std::string_view yaml, Plan* plan) {
  std::string text(yaml);
  std::optional<YAML::Mark> second = SecondDocument(text);
  YAML::Node root = YAML::Load(text);
  PlanReader r;
  if (second) {
    r.ErrorAt(*second, "",
              "a plan is one YAML document; remove what follows the first");
  }
  if (root.IsNull()) {
    if (!second) {
      return {
          Unlocated("the plan is empty; expected a map with name, "
                    "change and strategy")};
    }
    r.ErrorAt(root.Mark(), "",
              "the plan is empty; expected a map with name, change and "
              "strategy");
  } else {
    ReadPlan(r, root, plan);
  }
  return std::move(r).Finish();
}

PlanError YamlSyntaxError(const YAML::Exception& e) {
  PlanError error = Unlocated(absl::StrCat("invalid YAML: ", e.msg));
  if (!e.mark.is_null()) {
    error.line = e.mark.line + 1;
    error.column = e.mark.column + 1;
  }
  return error;
}

}  // namespace

PlanParseResult ParsePlan(std::string_view yaml) {
  PlanParseResult result;
  if (yaml.size() > kMaxPlanBytes) {
    result.errors.push_back(
        Unlocated(absl::StrCat("the plan is ", yaml.size(), " bytes; at most ",
                               kMaxPlanBytes, " bytes are allowed")));
    return result;
  }
  try {
    result.errors = ReadDocument(yaml, &result.plan);
  } catch (const YAML::DeepRecursion& e) {
    PlanError error = YamlSyntaxError(e);
    error.message = "invalid YAML: nested too deeply";
    result.errors = {error};
  } catch (const YAML::Exception& e) {
    result.errors = {YamlSyntaxError(e)};
  } catch (const std::exception& e) {
    result.errors = {
        Unlocated(absl::StrCat("could not read the plan: ", e.what()))};
  }
  if (!result.ok()) result.plan = Plan();
  return result;
}

}  // namespace swell::controller
