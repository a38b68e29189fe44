#include "controller/plan/plan_document.h"

#include <exception>
#include <optional>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/plan/absl_view.h"
#include "yaml-cpp/depthguard.h"
#include "yaml-cpp/eventhandler.h"
#include "yaml-cpp/yaml.h"

namespace swell::controller::plan_internal {
namespace {

PlanError Unlocated(std::string message) {
  PlanError error;
  error.message = std::move(message);
  return error;
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

std::vector<PlanError> Read(
    std::string_view yaml, std::string_view what,
    std::string_view empty_expected,
    absl::FunctionRef<void(PlanReader&, const YAML::Node&)> read) {
  std::string text(yaml);
  std::optional<YAML::Mark> second = SecondDocument(text);
  YAML::Node root = YAML::Load(text);
  PlanReader r;
  if (second) {
    r.ErrorAt(*second, "",
              absl::StrCat("a ", AbslView(what),
                           " is one YAML document; remove what follows the "
                           "first"));
  }
  const std::string empty = absl::StrCat(
      "the ", AbslView(what), " is empty; expected ", AbslView(empty_expected));
  if (root.IsNull()) {
    if (!second) return {Unlocated(empty)};
    r.ErrorAt(root.Mark(), "", empty);
  } else {
    read(r, root);
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

std::vector<PlanError> ReadOneDocument(
    std::string_view yaml, std::string_view what,
    std::string_view empty_expected,
    absl::FunctionRef<void(PlanReader&, const YAML::Node&)> read) {
  if (yaml.size() > kMaxPlanBytes) {
    return {Unlocated(absl::StrCat("the ", AbslView(what), " is ", yaml.size(),
                                   " bytes; at most ", kMaxPlanBytes,
                                   " bytes are allowed"))};
  }
  try {
    return Read(yaml, what, empty_expected, read);
  } catch (const YAML::DeepRecursion& e) {
    PlanError error = YamlSyntaxError(e);
    error.message = "invalid YAML: nested too deeply";
    return {error};
  } catch (const YAML::Exception& e) {
    return {YamlSyntaxError(e)};
  } catch (const std::exception& e) {
    return {Unlocated(
        absl::StrCat("could not read the ", AbslView(what), ": ", e.what()))};
  }
}

}  // namespace swell::controller::plan_internal
