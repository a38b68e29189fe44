#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// What one attempt to enact a value did.
struct ApplyOutcome {
  bool ok = false;
  // Stopped through the cancel flag (agent shutdown) before it finished.
  // Nothing is known to have changed; the attempt resumes at next start.
  bool cancelled = false;
  // Stopped between two steps because a newer desired state changed the
  // variable; the newer value is applied next.
  bool superseded = false;
  std::string message;      // one line: why it failed, or what it did
  std::string output_tail;  // the commands it ran: exit, duration, output
  // Health samples the apply measured (e.g. containers running again after
  // a daemon restart), sent to the controller with the agent's others.
  std::vector<swell::v1::Sample> samples;

  static ApplyOutcome Ok(std::string message, std::string output_tail = "") {
    ApplyOutcome out;
    out.ok = true;
    out.message = std::move(message);
    out.output_tail = std::move(output_tail);
    return out;
  }
  static ApplyOutcome Fail(std::string message, std::string output_tail = "") {
    ApplyOutcome out;
    out.message = std::move(message);
    out.output_tail = std::move(output_tail);
    return out;
  }
};

// The finished steps of one apply (one variable, one generation), kept in
// the journal so that an apply interrupted by a crash resumes after its last
// finished step instead of running that step again.
class StepLog {
 public:
  virtual ~StepLog() = default;
  // The detail recorded with `step` when it finished in this apply or in an
  // interrupted earlier attempt of it; nullopt when it has not finished.
  virtual std::optional<std::string> Done(absl::string_view step) const = 0;
  // Durably records that `step` finished. An applier that cannot record a
  // step must not run the next one.
  [[nodiscard]] virtual absl::Status Record(absl::string_view step,
                                            absl::string_view detail) = 0;
};

// What an apply may use besides the spec and the value.
struct ApplyContext {
  // Becomes true when the agent stops; running commands are stopped.
  const std::atomic<bool>* cancel = nullptr;
  // True once a newer desired state changed this variable. Appliers check it
  // between steps and never stop a running command for it.
  std::function<bool()> superseded = [] { return false; };
  StepLog* steps = nullptr;  // never null during Apply
  // An earlier attempt of this same apply was interrupted (crash, kill):
  // `steps` holds what it finished.
  bool resumed = false;
  // The variable's value before this apply, as the agent read it; nullopt
  // when it could not be read.
  std::optional<swell::v1::Value> before;

  bool Cancelled() const { return cancel != nullptr && cancel->load(); }
};

// Enacts the values of one kind of variable (file, package, ...) on this
// host. Implementations are stateless towards the caller and may be called
// from any thread, one call at a time per variable.
class Applier {
 public:
  virtual ~Applier() = default;

  // The variable's value on the host right now: AbsentValue() when the
  // thing is not there. An error when it cannot be read (kInvalidArgument
  // for a bad spec, kOutOfRange for a value too large to manage).
  virtual absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) = 0;

  // Makes the host's value `value`. Returns when done, failed, cancelled or
  // superseded; never leaves a half-written thing behind when it can avoid
  // it. With ctx.resumed, steps recorded in ctx.steps are not run again;
  // each applier documents what it does about the step that was running
  // when the earlier attempt was interrupted.
  virtual ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                             const swell::v1::Value& value,
                             ApplyContext& ctx) = 0;
};

}  // namespace swell::agent
