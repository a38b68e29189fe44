#include "controller/auth/bootstrap_admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace swell::controller {
namespace {

constexpr char kFlag[] = "--bootstrap_admin_token_file";

absl::Status WriteSecretFile(const std::string& path,
                             const std::string& secret) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
           S_IRUSR | S_IWUSR);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat(
          kFlag, ": ", path,
          " exists, and no admin token does; remove the file (or name a new "
          "one) and start again"));
    }
    return absl::InvalidArgumentError(
        absl::StrCat(kFlag, ": cannot create ", path, ": ", strerror(err)));
  }
  const std::string text = secret + "\n";
  bool ok = fchmod(fd, S_IRUSR | S_IWUSR) == 0;
  size_t written = 0;
  while (ok && written < text.size()) {
    const ssize_t n = write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  const int err = errno;
  ok = ok && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    unlink(path.c_str());
    return absl::InternalError(
        absl::StrCat(kFlag, ": cannot write ", path, ": ", strerror(err)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BootstrapOutcome> BootstrapAdminToken(TokenStore& store,
                                                     const std::string& path,
                                                     absl::Time now) {
  absl::StatusOr<bool> has_admin = store.HasUsableAdmin(now);
  if (!has_admin.ok()) return has_admin.status();
  if (*has_admin) {
    spdlog::info("{}: an admin token exists already; {} was not written", kFlag,
                 path);
    return BootstrapOutcome::kAdminExists;
  }
  absl::StatusOr<std::string> secret = NewTokenSecret();
  if (!secret.ok()) return secret.status();
  if (absl::Status s = WriteSecretFile(path, *secret); !s.ok()) return s;

  ApiToken token;
  token.name = kBootstrapAdminName;
  token.role = Role::kAdmin;
  token.sha256_hex = TokenSha256Hex(*secret);
  token.created_at = now;
  token.created_by = "swell-controller";
  AuditEvent audit{now, "swell-controller", "create_token", "",
                   absl::StrCat(kBootstrapAdminName, " (admin) by ", kFlag)};
  absl::StatusOr<bool> created = store.CreateFirstAdmin(token, audit);
  if (!created.ok() || !*created) unlink(path.c_str());
  if (!created.ok()) return created.status();
  if (!*created) {
    spdlog::info(
        "{}: another controller made an admin token first; {} was "
        "not written",
        kFlag, path);
    return BootstrapOutcome::kAdminExists;
  }
  spdlog::warn(
      "{}: wrote a new admin token '{}' to {} (mode 0600). Make your own "
      "tokens with it (swellctl token create), then revoke it and delete "
      "the file",
      kFlag, kBootstrapAdminName, path);
  return BootstrapOutcome::kWritten;
}

}  // namespace swell::controller
