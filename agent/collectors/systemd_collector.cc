#include "agent/collectors/systemd_collector.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/process.h"

namespace swell::agent {

SystemdCollector::SystemdCollector(CollectorSpec spec,
                                   std::map<std::string, std::string> env)
    : spec_(std::move(spec)), env_(std::move(env)) {}

std::vector<swell::v1::Sample> SystemdCollector::Collect(
    const std::atomic<bool>& cancel) {
  common::CommandSpec cmd;
  cmd.argv = {"systemctl", "is-active", spec_.unit};
  cmd.extra_env = env_;
  cmd.timeout = spec_.timeout;
  cmd.max_output = 1024;
  cmd.cancel = &cancel;
  absl::StatusOr<common::CommandResult> run = common::RunCommand(cmd);
  swell::v1::Sample s;
  s.set_name(spec_.name);
  s.set_unix_ms(absl::ToUnixMillis(absl::Now()));
  if (!run.ok()) {
    s.set_ok(false);
    s.set_error(std::string(run.status().message()));
  } else if (!run->exited || run->timed_out || run->cancelled) {
    s.set_ok(false);
    s.set_error(absl::StrCat("systemctl is-active ", spec_.unit, ": ",
                             run->Describe()));
  } else {
    s.set_ok(true);
    s.set_value(run->exit_code == 0 ? 1 : 0);
  }
  return {std::move(s)};
}

}  // namespace swell::agent
