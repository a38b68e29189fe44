#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agent/env.h"

namespace swell::agent {

// Durable file operations over an Env. Every function reports errors with
// the path and the OS's reason (see ErrnoStatus); none throws. The
// overloads without an Env use Env::Default().

// Creates `dir` and its missing parents with mode 0755.
[[nodiscard]] absl::Status MakeDirs(Env* env, const std::string& dir);
[[nodiscard]] absl::Status MakeDirs(const std::string& dir);

// Writes `data` to a new file next to `path` (same directory, so rename is
// atomic), sets `mode` and fsyncs it. Returns the temporary file's path;
// the caller renames it over `path` (CommitTempFile) or removes it. On
// failure the temporary file is removed.
[[nodiscard]] absl::StatusOr<std::string> WriteTempFile(Env* env,
                                                        const std::string& path,
                                                        absl::string_view data,
                                                        mode_t mode);

// Renames `temp` over `path` and fsyncs the directory. When the rename
// fails, `temp` is removed and `path` is untouched.
[[nodiscard]] absl::Status CommitTempFile(Env* env, const std::string& temp,
                                          const std::string& path);

// WriteTempFile + CommitTempFile: after a crash, `path` holds either the old
// or the new content, never a mix. Creates missing parent directories.
[[nodiscard]] absl::Status WriteFileAtomically(Env* env,
                                               const std::string& path,
                                               absl::string_view data,
                                               mode_t mode = 0644);
[[nodiscard]] absl::Status WriteFileAtomically(const std::string& path,
                                               absl::string_view data,
                                               mode_t mode = 0644);

// Reads at most `max_bytes`; kNotFound when the file does not exist,
// kOutOfRange when it is larger than `max_bytes`.
[[nodiscard]] absl::StatusOr<std::string> ReadFileBounded(
    const std::string& path, size_t max_bytes);

// The directory part of an absolute path ("/a/b" -> "/a", "/a" -> "/").
std::string DirName(const std::string& path);

}  // namespace swell::agent
