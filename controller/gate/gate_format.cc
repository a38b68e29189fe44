#include "controller/gate/gate_format.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/json.h"

namespace swell::controller::gate_internal {

std::string JsonList(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const auto& i : items) quoted.push_back(common::JsonQuote(i));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

std::string JsonValues(const std::vector<double>& values) {
  std::vector<std::string> out;
  for (double v : values) out.push_back(common::JsonNumber(v));
  return absl::StrCat("[", absl::StrJoin(out, ","), "]");
}

std::string FewHosts(const std::vector<std::string>& hosts) {
  constexpr size_t kShown = 3;
  std::vector<std::string> shown(
      hosts.begin(), hosts.begin() + std::min(kShown, hosts.size()));
  std::string s = absl::StrJoin(shown, ", ");
  if (hosts.size() > kShown) {
    absl::StrAppend(&s, " and ", hosts.size() - kShown, " more");
  }
  return s;
}

std::string Num(double v) {
  if (std::isinf(v)) return v > 0 ? "infinite" : "-infinite";
  if (std::isnan(v)) return "undefined";
  return absl::StrFormat("%.4g", v);
}

std::string_view MissingDataName(MissingData m) {
  switch (m) {
    case MissingData::kFail:
      return "fail";
    case MissingData::kHold:
      return "hold";
    case MissingData::kPass:
      return "pass";
  }
  return "hold";
}

std::string Threshold(Comparison op, double threshold) {
  return absl::StrCat(std::string(ComparisonSymbol(op)), " ",
                      common::JsonNumber(threshold));
}

}  // namespace swell::controller::gate_internal
