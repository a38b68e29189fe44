#pragma once

// What the health-gate end-to-end tests share: plans with gates, reading
// verdicts back, and a fleet whose agents run the test's check scripts.

#include <functional>
#include <functional>
#include <string>
#include <vector>

#include "swell/v1/rollout.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace swell::e2e {

// A plan for the app-config file variable (new content: workers = 8) with
// the given gates (YAML list items, indented by two) and trailing
// top-level fields.
std::string GatedPlan(const std::string& name, const std::string& waves,
                      const std::string& bake, const std::string& gates,
                      const std::string& tail = "");

std::vector<swell::v1::GateVerdictRecord> VerdictsOf(
    const swell::v1::RolloutStatus& status, const std::string& gate);
bool HasVerdict(const swell::v1::RolloutStatus& status,
                const std::string& gate, const std::string& verdict);
// The reason and every verdict, one per line, for failure messages.
std::string DescribeVerdicts(const swell::v1::RolloutStatus& status);

class GatesE2eTest : public E2eTest {
 protected:
  // Writes a check script into the scratch directory; returns the command
  // an agent runs it with.
  std::string Script(const std::string& name, const std::string& body);

  // Waits until the rollout stops running (succeeded, rolled back, paused
  // or halted) and returns its state, so that a wrong outcome fails at once.
  std::string AwaitSettled(const std::string& id);

  // Starts n agents h0..h{n-1} of role web (even ones in site a, odd ones
  // in site b), each with the demo's check plus `checks` (NAME=COMMAND)
  // and `extra_args(i)` on its command line.
  void StartFleetWithChecks(
      int n, const std::vector<std::string>& checks,
      const std::function<std::vector<std::string>(int)>& extra_args = {});
};

}  // namespace swell::e2e
