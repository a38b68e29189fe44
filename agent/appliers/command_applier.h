#pragma once

#include <map>
#include <string>

#include "absl/time/time.h"
#include "agent/appliers/applier.h"
#include "agent/appliers/step_command.h"

namespace swell::agent {

// Manages VARIABLE_KIND_COMMAND variables through the plan's commands.
//
// ReadActual runs `current`: exit 0 with output is the value (one trailing
// newline dropped), exit 0 with no output is absent, anything else an
// error. Apply runs `apply` (journaled as step "apply"), then `verify` when
// given; when either fails it runs `revert` (when given) with the value the
// host had before, and reports the failure. Every command gets the value as
// $SWELL_VALUE (and SWELL_VALUE_ABSENT=1 for an absent value) and, without
// a shell, as "{}" in its words; each runs with the spec's timeout and
// bounded output.
//
// Commands are not assumed to be repeatable. A resumed apply whose "apply"
// step had not finished never runs it again: it checks the host (`verify`,
// else `current`) and reports the value in place, or fails saying the apply
// was interrupted, leaving the decision to the controller (which rolls back
// by asking for the previous value).
class CommandApplier final : public Applier {
 public:
  static constexpr absl::Duration kDefaultTimeout = absl::Seconds(60);
  static constexpr size_t kMaxValueBytes = 64 * 1024;

  explicit CommandApplier(std::map<std::string, std::string> command_env);

  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override;
  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value, ApplyContext& ctx) override;

 private:
  // Runs the plan command `line` (`what` names it) with `value`.
  StepRun Run(const swell::v1::VariableSpec& spec, absl::string_view what,
              const std::string& line, const swell::v1::Value& value,
              const std::atomic<bool>* cancel, std::string* transcript,
              size_t max_output = 16 * 1024) const;
  // Whether `value` is in place: `verify` exits 0, or (without verify)
  // `current` prints it. "" when it is, else why not.
  std::string Check(const swell::v1::VariableSpec& spec,
                    const swell::v1::Value& value, ApplyContext& ctx,
                    std::string* transcript);
  // Runs `revert` with ctx.before after a failed step; returns what to add
  // to the failure message.
  std::string Revert(const swell::v1::VariableSpec& spec, ApplyContext& ctx,
                     std::string* transcript);

  std::map<std::string, std::string> command_env_;
};

}  // namespace swell::agent
