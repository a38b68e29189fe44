#include "agent/root_path.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace swell::agent {
namespace {

bool IsBelow(absl::string_view path, absl::string_view dir) {
  if (dir == "/") return true;
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir &&
          path[dir.size()] == '/');
}

// realpath() of the deepest existing ancestor of `path` (itself included).
std::string RealDeepestAncestor(std::string path) {
  while (true) {
    char buf[PATH_MAX];
    if (realpath(path.c_str(), buf) != nullptr) return buf;
    size_t slash = path.rfind('/');
    if (slash == 0 || slash == std::string::npos) return "/";
    path.resize(slash);
  }
}

}  // namespace

absl::StatusOr<std::string> NormalizePath(absl::string_view path) {
  std::string full(path);
  if (full.empty() || full[0] != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == nullptr) {
      return absl::InternalError("cannot read the current directory");
    }
    full = absl::StrCat(cwd, "/", path);
  }
  std::vector<absl::string_view> parts;
  for (absl::string_view part : absl::StrSplit(full, '/', absl::SkipEmpty())) {
    if (part == ".") continue;
    if (part == "..") {
      if (parts.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("path '", path, "' climbs above /"));
      }
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

absl::StatusOr<std::string> ResolveUnderRoot(absl::string_view root,
                                             absl::string_view path) {
  if (path.empty() || path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("path '", path, "' is not absolute"));
  }
  absl::StatusOr<std::string> rel = NormalizePath(path);
  if (!rel.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("path '", path, "' escapes the agent's root"));
  }
  absl::StatusOr<std::string> base = NormalizePath(root);
  if (!base.ok()) return base.status();
  std::string joined = *base == "/" ? *rel : absl::StrCat(*base, *rel);
  if (*base != "/" && *rel == "/") joined = *base;
  if (*base != "/") {
    std::string real_root = RealDeepestAncestor(*base);
    std::string real_target = RealDeepestAncestor(joined);
    if (!IsBelow(real_target, real_root)) {
      return absl::InvalidArgumentError(
          absl::StrCat("path '", path, "' leads outside the agent's root (",
                       real_target, ")"));
    }
  }
  return joined;
}

}  // namespace swell::agent
