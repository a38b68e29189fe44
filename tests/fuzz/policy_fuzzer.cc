// Policies: a policy as a rollout keeps it (ParseStoredPolicy), as the
// controller and swellctl load its file (ParsePolicy, which must agree),
// and a plan that names it, so that merging a policy into a plan sees
// every policy the parser accepts.

#include <string>

#include "controller/plan/plan.h"
#include "controller/plan/plan_describe.h"
#include "controller/plan/policy.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

// A plan that names the policy (after "policy: ") and sets only what a
// policy cannot.
constexpr char kPlanHead[] = "name: fuzz\npolicy: ";
constexpr char kPlanTail[] = R"(
change:
  variable: app-config
  kind: file
  path: /etc/app/app.conf
  content: "workers = 8\n"
target:
  selector: {}
)";

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > swell::controller::kMaxPlanBytes) return -1;
  const std::string_view yaml = swell::fuzz::AsText(data, size);
  swell::controller::PolicyParseResult stored =
      swell::controller::ParseStoredPolicy(yaml);
  if (!stored.ok()) return 0;
  const std::string name = stored.policy.name;
  // Its file, named after it, reads the same.
  swell::controller::PolicyParseResult file =
      swell::controller::ParsePolicy(yaml, name);
  if (!file.ok()) __builtin_trap();
  swell::controller::PolicySet policies;
  if (!policies.Add(std::move(file.policy)).ok()) __builtin_trap();
  swell::controller::PlanParseResult plan = swell::controller::ParsePlan(
      std::string(kPlanHead) + name + kPlanTail, policies);
  if (plan.ok()) (void)swell::controller::DescribeWaveShape(plan.plan);
  return 0;
}
