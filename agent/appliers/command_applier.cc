#include "agent/appliers/command_applier.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agent/appliers/journaled_step.h"
#include "common/value.h"

namespace swell::agent {
namespace {

absl::Duration TimeoutOf(const swell::v1::CommandSpec& c) {
  return c.timeout_ms() == 0 ? CommandApplier::kDefaultTimeout
                             : absl::Milliseconds(c.timeout_ms());
}

// `current`'s output as a value: one trailing newline is not part of it.
swell::v1::Value ValueOfOutput(std::string output) {
  if (!output.empty() && output.back() == '\n') output.pop_back();
  if (!output.empty() && output.back() == '\r') output.pop_back();
  return output.empty() ? common::AbsentValue() : common::PresentValue(output);
}

}  // namespace

CommandApplier::CommandApplier(std::map<std::string, std::string> command_env)
    : command_env_(std::move(command_env)) {}

StepRun CommandApplier::Run(const swell::v1::VariableSpec& spec,
                            absl::string_view what, const std::string& line,
                            const swell::v1::Value& value,
                            const std::atomic<bool>* cancel,
                            std::string* transcript, size_t max_output) const {
  const swell::v1::CommandSpec& c = spec.command();
  const std::string subject = value.present() ? value.data() : "";
  absl::StatusOr<std::vector<std::string>> argv =
      PlanCommandArgv(line, subject, c.shell());
  if (!argv.ok()) {
    StepRun bad;
    bad.status = std::string(argv.status().message());
    bad.message = absl::StrCat(what, " command is malformed: ", bad.status);
    return bad;
  }
  StepCommand cmd{*std::move(argv), command_env_, TimeoutOf(c), max_output};
  cmd.env.insert_or_assign("SWELL_VARIABLE", spec.name());
  cmd.env.insert_or_assign("SWELL_VALUE", subject);
  if (!value.present()) {
    cmd.env.insert_or_assign("SWELL_VALUE_ABSENT", std::string("1"));
  }
  return RunStepCommand(cmd, cancel, transcript);
}

absl::StatusOr<swell::v1::Value> CommandApplier::ReadActual(
    const swell::v1::VariableSpec& spec) {
  const swell::v1::CommandSpec& c = spec.command();
  if (c.current().empty()) {
    return absl::InvalidArgumentError(
        "command variable has no `current` command");
  }
  StepRun run = Run(spec, "current", c.current(), common::AbsentValue(),
                    nullptr, nullptr, kMaxValueBytes + 1);
  if (!run.ok) return absl::UnavailableError(run.message);
  if (run.output.size() > kMaxValueBytes) {
    return absl::OutOfRangeError(
        absl::StrCat("current printed more than ", kMaxValueBytes, " bytes"));
  }
  return ValueOfOutput(std::move(run.output));
}

std::string CommandApplier::Check(const swell::v1::VariableSpec& spec,
                                  const swell::v1::Value& value,
                                  ApplyContext& ctx, std::string* transcript) {
  const swell::v1::CommandSpec& c = spec.command();
  if (!c.verify().empty()) {
    StepRun run =
        Run(spec, "verify", c.verify(), value, ctx.cancel, transcript);
    return run.ok ? "" : run.message;
  }
  StepRun run = Run(spec, "current", c.current(), common::AbsentValue(),
                    ctx.cancel, transcript, kMaxValueBytes + 1);
  if (!run.ok) return run.message;
  swell::v1::Value now = ValueOfOutput(std::move(run.output));
  if (common::SameValue(now, value)) return "";
  return absl::StrCat("the host reads ", common::DescribeValue(now));
}

std::string CommandApplier::Revert(const swell::v1::VariableSpec& spec,
                                   ApplyContext& ctx, std::string* transcript) {
  const swell::v1::CommandSpec& c = spec.command();
  if (c.revert().empty()) return "";
  if (!ctx.before.has_value()) {
    return "; not reverted: the value before could not be read";
  }
  StepRun run =
      Run(spec, "revert", c.revert(), *ctx.before, ctx.cancel, transcript);
  if (!run.ok) return absl::StrCat("; revert failed: ", run.message);
  return absl::StrCat("; reverted to ", common::DescribeValue(*ctx.before));
}

ApplyOutcome CommandApplier::Apply(const swell::v1::VariableSpec& spec,
                                   const swell::v1::Value& value,
                                   ApplyContext& ctx) {
  const swell::v1::CommandSpec& c = spec.command();
  if (c.apply().empty()) {
    return ApplyOutcome::Fail("command variable has no `apply` command");
  }
  if (value.present() && value.data().size() > kMaxValueBytes) {
    return ApplyOutcome::Fail(absl::StrCat("value of ", value.data().size(),
                                           " bytes is over the ",
                                           kMaxValueBytes, "-byte limit"));
  }
  std::string transcript;
  if (ctx.resumed && !ctx.steps->Done("apply").has_value()) {
    absl::StrAppend(&transcript,
                    "# apply was interrupted by an agent restart; it is "
                    "checked, not run again\n");
    std::string missing = Check(spec, value, ctx, &transcript);
    if (missing.empty()) {
      return ApplyOutcome::Ok(
          "the interrupted apply had taken effect: the value is in place",
          std::move(transcript));
    }
    return ApplyOutcome::Fail(
        absl::StrCat("apply was interrupted by an agent restart and is not "
                     "run again (a command may not be repeatable); ",
                     missing),
        std::move(transcript));
  }
  if (auto stop = RunJournaledStep(ctx, "apply", &transcript, [&] {
        return Run(spec, "apply", c.apply(), value, ctx.cancel, &transcript);
      })) {
    if (!stop->ok && !stop->cancelled && !stop->superseded) {
      stop->message += Revert(spec, ctx, &transcript);
      stop->output_tail = transcript;
    }
    return *std::move(stop);
  }
  if (!c.verify().empty()) {
    StepRun run =
        Run(spec, "verify", c.verify(), value, ctx.cancel, &transcript);
    if (run.cancelled) {
      ApplyOutcome out = ApplyOutcome::Fail(run.message, transcript);
      out.cancelled = true;
      return out;
    }
    if (!run.ok) {
      std::string message = absl::StrCat("verify failed: ", run.message);
      message += Revert(spec, ctx, &transcript);
      return ApplyOutcome::Fail(std::move(message), std::move(transcript));
    }
  }
  return ApplyOutcome::Ok(
      absl::StrCat("applied ", common::DescribeValue(value)),
      std::move(transcript));
}

}  // namespace swell::agent
