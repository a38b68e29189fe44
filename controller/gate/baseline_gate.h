#pragma once

// Baseline gates: the changed hosts against unchanged hosts of the same
// role. Internal to the gate evaluator; EvaluateGate dispatches here.
//
// Per value of the role label, over every sample in the input's series:
// - the ratio of `statistic` on changed hosts to the same on unchanged
//   ones (an unchanged statistic of 0 gives 1 when the changed one is 0,
//   else an infinite ratio; a negative one leaves the ratio undefined);
// - optionally a two-sided Mann-Whitney U test (mann_whitney.h), which
//   breaches when p < alpha and the changed hosts moved in `direction`.
// A role whose changed or unchanged side has fewer than min_samples
// samples is missing data. A role with changed hosts but no unchanged host
// left (the final waves) has nothing to compare and is skipped.
//
// Verdict: fail when any role breaches; otherwise the missing-data policy
// when any role (or every role, before any host converged) lacks data;
// otherwise pass.

#include "controller/gate/gate_evaluator.h"

namespace swell::controller {

GateVerdict EvaluateBaseline(const GateSpec& gate, const GateInput& input);

}  // namespace swell::controller
