#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "controller/plan/plan.h"

namespace swell::controller {

// The errors of parsing `yaml`, each as "p:<line>:<col>: <field>: <msg>".
inline std::vector<std::string> ErrorsOf(std::string_view yaml) {
  std::vector<std::string> out;
  for (const PlanError& e : ParsePlan(yaml).errors) {
    out.push_back(e.ToString("p"));
  }
  return out;
}

// A plan's name and change, without strategy: tests append a strategy (or
// a policy) and the rest. Lines 1 to 6.
inline constexpr char kPlanHead[] =
    "name: p1\n"
    "change:\n"
    "  variable: v1\n"
    "  kind: file\n"
    "  path: /etc/x.conf\n"
    "  content: x\n";

// A valid plan with every required field and nothing else. Tests append to
// it or replace its lines.
inline constexpr char kMinimalPlan[] =
    "name: p1\n"
    "change:\n"
    "  variable: v1\n"
    "  kind: file\n"
    "  path: /etc/x.conf\n"
    "  content: x\n"
    "strategy:\n"
    "  waves: [100%]\n";

}  // namespace swell::controller
