#include "agent/appliers/step_command.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "common/process.h"

namespace swell::agent {
namespace {

constexpr size_t kMaxShownArgv = 300;

std::string ShowArgv(const std::vector<std::string>& argv) {
  std::string shown = absl::StrJoin(argv, " ");
  if (shown.size() > kMaxShownArgv) {
    shown = absl::StrCat(shown.substr(0, kMaxShownArgv), "...");
  }
  return shown;
}

}  // namespace

std::string LastLine(absl::string_view output, size_t max) {
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r' ||
                             output.back() == ' ')) {
    output.remove_suffix(1);
  }
  size_t nl = output.rfind('\n');
  absl::string_view line =
      nl == absl::string_view::npos ? output : output.substr(nl + 1);
  if (line.size() > max) line = line.substr(line.size() - max);
  return std::string(line);
}

std::string TailOf(std::string text, size_t max) {
  if (text.size() > max) text.erase(0, text.size() - max);
  return text;
}

StepRun RunStepCommand(const StepCommand& cmd, const std::atomic<bool>* cancel,
                       std::string* transcript, Env* env) {
  StepRun out;
  const std::string shown = ShowArgv(cmd.argv);
  common::CommandSpec spec;
  spec.argv = cmd.argv;
  spec.extra_env = cmd.env;
  spec.timeout = cmd.timeout;
  spec.max_output = cmd.max_output;
  spec.cancel = cancel;
  absl::StatusOr<common::CommandResult> run = env->RunCommand(spec);
  if (!run.ok()) {
    out.status = std::string(run.status().message());
    out.message = absl::StrCat(shown, " could not run: ", out.status);
    if (transcript != nullptr)
      absl::StrAppend(transcript, "$ ", out.message, "\n");
    return out;
  }
  out.ok = run->ok();
  out.started = true;
  out.status = run->Describe();
  out.cancelled = run->cancelled;
  out.exit_code = run->exited ? run->exit_code : -1;
  out.output = std::move(run->output);
  out.message = absl::StrCat(shown, ": ", run->Describe());
  if (!out.ok) {
    if (std::string last = LastLine(out.output); !last.empty()) {
      absl::StrAppend(&out.message, ": ", last);
    }
  }
  if (transcript != nullptr) {
    absl::StrAppend(transcript, "$ ", shown, " (", run->Describe(), ")\n",
                    out.output);
    if (!out.output.empty() && out.output.back() != '\n') {
      absl::StrAppend(transcript, "\n");
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> PlanCommandArgv(
    absl::string_view line, absl::string_view subject, bool shell) {
  if (shell) {
    if (line.empty()) return absl::InvalidArgumentError("empty command line");
    return std::vector<std::string>{"sh", "-c", std::string(line)};
  }
  absl::StatusOr<std::vector<std::string>> words =
      common::SplitCommandLine(std::string_view(line.data(), line.size()));
  if (!words.ok()) return words.status();
  for (std::string& w : *words) w = absl::StrReplaceAll(w, {{"{}", subject}});
  return words;
}

}  // namespace swell::agent
