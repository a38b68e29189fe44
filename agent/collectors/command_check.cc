#include "agent/collectors/command_check.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "common/process.h"

namespace swell::agent {
namespace {

absl::string_view LastNonBlankLine(absl::string_view out) {
  out = absl::StripTrailingAsciiWhitespace(out);
  size_t nl = out.rfind('\n');
  absl::string_view line =
      nl == absl::string_view::npos ? out : out.substr(nl + 1);
  return absl::StripAsciiWhitespace(line);
}

swell::v1::Sample Failed(const CheckSpec& spec, std::string error) {
  swell::v1::Sample s;
  s.set_name(spec.name);
  s.set_ok(false);
  s.set_error(std::move(error));
  s.set_unix_ms(absl::ToUnixMillis(absl::Now()));
  return s;
}

}  // namespace

swell::v1::Sample RunCheck(const CheckSpec& spec,
                           const std::map<std::string, std::string>& env,
                           const std::atomic<bool>* cancel) {
  absl::StatusOr<std::vector<std::string>> argv =
      common::SplitCommandLine(spec.command);
  if (!argv.ok()) return Failed(spec, std::string(argv.status().message()));
  common::CommandSpec cmd;
  cmd.argv = *std::move(argv);
  cmd.extra_env = env;
  cmd.timeout = spec.timeout;
  cmd.max_output = 4096;
  cmd.cancel = cancel;
  absl::StatusOr<common::CommandResult> run = common::RunCommand(cmd);
  if (!run.ok()) return Failed(spec, std::string(run.status().message()));
  if (run->timed_out || run->cancelled) return Failed(spec, run->Describe());

  swell::v1::Sample s;
  s.set_name(spec.name);
  s.set_unix_ms(absl::ToUnixMillis(absl::Now()));
  if (spec.parse == CheckParse::kExit) {
    s.set_ok(true);
    s.set_value(run->ok() ? 1.0 : 0.0);
    return s;
  }
  if (!run->ok()) return Failed(spec, run->Describe());
  absl::string_view line = LastNonBlankLine(run->output);
  double value;
  if (!absl::SimpleAtod(line, &value) || !std::isfinite(value)) {
    std::string shown(line.substr(0, 80));
    return Failed(
        spec, line.empty()
                  ? std::string("printed no number")
                  : absl::StrCat("last line is not a number: '", shown, "'"));
  }
  s.set_ok(true);
  s.set_value(value);
  return s;
}

}  // namespace swell::agent
