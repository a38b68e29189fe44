#pragma once

// Formatting shared by the gate evaluators: evidence JSON pieces and the
// short phrases of verdict summaries. Internal to controller/gate.

#include <string>
#include <string_view>
#include <vector>

#include "controller/plan/plan.h"

namespace swell::controller::gate_internal {

// ["a","b"]
std::string JsonList(const std::vector<std::string>& items);
// [1,2.5]
std::string JsonValues(const std::vector<double>& values);
// "web-1, web-2 and 3 more"
std::string FewHosts(const std::vector<std::string>& hosts);
// A number for people: up to 4 significant digits; "infinite" for inf.
std::string Num(double v);
// "fail", "hold" or "pass".
std::string_view MissingDataName(MissingData m);
// "<= 5"
std::string Threshold(Comparison op, double threshold);

}  // namespace swell::controller::gate_internal
