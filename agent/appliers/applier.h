#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "swell/v1/types.pb.h"

namespace swell::agent {

// What one attempt to enact a value did.
struct ApplyOutcome {
  bool ok = false;
  // Stopped through the cancel flag (agent shutdown) before it finished.
  // Nothing is known to have changed; the attempt is retried at next start.
  bool cancelled = false;
  std::string message;      // one line: why it failed, or what it did
  std::string output_tail;  // tail of the output of commands it ran
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

  // Makes the host's value `value`. Returns when done, failed, or
  // `cancel` became true; never leaves a half-written thing behind when it
  // can avoid it.
  virtual ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                             const swell::v1::Value& value,
                             const std::atomic<bool>& cancel) = 0;
};

}  // namespace swell::agent
