// The plan parser and validator, entered as `swellctl plan check` enters
// them (cli::ValidatePlan), against the shipped policies; then what plan
// check and preview print about a valid plan.

#include <cstdio>
#include <cstdlib>

#include "cli/plan_source.h"
#include "controller/plan/plan_describe.h"
#include "controller/plan/policy.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using swell::controller::PolicySet;

const PolicySet& ShippedPolicies() {
  static const PolicySet* policies = [] {
    absl::StatusOr<PolicySet> loaded =
        swell::controller::LoadPolicies(SWELL_SOURCE_DIR "/policies");
    if (!loaded.ok()) {
      std::fprintf(stderr, "policies: %s\n",
                   std::string(loaded.status().message()).c_str());
      std::abort();
    }
    return new PolicySet(*std::move(loaded));
  }();
  return *policies;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  swell::fuzz::SilenceLogs();
  ShippedPolicies();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // swellctl reads at most this much (cli::ReadPlan).
  if (size > swell::controller::kMaxPlanBytes) return -1;
  const swell::cli::PlanSource source{
      "fuzz.yaml", std::string(swell::fuzz::AsText(data, size))};
  absl::StatusOr<swell::cli::CheckedPlan> checked =
      swell::cli::ValidatePlan(source, ShippedPolicies(),
                               /*allow_unresolved_policy=*/true);
  if (!checked.ok() || checked->policy_unresolved) return 0;
  const swell::controller::Plan& plan = checked->plan;
  (void)swell::controller::DescribeWaveShape(plan);
  for (const swell::controller::GateSpec& gate : plan.gates) {
    (void)swell::controller::DescribeGate(gate);
  }
  return 0;
}
