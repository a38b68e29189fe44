#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "controller/plan/absl_view.h"
#include "controller/plan/gate_check.h"
#include "controller/plan/plan_sections.h"
#include "controller/plan/plan_values.h"

namespace swell::controller::plan_internal {
namespace {

using enum Presence;

constexpr std::string_view kStrategyFields[] = {"waves", "bake",
                                                "progress_deadline"};
constexpr std::string_view kGateFields[] = {"name", "check", "missing_data",
                                            "consecutive_breaches", "dry_run"};
constexpr std::string_view kMissingData[] = {"fail", "hold", "pass"};
constexpr std::string_view kWaveExpected =
    "a positive count like 5 or a percentage like 25%";

void ReadWaves(PlanReader& r, const YAML::Node& list, const std::string& path,
               Plan* plan) {
  if (list.size() == 0) {
    r.Error(list, path, "expected at least one wave, like [1, 25%, 100%]");
    return;
  }
  std::optional<Scalar> last, last_percent, last_count;
  bool last_ok = false;
  for (size_t i = 0; i < list.size(); ++i) {
    last = r.AsText(list[i], absl::StrCat(path, "[", i, "]"), kWaveExpected);
    last_ok = false;
    if (!last) continue;
    std::optional<WaveSize> wave = ParseWaveSize(last->text);
    if (!wave) {
      r.Invalid(*last, kWaveExpected);
      continue;
    }
    std::optional<Scalar>& previous = wave->percent ? last_percent : last_count;
    if (previous && ParseWaveSize(previous->text)->value > wave->value) {
      r.Error(last->node, last->field,
              absl::StrCat(wave->percent ? "percentages" : "counts",
                           " must not decrease: ", Quote(last->text),
                           " follows ", Quote(previous->text)));
    }
    previous = last;
    last_ok = true;
    plan->waves.push_back(*wave);
  }
  if (last_ok &&
      !(plan->waves.back().percent && plan->waves.back().value == 100)) {
    r.Error(last->node, last->field,
            absl::StrCat("the last wave must be 100% so every target is "
                         "reached, got ",
                         Quote(last->text)));
  }
}

std::optional<GateSpec> ReadGate(PlanReader& r, const YAML::Node& node,
                                 std::string path) {
  std::optional<Fields> f = r.Map(node, std::move(path), kGateFields);
  if (!f) return std::nullopt;
  GateSpec gate;
  if (auto s = r.ValidText(*f, "name", kRequired, kNameExpected, IsValidName)) {
    gate.name = s->text;
  }
  if (auto s = r.Text(*f, "check", kRequired,
                      "a check like 'min(app_healthy) >= 1' or "
                      "'failed_hosts <= 0'")) {
    if (absl::Status status = ParseGateCheck(s->text, &gate); !status.ok()) {
      r.Error(s->node, s->field, std::string(status.message()));
    }
  }
  if (auto i = r.OneOf(*f, "missing_data", kMissingData)) {
    gate.missing_data = static_cast<MissingData>(*i);
  }
  gate.consecutive_breaches =
      r.Parsed(*f, "consecutive_breaches", kOptional,
               "a whole number from 1 to 1000",
               [](std::string_view s) {
                 return ParseIntInRange(s, 1, kMaxConsecutiveBreaches);
               })
          .value_or(1);
  gate.dry_run = r.Parsed(*f, "dry_run", kOptional, "true or false", ParseBool)
                     .value_or(false);
  return gate;
}

}  // namespace

void ReadStrategy(PlanReader& r, const YAML::Node& node, Plan* plan) {
  std::optional<Fields> f = r.Map(node, "strategy", kStrategyFields);
  if (!f) return;
  if (auto waves =
          r.List(*f, "waves", kRequired,
                 "a list of wave sizes like [1, 25%, 100%]", kMaxWaves)) {
    ReadWaves(r, *waves, f->PathOf("waves"), plan);
  }
  if (auto bake = r.Parsed(
          *f, "bake", kOptional, "a duration like 30s, 5m or 1h30m, 0s or more",
          [](std::string_view s) {
            std::optional<absl::Duration> d = ParseFiniteDuration(s);
            return d && *d >= absl::ZeroDuration() ? d : std::nullopt;
          })) {
    plan->bake = *bake;
  }
  if (auto deadline = r.Parsed(
          *f, "progress_deadline", kOptional,
          "a positive duration like 10m or 1h", [](std::string_view s) {
            std::optional<absl::Duration> d = ParseFiniteDuration(s);
            return d && *d > absl::ZeroDuration() ? d : std::nullopt;
          })) {
    plan->progress_deadline = *deadline;
  }
}

void ReadGates(PlanReader& r, const YAML::Node& list, Plan* plan) {
  std::map<std::string, int> first_line;  // gate name -> its line
  for (size_t i = 0; i < list.size(); ++i) {
    std::optional<GateSpec> gate =
        ReadGate(r, list[i], absl::StrCat("gates[", i, "]"));
    if (!gate) continue;
    if (!gate->name.empty()) {
      YAML::Node name = list[i]["name"];
      auto [it, inserted] =
          first_line.emplace(gate->name, name.Mark().line + 1);
      if (!inserted) {
        r.Error(name, absl::StrCat("gates[", i, "].name"),
                absl::StrCat("duplicate gate name ", Quote(gate->name),
                             " (first on line ", it->second,
                             "); gate names must be unique"));
      }
    }
    plan->gates.push_back(std::move(*gate));
  }
}

}  // namespace swell::controller::plan_internal
