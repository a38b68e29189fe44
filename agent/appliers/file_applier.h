#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "agent/appliers/applier.h"
#include "agent/env.h"

namespace swell::agent {

// Manages VARIABLE_KIND_FILE variables: the value is the file's content, or
// absent when there is no file. Paths resolve below `root`.
//
// Apply (present) writes a temp file next to the live one, fsyncs it, sets
// mode and owner, runs `validate` on it ("{}" in its words is the temp
// file's path), renames it over the live file, fsyncs the directory and
// runs `reload` ("{}" is the live path), then `systemctl restart` of each
// of `restart_units`. A validate failure leaves the live file untouched and
// removes the temp. A reload or restart failure reports ok=false; the new
// file stays.
// Apply (absent) removes the file, then runs `reload` and the restarts.
//
// Idempotent: a resumed apply runs again in full (the file may be in place
// with its reload never run). Commands run without a shell (a plan asks for
// one with `sh -c`), with `command_env` added to the environment, a
// timeout and bounded output. Owner and group are looked up before anything
// is written, whoever the agent runs as: one the host does not know fails
// the apply ("user 'appx' does not exist") with the live file untouched.
// Ownership is changed only when the agent runs as root. Files, users and
// commands are reached through `env`, which must outlive the applier; an
// error from it (a failed write or fsync, a full disk) fails the apply with
// its message, and before the rename the live file stays as it was.
class FileApplier final : public Applier {
 public:
  static constexpr size_t kMaxFileBytes = 1 << 20;

  FileApplier(std::string root, std::map<std::string, std::string> command_env,
              absl::Duration command_timeout = absl::Seconds(60),
              Env* env = Env::Default());

  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override;
  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value, ApplyContext& ctx) override;

 private:
  ApplyOutcome WritePresent(const swell::v1::FileSpec& file,
                            const std::string& path, const std::string& data,
                            ApplyContext& ctx);
  ApplyOutcome Remove(const swell::v1::FileSpec& file, const std::string& path,
                      ApplyContext& ctx);
  // Runs `command_line` with "{}" replaced by `subject`. `what` names the
  // step in messages ("validate", "reload"). ok=true on exit 0.
  ApplyOutcome RunStep(absl::string_view what, const std::string& command_line,
                       const std::string& subject, ApplyContext& ctx,
                       std::string* transcript);
  // Runs reload and the restarts after the live file changed; `done` says
  // what changed. A cancelled command counts as failed: the file is already
  // in place, so the apply must not be retried as if nothing happened.
  ApplyOutcome AfterChange(const swell::v1::FileSpec& file,
                           const std::string& path, std::string done,
                           ApplyContext& ctx);

  Env* const env_;
  std::string root_;
  std::map<std::string, std::string> command_env_;
  absl::Duration command_timeout_;
};

}  // namespace swell::agent
