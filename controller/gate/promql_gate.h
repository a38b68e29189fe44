#pragma once

// PromQL gates: a Prometheus server's answer to the gate's query, compared
// with the threshold. Internal to the gate evaluator; EvaluateGate
// dispatches here.
//
// Every series of the answer must meet `op threshold`; the verdict names
// the worst one. A series whose value is NaN (0/0, say an error ratio with
// no traffic) has no value. Missing data, under the gate's policy: no
// fresh answer to the current query yet, an answer that is an error, or
// an answer with no series or only NaN ones.

#include "controller/gate/gate_evaluator.h"

namespace swell::controller {

GateVerdict EvaluatePromqlGate(const GateSpec& gate, const GateInput& input);

}  // namespace swell::controller
