#include "agent/posix_env.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agent/atomic_file.h"

namespace swell::agent {
namespace {

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path)
      : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) close(fd_);
  }

  absl::Status Append(absl::string_view data) override {
    if (fd_ < 0) return Closed();
    size_t off = 0;
    while (off < data.size()) {
      ssize_t w = write(fd_, data.data() + off, data.size() - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      off += static_cast<size_t>(w);
    }
    return absl::OkStatus();
  }

  absl::Status Sync() override {
    if (fd_ < 0) return Closed();
    if (fsync(fd_) != 0) return ErrnoStatus("fsync", path_, errno);
    return absl::OkStatus();
  }

  absl::Status Close() override {
    if (fd_ < 0) return Closed();
    int rc = close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoStatus("close", path_, errno);
    return absl::OkStatus();
  }

 private:
  absl::Status Closed() const {
    return absl::FailedPreconditionError(absl::StrCat(path_, " is closed"));
  }

  int fd_;
  const std::string path_;
};

FileInfo InfoOf(const struct stat& st) {
  FileInfo info;
  if (S_ISREG(st.st_mode)) {
    info.type = FileInfo::Type::kRegular;
  } else if (S_ISDIR(st.st_mode)) {
    info.type = FileInfo::Type::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    info.type = FileInfo::Type::kSymlink;
  }
  info.mode = st.st_mode & 07777;
  info.uid = st.st_uid;
  info.gid = st.st_gid;
  info.size = static_cast<uint64_t>(st.st_size);
  return info;
}

absl::StatusOr<FileInfo> StatWith(int (*call)(const char*, struct stat*),
                                  const std::string& path) {
  struct stat st;
  if (call(path.c_str(), &st) != 0) {
    int err = errno;
    absl::Status s = ErrnoStatus("stat", path, err);
    if (err == ENOTDIR) return absl::NotFoundError(s.message());
    return s;
  }
  return InfoOf(st);
}

// Whether getpwnam_r/getgrnam_r's `rc` means "no such name": POSIX says 0
// with no result, but some NSS modules return one of these instead.
bool NoSuchName(int rc) {
  return rc == 0 || rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM;
}

// Looks `name` up with getpwnam_r or getgrnam_r (`lookup`), growing the
// buffer on ERANGE. `what` is "user" or "group".
template <typename Entry, typename Id>
absl::StatusOr<Id> LookUpId(const std::string& name, absl::string_view what,
                            int (*lookup)(const char*, Entry*, char*, size_t,
                                          Entry**),
                            Id Entry::*id_field) {
  uint32_t id;
  if (absl::SimpleAtoi(name, &id)) return static_cast<Id>(id);
  constexpr size_t kMaxBuffer = 1 << 20;
  std::vector<char> buf(16384);
  Entry entry;
  Entry* found = nullptr;
  int rc = 0;
  for (;;) {
    rc = lookup(name.c_str(), &entry, buf.data(), buf.size(), &found);
    if (rc != ERANGE || buf.size() >= kMaxBuffer) break;
    buf.resize(buf.size() * 2);
  }
  if (found != nullptr) return found->*id_field;
  if (NoSuchName(rc)) {
    return absl::NotFoundError(
        absl::StrCat(what, " '", name, "' does not exist"));
  }
  return absl::UnavailableError(absl::StrCat("cannot look up ", what, " '",
                                             name, "': ", std::strerror(rc)));
}

}  // namespace

absl::Status ErrnoStatus(absl::string_view what, absl::string_view path,
                         int err) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(msg);
    case EEXIST:
      return absl::AlreadyExistsError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

Env* Env::Default() {
  static Env* const env = new PosixEnv();
  return env;
}

PosixEnv::PosixEnv(const common::Clock* clock) : clock_(clock) {}

absl::StatusOr<std::string> PosixEnv::ReadFile(const std::string& path,
                                               size_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return ErrnoStatus("read", path, err);
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

absl::StatusOr<TempFile> PosixEnv::NewTempFile(const std::string& path) {
  std::string dir = DirName(path);
  std::string base = path.substr(path.rfind('/') + 1);
  std::string templ = absl::StrCat(dir, "/.", base, ".swell-XXXXXX");
  int fd = mkostemp(templ.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("create temp file in", dir, errno);
  TempFile out;
  out.path = templ;
  out.file = std::make_unique<PosixWritableFile>(fd, std::move(templ));
  return out;
}

absl::StatusOr<std::unique_ptr<WritableFile>> PosixEnv::NewAppendableFile(
    const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path, errno);
  return std::make_unique<PosixWritableFile>(fd, path);
}

absl::Status PosixEnv::Truncate(const std::string& path, uint64_t size) {
  if (truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return ErrnoStatus("truncate", path, errno);
  }
  return absl::OkStatus();
}

absl::Status PosixEnv::Rename(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoStatus("rename to", to, errno);
  }
  return absl::OkStatus();
}

absl::Status PosixEnv::Unlink(const std::string& path) {
  if (unlink(path.c_str()) != 0) return ErrnoStatus("remove", path, errno);
  return absl::OkStatus();
}

absl::Status PosixEnv::MakeDir(const std::string& dir, mode_t mode) {
  if (mkdir(dir.c_str(), mode) != 0) return ErrnoStatus("mkdir", dir, errno);
  return absl::OkStatus();
}

absl::Status PosixEnv::SyncDir(const std::string& dir) {
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", dir, errno);
  int rc = fsync(fd);
  int err = errno;
  close(fd);
  if (rc != 0) return ErrnoStatus("fsync", dir, err);
  return absl::OkStatus();
}

absl::StatusOr<FileInfo> PosixEnv::Stat(const std::string& path) {
  return StatWith(&stat, path);
}

absl::StatusOr<FileInfo> PosixEnv::Lstat(const std::string& path) {
  return StatWith(&lstat, path);
}

absl::Status PosixEnv::Chmod(const std::string& path, mode_t mode) {
  if (chmod(path.c_str(), mode) != 0) return ErrnoStatus("chmod", path, errno);
  return absl::OkStatus();
}

absl::Status PosixEnv::Chown(const std::string& path, uid_t uid, gid_t gid) {
  if (chown(path.c_str(), uid, gid) != 0) {
    return ErrnoStatus("chown", path, errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<uid_t> PosixEnv::UserId(const std::string& name) {
  return LookUpId<passwd, uid_t>(name, "user", getpwnam_r, &passwd::pw_uid);
}

absl::StatusOr<gid_t> PosixEnv::GroupId(const std::string& name) {
  return LookUpId<group, gid_t>(name, "group", getgrnam_r, &group::gr_gid);
}

bool PosixEnv::RunsAsRoot() { return geteuid() == 0; }

absl::StatusOr<common::CommandResult> PosixEnv::RunCommand(
    const common::CommandSpec& spec) {
  return common::RunCommand(spec);
}

}  // namespace swell::agent
