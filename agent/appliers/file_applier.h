#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "agent/appliers/applier.h"

namespace swell::agent {

// Manages VARIABLE_KIND_FILE variables: the value is the file's content, or
// absent when there is no file. Paths resolve below `root`.
//
// Apply (present) writes a temp file next to the live one, fsyncs it, sets
// mode and owner, runs `validate` on it ("{}" in its words is the temp
// file's path), renames it over the live file, fsyncs the directory and
// runs `reload` ("{}" is the live path). A validate failure leaves the live
// file untouched and removes the temp. A reload failure reports ok=false;
// the new file stays.
// Apply (absent) removes the file, then runs `reload`.
//
// Commands run without a shell, with `command_env` added to the
// environment. Ownership is changed only when the agent runs as root.
class FileApplier final : public Applier {
 public:
  static constexpr size_t kMaxFileBytes = 1 << 20;

  FileApplier(std::string root, std::map<std::string, std::string> command_env,
              absl::Duration command_timeout = absl::Seconds(60));

  absl::StatusOr<swell::v1::Value> ReadActual(
      const swell::v1::VariableSpec& spec) override;
  ApplyOutcome Apply(const swell::v1::VariableSpec& spec,
                     const swell::v1::Value& value,
                     const std::atomic<bool>& cancel) override;

 private:
  ApplyOutcome WritePresent(const swell::v1::FileSpec& file,
                            const std::string& path, const std::string& data,
                            const std::atomic<bool>& cancel);
  ApplyOutcome Remove(const swell::v1::FileSpec& file, const std::string& path,
                      const std::atomic<bool>& cancel);
  // Runs `command_line` with "{}" replaced by `subject`. `what` names the
  // step in messages ("validate", "reload"). ok=true on exit 0.
  ApplyOutcome RunStep(absl::string_view what, const std::string& command_line,
                       const std::string& subject,
                       const std::atomic<bool>& cancel);

  std::string root_;
  std::map<std::string, std::string> command_env_;
  absl::Duration command_timeout_;
};

}  // namespace swell::agent
