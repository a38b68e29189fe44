#pragma once

#include "agent/env.h"
#include "common/clock.h"

namespace swell::agent {

// The real Env: POSIX calls, getpwnam_r/getgrnam_r, common::RunCommand and
// `clock`. Thread-safe. Env::Default() is one over RealClock.
class PosixEnv final : public Env {
 public:
  // `clock` must outlive the env.
  explicit PosixEnv(const common::Clock* clock = &common::RealClock::Get());

  absl::StatusOr<std::string> ReadFile(const std::string& path,
                                       size_t max_bytes) override;
  absl::StatusOr<TempFile> NewTempFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Unlink(const std::string& path) override;
  absl::Status MakeDir(const std::string& dir, mode_t mode) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<FileInfo> Stat(const std::string& path) override;
  absl::StatusOr<FileInfo> Lstat(const std::string& path) override;
  absl::Status Chmod(const std::string& path, mode_t mode) override;
  absl::Status Chown(const std::string& path, uid_t uid, gid_t gid) override;
  absl::StatusOr<uid_t> UserId(const std::string& name) override;
  absl::StatusOr<gid_t> GroupId(const std::string& name) override;
  bool RunsAsRoot() override;
  absl::StatusOr<common::CommandResult> RunCommand(
      const common::CommandSpec& spec) override;
  const common::Clock& clock() override { return *clock_; }

 private:
  const common::Clock* const clock_;
};

}  // namespace swell::agent
