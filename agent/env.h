#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "common/process.h"

namespace swell::agent {

// The agent's only door to the operating system: files, directories,
// ownership, users, child processes and the clock. Components that touch
// the host (atomic_file, Journal, desired_state_file, FileApplier, step
// commands) take an Env*, so a test can hand them one that fails a write,
// an fsync or a rename, or "crashes" between two steps
// (tests/fakes/fault_env.h).
//
// Errors carry the operation, the path and the OS's reason ("fsync
// /var/lib/swell/journal.log: Input/output error"), with the code from
// ErrnoStatus. No call throws. Implementations are thread-safe; a
// WritableFile is used by one thread at a time.

// A file open for writing, positioned at its end.
class WritableFile {
 public:
  virtual ~WritableFile() = default;  // closes, ignoring errors

  // Writes all of `data` at the end of the file.
  [[nodiscard]] virtual absl::Status Append(absl::string_view data) = 0;
  // Returns once the file's data and metadata are on stable storage
  // (fsync). Data appended before a failed Sync may or may not survive a
  // crash.
  [[nodiscard]] virtual absl::Status Sync() = 0;
  // Closes the file; any later call fails.
  [[nodiscard]] virtual absl::Status Close() = 0;
};

// What Stat and Lstat report.
struct FileInfo {
  enum class Type { kRegular, kDirectory, kSymlink, kOther };
  Type type = Type::kOther;
  mode_t mode = 0;  // permission bits only (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;
};

// A new, empty file that no one else has opened, and its path.
struct TempFile {
  std::string path;
  std::unique_ptr<WritableFile> file;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide PosixEnv (agent/posix_env.h) over the real clock.
  // Never destroyed.
  static Env* Default();

  // Reads the whole file. kNotFound when it does not exist, kOutOfRange
  // when it is larger than `max_bytes`.
  virtual absl::StatusOr<std::string> ReadFile(const std::string& path,
                                               size_t max_bytes) = 0;
  // Creates a new file with mode 0600 in the directory of `path`, named
  // after it (".<name>.swell-XXXXXX"), so that renaming it over `path` is
  // atomic. The caller removes it if it does not rename it.
  virtual absl::StatusOr<TempFile> NewTempFile(const std::string& path) = 0;
  // Opens `path` for appending, creating it (mode 0644) if needed.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  // Cuts (or extends with zeros) the file to `size` bytes.
  [[nodiscard]] virtual absl::Status Truncate(const std::string& path,
                                              uint64_t size) = 0;
  // rename(2): atomically replaces `to`. Durable only after SyncDir of
  // `to`'s directory.
  [[nodiscard]] virtual absl::Status Rename(const std::string& from,
                                            const std::string& to) = 0;
  // Removes a file (not a directory). kNotFound when there is none.
  [[nodiscard]] virtual absl::Status Unlink(const std::string& path) = 0;
  // Creates one directory with `mode`. kAlreadyExists when something is
  // already there (a directory or not: Stat tells).
  [[nodiscard]] virtual absl::Status MakeDir(const std::string& dir,
                                             mode_t mode) = 0;
  // fsyncs the directory, so that a rename, creation or unlink in it
  // survives a crash.
  [[nodiscard]] virtual absl::Status SyncDir(const std::string& dir) = 0;
  // stat(2) (follows symlinks) and lstat(2) (does not). kNotFound when
  // nothing is there, including when a parent is not a directory.
  virtual absl::StatusOr<FileInfo> Stat(const std::string& path) = 0;
  virtual absl::StatusOr<FileInfo> Lstat(const std::string& path) = 0;
  [[nodiscard]] virtual absl::Status Chmod(const std::string& path,
                                           mode_t mode) = 0;
  // chown(2); -1 leaves that id unchanged.
  [[nodiscard]] virtual absl::Status Chown(const std::string& path, uid_t uid,
                                           gid_t gid) = 0;

  // The ids the host's user and group databases give `name` (a numeric
  // name is the id itself). kNotFound "user 'x' does not exist" when there
  // is no such entry; kUnavailable when the lookup itself failed.
  virtual absl::StatusOr<uid_t> UserId(const std::string& name) = 0;
  virtual absl::StatusOr<gid_t> GroupId(const std::string& name) = 0;
  // Whether the agent runs as root (effective uid 0), and so may give a
  // file away.
  virtual bool RunsAsRoot() = 0;

  // Runs a child process, as common::RunCommand: an error only when it
  // could not be started; one that ran and failed is an OK result.
  virtual absl::StatusOr<common::CommandResult> RunCommand(
      const common::CommandSpec& spec) = 0;

  // The source of "now" for timestamps the agent records.
  virtual const common::Clock& clock() = 0;
};

// "`what` `path`: strerror(err)", with the code that tells the caller what
// to do: kNotFound (ENOENT), kPermissionDenied (EACCES, EPERM),
// kAlreadyExists (EEXIST), kResourceExhausted (ENOSPC, EDQUOT), else
// kInternal.
absl::Status ErrnoStatus(absl::string_view what, absl::string_view path,
                         int err);

}  // namespace swell::agent
