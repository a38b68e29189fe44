#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swell::agent {

// Durable file operations. Every function reports errors with the path and
// the OS's reason; none throws.

// Creates `dir` and its missing parents with mode 0755.
[[nodiscard]] absl::Status MakeDirs(const std::string& dir);

// fsyncs the directory, so that a rename or unlink in it survives a crash.
[[nodiscard]] absl::Status FsyncDir(const std::string& dir);

// Writes `data` to a new file next to `path` (same directory, so rename is
// atomic), fsyncs it and sets `mode`. Returns the temporary file's path; the
// caller renames it over `path` (CommitTempFile) or removes it.
[[nodiscard]] absl::StatusOr<std::string> WriteTempFile(const std::string& path,
                                                        absl::string_view data,
                                                        mode_t mode);

// Renames `temp` over `path` and fsyncs the directory.
[[nodiscard]] absl::Status CommitTempFile(const std::string& temp,
                                          const std::string& path);

// WriteTempFile + CommitTempFile: after a crash, `path` holds either the old
// or the new content, never a mix. Creates missing parent directories.
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
