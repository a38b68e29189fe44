#include "agent/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace swell::agent {
namespace {

absl::Status OsError(absl::string_view what, const std::string& path, int err) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  return absl::InternalError(msg);
}

}  // namespace

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status MakeDirs(const std::string& dir) {
  if (dir.empty() || dir == "/" || dir == ".") return absl::OkStatus();
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return absl::OkStatus();
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a directory"));
  }
  absl::Status parent = MakeDirs(DirName(dir));
  if (!parent.ok()) return parent;
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return OsError("mkdir", dir, errno);
  }
  return absl::OkStatus();
}

absl::Status FsyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return OsError("open", dir, errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return OsError("fsync", dir, err);
  return absl::OkStatus();
}

absl::StatusOr<std::string> WriteTempFile(const std::string& path,
                                          absl::string_view data, mode_t mode) {
  std::string dir = DirName(path);
  std::string base = path.substr(path.rfind('/') + 1);
  std::string templ = absl::StrCat(dir, "/.", base, ".swell-XXXXXX");
  int fd = mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) return OsError("create temp file in", dir, errno);
  auto fail = [&](absl::string_view what) {
    int err = errno;
    close(fd);
    unlink(templ.c_str());
    return OsError(what, templ, err);
  };
  size_t off = 0;
  while (off < data.size()) {
    ssize_t w = write(fd, data.data() + off, data.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return fail("write");
    }
    off += static_cast<size_t>(w);
  }
  if (fchmod(fd, mode) != 0) return fail("chmod");
  if (fsync(fd) != 0) return fail("fsync");
  if (close(fd) != 0) {
    int err = errno;
    unlink(templ.c_str());
    return OsError("close", templ, err);
  }
  return templ;
}

absl::Status CommitTempFile(const std::string& temp, const std::string& path) {
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return OsError("rename to", path, err);
  }
  return FsyncDir(DirName(path));
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view data, mode_t mode) {
  absl::Status dirs = MakeDirs(DirName(path));
  if (!dirs.ok()) return dirs;
  absl::StatusOr<std::string> temp = WriteTempFile(path, data, mode);
  if (!temp.ok()) return temp.status();
  return CommitTempFile(*temp, path);
}

absl::StatusOr<std::string> ReadFileBounded(const std::string& path,
                                            size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return OsError("open", path, errno);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return OsError("read", path, err);
    }
    if (got == 0) break;
    out.append(buf, static_cast<size_t>(got));
    if (out.size() > max_bytes) {
      close(fd);
      return absl::OutOfRangeError(
          absl::StrCat(path, " is larger than ", max_bytes, " bytes"));
    }
  }
  close(fd);
  return out;
}

}  // namespace swell::agent
