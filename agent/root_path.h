#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace swell::agent {

// Maps a host path (absolute, as plans and the controller spell it) to the
// path below `root`, the directory the agent treats as "/". With root "/"
// the path is only normalized.
//
// Returns kInvalidArgument for a relative or empty path, or one whose ".."
// components would climb above root. Also kInvalidArgument when an existing
// ancestor of the result is a symlink leading outside root, so a managed
// path cannot be used to write elsewhere on the machine.
absl::StatusOr<std::string> ResolveUnderRoot(absl::string_view root,
                                             absl::string_view path);

// The lexically normalized absolute form of `path` ("a//b/./c" -> "/a/b/c"),
// resolving ".." against the components before it. A relative path is
// taken relative to the current directory. kInvalidArgument when ".."
// climbs above "/".
absl::StatusOr<std::string> NormalizePath(absl::string_view path);

}  // namespace swell::agent
